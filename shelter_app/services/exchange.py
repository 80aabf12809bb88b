"""Export and import of cases through the one permission + audit path.

Export writes only the cases the user may read, and blanks sections they may not see.
Import checks every row first; by default one bad row stops the whole import (nothing is
saved) and every problem is reported with its row number.  With ``skip_invalid`` the valid
rows are imported together in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.domain.accounts import username_key
from shelter_app.domain.audit import Event
from shelter_app.domain.records import clean_case, clean_survivor
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError, ValidationError
from shelter_app.exchange import columns as cols
from shelter_app.exchange import tables
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import fill
from shelter_app.services import case_fields, legal_exchange, timeline
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.cases import CODE_PATTERN, CaseService
from shelter_app.services.context import ServiceContext, require_case_key
from shelter_app.services.sites import SiteService
from shelter_app.store import cases as store
from shelter_app.store.audit import now_utc

DATE_COLUMNS = ("birth_date", "reasonable_grounds_date", "conclusive_grounds_date", "opened_on",
                "closed_on")


@dataclass
class RowProblem:
    row: int  # spreadsheet row number (the header is row 1)
    field: str | None
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False
    undated_closures: int = 0  # closed cases without closed_on: dated the day of the import
    blank: int = 0  # rows with nothing in any cell: skipped, neither imported nor rejected

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})


class ExchangeService:
    def __init__(self, ctx: ServiceContext, cases: CaseService) -> None:
        self._ctx = ctx
        self._cases = cases
        self._access = CaseAccess(ctx)

    # -- export --------------------------------------------------------------------
    def export_cases(self, path: Path) -> int:
        self._ctx.require(Action.EXPORT_CASES)
        self._ctx.refuse_if_read_only()
        require_case_key(self._ctx)
        visible, params = self._access.visible_sql("c")
        users = {r["id"]: r["username"] for r in self._ctx.db.all("SELECT id, username FROM users")}
        answers = {r["case_id"]: r["answer"] for r in self._ctx.db.all(
            "SELECT case_id, answer FROM reporting_consent")}
        rows_out = []
        events = timeline.TimelineService(self._ctx)
        for c_row in self._ctx.db.all(
                f"SELECT c.* FROM cases c WHERE {visible} ORDER BY c.code", params):  # noqa: S608
            s_row = self._ctx.db.one("SELECT * FROM survivors WHERE id = :id",
                                     {"id": c_row["survivor_id"]})
            assert s_row is not None
            survivor = store.from_row(case_fields.open_columns(self._ctx, "survivors", s_row),
                                      store.SURVIVOR_JSON, store.SURVIVOR_BOOL)
            case = store.from_row(case_fields.open_columns(self._ctx, "cases", c_row),
                                  store.CASE_JSON, store.CASE_BOOL)
            scope = self._access.scope(case["id"]) or Scope.OTHER
            legal = (legal_exchange.legal_to_exchange(self._ctx, case["id"])
                     if self._ctx.allowed(Action.READ_LEGAL, scope) else "")
            rows_out.append(cols.to_row(survivor, case, users.get(case["assigned_to"] or "", ""),
                                        include_health=self._ctx.allowed(Action.READ_HEALTH,
                                                                         scope)
                                        and "access_needs" in survivor,
                                        timeline=timeline.to_exchange(events.list(case["id"])),
                                        legal=legal, family=legal_exchange.family_to_exchange(
                                            self._ctx, case["id"]),
                                        reporting=answers.get(case["id"], "not_asked")))
        count = tables.write_csv(path, cols.COLUMNS, rows_out)
        self._ctx.record(Event.EXPORT, target_type="cases", details={"count": count,
                                                                      "format": "csv"})
        return count

    # -- import --------------------------------------------------------------------
    def import_file(self, path: Path, *, dry_run: bool = False, skip_invalid: bool = False,
                    encoding: str | None = None, mapping_path: Path | None = None,
                    site_id: str | None = None) -> ImportReport:
        """Import the cases of a CSV file (*site_id*: the site they are all handled at)."""
        self._ctx.require(Action.IMPORT_CASES)
        require_case_key(self._ctx)
        if site_id:
            SiteService(self._ctx).checked(self._ctx.db, site_id)
        mapping = tables.load_mapping(mapping_path) if mapping_path else {}
        header, rows = tables.read_table(path, encoding=encoding, mapping=mapping,
                                         keep=set(cols.COLUMNS))
        if "legal_name" not in header:
            raise ValidationError(_("The file has no legal_name column. Use the columns that "
                                    "'export cases' writes, or a mapping file."))
        unknown = [h for h in header if h and h not in cols.COLUMNS]
        if unknown:
            raise ValidationError(fill(_("Unknown columns: {names}. Rename them or map them with "
                                    "--mapping."), names=", ".join(unknown[:10])))
        report = ImportReport(rows=len(rows), dry_run=dry_run)
        # as in intake, only an active caseworker or coordinator can hold a case
        users = {username_key(r["username"]): r["id"] for r in self._ctx.db.all(
            "SELECT id, username, roles FROM users WHERE status = 'active'")
            if {"caseworker", "coordinator"} & set(json.loads(r["roles"]))}
        checked: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = []
        seen_codes: dict[str, int] = {}
        for number, raw in enumerate(rows, start=2):
            if not any(v.strip() for v in raw.values()):
                report.blank += 1
                continue
            try:
                checked.append(self._check_row(raw, mapping, users, seen_codes, number))
                report.undated_closures += checked[-1][2]["undated_closure"]
            except ValidationError as exc:
                report.problems.append(RowProblem(number, exc.field, exc.message))
        if dry_run or (report.problems and not skip_invalid):
            return report
        # the index tags of the names' prefixes and codes' words are made once an import
        with self._ctx.db.transaction() as db, case_fields.index_key(self._ctx).remembering():
            search_id = (db.scalar("SELECT max(search_id) FROM cases") or 0) + 1
            next_code = self._cases.next_code(db)
            today, now = dt.date.today().isoformat(), now_utc()
            answers: list[dict[str, str | None]] = []
            for s_values, c_values, extra in checked:
                code = extra["code"]
                if code is None:  # number new cases on from the vault's last code
                    code = next_code
                    while code in seen_codes or db.scalar("SELECT 1 FROM cases WHERE code = :c",
                                                          {"c": code}):
                        code = _bump(code)
                    next_code = _bump(code)
                case_id = self._cases.insert_clean(
                    db, s_values, c_values, code=code, assigned_to=extra["assigned_to"],
                    status=extra["status"], closure_reason=extra["closure_reason"],
                    closed_at=extra["closed_at"], code_checked=True, search_id=search_id,
                    site_id=site_id)
                timeline.insert_events(self._ctx, db, case_id, extra["timeline"])
                if extra["reporting"] != "not_asked":  # recorded as of the import, below
                    answers.append({"c": case_id, "a": extra["reporting"], "d": today,
                                    "now": now, "me": self._ctx.session.user_id})
                try:  # checked with the row; a refusal now undoes the whole import
                    legal_exchange.insert(self._ctx, case_id, extra["casework"])
                except ShelterError as exc:
                    raise ValidationError(_("Row {row}, {field}: {message}").format(
                        row=extra["row"], field="legal", message=exc.message),
                        "legal") from None
                search_id += 1
            db.execute_many(
                "INSERT INTO reporting_consent (case_id, answer, answered_on, created_at,"
                " updated_at, created_by, updated_by) VALUES (:c, :a, :d, :now, :now, :me, :me)",
                answers)
            self._ctx.audit.append(Event.IMPORT, actor_id=self._ctx.session.user_id,
                                   target_type="cases", details={"count": len(checked)})
        self._ctx.vault.anchor_if_due()  # what was imported is in the audit chain's anchor
        report.imported = len(checked)
        return report

    def _check_row(self, raw: dict[str, str], mapping: dict[str, Any], users: dict[str, str],
                   seen_codes: dict[str, int], number: int
                   ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        row = _apply_mapping(raw, mapping)
        survivor, case, extra = cols.from_row(row)
        closed_on = v.date(extra["closed_on"], "closed_on", not_future=True)
        if case.opened_on is None and closed_on is not None:
            case.opened_on = closed_on  # the latest day it is known to have been open
        s_values = clean_survivor(survivor)
        c_values = clean_case(case)
        code = extra["case_code"].upper() or None
        if code:
            if not CODE_PATTERN.match(code):
                raise ValidationError(_("A case code looks like SH-2026-0042."), "case_code")
            if code in seen_codes:
                raise ValidationError(fill(_("The case code {code} is also on row {row}."),
                    code=code, row=seen_codes[code]), "case_code")
            if self._ctx.db.scalar("SELECT 1 FROM cases WHERE code = :c", {"c": code}):
                raise ValidationError(fill(_("The case code {code} is already in use."),
                    code=code), "case_code")
            seen_codes[code] = number
        status = vocab.CASE_STATUS.check(extra["status"], "status")
        reason = extra["closure_reason"] or None
        if reason:
            vocab.CLOSURE_REASON.check(reason, "closure_reason")
        if status == "closed" and not reason:
            raise ValidationError(_("A closed case needs a closure reason."), "closure_reason")
        if closed_on is not None and status != "closed":
            raise ValidationError(_("Only a closed case has a closing date."), "closed_on")
        opened_on = v.date(c_values.get("opened_on"), "opened_on")
        v.order(opened_on, closed_on, "closed_on",
                _("A case cannot be closed before it was opened."))
        # Noon UTC falls on the same calendar day from UTC-11 to UTC+11, so the date reads
        # back the same wherever the vault is exported.  A closed case without a date was
        # closed no later than today, when it is recorded; the report says how many.
        closed_at = (v.iso(dt.datetime.combine(closed_on, dt.time(12), tzinfo=dt.UTC))
                     if closed_on is not None else now_utc() if status == "closed" else None)
        assigned = None
        if extra["assigned_to"]:
            assigned = users.get(username_key(extra["assigned_to"]))
            if assigned is None:
                raise ValidationError(fill(_("No active caseworker or coordinator account named "
                                        "{user}."),
                    user=extra["assigned_to"]), "assigned_to")
        return s_values, c_values, {"code": code, "status": status, "closure_reason": reason,
                                    "closed_at": closed_at, "assigned_to": assigned,
                                    "timeline": timeline.from_exchange(extra["timeline"]),
                                    "casework": legal_exchange.from_exchange(extra["legal"],
                                                                             extra["family"]),
                                    "undated_closure": status == "closed" and closed_on is None,
                                    "reporting": vocab.REPORTING_CONSENT.check(
                                        extra["reporting_consent"], "reporting_consent"),
                                    "row": number}


def _bump(code: str) -> str:
    stem, number = code.rsplit("-", 1)
    return f"{stem}-{int(number) + 1:0{len(number)}d}"


def _apply_mapping(row: dict[str, str], mapping: dict[str, Any]) -> dict[str, str]:
    if not mapping:
        return row
    out = dict(row)
    for column, table in (mapping.get("values") or {}).items():
        if column in out and out[column] in table:
            out[column] = str(table[out[column]])
    date_format = mapping.get("date_format")
    if date_format:
        for column in DATE_COLUMNS:
            value = (out.get(column) or "").strip()
            if value:
                try:
                    out[column] = dt.datetime.strptime(value, date_format).date().isoformat()
                except ValueError as exc:
                    raise ValidationError(fill(_("'{value}' does not match the date format {fmt}."),
                                          value=value[:20], fmt=date_format),
                                          column) from exc
    return out


def describe(report: ImportReport) -> list[str]:
    """Lines for a person: what was (or would be) imported and every rejected row."""
    lines = [_("Row {row}, {field}: {message}").format(row=p.row, field=p.field or "-",
                                                        message=p.message)
             for p in report.problems]
    filled = report.rows - report.blank  # blank rows are no one's: not counted anywhere
    valid = filled - len(report.rejected_rows)
    if report.undated_closures:
        lines.append(ngettext(
            "{n} closed case has no closed_on date; it is dated the day of the import.",
            "{n} closed cases have no closed_on date; they are dated the day of the import.",
            report.undated_closures).format(n=report.undated_closures))
    if report.dry_run:
        lines.append(_("Dry run: {valid} of {rows} rows would be imported; {bad} rejected. "
                       "Nothing was saved.").format(valid=valid, rows=filled,
                                                    bad=len(report.rejected_rows)))
    elif report.imported:
        lines.append(_("Imported {n} cases.").format(n=report.imported))
    elif valid == 0 and filled:  # --skip-invalid would import nothing either
        lines.append(ngettext(
            "Nothing was imported: the row has problems. Fix it and import the file again.",
            "Nothing was imported: all {rows} rows have problems. Fix them and import the "
            "file again.", filled).format(rows=filled))
    else:
        lines.append(_("Nothing was imported: {bad} of {rows} rows have problems. Fix them, or "
                       "use --skip-invalid to import only the valid rows.").format(
            bad=len(report.rejected_rows), rows=filled))
    return lines



