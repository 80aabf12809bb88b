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
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import chain
from statistics import median
from typing import TYPE_CHECKING, Any

from shelter_app.domain import suppression, vocab
from shelter_app.domain import validate as v
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.domain.statistics import Statistics, StatTable
from shelter_app.i18n import _, current_language, translator
from shelter_app.i18n.formatting import country_name
from shelter_app.services.case_activity import Activity, add_up, read_counts
from shelter_app.services.case_facts import (
    AGE_BANDS,
    COUNTED,
    EXPLOITED_AGE,
    MULTI,
    NOT_RECORDED,
    OPEN_MONTH,
    PEOPLE_KEYS,
    Codes,
    case_codes,
    counting,
    cycle_collection_paused,
    facts_by_case,
    facts_of_buckets,
    read_buckets,
)
from shelter_app.services.context import ServiceContext, keys_not_given
from shelter_app.services.settings import SettingsService
from shelter_app.services.sites import SiteService
from shelter_app.services.statistics_activity import activity_tables, read_activity
from shelter_app.services.statistics_sites import across_sites
from shelter_app.services.statistics_tables import (
    OTHER_COUNTRIES,
    Translate,
    choices,
    table,
    terms,
)

if TYPE_CHECKING:
    from shelter_app.services.statistics_breakdown import Breakdown

# The counted cases of a period (plain columns only; :start and :end are ISO dates), kept
# in a temporary table, in memory, while the statistics are made: the statements below
# name it ``counted``.
_COUNT = ("INSERT INTO temp.stat_counted (id) " + COUNTED + " AND c.opened_on <= :end"
          " AND (c.closed_at IS NULL OR c.closed_at >= :start)")
# one site's cases only (:site, its id)
_AT_SITE = " AND c.id IN (SELECT case_id FROM case_sites WHERE site_id = :site)"


class StatisticsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def monitoring_report(self, start: dt.date | str, end: dt.date | str, *,
                          language: str | None = None, recipient: str = "",
                          passphrase: str | None = None, site: str | None = None
                          ) -> MonitoringReport:
        """The monitoring report of a period (of one *site*, an id, or all) as a PDF, in
        *language* (the organisation's document language by default), encrypted under
        *passphrase* when one is given."""
        from shelter_app.documents.monitoring import build_monitoring_report

        self._ctx.refuse_if_read_only()  # a report leaves the vault, recorded or not at all
        settings = SettingsService(self._ctx)
        language = language or str(settings.get("document_language"))
        _ = translator(language)  # refused before anything is counted when not shipped
        stats = self.produce(start, end, purpose="monitoring", language=language, site=site)
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

    @property
    def context(self) -> ServiceContext:
        return self._ctx

    def prepare(self, start: dt.date | str, end: dt.date | str, site: str | None) -> Period:
        """A count's period, checked, once the session may count at all."""
        self._ctx.require(Action.VIEW_STATISTICS)
        first, last = _period(start, end)
        where = SiteService(self._ctx).get(site) if site else None
        for key in (KeyName.CASE, KeyName.LEGAL):
            if not self._ctx.vault.keyring.holds(key):
                raise keys_not_given(reading=True)
        params = {"start": first.isoformat(), "end": last.isoformat(), "site": site or ""}
        return Period(first, last, self.threshold(), params, where.name if where else "",
                      _COUNT + (_AT_SITE if site else ""))

    def breakdown(self, start: dt.date | str, end: dt.date | str, *, table: str, row: str,
                  by: str, site: str | None = None, language: str | None = None
                  ) -> Breakdown:
        """One figure of the period's statistics (row *row* of table *table*) broken down
        by a survivor characteristic *by* (``statistics_breakdown.BY``), counts only."""
        from shelter_app.services import statistics_breakdown

        return statistics_breakdown.make(self, start, end, table=table, row=row, by=by,
                                         site=site, language=language)

    def produce(self, start: dt.date | str, end: dt.date | str, *,
                purpose: str = "dashboard", language: str | None = None,
                site: str | None = None) -> Statistics:
        with cycle_collection_paused():
            return self._produce(start, end, purpose=purpose, language=language, site=site)

    def _produce(self, start: dt.date | str, end: dt.date | str, *,
                 purpose: str, language: str | None, site: str | None) -> Statistics:
        """The statistics of the days from *start* to *end* (both included), of the cases of
        one *site* (an id) or of all, their titles and labels in *language* (the
        interface's by default: a report may be in another)."""
        period = self.prepare(start, end, site)
        t = period.threshold
        tr = translator(language)
        language = language or current_language()
        # one thread, one snapshot: the period's cases and those left out, once
        with counting(self._ctx, _nothing, activity=True) as conn:
            answers = self._answers(period, by_site=bool(site))
            everyone = self._raw(conn, period, None, answers[None], kept=None)
            shown = everyone.statistics(self._ctx, period, tr, language)
            if site:
                # one site's figures are protected with every other site's and all sites'
                # as one table each, so that none follows from their differences
                sites = {other: self._raw(conn, period, other, answers.get(other, Counter()),
                                          kept=everyone.kept)
                         for other in self._ctx.db.column("SELECT id FROM sites ORDER BY id")}
                shown = across_sites(
                    shown, {other: one.statistics(self._ctx, period, tr, language,
                                                  like=shown)
                            for other, one in sites.items()}, site)
        result = replace(shown, site=period.site_name)
        shown_count = result.counted_cases
        self._ctx.record(Event.STATISTICS, target_type="statistics",
                         # the number of cases counted as published: the audit log, which
                         # administrators read, keeps none that is below the threshold or
                         # withheld
                         details={**({"count": shown_count} if shown_count is not None
                                     else {}),
                                  "threshold": t, "format": purpose,
                                  **({"site": site} if site else {})})
        return result

    def _answers(self, period: Period, by_site: bool) -> dict[str | None, Counter[str]]:
        """How many of the period's cases each answer about being counted has: of every
        site (None; ``yes``, ``no`` and ``not_asked``) and, *by_site*, of each site (``no``
        and ``not_asked``; the cases of no site are every site's less the sites')."""
        where = (" FROM cases c INDEXED BY cases_period"
                 " LEFT JOIN reporting_consent rc ON rc.case_id = c.id"
                 " WHERE c.is_draft = 0 AND c.opened_on <= :end"
                 " AND (c.closed_at IS NULL OR c.closed_at >= :start)")
        # sums rather than groups: one pass, no sorting of a hundred thousand rows
        row = self._ctx.db.one("SELECT count(*) AS n, total(coalesce(rc.answer, 'not_asked')"
                               " = 'yes') AS yes, total(rc.answer = 'no') AS no" + where,
                               period.params)
        assert row is not None
        yes, no = int(row["yes"]), int(row["no"])
        out: dict[str | None, Counter[str]] = {None: Counter(
            {"yes": yes, "no": no, "not_asked": row["n"] - yes - no})}
        if by_site:
            for row in self._ctx.db.all(
                    "SELECT (SELECT s.site_id FROM case_sites s WHERE s.case_id = c.id)"  # noqa: S608
                    " AS site, coalesce(rc.answer, 'not_asked') AS answer, count(*) AS n"
                    + where + " AND coalesce(rc.answer, 'not_asked') <> 'yes' GROUP BY 1, 2",
                    period.params):
                if row["site"] is not None:
                    out.setdefault(row["site"], Counter())[row["answer"]] += row["n"]
        return out

    def _raw(self, conn: Any, period: Period, site: str | None, answers: Counter[str], *,
             kept: Kept | None) -> Raw:
        """What the period's counted cases of *site* (an id; None: every site) add up to,
        before any protection, *answers* their answers about being counted: whole months
        from the groups' counts (*kept*: those every site's count found whole; None for
        every site's own count, which checks them against the cases), anything else, and
        groups whose counts are missing, case by case and record by record."""
        first, last, params = period.first, period.last, {**period.params, "site": site or ""}
        left = Counter({"no": 0, "not_asked": 0})
        left.update({k: n for k, n in answers.items() if k != "yes"})
        whole = _whole_months(first, last)
        grouped: People | None = None
        if site is None or (kept is not None and kept.whole):
            groups = read_buckets(self._ctx) if kept is None else kept.groups
            grouped = People.from_groups(self._ctx, first, last, site,
                                         answers["yes"] if site is None else None,
                                         read=groups)
            found = None
            if whole is not None and grouped is not None:
                found = (read_counts(self._ctx, grouped.groups) if kept is None
                         else {g: kept.counts[g] for g in grouped.groups})
            if grouped is not None and found is not None and whole is not None:
                return Raw(grouped, add_up(found, *whole), left, Kept(groups, found, True))
        conn.execute("DELETE FROM temp.stat_counted")
        conn.execute(_COUNT + (_AT_SITE if site else ""), params)
        return Raw(grouped or People.from_facts(self._ctx, first, last),
                   read_activity(self._ctx, params), left, None)


@dataclass(frozen=True)
class Kept:
    """The groups' counts one count read, for the counts of each site that follow it:
    the survivor counts of every group, and the records' counts of the period's; *whole*:
    they covered every counted case of the period."""

    groups: dict[str, dict[str, object] | None]
    counts: dict[str, tuple[dict[str, object], dict[str, object]]]
    whole: bool


@dataclass(frozen=True)
class Raw:
    """What one site's (or every site's) counted cases add up to, unprotected."""

    people: People
    activity: Activity
    left: Counter[str]
    kept: Kept | None  # the groups' counts, when they were used

    def statistics(self, ctx: ServiceContext, period: Period, tr: Translate, language: str,
                   *, like: Statistics | None = None) -> Statistics:
        """The counts protected table by table; *like*: the statistics whose rows of
        countries and partners these keep (those of all sites, for one site's)."""
        t = period.threshold
        named = {table.key: [code for code, _label in table.labels]
                 for table in like.tables} if like is not None else None
        tables = [*self.people.tables(t, tr, language, named=named),
                  *activity_tables(ctx, self.activity, t, tr,
                                   named=named["service_partners"] if named else None)]
        answered = self.activity.answered
        return Statistics(
            period.first, period.last, t,
            suppression.protect({"counted": self.people.total}, t, additive=False),
            suppression.protect(dict(self.left), t, additive=False), tuple(tables),
            median(answered) if len(answered) >= t else None)


@dataclass(frozen=True)
class Period:
    """A count's period: its days, the threshold, the parameters of its statements, the
    name of its one site (or empty), and the statement that fills the counted set."""

    first: dt.date
    last: dt.date
    threshold: int
    params: dict[str, str]
    site_name: str
    count_sql: str

    def fill(self, conn: Any) -> object:
        return conn.execute(self.count_sql, self.params)


@dataclass(frozen=True)
class MonitoringReport:
    """A made report: its figures (the same as the dashboard's) and the PDF."""

    stats: Statistics
    pdf: bytes


def _nothing(_conn: Any) -> None:
    """No counted cases yet: the groups may be enough."""


def _whole_months(first: dt.date, last: dt.date) -> tuple[str, str] | None:
    """The first and last months of a period of whole months (``YYYY-MM``), or None."""
    if first.day != 1 or (last + dt.timedelta(days=1)).day != 1:
        return None
    return first.isoformat()[:7], last.isoformat()[:7]


def _period(start: dt.date | str, end: dt.date | str) -> tuple[dt.date, dt.date]:
    first = v.date(start, "start", required=True)
    last = v.date(end, "end", required=True)
    assert first is not None and last is not None
    v.order(first, last, "end", _("The period cannot end before it starts."))
    if last >= dt.date.max - dt.timedelta(days=1):  # no day after it to count to
        last = dt.date.max - dt.timedelta(days=2)
    return first, last


class People:
    """What the counted cases say about the survivors: how many, each survivor table's
    counts and, for a breakdown, each case's codes (``by_case``: never published)."""

    def __init__(self, total: int, counts: dict[str, Counter[str]],
                 by_case: dict[str, Codes] | None = None, groups: list[str] | None = None
                 ) -> None:
        self.total = total
        self.counts = counts
        self.by_case = by_case or {}
        self.groups = groups or []  # the groups counted (``from_groups``)

    @classmethod
    def from_facts(cls, ctx: ServiceContext, first: dt.date, last: dt.date, *,
                   keep: bool = False) -> People:
        """Counted case by case from their facts; with *keep*, each case's codes too."""
        facts = facts_by_case(ctx)
        last_day = last.isoformat()
        codes = [case_codes(one, first, last_day) for one in facts.values()]
        counts: dict[str, Counter[str]] = {}
        for key, column in zip(PEOPLE_KEYS, zip(*codes, strict=True) if codes
                               else ((),) * len(PEOPLE_KEYS), strict=True):
            counts[key] = Counter(chain.from_iterable(column) if key in MULTI else column)
        return cls(len(facts), counts,
                   dict(zip(facts, codes, strict=True)) if keep else None)

    @classmethod
    def from_groups(cls, ctx: ServiceContext, first: dt.date, last: dt.date,
                    site: str | None, expected: int | None, *,
                    read: dict[str, dict[str, object] | None] | None = None
                    ) -> People | None:
        """Counted from the groups' counts (``case_facts.bucket``): a group of whole months
        of the period is added as it is, and only the cases of a group that a period
        starting or ending within a month cuts are read one by one.  None when the groups
        do not cover the *expected* number of counted cases (one without facts, counts
        that do not open, a write since they were settled): the caller counts case by
        case.  ``groups``: those of the period's cases.  *expected* None: one site's count
        after every site's has been checked; *read*: the groups' counts read already."""
        groups = read_buckets(ctx) if read is None else read
        start, end = first.isoformat()[:7], last.isoformat()[:7]
        whole_start = first.day == 1
        whole_end = (last + dt.timedelta(days=1)).day == 1
        counts = {key: Counter[str]() for key in PEOPLE_KEYS}
        total = 0
        cut: list[str] = []
        used: list[str] = []
        for group, tally in groups.items():
            where, opened, closed = group.split("|")
            if (site is not None and where != site) or opened > end or closed < start:
                continue
            used.append(group)
            # a period that starts or ends within one of the group's months cuts it
            if (not whole_start and start in (opened, closed)) \
                    or (not whole_end and end in (opened, closed)):
                cut.append(group)
                continue
            if tally is None:
                return None
            n = int(tally["n"])  # type: ignore[call-overload]
            total += n
            counts["new"]["new" if opened >= start else "before"] += n
            counts["closed"]["closed" if closed != OPEN_MONTH and closed <= end else "open"] += n
            for name, value in tally["c"].items():  # type: ignore[attr-defined]
                key, code = name.split("\x1f", 1)
                counts[key][code] += value
        if cut:
            facts = facts_of_buckets(ctx, cut)
            if facts is None:
                return None
            first_day, last_day = first.isoformat(), last.isoformat()
            for one in facts:
                if one.opened > last or (one.closed is not None and one.closed < first_day):
                    continue
                total += 1
                for key, code in zip(PEOPLE_KEYS, case_codes(one, first, last_day),
                                     strict=True):
                    counts[key].update(code if isinstance(code, tuple) else (code,))
        if expected is not None and total != expected:
            return None
        return cls(total, counts, groups=used)

    def tables(self, t: int, tr: Translate, language: str, *,
               named: Mapping[str, Sequence[str]] | None = None) -> list[StatTable]:
        """The survivor tables, protected; *named*: by table, the rows a table of countries
        keeps (else the countries counted at least *t* times)."""
        _ = tr
        people = _("Survivors")
        c = self.counts

        def one(key: str, title: str, labels: Iterable[tuple[str, str]], *,
                additive: bool = True) -> StatTable:
            return table(key, title, people, labels, c.get(key, Counter()), t,
                          additive=additive)

        def by_country(key: str, title: str) -> StatTable:
            """Countries counted less than the threshold are one row, "other countries":
            a row of its own would say that someone from there is in the shelter."""
            found = c.get(key, Counter())
            rows = [code for code in named[key] if code not in (OTHER_COUNTRIES, NOT_RECORDED)
                    ] if named is not None else [code for code, n in found.items()
                                                 if n >= t and code != NOT_RECORDED]
            names = {code: country_name(code, language=language) or code
                     for code in (*found, *rows)}
            kept = rows if named is not None else sorted(rows, key=names.__getitem__)
            merged = Counter({code: found[code] for code in kept})
            merged[OTHER_COUNTRIES] = sum(n for code, n in found.items()
                                          if code not in kept and code != NOT_RECORDED)
            merged[NOT_RECORDED] = found[NOT_RECORDED]
            return table(key, title, people, [*((code, names[code]) for code in kept),
                                               (OTHER_COUNTRIES, _("Other countries")),
                                               (NOT_RECORDED, _("Not recorded"))],
                          merged, t, additive=True)

        return [
            one("new", _("Cases in the period"), [("new", _("Opened in the period")),
                                                 ("before", _("Opened before it"))]),
            one("closed", _("At the end of the period"), [("closed", _("Closed in the period")),
                                                          ("open", _("Still open"))]),
            one("identification", _("Identification status"),
                choices(vocab.IDENTIFICATION_STATUS, tr)),
            one("identified_by", _("Identification decided by"), choices(vocab.IDENTIFIED_BY, tr)),
            one("exploitation", _("Exploitation types"), terms(vocab.EXPLOITATION, tr),
                additive=False),
            one("means", _("Means of control"), terms(vocab.MEANS_OF_CONTROL, tr),
                additive=False),
            one("age", _("Age at intake"), [*((code, _(label)) for code, label, _l, _h
                                              in AGE_BANDS), (NOT_RECORDED, _("Not known"))]),
            one("exploited_age", _("Age when exploitation began"),
                [*((code, _(label)) for code, label in EXPLOITED_AGE),
                 (NOT_RECORDED, _("Not known"))]),
            one("gender", _("Gender"), terms(vocab.GENDER, tr)),
            by_country("citizenship", _("Citizenship")),
            by_country("exploitation_country", _("Country of exploitation")),
            one("recruitment", _("Recruitment method"), choices(vocab.RECRUITMENT, tr)),
            one("recruiter", _("Relationship to recruiter"),
                choices(vocab.RECRUITER_RELATION, tr)),
        ]
