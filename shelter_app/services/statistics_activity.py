"""What the statistics count of the counted cases' records: services (each survivor once
a type and once a giver), referrals, appointments, legal matters, deadlines and
proceedings (each record once), for ``services/statistics.py``."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

from shelter_app.domain import vocab
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.statistics import StatTable
from shelter_app.services.case_activity import Activity
from shelter_app.services.case_facts import NOT_RECORDED
from shelter_app.services.context import ServiceContext
from shelter_app.services.statistics_tables import (
    INTERNAL,
    OTHER_PROVIDERS,
    Translate,
    choices,
    counted,
    table,
    terms,
)

# Records of the counted cases, counted by one code: (the code's expression, the rows).
_MATTERS = " FROM legal_matters WHERE substr(created_at, 1, 10) <= :end AND case_id IN counted"
RECORDS: dict[str, tuple[str, str]] = {
    "referrals": ("status", " FROM referrals WHERE coalesce(sent_on, substr(created_at, 1, 10))"
                  " BETWEEN :start AND :end AND case_id IN counted"),
    "appointments": ("status", " FROM appointments INDEXED BY appointments_counted"
                     " WHERE starts_at >= :start AND starts_at < :after"
                     " AND case_id IN counted"),
    "legal_types": ("matter_type", _MATTERS),
    "legal_status": ("status", _MATTERS),
    "deadlines": ("CASE WHEN due_on < :start THEN 'overdue' ELSE 'due' END",
                  " FROM deadlines WHERE done = 0 AND due_on <= :end AND case_id IN counted"),
}


def record_sql(key: str) -> str:
    """The count of table *key*'s records by code."""
    code, rows = RECORDS[key]
    return f"SELECT {code}, count(*){rows} GROUP BY 1"


def proceeding_stages(ctx: ServiceContext, params: Mapping[str, str]
                      ) -> Iterator[tuple[str, str, str]]:
    """Each counted proceeding's case, stage and whether the survivor was told of it
    (``told`` or ``not_told``)."""
    for row in ctx.db.all(counted("SELECT id, case_id, details FROM proceedings"
                                  " WHERE substr(created_at, 1, 10) <= :end"
                                  " AND case_id IN counted"), params):
        text = ctx.unseal(KeyName.LEGAL, "proceedings", row["id"], "details", row["details"])
        details = json.loads(text) if text else {}
        stage = details.get("stage") or NOT_RECORDED
        yield row["case_id"], stage, ("told" if stage != NOT_RECORDED
                                      and details.get("told_stage") == stage else "not_told")


def activity_params(period: Mapping[str, str]) -> dict[str, str]:
    """The period's parameters with :after, the day after its end."""
    after = dt.date.fromisoformat(period["end"]) + dt.timedelta(days=1)
    return {**period, "after": after.isoformat()}


def service_pairs(ctx: ServiceContext, params: Mapping[str, str]
                  ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Which counted case had which service (a type's id) and from whom (a partner's id,
    or INTERNAL) in the period, each pair once."""
    got_type: set[tuple[str, str]] = set()
    got_from: set[tuple[str, str]] = set()
    # one pass over the period's entries, case by case (the index by case and day)
    for row in ctx.db.all(
            "SELECT se.case_id, se.service_type_id, se.provider_kind, se.partner_id"
            " FROM temp.stat_counted k CROSS JOIN service_entries se INDEXED BY"
            " service_entries_case ON se.case_id = k.id AND se.provided_on BETWEEN :start"
            " AND :end", params):
        got_type.add((row[0], row[1]))
        got_from.add((row[0], row[3] if row[2] == "partner" and row[3] else INTERNAL))
    return got_type, got_from


def read_activity(ctx: ServiceContext, period: Mapping[str, str]) -> Activity:
    """The records of the counted cases (``temp.stat_counted``) in *period*, read one by
    one (``case_activity`` adds up the groups' counts instead, for whole months)."""
    db = ctx.db
    params = activity_params(period)

    def grouped(sql: str) -> Counter[str]:
        return Counter({str(r[0]) if r[0] is not None else NOT_RECORDED: int(r[1])
                        for r in db.all(counted(sql), params)})

    got_type, got_from = service_pairs(ctx, params)
    out = Activity(
        served=Counter(code for _case, code in got_type),
        providers=Counter(who for _case, who in got_from),
        referrals=grouped(record_sql("referrals")),
        appointments=grouped(record_sql("appointments")),
        legal_types=grouped(record_sql("legal_types")),
        legal_status=grouped(record_sql("legal_status")),
        deadlines=grouped(record_sql("deadlines")))
    for _case, stage, told in proceeding_stages(ctx, params):
        out.stages[stage] += 1
        out.informed[told] += 1
    out.answered = sorted(row["days"] for row in db.all(counted(
        "SELECT julianday(r.answered_on) - julianday(r.sent_on) AS days"
        " FROM referrals r WHERE r.case_id IN counted"
        " AND r.answered_on BETWEEN :start AND :end AND r.sent_on IS NOT NULL"
        " AND days IS NOT NULL"), params))
    return out


def activity_tables(ctx: ServiceContext, found: Activity, t: int, tr: Translate, *,
                    named: Sequence[str] | None = None) -> list[StatTable]:
    """Services, referrals, appointments and legal work of the counted cases, protected;
    *named*: the rows the table of providers keeps (else the partners that served at
    least *t* survivors)."""
    _ = tr
    db = ctx.db
    types = {r["id"]: (r["code"], _(r["label"]))
             for r in db.all("SELECT id, code, label FROM service_types")}
    partners = {r["id"]: r["name"] for r in db.all("SELECT id, name FROM partners")}
    served: Counter[str] = Counter()
    for type_id, n in found.served.items():
        served[types[type_id][0] if type_id in types else type_id] += n
    by_partner = found.providers
    # a partner that served fewer than the threshold joins "other partners": a row of its
    # own, even "< 11", would say that someone was sent there
    kept = [k for k in named if k in partners] if named is not None else [
        k for k, n in by_partner.items() if k != INTERNAL and k in partners and n >= t]
    providers = Counter({k: by_partner[k] for k in kept})
    providers[INTERNAL] = by_partner[INTERNAL]
    providers[OTHER_PROVIDERS] = sum(n for k, n in by_partner.items()
                                     if k != INTERNAL and k not in kept)
    stages, informed = found.stages, found.informed
    referrals, appointments = found.referrals, found.appointments
    by_type, by_status, deadlines = found.legal_types, found.legal_status, found.deadlines
    entries, events = _("Survivors served"), _("Deadlines")
    return [
        table("services", _("Services delivered, by type"), entries,
              sorted(types.values(), key=lambda pair: pair[1]),
              served, t, additive=False),
        table("service_partners", _("Services delivered, by provider"), entries,
              [(INTERNAL, _("This organisation")),
               *sorted(((k, partners[k]) for k in kept), key=lambda kv: kv[1]),
               (OTHER_PROVIDERS, _("Other partners"))], providers, t, additive=False),
        table("referrals", _("Referrals, by outcome"), _("Referrals"),
              terms(vocab.REFERRAL_STATUS, tr), referrals, t, additive=True),
        table("appointments", _("Appointments kept and missed"), _("Appointments"),
              terms(vocab.APPOINTMENT_STATUS, tr), appointments, t, additive=True),
        table("legal_types", _("Legal matters, by type"), _("Legal matters"),
              terms(vocab.LEGAL_MATTER_TYPE, tr), by_type, t, additive=True),
        table("legal_status", _("Legal matters, by outcome"), _("Legal matters"),
              terms(vocab.LEGAL_MATTER_STATUS, tr), by_status, t, additive=True),
        table("deadlines", _("Open deadlines"), events,
              [("overdue", _("Overdue before the period")), ("due", _("Due in the period"))],
              deadlines, t, additive=False),
        table("proceedings", _("Criminal proceedings, by stage"), _("Proceedings"),
              choices(vocab.PROCEEDING_STAGE, tr), stages, t, additive=True),
        table("informed", _("Survivors told of the current stage"), _("Proceedings"),
              [("told", _("Told")), ("not_told", _("Not yet told"))], informed, t,
              additive=True),
    ]

