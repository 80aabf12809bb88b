"""Legal casework in a demo vault: for each residence template that is meant to be filed
(every one but ``blank``), one open demo case shared with the legal volunteer carries a
matter prepared with that template whose packet passes pre-flight — a timeline the
statement is drafted from, the prosecution that followed her report (one has just reached
trial and she is still to be told), a claim for unpaid wages being prepared, a child at
risk included in the application, the template's evidence checklist with a fictional
document for each required item, the authority in the partner directory and the
survivor's consent to share with it.

Written through the services as the coordinator, so every record is sealed, checked and
in the audit chain exactly as if typed in the application.  Every document says it is
fictional demo data.
"""

from __future__ import annotations

import datetime as dt
import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from shelter_app.documents import templates
from shelter_app.errors import NotFound
from shelter_app.services.registry import Services

# template id → (matter type, country of exploitation, town, first status of the matter)
PLANS: dict[str, tuple[str, str, str, str]] = {
    "us-t-visa": ("t_visa", "US", "Houston", "preparing"),
    "ca-trp-vtip": ("residence_permit", "CA", "Winnipeg", "preparing"),
    "coe-eu-reflection-residence": ("reflection_period", "BE", "Antwerp", "preparing"),
    "it-art18": ("residence_permit", "IT", "Latina", "preparing"),
    "uk-nrm-vts": ("nrm", "GB", "Boston, Lincolnshire", "preparing"),
}
CURRENCIES = {"US": "USD", "CA": "CAD", "GB": "GBP"}  # elsewhere EUR
# The office that decides, where the template can only describe it (the Questura of the
# place where she lives): recorded as the matter's authority and put in the directory.
AUTHORITIES = {"it-art18": "Questura di Latina, Ufficio Immigrazione"}
# (stage, days before today the event began, how long it lasted, place or "" for the
# destination town, in the survivor's country (True) or the destination (False), text)
STORY: tuple[tuple[str, int, int, str, bool, str], ...] = (
    ("recruitment", 720, 0, "Home town", True,
     "An acquaintance offered well-paid work abroad and lent the money for the journey "
     "(fictional demo story)."),
    ("transit", 690, 6, "By coach and car", True,
     "Travelled with two other recruits; the recruiter kept everyone's passports "
     "\"for the border\"."),
    ("exploitation", 680, 560, "", False,
     "Worked twelve to fourteen hours a day without pay to repay a growing debt; "
     "the passport was never returned."),
    ("escape", 115, 0, "", False,
     "Left during a night shift with the help of a co-worker's cousin."),
    ("identification", 100, 0, "", False,
     "Identified as a possible victim of trafficking by the shelter's outreach team."),
    ("police_report", 90, 0, "", False,
     "Reported the recruiter and the employer to the police, with an interpreter."),
)


def demo_pdf(title: str) -> bytes:
    """A one-page PDF that says it is a fictional demo document."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(title)
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(72, A4[1] - 100, "Fictional demo document")
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, A4[1] - 130, title[:90])
    canvas.drawString(72, A4[1] - 160, "Made by Shelter App's demo. It describes no one.")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def casework(services: Services, *, today: dt.date | None = None) -> dict[str, int]:
    """Add the ``PLANS`` matters to open demo cases with a date of birth and a citizenship
    (one case each, those already shared with a legal volunteer first), shared with every
    legal volunteer.  Returns how many matters, timeline events and evidence documents
    were written."""
    today = today or dt.date.today()
    db = services.ctx.db
    cases = [r["id"] for r in db.all(
        "SELECT c.id FROM cases c WHERE c.code LIKE 'DEMO-%' AND c.status != 'closed'"
        " ORDER BY NOT EXISTS (SELECT 1 FROM case_shares h WHERE h.case_id = c.id), c.code")]
    volunteers = [r["id"] for r in db.all(
        "SELECT id FROM users WHERE status = 'active' AND roles LIKE '%\"legal\"%'")]
    ready = []
    for case_id in cases:
        survivor = services.cases.get(case_id).survivor
        if survivor.get("birth_date") and survivor.get("citizenship"):
            ready.append(case_id)
        if len(ready) == len(PLANS):
            break
    for case_id in ready:  # the legal volunteers work on them
        for user_id in volunteers:
            services.cases.share(case_id, user_id)
    counts = {"legal_matters_ready": 0, "timeline_events": 0, "evidence_documents": 0,
              "proceedings": 0, "claims": 0, "non_punishment": 0}
    authorities: dict[str, str] = {}
    for case_id, (template_id, plan) in zip(ready, PLANS.items(), strict=False):
        try:
            template = templates.load(template_id)
        except NotFound:  # an organisation's template folder replaced it by another id
            continue
        matter_type, country, town, status = plan
        home = (services.cases.get(case_id).survivor.get("citizenship") or [country])[0]
        for stage, ago, lasted, place, at_home, text in STORY:
            start = today - dt.timedelta(days=ago)
            services.timeline.add(
                case_id, stage, place=place or town, country=home if at_home else country,
                date_from=start, date_to=start + dt.timedelta(days=lasted) if lasted else None,
                approximate=stage in ("recruitment", "transit"),
                source="authority" if stage == "police_report" else "survivor",
                description=text)
            counts["timeline_events"] += 1
        # the report to the police became a prosecution; in the first case it has just
        # reached trial and she is still to be told (the reminder a newcomer sees)
        first = counts["legal_matters_ready"] == 0
        services.proceedings.open(
            case_id, authority_kind="prosecutor", role="injured_party",
            stage="trial" if first else "investigation",
            authority=f"Public prosecutor's office, {town}",
            reference=f"DEMO-{template.bates_prefix.strip('-') or 'PR'}-{100 + len(authorities)}",
            requested=["video_testimony", "screens"],
            granted=["video_testimony"] if first else [],
            stage_on=today - dt.timedelta(days=3 if first else 60),
            next_hearing=today + dt.timedelta(days=12 if first else 45),
            survivor_told=not first)
        counts["proceedings"] += 1
        services.claims.open(
            case_id, route="labour_tribunal", currency=CURRENCIES.get(country, "EUR"),
            against="The employer (fictional)", claimed=f"{9000 + 750 * len(authorities)}",
            filing_due=today + dt.timedelta(days=25 + len(authorities)),
            notes="Unpaid wages for the months of exploitation (demo).")
        counts["claims"] += 1
        # she was charged for the false passport she was made to carry; the prosecutor's
        # office may receive the non-punishment letter (her consent covers it)
        prosecutor = services.partners.add(
            f"Public prosecutor's office, {town} (fictional)", "law_enforcement",
            document_language=template.language,
            address="Demo entry: not a real contact.").id
        services.consent.record(
            case_id, sections=["identity", "legal"], given_by="survivor",
            purpose="Non-punishment letter (demo)", method="written",
            given_on=today - dt.timedelta(days=7), expires_on=today + dt.timedelta(days=180),
            partner_id=prosecutor)
        services.non_punishment.add(
            case_id, measure="charge", offence="Use of a false identity document",
            authority=f"Magistrates' court, {town}", reference=f"DEMO-NP-{200 + len(authorities)}",
            measure_on=today - dt.timedelta(days=80),
            link="The passport was forged and handed to her by the recruiter, who kept her own. "
                 "She was made to show it whenever the police checked the workers.",
            act_by=today + dt.timedelta(days=10 + len(authorities)))
        counts["non_punishment"] += 1
        services.family.add(case_id, "Demo child (fictional)", "child",
                            birth_date=today - dt.timedelta(days=365 * 9), country=home,
                            place="With her grandmother", at_risk=True, included=True,
                            reason="Unmarried child under 21, at risk of retaliation")
        authority = AUTHORITIES.get(template.id, template.authority)
        partner = authorities.get(authority)
        if partner is None:
            try:
                partner = services.partners.find(authority).id
            except NotFound:
                partner = services.partners.add(
                    authority, "government", document_language=template.language,
                    address="Demo entry: not a real contact. Use the authority's current "
                            "address before filing.").id
            authorities[authority] = partner
        services.consent.record(
            case_id, sections=list(template.sections), given_by="survivor",
            purpose=f"{template.name} (demo)", method="written",
            given_on=today - dt.timedelta(days=7), expires_on=today + dt.timedelta(days=180),
            partner_id=partner)
        matter = services.legal.open(
            case_id, matter_type, status=status, template_id=template.id, authority=authority,
            representative="Demo legal volunteer (fictional)",
            notes="Demo matter: every required document is on file.",
            dates={"filing_due": today + dt.timedelta(days=21)})
        services.legal.add_checklist(matter.id, template.id)
        for item in services.legal.evidence(matter.id):
            if not item.required:
                continue
            attachment = services.attachments.add(
                case_id, "demo-document.pdf", demo_pdf(item.label), label=item.label)
            services.legal.link_evidence(item.id, attachment.id)
            counts["evidence_documents"] += 1
        counts["legal_matters_ready"] += 1
    return counts
