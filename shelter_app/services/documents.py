"""Producing documents from a case: referral packets, residence-status packets,
appointment cards, non-punishment letters and the survivor's own copy of her records.

One path for every document (``produce_pdf``): the permission (``Action.PRODUCE_PACKET`` on
the case, through CaseAccess), the consent check (``ConsentService.check``, the one gate for
sharing), then building and optional AES-256 encryption with a generated passphrase from the
packet model alone (``documents.jobs``: here, or in the desktop application's document
builder process, ``document_builder.py``).  The PDF is returned in memory; making it to be
looked at is audited as ``document.previewed``.

A document leaves the vault only through ``save`` (a new file with a neutral name) or
``record_printed``: each checks the consent again, records the document in
``generated_documents`` (once) and appends ``data.export`` or ``data.print``, in one
transaction.  So the Documents tab lists what left the vault, never what was only seen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shelter_app.documents import encryption, jobs, templates
from shelter_app.documents.appointment_card import AppointmentCard
from shelter_app.documents.appointment_card import recipient as card_recipient
from shelter_app.documents.layout import new_packet_id
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event, Outcome
from shelter_app.domain.file_names import hidden_characters, names_someone
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import PermissionDenied, ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.consent import Consent, ConsentMissing
from shelter_app.services.context import ServiceContext
from shelter_app.services.document_files import SECOND, beside, write_all
from shelter_app.services.packet_data import (
    Redactor,
    chosen_language,
    document_language,
)
from shelter_app.store import documents as records
from shelter_app.store.documents import GeneratedDocument

if TYPE_CHECKING:
    from shelter_app.services.legal import LegalMatter
    from shelter_app.services.residence import Preflight, ResidenceMaker

CARD_LAYOUT = "appointment-card/1"
# Sections a referral packet may hold, and the action a user needs to read each one.
SECTION_READ = {"identity": Action.READ_CASE, "contact": Action.READ_CASE,
                "situation": Action.READ_CASE, "health": Action.READ_HEALTH,
                "legal": Action.READ_LEGAL, "services": Action.RECORD_SERVICE}
KIND_PREFIX = {"referral": "referral", "residence": "residence",
               "appointment_card": "appointment", "non_punishment": "letter",
               "own_copy": "copy"}


class PreflightFailed(ShelterError):
    """A residence packet refused before anything was produced; ``items`` lists what is
    missing."""

    def __init__(self, items: list[str]) -> None:
        super().__init__(_("The packet is not complete. Missing: {items}").format(
            items="; ".join(items)))
        self.items = items


@dataclass(frozen=True)
class Produced:
    """A document made in memory: nothing of it has left the vault yet."""

    document_id: str
    packet_id: str
    kind: str
    pdf: bytes = field(repr=False)
    passphrase: str | None = field(repr=False)  # shown once, never stored
    sections: tuple[str, ...]
    pages: int
    sha256: str
    recipient: str
    # what the record of the document needs when it is saved or printed
    case_id: str = ""
    language: str = ""
    partner_id: str | None = None
    template: str = ""
    template_version: str = ""
    consent_ids: tuple[str, ...] = ()  # the consents the check allowed it under
    # The same document before encryption, for a preview only: never saved, printed or
    # recorded (None when not encrypted).
    plain: bytes | None = field(default=None, repr=False)
    # a second file saved beside the document and never part of it: a residence packet's
    # working papers, a referral packet's copy for the person (None for other documents)
    working: bytes | None = field(default=None, repr=False)
    working_pages: int = 0
    working_plain: bytes | None = field(default=None, repr=False)
    # editable copies (a residence packet's letter and statement): (name, .docx bytes)
    editable: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)
    archival: bool = False  # PDF/A-2b files

    @property
    def file_name(self) -> str:
        return suggested_name(self.kind, self.packet_id)

    @property
    def working_preview(self) -> bytes | None:
        """The working papers' pages for a preview (``preview_pdf``'s rule)."""
        return self.working_plain if self.working_plain is not None else self.working

    @property
    def preview_pdf(self) -> bytes:
        """What a preview shows: the pages of ``pdf``, before encryption when they were kept
        (``plain``), which a viewer opens without the passphrase's key derivation (an AES-256
        packet of 35 pages took 25-35 ms to open on the window's thread, 6 ms plain).  The
        passphrase opens either."""
        return self.plain if self.plain is not None else self.pdf


def suggested_name(kind: str, packet_id: str) -> str:
    """A neutral file name: the kind of document and its packet id, nothing about anyone."""
    return f"{KIND_PREFIX.get(kind, 'document')}-{packet_id}.pdf"


class DocumentService:
    def __init__(self, ctx: ServiceContext, *, services: Any,
                 build: Callable[[jobs.Job], jobs.Built] = jobs.build) -> None:
        """*services* is the session's ``Services``: the packet reads the case through the
        same services (and permission checks) as every screen.  *build* makes a document from
        its packet model (``jobs.build``, or a ``DocumentBuilder``'s, in another process)."""
        self._ctx = ctx
        self._s = services
        self._build = build
        self._access = CaseAccess(ctx)
        self._residence: ResidenceMaker | None = None

    # -- helpers ---------------------------------------------------------------------
    def organisation(self) -> tuple[str, str]:
        """The organisation's name and the contact line printed on documents."""
        return (str(self._s.settings.get("organisation")),
                str(self._s.settings.get("organisation_contact")))

    def readable_sections(self, case_id: str) -> list[str]:
        scope = self._access.require(case_id, Action.PRODUCE_PACKET)
        return [s for s in vocab.SECTIONS.codes() if self._ctx.allowed(SECTION_READ[s], scope)]

    def consented_sections(self, case_id: str, partner_id: str, *,
                           on: dt.date | None = None) -> list[str]:
        """The sections active consent covers for *partner_id* that the user may read: the
        default choice for a packet."""
        day = on or dt.date.today()
        covered = {s for c in self._s.consent.list(case_id)
                   if c.active_on(day) and c.covers(partner_id) for s in c.sections}
        return [s for s in self.readable_sections(case_id) if s in covered]

    def check_consent(self, case_id: str, partner_id: str, sections: list[str],
                      on: dt.date) -> list[Consent]:
        """ConsentService.check, with a refusal recorded in the audit chain."""
        try:
            return list(self._s.consent.check(case_id, partner_id, sections, on=on))
        except ConsentMissing as exc:
            self._ctx.record(Event.PERMISSION_DENIED, target_type="case", target_id=case_id,
                             outcome=Outcome.DENIED,
                             details={"action": str(Action.PRODUCE_PACKET),
                                      "sections": list(exc.missing_sections)})
            raise

    def require_readable(self, case_id: str, scope: Scope, sections: list[str]) -> None:
        for section in sections:
            if not self._ctx.allowed(SECTION_READ[section], scope):
                self._ctx.record(Event.PERMISSION_DENIED, target_type="case", target_id=case_id,
                                 outcome=Outcome.DENIED,
                                 details={"action": str(Action.PRODUCE_PACKET),
                                          "section": section})
                raise PermissionDenied(_("Your account's roles do not allow reading the "
                                         "section '{section}' of this case.").format(
                    section=vocab.SECTIONS.label(section)))

    # -- the one path ----------------------------------------------------------------
    def produce_pdf(self, *, case_id: str, scope: Scope, kind: str, model: jobs.Model,
                    packet_id: str, recipient: str, language: str, sections: list[str],
                    consents: list[Consent], partner_id: str | None, template: str,
                    template_version: str, encrypt: bool, preview: bool,
                    archival: bool = False) -> Produced:
        """Build *model* (the plain values gathered after the checks), encrypted if asked,
        and, for a preview, record that it was made to be looked at: the end of every
        document's path.  Nothing is recorded as produced until it is saved or printed."""
        if archival and encrypt:
            raise ValidationError(_(
                "An archival copy (PDF/A) cannot be encrypted: an archive must open without a "
                "passphrase. Make it without encryption, or without the archival option."),
                "archival")
        passphrase = encryption.new_passphrase() if encrypt else None
        built = self._build(jobs.Job(model, passphrase, archival))
        out = built.pdf
        produced = Produced(str(uuid.uuid4()), packet_id, kind, out, passphrase,
                            tuple(sections), built.pages, hashlib.sha256(out).hexdigest(),
                            recipient, case_id, language, partner_id, template,
                            template_version, tuple(c.id for c in consents), plain=built.plain,
                            working=built.working, working_pages=built.working_pages,
                            working_plain=built.working_plain, editable=built.editable,
                            archival=archival)
        if preview:
            with self._ctx.write(Action.PRODUCE_PACKET, Event.DOCUMENT_PREVIEWED, scope=scope,
                                 target_type="case", target_id=case_id,
                                 details={"sections": sections,
                                          "format": _format(produced, "pdf")}):
                pass
        return produced

    # -- referral packet ---------------------------------------------------------------
    def referral_packet(self, case_id: str, partner_id: str, *,
                        sections: list[str] | None = None, language: str | None = None,
                        encrypt: bool = False, watermark: str | None = None,
                        referral_id: str | None = None, on: dt.date | None = None,
                        preview: bool = True, own_copy: bool = False,
                        archival: bool = False) -> Produced:
        """The referral packet for *partner_id* (``services/referral_packets.py``), and with
        *own_copy* the person's own copy as a second document (``Produced.working``).
        *preview*: record that it was made to be looked at (the command line, which saves
        at once, passes False; saving records it)."""
        from shelter_app.services.referral_packets import referral_packet

        return referral_packet(self, self._ctx, self._s, case_id, partner_id,
                               sections=sections, language=language, encrypt=encrypt,
                               watermark=watermark, referral_id=referral_id, on=on,
                               preview=preview, own_copy=own_copy, archival=archival)

    # -- appointment card -------------------------------------------------------------
    def appointment_card(self, appointment_id: str, *, language: str | None = None,
                         encrypt: bool = False, watermark: str | None = None,
                         preview: bool = True) -> Produced:
        appointment = self._s.appointments.get(appointment_id)
        case_id = appointment.case_id
        scope = self._access.require(case_id, Action.PRODUCE_PACKET)
        record = self._s.cases.get(case_id)
        from shelter_app.services.packet_data import survivor_language

        default = document_language(self._s.settings.get("document_language"))
        lang = chosen_language(language) if language else survivor_language(record, default)
        staff = ""
        if appointment.staff_id:
            row = self._ctx.db.one("SELECT display_name, username FROM users WHERE id = :u",
                                   {"u": appointment.staff_id})
            staff = (row["display_name"] or row["username"]) if row else ""
        organisation, contact = self.organisation()
        packet_id = new_packet_id()
        card = AppointmentCard(
            packet_id=packet_id, language=lang, starts_at=appointment.starts_at,
            ends_at=appointment.ends_at, location=appointment.location, room=appointment.room,
            ask_for=staff or appointment.volunteer,
            interpreter_language=appointment.interpreter_language, organisation=organisation,
            organisation_contact=contact, case_code=record.code, watermark=watermark)
        return self.produce_pdf(
            case_id=case_id, scope=scope, kind="appointment_card",
            model=card, packet_id=packet_id,
            recipient=card_recipient(lang), language=lang, sections=[], consents=[],
            partner_id=None, template="appointment-card", template_version=CARD_LAYOUT,
            encrypt=encrypt, preview=preview)


    # -- non-punishment letter ---------------------------------------------------------
    def non_punishment_letter(self, record_id: str, partner_id: str, *,
                              language: str | None = None, encrypt: bool = False,
                              watermark: str | None = None, on: dt.date | None = None,
                              preview: bool = True) -> Produced:
        """The non-punishment letter for the measure *record_id*, to *partner_id*
        (``services/letters.py``)."""
        from shelter_app.services.letters import non_punishment_letter

        return non_punishment_letter(self, self._ctx, self._s, record_id, partner_id,
                                     language=language, encrypt=encrypt,
                                     watermark=watermark, on=on, preview=preview)

    # -- the survivor's own copy of her records ----------------------------------------
    def own_copy(self, case_id: str, *, language: str | None = None, encrypt: bool = True,
                 watermark: str | None = None, preview: bool = True) -> Produced:
        """Everything held about her, in her language (``services/own_copy.py``)."""
        from shelter_app.services.own_copy import own_copy

        return own_copy(self, self._ctx, self._s, case_id, language=language,
                        encrypt=encrypt, watermark=watermark, preview=preview)

    # -- residence-status packet ------------------------------------------------------
    @property
    def residence(self) -> ResidenceMaker:
        from shelter_app.services.residence import ResidenceMaker

        if self._residence is None:
            self._residence = ResidenceMaker(self._ctx, self._s, self)
        return self._residence

    def residence_preflight(self, case_id: str, template_id: str, *,
                            matter_id: str | None = None, recipient_id: str | None = None,
                            translations: dict[str, str] | None = None,
                            on: dt.date | None = None) -> list[str]:
        """Everything missing for a residence packet from *template_id*, in words for the
        user; an empty list means the packet can be produced."""
        return self.residence.preflight(case_id, template_id, matter_id=matter_id,
                                        recipient_id=recipient_id, translations=translations,
                                        on=on)

    def residence_check(self, case_id: str, template_id: str, *,
                        matter_id: str | None = None, recipient_id: str | None = None,
                        translations: dict[str, str] | None = None,
                        on: dt.date | None = None) -> Preflight:
        """The pre-flight check with the matter chosen and the exhibits by letter."""
        return self.residence.check(case_id, template_id, matter_id=matter_id,
                                    recipient_id=recipient_id, translations=translations,
                                    on=on)

    def residence_offers(self, case_id: str
                         ) -> list[tuple[templates.Template, list[LegalMatter]]]:
        """The residence templates this case's legal matters fit, each with its matters."""
        return self.residence.offers(case_id)

    def residence_matters(self, case_id: str, template_id: str) -> list[LegalMatter]:
        """The case's legal matters a packet from *template_id* may be built from."""
        return self.residence.matters(case_id, template_id)

    def residence_packet(self, case_id: str, template_id: str, *,
                         matter_id: str | None = None, recipient_id: str | None = None,
                         language: str | None = None,
                         translations: dict[str, str] | None = None, encrypt: bool = False,
                         watermark: str | None = None, bates_prefix: str | None = None,
                         draft: bool = False, on: dt.date | None = None,
                         preview: bool = True, editable: bool = False,
                         archival: bool = False) -> Produced:
        """The residence-status packet; refused (PreflightFailed) while anything is missing,
        unless *draft*, which prints the missing items and a DRAFT watermark.  *editable*:
        also the letter and the statement draft as Word documents (never encrypted);
        *archival*: PDF/A-2b files (never encrypted)."""
        return self.residence.produce(
            case_id, template_id, matter_id=matter_id, recipient_id=recipient_id,
            language=language, translations=translations, encrypt=encrypt,
            watermark=watermark, bates_prefix=bates_prefix, draft=draft, on=on,
            preview=preview, editable=editable, archival=archival)

    def templates(self) -> list[templates.Template]:
        """The residence-status templates (resources/templates and $SHELTER_TEMPLATES)."""
        return templates.available()

    # -- the record ---------------------------------------------------------------------
    def history(self, case_id: str) -> list[GeneratedDocument]:
        """What left the vault from a case (saved or printed), newest first."""
        self._access.require(case_id, Action.PRODUCE_PACKET)
        return records.history(self._ctx.db, case_id)

    def check_release(self, produced: Produced) -> Scope:
        """Raise unless *produced* may leave the vault now: the permission, and the consent
        checked again (it may have been withdrawn since the preview; a refusal is audited)."""
        scope = self._access.require(produced.case_id, Action.PRODUCE_PACKET)
        if produced.partner_id is not None:
            self.check_consent(produced.case_id, produced.partner_id, list(produced.sections),
                               dt.date.today())
        return scope

    def record_printed(self, produced: Produced, *, second: bool = False) -> None:
        """Release *produced* (with *second*, its second document: the working papers, her
        own copy) to a printer: call it when the job starts, before any page is sent.  The
        consent is checked again and the print recorded, so no page leaves without a record,
        even when the job is stopped half-way or the session ends during it."""
        self._leave(produced, self.check_release(produced), Event.PRINT,
                    f"print+{SECOND[produced.kind]}" if second and produced.kind in SECOND
                    else "print")

    def _leave(self, produced: Produced, scope: Scope, event: Event, how: str,
               then: Callable[[], object] | None = None) -> None:
        """*produced* left the vault: recorded once, *event* appended and *then* run, in one
        transaction (a failure of *then* leaves no record)."""
        with self._ctx.write(Action.PRODUCE_PACKET, event, scope=scope, target_type="case",
                             target_id=produced.case_id,
                             details={"sections": list(produced.sections),
                                      "format": _format(produced, how)}) as db:
            if not records.exists(db, produced.document_id):
                records.insert(db, records.Row(
                    produced.document_id, produced.case_id, produced.packet_id, produced.kind,
                    produced.recipient, produced.partner_id, produced.language,
                    produced.sections, produced.consent_ids, produced.template,
                    produced.template_version, produced.passphrase is not None,
                    produced.pages, len(produced.pdf), produced.sha256),
                    self._ctx.session.user_id)
            if then is not None:
                then()

    def check_target(self, case_id: str, path: Path, *, kind: str = "document",
                     editable: tuple[str, ...] = (), second: bool | None = None) -> None:
        """Refuse a file name that is not a new .pdf (nor are the files that go beside it)
        or that names the survivor, before anything is produced."""
        path = Path(path)
        if path.suffix.lower() != ".pdf":
            raise ValidationError(_("Save the document as a .pdf file."), "path")
        for taken in beside(path, kind=kind, second=second, editable=editable):
            if taken.exists():
                raise ValidationError(fill(_("{name} already exists. Choose another file "
                                             "name."), name=taken.name), "path")
        hidden = hidden_characters(path.name) + hidden_characters(path.parent.name)
        if hidden:
            raise ValidationError(fill(_(
                "The file name holds characters that are invisible or change the direction "
                "of the text ({characters}), which can hide what a file is. Type the name "
                "again."), characters=", ".join(hidden)), "path")
        # word by word, in the file's name and its folder's: "Ana_Lopez", "forAna", "Ana 2"
        if names_someone(path, Redactor(self._s.cases.get(case_id), active=True).words):
            raise ValidationError(fill(_("Choose a neutral file name that does not name the "
                                    "person, for example {name}."),
                name=suggested_name(kind, "PK-XXXXXXXX")), "path")

    def save(self, produced: Produced, path: Path) -> Path:
        """Write *produced* to *path*: a new .pdf file (never over an existing one) whose name
        does not name the survivor; recorded as exported in the same transaction."""
        path = Path(path)
        self.check_target(produced.case_id, path, kind=produced.kind,
                          editable=tuple(name for name, _data in produced.editable),
                          second=produced.working is not None)
        scope = self.check_release(produced)
        self._leave(produced, scope, Event.EXPORT, "pdf", lambda: write_all(path, produced))
        return path


def _format(produced: Produced, how: str) -> str:
    """The audit's ``format``: the kind, how it left (pdf, print), whether encrypted or
    archival, and what went with it: editable copies, her own copy (a residence packet's
    working papers always go with it, so they are not named)."""
    if how != "pdf":
        return f"{produced.kind}.{how}"
    encrypted = "-aes256" if produced.passphrase else ""
    archival = "-pdfa" if produced.archival else ""
    extra = "+docx" if produced.editable else ""
    if produced.working is not None and produced.kind == "referral":
        extra += "+own-copy"
    return f"{produced.kind}.{how}{encrypted}{archival}{extra}"
