"""Synthetic, clearly fictional records for demonstrations and benchmarks.

Every case code starts with DEMO, every partner is marked fictional, and the names are
random combinations of common given and family names in several languages: no real person
is described.  Records are written in bulk inside one service transaction with one audit
event per table, so even a vault of 100,000 cases fills in minutes.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Callable
from typing import Any

from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.records import CaseInput, SurvivorInput, clean_case, clean_survivor
from shelter_app.domain.roles import Action
from shelter_app.services import case_fields, row_seals
from shelter_app.services.legal import SEALED as LEGAL_SEALED
from shelter_app.services.registry import Services
from shelter_app.services.tasks import seal_what
from shelter_app.store import cases as store
from shelter_app.store.audit import now_utc

NAMES: dict[str, tuple[list[str], list[str], str, str]] = {
    # language: (given names, family names, citizenship, language code)
    "es": (["María", "Lucía", "Carmen", "Sofía", "Valentina", "José", "Diego", "Ana"],
           ["García", "Rodríguez", "Martínez", "López", "Hernández", "Pérez"], "HN", "es"),
    "vi": (["Lan", "Hoa", "Mai", "Minh", "Đức", "Hùng", "Thảo", "Ngọc"],
           ["Nguyễn Thị", "Trần Văn", "Lê Thị", "Phạm Văn", "Hoàng Thị", "Vũ Văn"], "VN", "vi"),
    "ar": (["فاطمة", "مريم", "ليلى", "أحمد", "يوسف", "عمر", "نور", "سلمى"],
           ["الحسن", "خليل", "منصور", "حداد", "العلي", "ناصر"], "SY", "ar"),
    "uk": (["Олена", "Ірина", "Оксана", "Андрій", "Марія", "Наталія"],
           ["Шевченко", "Коваленко", "Бондаренко", "Петренко", "Ткаченко"], "UA", "uk"),
    "ru": (["Светлана", "Наталья", "Екатерина", "Ольга", "Дмитрий"],
           ["Иванова", "Смирнова", "Кузнецова", "Попова", "Соколов"], "MD", "ru"),
    "ro": (["Ioana", "Andreea", "Elena", "Mihai", "Florin", "Ștefania"],
           ["Popescu", "Ionescu", "Dumitru", "Stan", "Constantinescu"], "RO", "ro"),
    "en": (["Blessing", "Joy", "Esther", "Chinedu", "Amaka", "Grace"],
           ["Okafor", "Adeyemi", "Eze", "Bello", "Nwosu"], "NG", "en"),
    "fr": (["Aminata", "Fatou", "Mariam", "Moussa", "Awa"],
           ["Diallo", "Traoré", "Coulibaly", "Keita", "Camara"], "ML", "fr"),
}
PARTNERS = [
    ("Riverside Health Centre (fictional)", "health", ["medical", "psychosocial"], "en"),
    ("Legal Aid Collective (fictional)", "legal", ["legal_aid"], "en"),
    ("Casa Segura (ficticia)", "shelter", ["safe_shelter"], "es"),
    ("Centre d'accueil Horizon (fictif)", "ngo", ["safe_shelter", "education"], "fr"),
    ("Interpreters Network (fictional)", "other", ["interpreting"], "en"),
    ("Vocational Bridge (fictional)", "ngo", ["vocational", "education"], "en"),
]
EXPLOITATION = ["sexual", "forced_labour", "domestic_servitude", "forced_criminality",
                "forced_marriage", "forced_begging"]
MEANS = ["debt_bondage", "threats", "withholds_documents", "false_promises", "restricts_movement",
         "psychological_abuse", "physical_abuse"]
ROOMS = ["Room 1", "Room 2", "Interview room", "Meeting room"]
TASKS = ["Book an interpreter for the next appointment", "Call the clinic about the results",
         "Renew the bus pass", "Collect the police report", "Ask about a school place",
         "Check the application's status", "Arrange a safe phone", "Prepare the hearing file",
         "Update the safety plan", "Confirm the shelter place"]


def _person(rng: random.Random) -> tuple[SurvivorInput, str]:
    lang = rng.choice(list(NAMES))
    given, family, country, code = NAMES[lang]
    first = rng.choice(given)
    last = rng.choice(family)
    legal = f"{last} {first}" if lang == "vi" else f"{first} {last}"
    born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
    survivor = SurvivorInput(
        legal_name=legal, aliases=[rng.choice(given)] if rng.random() < 0.3 else [],
        birth_date=born if rng.random() < 0.8 else None,
        estimated_age=None, gender=rng.choice(["woman", "woman", "man", "transgender"]),
        citizenship=[country], languages=[code] + (["en"] if code != "en" else []),
        interpreter_needed=code != "en", interpreter_language=code if code != "en" else "",
    )
    survivor.safe_contact.safe_to_call = rng.random() < 0.5
    if rng.random() < 0.3:
        survivor.safe_contact.cover_story = "Calls are from the language school."
    return survivor, code


def populate(services: Services, *, survivors: int, seed: int = 2026,
             services_per_case: int = 4, appointments_per_case: int = 2,
             progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Fill the vault with *survivors* fictional cases and their records."""
    ctx = services.ctx
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    me = ctx.session.user_id
    now = now_utc()
    meta = {"created_at": now, "updated_at": now, "created_by": me, "updated_by": me}
    people = ctx.db.all("SELECT id, roles FROM users WHERE status = 'active'")
    staff = [r["id"] for r in people if "caseworker" in r["roles"]]
    day = _Day(random.Random(seed + 1), dt.date.today(), meta,  # noqa: S311 - demo data
               coordinators=[r["id"] for r in people if "coordinator" in r["roles"]],
               legal=[r["id"] for r in people if '"legal"' in r["roles"]],
               seal=lambda task_id, what: seal_what(ctx, task_id, what))
    facts = random.Random(seed + 2)  # noqa: S311 - demo data; draws of its own (statistics)
    counts = {"cases": 0, "service_entries": 0, "appointments": 0, "consents": 0,
              "referrals": 0, "legal_matters": 0, "partners": 0, "tasks": 0}
    with ctx.write(Action.IMPORT_CASES, Event.IMPORT, target_type="demo",
                   details={"count": survivors}) as db:
        partner_ids = []
        for name, ptype, offered, language in PARTNERS:
            pid = str(uuid.uuid4())
            partner_ids.append(pid)
            store.insert(db, "partners", {"id": pid, **meta, "name": name, "partner_type": ptype,
                                          "services": json.dumps(offered), "languages": '["en"]',
                                          "address": "1 Example Street (fictional)",
                                          "secure_contact": "", "document_language": language})
        counts["partners"] = len(partner_ids)
        # two fictional sites, unless the organisation has its own: two cases in five at the
        # second, so that the statistics can be counted for one of them
        site_ids = [r["id"] for r in db.all("SELECT id FROM sites WHERE retired = 0"
                                            " ORDER BY name")]
        if not site_ids:
            for name in DEMO_SITES:
                site_ids.append(str(uuid.uuid4()))
                db.execute("INSERT INTO sites (id, name, created_at, created_by, updated_at,"
                           " updated_by) VALUES (:id, :name, :now, :me, :now, :me)",
                           {"id": site_ids[-1], "name": name, "now": now, "me": me})
        types = db.all("SELECT id, code, is_health FROM service_types")
        type_ids = {r["code"]: r["id"] for r in types}
        health_types = {r["code"] for r in types if r["is_health"]}
        start_search = (db.scalar("SELECT max(search_id) FROM cases") or 0) + 1
        batch: dict[str, list[dict[str, Any]]] = {k: [] for k in (
            "survivors", "cases", "service_entries", "appointments", "consents", "referrals",
            "legal_matters", "deadlines", "tasks", "case_shares", "reporting_consent",
            "timeline_events", "case_sites")}
        today = dt.date.today()
        for n in range(survivors):
            survivor, _lang = _person(rng)
            s_values = store.to_columns(clean_survivor(survivor), store.SURVIVOR_JSON,
                                        store.SURVIVOR_BOOL)
            opened = today - dt.timedelta(days=rng.randrange(0, 900))
            c_values = store.to_columns(clean_case(CaseInput(
                exploitation_types=rng.sample(EXPLOITATION, rng.randint(1, 2)),
                means_of_control=rng.sample(MEANS, rng.randint(1, 3)),
                risk_level=rng.choice(["low", "medium", "high"]),
                identification_status=rng.choice(["possible", "actual"]),
                referral_source="Demo data (fictional)", opened_on=opened,
                **_situation(facts))),
                store.CASE_JSON, store.CASE_BOOL)
            sid, cid = str(uuid.uuid4()), str(uuid.uuid4())
            status = rng.choice(["open", "assessment", "case_plan", "services", "services",
                                 "closed"])
            code = f"DEMO-{opened.year}-{n + 1:06d}"
            case_fields.index_case(ctx, db, start_search + n, code, s_values, new=True)
            batch["survivors"].append({"id": sid, **meta, **case_fields.seal_columns(
                ctx, "survivors", sid, s_values)})
            batch["cases"].append({
                "id": cid, **meta, **case_fields.seal_columns(ctx, "cases", cid, c_values),
                "code": code,
                "search_id": start_search + n, "survivor_id": sid, "status": status,
                "closure_reason": "goals_met" if status == "closed" else None,
                "closed_at": _closed_at(opened, today, n) if status == "closed" else None,
                "assigned_to": rng.choice(staff) if staff else None})
            batch["case_sites"].append({"case_id": cid, "updated_at": now, "updated_by": me,
                                        "site_id": site_ids[min(n % 5 // 3, len(site_ids) - 1)]})
            _statistics_rows(batch, facts, cid, opened, meta, n,
                             seal=lambda table, row_id, column: ctx.seal(
                                 KeyName.CASE, table, row_id, column, ""))
            consent_partner = rng.choice(partner_ids)
            consent_id = str(uuid.uuid4())
            batch["consents"].append({
                "id": consent_id, **meta, "case_id": cid,
                # a third of them also agreed to share their situation (an HTCDS export)
                "sections": json.dumps(["identity", "contact", "situation", "services"]
                                       if n % 3 == 0 else ["identity", "contact", "services"]),
                "partner_id": consent_partner, "any_referral": 0,
                **{column: ctx.seal(KeyName.CASE, "consents", consent_id, column, text)
                   for column, text in (("purpose", "Referral for support"),
                                        ("guardian_name", ""), ("withdrawal_note", ""))},
                "given_by": "survivor", "method": rng.choice(["written", "verbal"]),
                "given_on": opened.isoformat(),
                # renewed where a year has passed, so a newcomer can make packets at once;
                # a few run out within the month (My day lists them)
                "expires_on": max(opened + dt.timedelta(days=365),
                                  today + dt.timedelta(days=5 + n * 37 % 300)).isoformat()})
            for _i in range(services_per_case):
                code = rng.choice(list(type_ids))
                eid = str(uuid.uuid4())
                key = KeyName.HEALTH if code in health_types else KeyName.CASE
                batch["service_entries"].append({
                    "id": eid, **meta, "case_id": cid,
                    "service_type_id": type_ids[code],
                    "provided_on": (opened + dt.timedelta(days=rng.randrange(0, 120))).isoformat(),
                    "provider_kind": "internal", "duration_minutes": rng.choice([30, 60, 90]),
                    "staff_id": rng.choice(staff) if staff else me,
                    "outcome": ctx.seal(key, "service_entries", eid, "outcome", "Completed"),
                    "notes": ctx.seal(key, "service_entries", eid, "notes", "")})
            for _i in range(appointments_per_case):
                start = dt.datetime.combine(today + dt.timedelta(days=rng.randrange(-60, 60)),
                                            dt.time(rng.randrange(8, 17)), dt.UTC)
                aid = str(uuid.uuid4())
                batch["appointments"].append({
                    "id": aid, **meta, "case_id": cid,
                    "notes": ctx.seal(KeyName.CASE, "appointments", aid, "notes", ""),
                    "appointment_type": rng.choice(["legal_consultation", "medical", "other",
                                                    "authority_interview"]),
                    "starts_at": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "location": "Main office", "room": rng.choice(ROOMS),
                    "status": "scheduled" if start.date() >= today else rng.choice(
                        ["attended", "no_show"])})
            if rng.random() < 0.4:
                mid = str(uuid.uuid4())
                due = today + dt.timedelta(days=rng.randrange(-10, 90))
                batch["legal_matters"].append({
                    "id": mid, **meta, "case_id": cid,
                    **{column: ctx.seal(KeyName.LEGAL, "legal_matters", mid, column, "")
                       for column in LEGAL_SEALED},
                    "matter_type": rng.choice(["residence_permit", "t_visa", "reflection_period",
                                               "nrm", "asylum"]),
                    "jurisdiction": rng.choice(["US", "GB", "IT", "CA", "EU"]),
                    "status": "preparing", "filing_due": due.isoformat()})
                batch["deadlines"].append({"id": str(uuid.uuid4()), "case_id": cid,
                                           "source": "legal_matter", "source_id": mid,
                                           "kind": "filing_due", "due_on": due.isoformat()})
            if rng.random() < 0.3:
                rid = str(uuid.uuid4())
                batch["referrals"].append({
                    "id": rid, **meta, "case_id": cid, "partner_id": consent_partner,
                    "priority": rng.choice(["normal", "urgent"]), "services": '["medical"]',
                    **{column: ctx.seal(KeyName.CASE, "referrals", rid, column, text)
                       for column, text in (("reason", "Health check (demo)"),
                                            ("declined_reason", ""), ("outcome", ""))},
                    "status": "draft", "consent_id": None, "sent_on": None, "answered_on": None,
                    "follow_up_due": None})
            if status != "closed":
                day.add(batch, cid, batch["cases"][-1]["assigned_to"],
                        batch["consents"][-1]["id"])
            if len(batch["cases"]) >= 2000 or n == survivors - 1:
                for table, rows in batch.items():
                    _flush(db, table, rows)
                    counts[table] = counts.get(table, 0) + len(rows)
                    rows.clear()
                if progress:
                    progress(n + 1, survivors)
        # written in bulk above: every survivor and case row sealed at once
        case_key = ctx.vault.keyring.key(KeyName.CASE)
        if case_key is not None:
            row_seals.stamp_all(db, case_key)
    for table in ("survivors", "deadlines", "case_shares", "reporting_consent",
                  "timeline_events", "case_sites"):
        counts.pop(table, None)
    return counts


DEMO_SITES = ("Harbour House (demo)", "Riverside Clinic (demo)")
RECRUITMENT = ["job_offer", "job_offer", "romance", "family", "online", "education_offer",
               "unknown"]
RECRUITERS = ["employer", "stranger", "friend", "intimate_partner", "family", "unknown"]
IDENTIFIERS = ["police", "ngo", "ngo", "other_authority", "court"]
EXPLOITED_IN = ["IT", "ES", "DE", "GB", "FR", "RO", "PL", "NL"]


def _situation(facts: random.Random) -> dict[str, Any]:
    """How a fictional survivor was recruited and who identified her, for the statistics;
    left unrecorded now and then, as in real files."""
    return {"recruitment_method": facts.choice(RECRUITMENT) if facts.random() < 0.8 else "",
            "recruiter_relationship": facts.choice(RECRUITERS) if facts.random() < 0.7 else "",
            "identified_by": facts.choice(IDENTIFIERS) if facts.random() < 0.6 else ""}


def _closed_at(opened: dt.date, today: dt.date, n: int) -> str:
    closed = min(today, opened + dt.timedelta(days=30 + n * 37 % 400))
    return f"{closed.isoformat()}T12:00:00Z"


def _statistics_rows(batch: dict[str, list[dict[str, Any]]], facts: random.Random, cid: str,
                     opened: dt.date, meta: dict[str, Any], n: int, *,
                     seal: Callable[[str, str, str], str]) -> None:
    """The survivor's answer about anonymised statistics (most agreed, some refused, a few
    were never asked), and where and when her exploitation began."""
    answer = "no" if n % 12 == 0 else None if n % 12 == 1 else "yes"
    if answer is not None:
        batch["reporting_consent"].append({
            "case_id": cid, **meta, "answer": answer, "answered_on": opened.isoformat()})
    if facts.random() < 0.75:
        event_id = str(uuid.uuid4())
        began = opened - dt.timedelta(days=facts.randrange(60, 3000))
        batch["timeline_events"].append({
            "id": event_id, **meta, "case_id": cid, "stage": "exploitation",
            "country": facts.choice(EXPLOITED_IN), "date_from": began.isoformat(),
            "place": seal("timeline_events", event_id, "place"),
            "description": seal("timeline_events", event_id, "description")})


class _Day:
    """What makes a demo day worth looking at: tasks, referrals sent and awaiting an
    answer, and the cases with a legal matter shared with the legal volunteers (as
    ``demo_vault`` does, so that her tasks are on cases she sees).  Drawn from a generator
    of its own, so the rest of the demo data stays as it was for a seed."""

    def __init__(self, rng: random.Random, today: dt.date, meta: dict[str, Any], *,
                 coordinators: list[str], legal: list[str],
                 seal: Callable[[str, str], str]) -> None:
        self.rng, self.today, self.meta = rng, today, meta
        self.coordinators, self.legal = coordinators, legal
        self.seal = seal  # what a task says is sealed under the case key

    def add(self, batch: dict[str, list[dict[str, Any]]], cid: str, worker: str | None,
            consent_id: str) -> None:
        rng, today, meta = self.rng, self.today, self.meta
        matter = bool(batch["legal_matters"]) and batch["legal_matters"][-1]["case_id"] == cid
        shared = self.legal if matter else []
        batch["case_shares"] += ({"case_id": cid, "user_id": user, "created_at":
                                  meta["created_at"], "created_by": meta["created_by"]}
                                 for user in shared)
        people = [p for p in (worker, *shared[:1], *self.coordinators[:1]) if p] + [None]
        for _i in range(rng.choice([0, 1, 1, 2])):
            done = rng.random() < 0.2
            task_id = str(uuid.uuid4())
            batch["tasks"].append({
                "id": task_id, **meta, "case_id": cid, "what": self.seal(task_id,
                                                                         rng.choice(TASKS)),
                "assigned_to": rng.choice(people),
                "due_on": (today + dt.timedelta(days=rng.randrange(-5, 15))).isoformat()
                if rng.random() < 0.8 else None,
                "done_at": meta["created_at"] if done else None,
                "done_by": meta["created_by"] if done else None})
        referral = batch["referrals"][-1] if batch["referrals"] else None
        if referral is not None and referral["case_id"] == cid and rng.random() < 0.5:
            sent = today - dt.timedelta(days=rng.randrange(1, 30))
            due = sent + dt.timedelta(days=14)
            referral.update(status="sent", consent_id=consent_id, sent_on=sent.isoformat(),
                            follow_up_due=due.isoformat())
            answer = int(referral["id"][:8], 16) % 4  # the partner answered some already
            if answer < 2 and sent < today - dt.timedelta(days=1):
                referral.update(status=("accepted", "declined")[answer],
                                answered_on=min(today, sent + dt.timedelta(
                                    days=1 + int(referral["id"][9:13], 16) % 12)).isoformat())
            batch["deadlines"].append({"id": str(uuid.uuid4()), "case_id": cid,
                                       "source": "referral", "source_id": referral["id"],
                                       "kind": "follow_up", "due_on": due.isoformat()})


def _flush(db: Any, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    db.raw.executemany(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})",  # noqa: S608
        rows)
