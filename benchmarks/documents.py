"""Document benchmarks, each against a baseline measured in the same run.

    python -m benchmarks.documents [--repeat 7]

Builds a small vault with one fictional case ready for a referral and for a T-visa packet
with 20 exhibit pages (PDF attachments and photos), then measures, through the same service
call as the application (permission, consent, build, record, audit):

- a one-page plain document through the layout module (the baseline);
- the referral packet (Spanish, with the survivor's copy in Arabic), plain and encrypted;
- the residence-status packet with 20 exhibit pages;

and prints the median time and the file size beside the targets, with the size of the fonts
embedded whole for comparison (they are subset).  Then, in the documents dialog on an
offscreen screen (``benchmarks/preview.py``; skipped with ``--no-gui``):

- Preview of the referral packet, from the click to the first page painted (target 0.5 s);
  baseline: a bare ``QPdfView`` showing the one-page plain document from memory;
- the longest GUI-thread stall while previewing the referral and the residence packet, and
  while printing the residence packet (target 50 ms); baselines: the same packet made with
  no preview, and the same timer, idle;

each side by side as the application now works (documents made in the document builder
process, the preview showing the pages before encryption) and as it worked before (made on
the worker thread, the preview opening the encrypted file), measured in that order in the
same run.  Nothing is frozen out of garbage collection here (the application freezes what it
loads at start, ``ui/app.py``): the collections measured are those of this whole process.

Asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen.canvas import Canvas

from shelter_app.documents import jobs
from shelter_app.documents.layout import DocumentSpec, new_packet_id, paragraphs, render, styles
from shelter_app.domain.records import CaseInput, SafeContact, SurvivorInput
from shelter_app.resources import resource
from shelter_app.services.documents import DocumentService
from shelter_app.services.registry import Services, build_services
from shelter_app.vault.crypto import KdfParams, KdfPolicy
from shelter_app.vault.vault import Vault

BENCH_KDF = KdfPolicy(KdfParams(8 * 1024, 1, 1), KdfParams(8 * 1024, 1, 1))
PASS = "benchmark passphrase 2026"
USCIS = "U.S. Citizenship and Immigration Services (USCIS)"


def _pdf(pages: int, size: tuple[float, float], title: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size)
    for n in range(pages):
        canvas.setFont("Helvetica", 12)
        for line in range(40):
            canvas.drawString(60, size[1] - 60 - line * 16, f"{title}, page {n + 1}: line {line}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _photo(seed: int) -> bytes:
    """A phone photo of a document: 2400 x 1800, paper tone with a little grain, text."""
    grain = Image.effect_noise((2400, 1800), 6 + seed).point(lambda v: 232 + (v - 128) // 16)
    image = Image.merge("RGB", (grain, grain, grain.point(lambda v: v - 10)))
    draw = ImageDraw.Draw(image)
    for line in range(60):
        draw.text((160, 120 + line * 26), f"Document photo {seed}, line {line}: "
                  "the quick brown fox jumps over the lazy dog " * 2, fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def prepare(s: Services) -> tuple[str, str]:
    """One case ready for both packets; returns (case id, partner id)."""
    today = dt.date.today()
    record = s.cases.create(SurvivorInput(
        legal_name="Lan Nguyễn Thị", languages=["ar", "vi"], citizenship=["VN"],
        birth_date="1998-02-03", phone="+84 90 000 0000",
        safe_contact=SafeContact(safe_to_call=True, preferred_method="sms")),
        CaseInput(exploitation_types=["forced_labour"], means_of_control=["debt_bondage"]))
    for stage, text in (("recruitment", "Offered factory work by an agent."),
                        ("transit", "Travelled by bus with the agent, who kept the passport."),
                        ("exploitation", "Worked 15 hours a day to repay a debt.")):
        s.timeline.add(record.id, stage, place="Example town", date_from="2024-01-01",
                       description=text)
    partner = s.partners.add("Centro Ejemplo (fictional)", "health", document_language="es",
                             address="Calle Ejemplo 1\n00000 Ciudad")
    authority = s.partners.add(USCIS, "government")
    for who in (partner, authority):
        s.consent.record(record.id, sections=["identity", "contact", "situation", "legal"],
                         purpose="Benchmark", given_by="survivor", method="written",
                         given_on=today, partner_id=who.id)
    s.referrals.create(record.id, partner.id, priority="urgent", services=["medical"],
                       reason="A medical check.")
    matter = s.legal.open(record.id, "t_visa", authority_ref="EAC-00-000-00000")
    # 20 exhibit pages: 16 PDF pages in four attachments and four photos
    evidence = [("Form I-914, signed", "form.pdf", _pdf(6, LETTER, "Form")),
                ("Personal statement of the applicant", "statement.pdf",
                 _pdf(4, LETTER, "Statement")),
                ("Police report (cooperation)", "police.pdf", _pdf(4, A4, "Police")),
                ("Country conditions report (hardship)", "country.pdf", _pdf(2, A4, "Country")),
                *[(f"Passport (photo {n})", f"passport-{n}.jpg", _photo(n)) for n in range(4)]]
    for label, name, data in evidence:
        item = s.legal.add_evidence(matter.id, label)
        attachment = s.attachments.add(record.id, name, data, label=label)
        s.legal.link_evidence(item.id, attachment.id)
    return record.id, partner.id


def median(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _i in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def as_before(s: Services) -> None:
    """*s* made documents as the application did before the builder process: on the worker
    thread (``s`` was built without it), and the preview opening the encrypted file itself
    (no pages kept from before encryption)."""

    def build(job: jobs.Job) -> jobs.Built:
        return dataclasses.replace(jobs.build(job), plain=None)

    s._documents = DocumentService(s.ctx, services=s, build=build)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-gui", action="store_true", help="skip the dialog figures")
    args = parser.parse_args(argv)
    repeat = args.repeat
    gui: tuple[list[str], list[tuple[str, list[str], str]], list[str]] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        vault, opened, _key = Vault.create(Path(tmp) / "vault", organisation="Benchmark",
                                           admin_username="admin", admin_passphrase=PASS,
                                           kdf=BENCH_KDF)
        admin = build_services(opened)
        admin.accounts.add("coordinator", ["coordinator"], PASS, temporary=False)
        admin.settings.set("organisation_contact", "Intake desk (fictional)")
        admin.settings.set("referral_return", "Secure e-mail (fictional)")
        admin.lock()
        opened, _report = vault.unlock("coordinator", PASS)
        s = build_services(opened)
        apart: Services | None = None
        try:
            case_id, partner_id = prepare(s)
            render(DocumentSpec("x", new_packet_id()), paragraphs(["warm-up"], styles().body))
            rows = []
            baseline_time, baseline = median(lambda: render(
                DocumentSpec("Riverside Clinic", new_packet_id()),
                paragraphs(["A one-page plain document."] * 5, styles().body)), repeat)
            rows.append(("one-page plain document (baseline)", baseline_time, len(baseline),
                         1, ""))
            for label, encrypt, own in (("referral packet (es)", False, False),
                                        ("referral packet, AES-256", True, False),
                                        ("  and her own copy (ar), apart", False, True)):
                took, produced = median(lambda e=encrypt, o=own: s.documents.referral_packet(
                    case_id, partner_id, encrypt=e, own_copy=o), repeat)
                rows.append((label, took, len(produced.pdf) + len(produced.working or b""),
                             produced.pages + produced.working_pages, "≤ 0.5 s"))
            took, missing = median(lambda: s.documents.residence_preflight(case_id, "us-t-visa"),
                                   repeat)
            rows.append(("residence pre-flight check", took, 0, 0,
                         f"{len(missing)} missing"))
            took, produced = median(lambda: s.documents.residence_packet(
                case_id, "us-t-visa", draft=True), max(3, repeat // 2))
            rows.append(("residence packet, 20 exhibit pages", took, len(produced.pdf),
                         produced.pages, "≤ 3 s"))
            if not args.no_gui:
                from benchmarks.preview import dialog_figures

                apart = build_services(opened, document_process=True)  # as the app does
                gui = dialog_figures([("builder process (now)", apart, lambda: None),
                                      ("worker thread (before)", s, lambda: as_before(s))],
                                     case_id, baseline, repeat=max(3, repeat // 2))
        finally:
            if apart is not None:
                apart.lock()  # ends its builder process (and closes the vault they share)
            s.lock()
            vault.close()
    fonts = sum((resource("fonts", f)).stat().st_size for f in (
        "NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoNaskhArabic-Regular.ttf"))
    print(f"{'document':42} {'median':>10} {'size':>10} {'pages':>6}  target")
    for label, took, size, pages, target in rows:
        print(f"{label:42} {took * 1000:8.0f} ms {size / 1024:7.0f} KB {pages:6}  {target}")
    print(f"(the three fonts a referral packet uses weigh {fonts / 1024:.0f} KB whole; "
          "documents embed subsets)")
    if gui is not None:
        labels, gui_rows, notes = gui
        width = max(len(r[0]) for r in gui_rows)
        columns = [max(len(label), *(len(r[1][n]) for r in gui_rows))
                   for n, label in enumerate(labels)]
        print(f"\n{'in the documents dialog':<{width}}  "
              + "  ".join(f"{label:>{w}}" for label, w in zip(labels, columns, strict=True))
              + "  target")
        for name, values, target in gui_rows:
            print(f"{name:<{width}}  "
                  + "  ".join(f"{v:>{w}}" for v, w in zip(values, columns, strict=True))
                  + f"  {target}")
        for note in notes:
            print(note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
