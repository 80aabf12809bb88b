"""The CTDC-style anonymised table: one row per counted survivor, k-anonymous.

Columns follow the Counter Trafficking Data Collaborative's global dataset (year of
registration, gender, broad age band, citizenship, country of exploitation, and 0/1 flags
for the kinds of exploitation, the means of control and the relationship to the
recruiter).  No name, date, free text, code or id is in it.  Only cases whose survivor
agreed to be counted are in it; a survivor with several citizenships or countries of
exploitation is listed under the first recorded.

Age is tried in CTDC's broad bands and in coarser ones; the table that blanks fewer
values is written (``domain/anonymise.py`` does the suppression), with a report of what
was generalised, blanked and left out.  Written as CSV (an empty cell: not known or
suppressed, never told apart) beside a text file with the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shelter_app.domain import vocab
from shelter_app.domain.anonymise import Report, anonymise
from shelter_app.domain.audit import Event
from shelter_app.domain.roles import Action
from shelter_app.domain.statistics import below
from shelter_app.exchange import tables
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill, format_number
from shelter_app.services.case_facts import (
    COUNTED,
    Facts,
    age_at_intake,
    counting,
    cycle_collection_paused,
    read_facts,
    stored_facts,
)
from shelter_app.services.context import ServiceContext

DEFAULT_K = 11
# (label, lowest, highest): CTDC's broad bands, then coarser ones
FINE_AGES = (("0--8", 0, 8), ("9--17", 9, 17), ("18--20", 18, 20), ("21--23", 21, 23),
             ("24--26", 24, 26), ("27--29", 27, 29), ("30--38", 30, 38), ("39--47", 39, 47),
             ("48+", 48, 200))
COARSE_AGES = (("0--17", 0, 17), ("18--29", 18, 29), ("30--47", 30, 47), ("48+", 48, 200))
GENDER = {t.code: t.ctdc or "" for t in vocab.GENDER.terms.values()}
GENDER["unknown"] = ""  # not known: a blank, as a suppressed value is
EXPLOITATION_FLAGS = sorted({t.ctdc for t in vocab.EXPLOITATION.terms.values() if t.ctdc})
MEANS_FLAGS = sorted({t.ctdc for t in vocab.MEANS_OF_CONTROL.terms.values() if t.ctdc})
RECRUITER_FLAGS = sorted({t.ctdc for t in vocab.RECRUITER_RELATION.terms.values() if t.ctdc})
PERSON = ["yearOfRegistration", "gender", "ageBroad", "majorityStatus", "citizenship",
          "CountryOfExploitation"]
COLUMNS = [*PERSON, *EXPLOITATION_FLAGS, *MEANS_FLAGS, *RECRUITER_FLAGS]
# blanked for the rows that need it, least useful first
GROUPS = [MEANS_FLAGS, RECRUITER_FLAGS, ["CountryOfExploitation"], ["citizenship"],
          ["ageBroad"], ["majorityStatus"], EXPLOITATION_FLAGS, ["gender"],
          ["yearOfRegistration"]]


@dataclass(frozen=True)
class Anonymised:
    rows: list[list[str]]
    report: Report
    left_out: int  # cases whose survivor did not agree, or was not asked


def _band(age: int | None, bands: Sequence[tuple[str, int, int]]) -> str:
    if age is None:
        return ""
    return next(label for label, low, high in bands if low <= age <= high)


def _flags(codes: Sequence[str], terms: vocab.Vocabulary, names: Sequence[str]) -> list[str]:
    """1 for each CTDC flag a code feeds, 0 for the others; all blank when nothing was
    recorded (CTDC's missing, not "none of these")."""
    if not codes:
        return [""] * len(names)
    on = {terms.terms[c].ctdc for c in codes if c in terms.terms}
    return ["1" if name in on else "0" for name in names]


def _parts(facts: Facts, flags: dict[tuple[str, ...], list[str]]
           ) -> tuple[int | None, list[str], list[str]]:
    """A row but its age band: the age, the columns before the band and those after.
    *flags* remembers the flag columns of each combination of codes met."""
    age = age_at_intake(facts)
    key = (*facts.exploitation, "|", *facts.means, "|", facts.recruiter)
    known = flags.get(key)
    if known is None:
        known = flags[key] = [
            *_flags(facts.exploitation, vocab.EXPLOITATION, EXPLOITATION_FLAGS),
            *_flags(facts.means, vocab.MEANS_OF_CONTROL, MEANS_FLAGS),
            *_flags([facts.recruiter] if facts.recruiter else [], vocab.RECRUITER_RELATION,
                    RECRUITER_FLAGS)]
    return (age, [str(facts.opened.year), GENDER.get(facts.gender, "")],
            ["" if age is None else "Minor" if age < 18 else "Adult",
             facts.citizenship[0] if facts.citizenship else "",
             facts.countries[0] if facts.countries else "", *known])


def _row(facts: Facts, bands: Sequence[tuple[str, int, int]]) -> list[str]:
    """One survivor's row, before anything is suppressed."""
    age, head, tail = _parts(facts, {})
    return [*head, _band(age, bands), *tail]


def build(facts: Sequence[Facts], k: int, left_out: int = 0) -> Anonymised:
    """The k-anonymous table of *facts*: with CTDC's age bands, or coarser ones when they
    keep more of the table."""
    best: Anonymised | None = None
    flags: dict[tuple[str, ...], list[str]] = {}
    parts = [_parts(f, flags) for f in facts]
    for bands, name in ((FINE_AGES, "fine"), (COARSE_AGES, "coarse")):
        rows, report = anonymise([[*head, _band(age, bands), *tail] for age, head, tail in parts],
                                 COLUMNS, GROUPS, k)
        if name == "coarse":
            report.generalised.append("ageBroad: 0--17, 18--29, 30--47, 48+")
        made = Anonymised(rows, report, left_out)
        if best is None or (report.cells_suppressed + report.rows_dropped * len(COLUMNS)
                            < best.report.cells_suppressed
                            + best.report.rows_dropped * len(COLUMNS)):
            best = made
    assert best is not None
    best.rows.sort()  # the order of registration would say more than the rows
    return best


def report_text(made: Anonymised) -> list[str]:
    """What was done to the table, for the file written beside it.  A figure below k reads
    "< k" like every published count: "1 value suppressed in gender" beside a table with
    no one of that gender would say who she is."""
    r = made.report

    def n(count: int) -> str:
        return below(r.k) if count < r.k else format_number(count)

    lines = [
        fill(_("Anonymised table of {rows} survivors (of {counted} counted), each sharing "
               "every combination of its values with at least {k} (k-anonymity)."),
             rows=n(r.rows_out), counted=n(r.rows_in), k=format_number(r.k)),
        fill(_("Left out: {n} cases whose survivor did not agree to be counted or was not "
               "asked."), n=n(made.left_out)),
        fill(_("Left out to keep the others anonymous: {n} rows."), n=n(r.rows_dropped)),
        _("An empty cell is not known or suppressed; the two are not told apart."),
    ]
    for text in r.generalised:
        lines.append(fill(_("Generalised: {what}."), what=text))
    for column, count in sorted((r.globally_suppressed + r.locally_suppressed).items()):
        lines.append(fill(_("Suppressed in {column}: {n} values."), column=column, n=n(count)))
    return [line.replace("\u2068", "").replace("\u2069", "") for line in lines]  # plain text


class AnonymisedExport:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def make(self, k: int = DEFAULT_K, *, until: dt.date | None = None) -> Anonymised:
        """Every counted case registered up to *until* (today), anonymised."""
        with cycle_collection_paused():
            return self._make(k, until)

    def _make(self, k: int, until: dt.date | None) -> Anonymised:
        self._ctx.require(Action.VIEW_STATISTICS)
        if not 2 <= k <= 100:
            raise ValueError(f"k = {k}")
        last = (until or dt.date.today()).isoformat()
        db = self._ctx.db
        with counting(self._ctx, lambda _conn: None) as conn:
            row = db.one("SELECT count(*) AS n, total(coalesce(rc.answer, 'not_asked') = 'yes')"
                         " AS yes FROM cases c INDEXED BY cases_period LEFT JOIN"
                         " reporting_consent rc ON rc.case_id = c.id"
                         " WHERE c.is_draft = 0 AND c.opened_on <= :end", {"end": last})
            assert row is not None
            counted, left_out = int(row["yes"]), row["n"] - int(row["yes"])
            # every stored copy, read in one pass, when they are exactly the counted cases'
            # (a copy exists only for a counted case: as many means the same ones)
            facts = stored_facts(self._ctx, last)
            if facts is None or len(facts) != counted:
                conn.execute("INSERT INTO temp.stat_counted (id) " + COUNTED
                             + " AND c.opened_on <= :end", {"end": last})
                facts = read_facts(self._ctx)
        return build(facts, k, int(left_out or 0))

    def write(self, path: Path, k: int = DEFAULT_K) -> Anonymised:
        """The table as CSV at *path*, its report beside it (``*-report.txt``); audited
        with the number of rows and k."""
        self._ctx.refuse_if_read_only()
        report_path = path.with_name(path.stem + "-report.txt")
        tables.require_new(path, report_path)  # both are new, or nothing is written
        made = self.make(k)
        tables.write_new_text(report_path, "\n".join(report_text(made)) + "\n")
        try:
            tables.write_csv(path, COLUMNS, (dict(zip(COLUMNS, row, strict=True))
                                             for row in made.rows))
        except BaseException:
            report_path.unlink(missing_ok=True)  # the two go together, or neither
            raise
        self._ctx.record(Event.EXPORT, target_type="statistics",
                         details={"count": made.report.rows_out, "threshold": k,
                                  "format": "ctdc"})
        return made
