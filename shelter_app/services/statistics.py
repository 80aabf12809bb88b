"""Anonymised statistics for a period: the dashboard, the monitoring report and the CLI.

Only cases whose survivor agreed to be counted (``reporting_consent.answer`` = ``yes``)
are counted; how many were left out, and why, is part of every result.  A case is *in the
period* when it was open on at least one of its days: opened on or before the last day,
and not closed before the first.  Drafts are never counted.

Every count goes through ``domain.suppression.protect`` with the organisation's threshold
before it leaves this module: a ``Statistics`` holds only what may be published, and
never an id, a code, a name or a date of anyone.  Coordinators alone may produce it
(``Action.VIEW_STATISTICS``), and each one produced is an audit event with the number of
cases counted and the threshold, never a figure.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from statistics import median

from shelter_app.domain import suppression, vocab
from shelter_app.domain import validate as v
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.domain.statistics import Statistics, StatTable
from shelter_app.i18n import N_, _, current_language, translator
from shelter_app.i18n.formatting import country_name
from shelter_app.services.case_facts import (
    COUNTED,
    age_at_intake,
    age_when_exploited,
    counting,
    cycle_collection_paused,
    read_facts,
)
from shelter_app.services.context import ServiceContext, keys_not_given
from shelter_app.services.settings import SettingsService

NOT_RECORDED = "not_recorded"
Translate = Callable[[str], str]
# Age bands: (code, label, lowest age, highest age)
AGE_BANDS = (("0-17", N_("Under 18"), 0, 17), ("18-24", N_("18 to 24"), 18, 24),
             ("25-34", N_("25 to 34"), 25, 34), ("35-44", N_("35 to 44"), 35, 44),
             ("45-59", N_("45 to 59"), 45, 59), ("60+", N_("60 or over"), 60, 200))
EXPLOITED_AGE = (("minor", N_("Under 18")), ("adult", N_("18 or over")))
INTERNAL = "internal"
OTHER_COUNTRIES = "other"
OTHER_PROVIDERS = "other_partners"

# The counted cases of a period (plain columns only; :start and :end are ISO dates), kept
# in a temporary table, in memory, while the statistics are made: the statements below
# name it ``counted``.
_COUNT = ("INSERT INTO temp.stat_counted (id) " + COUNTED + " AND c.opened_on <= :end"
          " AND (c.closed_at IS NULL OR c.closed_at >= :start)")


def counted(sql: str) -> str:
    return sql.replace(" counted", " temp.stat_counted")


def age_band(age: int | None) -> str:
    if age is None:
        return NOT_RECORDED
    return next(code for code, _label, low, high in AGE_BANDS if low <= age <= high)


class StatisticsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def monitoring_report(self, start: dt.date | str, end: dt.date | str, *,
                          language: str | None = None, recipient: str = "",
                          passphrase: str | None = None) -> MonitoringReport:
        """The monitoring report of a period as a PDF, in *language* (the organisation's
        document language by default), encrypted under *passphrase* when one is given."""
        from shelter_app.documents.monitoring import build_monitoring_report

        self._ctx.refuse_if_read_only()  # a report leaves the vault, recorded or not at all
        settings = SettingsService(self._ctx)
        language = language or str(settings.get("document_language"))
        _ = translator(language)  # refused before anything is counted when not shipped
        stats = self.produce(start, end, purpose="monitoring", language=language)
        pdf = build_monitoring_report(
            stats, organisation=str(settings.get("organisation")),
            recipient=recipient or _("the report's readers"), language=language)
        if passphrase:
            from shelter_app.documents.encryption import encrypt

            pdf = encrypt(pdf, passphrase)
        return MonitoringReport(stats, pdf)

    def threshold(self) -> int:
        """The smallest count published (an organisation setting)."""
        return int(SettingsService(self._ctx).get("statistics_threshold"))

    def produce(self, start: dt.date | str, end: dt.date | str, *,
                purpose: str = "dashboard", language: str | None = None) -> Statistics:
        with cycle_collection_paused():
            return self._produce(start, end, purpose=purpose, language=language)

    def _produce(self, start: dt.date | str, end: dt.date | str, *,
                 purpose: str, language: str | None) -> Statistics:
        """The statistics of the days from *start* to *end* (both included), their titles
        and labels in *language* (the interface's by default: a report may be in
        another)."""
        self._ctx.require(Action.VIEW_STATISTICS)
        first, last = _period(start, end)
        for key in (KeyName.CASE, KeyName.LEGAL):
            if not self._ctx.vault.keyring.holds(key):
                raise keys_not_given(reading=True)
        t = self.threshold()
        params = {"start": first.isoformat(), "end": last.isoformat()}
        db = self._ctx.db
        # one thread, one snapshot: the period's cases and those left out, once
        with counting(self._ctx, lambda conn: conn.execute(_COUNT, params)):
            left = Counter({"no": 0, "not_asked": 0})
            for row in db.all(
                    "SELECT coalesce(rc.answer, 'not_asked') AS answer, count(*) AS n"
                    " FROM cases c INDEXED BY cases_period"
                    " LEFT JOIN reporting_consent rc ON rc.case_id = c.id"
                    " WHERE coalesce(rc.answer, 'not_asked') <> 'yes' AND c.is_draft = 0"
                    " AND c.opened_on <= :end"
                    " AND (c.closed_at IS NULL OR c.closed_at >= :start)"
                    " GROUP BY 1", params):
                left[row["answer"]] += row["n"]
            people = _People(self._ctx, first, last)
            tr = translator(language)
            tables = [*people.tables(t, tr, language or current_language()),
                      *_activity_tables(self._ctx, params, t, tr)]
            answered = [row["days"] for row in db.all(counted(
                "SELECT julianday(r.answered_on) - julianday(r.sent_on) AS days"
                " FROM referrals r WHERE r.case_id IN counted"
                " AND r.answered_on BETWEEN :start AND :end AND r.sent_on IS NOT NULL"),
                params)]
        result = Statistics(
            first, last, t,
            suppression.protect({"counted": people.total}, t, additive=False),
            suppression.protect(dict(left), t, additive=False), tuple(tables),
            median(answered) if len(answered) >= t else None)
        self._ctx.record(Event.STATISTICS, target_type="statistics",
                         details={"count": people.total, "threshold": t, "format": purpose})
        return result


@dataclass(frozen=True)
class MonitoringReport:
    """A made report: its figures (the same as the dashboard's) and the PDF."""

    stats: Statistics
    pdf: bytes


def _period(start: dt.date | str, end: dt.date | str) -> tuple[dt.date, dt.date]:
    first = v.date(start, "start", required=True)
    last = v.date(end, "end", required=True)
    assert first is not None and last is not None
    v.order(first, last, "end", _("The period cannot end before it starts."))
    return first, last


def _table(key: str, title: str, unit: str, labels: Iterable[tuple[str, str]],
           counts: Mapping[str, int], t: int, *, additive: bool) -> StatTable:
    ordered = tuple(labels)
    known = {code for code, _label in ordered}
    values = {code: counts.get(code, 0) for code, _l in ordered}
    # a code no longer in the vocabulary (an edited database) counts as not recorded, never
    # as a row of its own: its presence would be a count of its own
    stray = sum(n for code, n in counts.items() if code not in known)
    if stray and NOT_RECORDED in values:
        values[NOT_RECORDED] += stray
    return StatTable(key, title, unit, ordered,
                     suppression.protect(values, t, additive=additive))


def _terms(vocabulary: vocab.Vocabulary, tr: Translate) -> list[tuple[str, str]]:
    return [(term.code, tr(term.label)) for term in vocabulary.terms.values()]


def _choices(vocabulary: vocab.Vocabulary, tr: Translate) -> list[tuple[str, str]]:
    """The vocabulary's terms and "not recorded" after them."""
    _ = tr
    return [*_terms(vocabulary, tr), (NOT_RECORDED, _("Not recorded"))]


class _People:
    """What the counted cases say about the survivors, counted from their facts."""

    def __init__(self, ctx: ServiceContext, first: dt.date, last: dt.date) -> None:
        facts = read_facts(ctx)
        self.total = len(facts)
        tally = {key: Counter[str]() for key in (
            "new", "closed", "identification", "identified_by", "exploitation", "means",
            "recruitment", "recruiter", "gender", "citizenship", "exploitation_country", "age",
            "exploited_age")}
        self.counts = tally
        last_day = last.isoformat()
        for one in facts:
            tally["new"]["new" if one.opened >= first else "before"] += 1
            tally["closed"]["closed" if one.closed and one.closed <= last_day else "open"] += 1
            tally["identification"][one.identification or NOT_RECORDED] += 1
            tally["identified_by"][one.identified_by or NOT_RECORDED] += 1
            tally["exploitation"].update(one.exploitation)
            tally["means"].update(one.means)
            tally["recruitment"][one.recruitment or NOT_RECORDED] += 1
            tally["recruiter"][one.recruiter or NOT_RECORDED] += 1
            tally["gender"][one.gender] += 1
            # the first recorded, so that each survivor is counted once and the table adds up
            # (and is protected as a table that adds up)
            tally["citizenship"][one.citizenship[0] if one.citizenship else NOT_RECORDED] += 1
            tally["exploitation_country"][one.countries[0] if one.countries
                                          else NOT_RECORDED] += 1
            tally["age"][age_band(age_at_intake(one))] += 1
            when = age_when_exploited(one)
            tally["exploited_age"][NOT_RECORDED if when is None else
                                   "minor" if when < 18 else "adult"] += 1

    def tables(self, t: int, tr: Translate, language: str) -> list[StatTable]:
        _ = tr
        people = _("Survivors")
        c = self.counts

        def one(key: str, title: str, labels: Iterable[tuple[str, str]], *,
                additive: bool = True) -> StatTable:
            return _table(key, title, people, labels, c.get(key, Counter()), t,
                          additive=additive)

        def by_country(key: str, title: str) -> StatTable:
            """Countries counted less than the threshold are one row, "other countries":
            a row of its own would say that someone from there is in the shelter."""
            found = c.get(key, Counter())
            names = {code: country_name(code, language=language) or code for code in found}
            named = sorted((code for code, n in found.items()
                            if n >= t and code != NOT_RECORDED), key=names.__getitem__)
            merged = Counter({code: found[code] for code in named})
            merged[OTHER_COUNTRIES] = sum(n for code, n in found.items()
                                          if code not in named and code != NOT_RECORDED)
            merged[NOT_RECORDED] = found[NOT_RECORDED]
            return _table(key, title, people, [*((code, names[code]) for code in named),
                                               (OTHER_COUNTRIES, _("Other countries")),
                                               (NOT_RECORDED, _("Not recorded"))],
                          merged, t, additive=True)

        return [
            one("new", _("Cases in the period"), [("new", _("Opened in the period")),
                                                 ("before", _("Opened before it"))]),
            one("closed", _("At the end of the period"), [("closed", _("Closed in the period")),
                                                          ("open", _("Still open"))]),
            one("identification", _("Identification status"),
                _choices(vocab.IDENTIFICATION_STATUS, tr)),
            one("identified_by", _("Identification decided by"), _choices(vocab.IDENTIFIED_BY, tr)),
            one("exploitation", _("Exploitation types"), _terms(vocab.EXPLOITATION, tr),
                additive=False),
            one("means", _("Means of control"), _terms(vocab.MEANS_OF_CONTROL, tr),
                additive=False),
            one("age", _("Age at intake"), [*((code, _(label)) for code, label, _l, _h
                                              in AGE_BANDS), (NOT_RECORDED, _("Not known"))]),
            one("exploited_age", _("Age when exploitation began"),
                [*((code, _(label)) for code, label in EXPLOITED_AGE),
                 (NOT_RECORDED, _("Not known"))]),
            one("gender", _("Gender"), _terms(vocab.GENDER, tr)),
            by_country("citizenship", _("Citizenship")),
            by_country("exploitation_country", _("Country of exploitation")),
            one("recruitment", _("Recruitment method"), _choices(vocab.RECRUITMENT, tr)),
            one("recruiter", _("Relationship to recruiter"),
                _choices(vocab.RECRUITER_RELATION, tr)),
        ]


def _activity_tables(ctx: ServiceContext, period: dict[str, str], t: int, tr: Translate
                     ) -> list[StatTable]:
    """Services, referrals, appointments and legal work of the counted cases."""
    _ = tr
    db = ctx.db
    after = dt.date.fromisoformat(period["end"]) + dt.timedelta(days=1)
    params = {**period, "after": after.isoformat()}

    def grouped(sql: str) -> Counter[str]:
        return Counter({str(r[0]) if r[0] is not None else NOT_RECORDED: int(r[1])
                        for r in db.all(counted(sql), params)})

    types = {r["id"]: (r["code"], _(r["label"]))
             for r in db.all("SELECT id, code, label FROM service_types")}
    partners = {r["id"]: r["name"] for r in db.all("SELECT id, name FROM partners")}
    # one pass over the period's entries, case by case (the index by case and day)
    got_type: set[tuple[str, str]] = set()
    got_from: set[tuple[str, str]] = set()
    for row in db.all(
            "SELECT se.case_id, se.service_type_id, se.provider_kind, se.partner_id"
            " FROM temp.stat_counted k CROSS JOIN service_entries se INDEXED BY"
            " service_entries_case ON se.case_id = k.id AND se.provided_on BETWEEN :start"
            " AND :end", params):
        got_type.add((row[0], types[row[1]][0] if row[1] in types else row[1]))
        got_from.add((row[0], row[3] if row[2] == "partner" and row[3] else INTERNAL))
    served = Counter(code for _case, code in got_type)
    by_partner = Counter(who for _case, who in got_from)
    # a partner that served fewer than the threshold joins "other partners": a row of its
    # own, even "< 11", would say that someone was sent there
    named = [k for k, n in by_partner.items() if k != INTERNAL and k in partners and n >= t]
    providers = Counter({k: by_partner[k] for k in named})
    providers[INTERNAL] = by_partner[INTERNAL]
    providers[OTHER_PROVIDERS] = sum(n for k, n in by_partner.items()
                                     if k != INTERNAL and k not in named)
    referrals = grouped(
        "SELECT status, count(*) FROM referrals"
        " WHERE coalesce(sent_on, substr(created_at, 1, 10)) BETWEEN :start AND :end"
        " AND case_id IN counted GROUP BY status")
    appointments = grouped(
        "SELECT status, count(*) FROM appointments INDEXED BY appointments_counted"
        " WHERE starts_at >= :start AND starts_at < :after"
        " AND case_id IN counted GROUP BY status")
    matters = " FROM legal_matters WHERE substr(created_at, 1, 10) <= :end AND case_id IN counted"
    by_type = grouped("SELECT matter_type, count(*)" + matters + " GROUP BY 1")
    by_status = grouped("SELECT status, count(*)" + matters + " GROUP BY 1")
    deadlines = grouped(
        "SELECT CASE WHEN due_on < :start THEN 'overdue' ELSE 'due' END, count(*)"
        " FROM deadlines WHERE done = 0 AND due_on <= :end AND case_id IN counted"
        " GROUP BY 1")
    stages: Counter[str] = Counter()
    informed: Counter[str] = Counter()
    for row in db.all(counted("SELECT id, details FROM proceedings"
                              " WHERE substr(created_at, 1, 10) <= :end AND case_id IN counted"),
                      params):
        text = ctx.unseal(KeyName.LEGAL, "proceedings", row["id"], "details", row["details"])
        details = json.loads(text) if text else {}
        stage = details.get("stage") or NOT_RECORDED
        stages[stage] += 1
        informed["told" if stage != NOT_RECORDED and details.get("told_stage") == stage
                 else "not_told"] += 1
    entries, events = _("Survivors served"), _("Deadlines")
    table = _table  # (short, for the list below)
    return [
        table("services", _("Services delivered, by type"), entries,
              sorted(types.values(), key=lambda pair: pair[1]),
              served, t, additive=False),
        table("service_partners", _("Services delivered, by provider"), entries,
              [(INTERNAL, _("This organisation")),
               *sorted(((k, partners[k]) for k in named), key=lambda kv: kv[1]),
               (OTHER_PROVIDERS, _("Other partners"))], providers, t, additive=False),
        table("referrals", _("Referrals, by outcome"), _("Referrals"),
              _terms(vocab.REFERRAL_STATUS, tr), referrals, t, additive=True),
        table("appointments", _("Appointments kept and missed"), _("Appointments"),
              _terms(vocab.APPOINTMENT_STATUS, tr), appointments, t, additive=True),
        table("legal_types", _("Legal matters, by type"), _("Legal matters"),
              _terms(vocab.LEGAL_MATTER_TYPE, tr), by_type, t, additive=True),
        table("legal_status", _("Legal matters, by outcome"), _("Legal matters"),
              _terms(vocab.LEGAL_MATTER_STATUS, tr), by_status, t, additive=True),
        table("deadlines", _("Open deadlines"), events,
              [("overdue", _("Overdue before the period")), ("due", _("Due in the period"))],
              deadlines, t, additive=False),
        table("proceedings", _("Criminal proceedings, by stage"), _("Proceedings"),
              _choices(vocab.PROCEEDING_STAGE, tr), stages, t, additive=True),
        table("informed", _("Survivors told of the current stage"), _("Proceedings"),
              [("told", _("Told")), ("not_told", _("Not yet told"))], informed, t,
              additive=True),
    ]

