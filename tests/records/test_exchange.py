"""Export and import of cases through the services: scope, formula cells, round trips,
mappings, dry runs, all-or-nothing, encodings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from shelter_app.domain.records import (
    CaseInput,
    Guardian,
    IdentityDocument,
    SafeContact,
    SurvivorInput,
)
from shelter_app.errors import PermissionDenied, ValidationError
from shelter_app.exchange.columns import COLUMNS
from shelter_app.services.exchange import describe
from shelter_app.services.registry import Services, build_services
from shelter_app.vault.vault import Vault
from tests.bidi import plain
from tests.conftest import ADMIN_PASS, FAST_KDF
from tests.records.conftest import STAFF_PASS, Org


def read_csv(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")  # so spreadsheet programs read it as UTF-8
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def write_csv(path: Path, header: list[str], rows: list[list[str]],
              encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Services]:
    """A second, empty vault with the same account names, signed in as its coordinator."""
    vault, opened, _key = Vault.create(tmp_path / "fresh", organisation="Other shelter",
                                       admin_username="admin", admin_passphrase=ADMIN_PASS,
                                       kdf=FAST_KDF)
    admin = build_services(opened)
    for name, role in (("coordinator", "coordinator"), ("caseworker", "caseworker")):
        admin.accounts.add(name, [role], STAFF_PASS, temporary=False)
    coordinator_opened, _report = vault.unlock("coordinator", STAFF_PASS)
    try:
        yield build_services(coordinator_opened)
    finally:
        coordinator_opened.close()
        opened.close()
        vault.close()


def rich_cases(org: Org) -> None:
    first = org.new_case(
        "María José García", preferred_name="Majo", aliases=["Mari", "Мария", "ماريا"],
        birth_date="1990-02-03", gender="woman", citizenship=["HN", "ES"],
        languages=["es", "en"], interpreter_needed=True, interpreter_language="es",
        phone="+34 600 000 000", email="maria@example.org", address='Calle 1\nPiso 2, "B"',
        safe_contact=SafeContact(True, False, True, "sms", "Say: language school; ok"),
        identity_documents=[IdentityDocument("passport", "withheld", "the employer"),
                            IdentityDocument("national_id", "missing")],
        access_needs="Wheelchair user",
        case=CaseInput(referral_source="Police", identification_status="actual",
                       identified_by="police", reasonable_grounds_date="2025-01-02",
                       conclusive_grounds_date="2025-03-04",
                       exploitation_types=["sexual", "forced_labour"],
                       means_of_control=["debt_bondage", "threats"],
                       recruitment_method="job_offer", recruiter_relationship="employer",
                       risk_level="high", safety_plan="-Change route\n@night: call 112",
                       opened_on="2025-01-01"))
    org.coordinator.timeline.add(first.id, "recruitment", place="San Pedro Sula",
                                 country="HN", date_from="2024-03-01", approximate=True,
                                 source="survivor", description='Offered a job;\n"cleaning"')
    org.coordinator.timeline.add(first.id, "police_report", place="Sevilla", country="ES",
                                 date_from="2025-01-02", source="authority",
                                 description="ذهبت إلى الشرطة")
    minor = org.new_case("Nguyễn Thị Lan", preferred_name="Lan", estimated_age=16,
                         is_minor=True, guardian=Guardian("Aunt Test", "aunt", "+1 555"))
    org.coordinator.cases.set_status(minor.id, "closed", closure_reason="moved_away")
    org.new_case("=HYPERLINK(\"http://x\",\"click\")", aliases=["+cmd", "@SUM(A1)", "-2+3"],
                 share=False)
    org.new_case("Ma\u200bría \u202eLópez", share=False)


# -- export ------------------------------------------------------------------------------
def test_export_holds_only_what_the_user_may_see(org: Org, tmp_path: Path) -> None:
    rich_cases(org)
    org.coordinator.cases.create(SurvivorInput(legal_name="Other Person"),
                                 CaseInput(assigned_to=org.ids["other_caseworker"]))
    counts = {}
    for role in ("coordinator", "caseworker", "other_caseworker", "legal", "other_legal"):
        out = tmp_path / f"{role}.csv"
        counts[role] = getattr(org, role).exchange.export_cases(out)
        rows = read_csv(out)
        assert len(rows) == counts[role]
        assert list(rows[0]) if rows else True
        if role == "legal":
            assert {r["legal_name"] for r in rows} == {"María José García", "Nguyễn Thị Lan"}
            assert all(r["access_needs"] == "" for r in rows)  # never health
        if role == "caseworker":
            assert "Wheelchair user" in {r["access_needs"] for r in rows}
    assert counts == {"coordinator": 5, "caseworker": 4, "other_caseworker": 1, "legal": 2,
                      "other_legal": 0}
    header = (tmp_path / "other_legal.csv").read_bytes().decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == COLUMNS
    exports = org.audit("data.export")
    assert [e["details"]["count"] for e in exports] == [5, 4, 1, 2, 0]
    with pytest.raises(PermissionDenied):
        org.admin.exchange.export_cases(tmp_path / "admin.csv")
    assert not (tmp_path / "admin.csv").exists()


def test_export_never_overwrites_a_file(org: Org, tmp_path: Path) -> None:
    out = tmp_path / "cases.csv"
    out.write_text("precious")
    with pytest.raises(ValidationError, match="already exists"):
        org.coordinator.exchange.export_cases(out)
    assert out.read_text() == "precious"


def test_formula_cells_are_neutralised(org: Org, tmp_path: Path) -> None:
    rich_cases(org)
    out = tmp_path / "cases.csv"
    org.coordinator.exchange.export_cases(out)
    cells = [cell for row in read_csv(out) for cell in row.values()]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert "'=HYPERLINK(\"http://x\",\"click\")" in cells
    assert "'+34 600 000 000" in cells
    assert "'-Change route\n@night: call 112" in cells


# -- round trips -------------------------------------------------------------------------
def test_exported_csv_imports_back_unchanged(org: Org, fresh: Services, tmp_path: Path) -> None:
    rich_cases(org)
    first = tmp_path / "first.csv"
    org.coordinator.exchange.export_cases(first)
    # naming the encoding the file is already in changes nothing (the byte-order mark too)
    assert fresh.exchange.import_file(first, encoding="utf-8", dry_run=True).problems == []
    report = fresh.exchange.import_file(first)
    assert (report.rows, report.imported, report.problems) == (4, 4, [])
    second = tmp_path / "second.csv"
    fresh.exchange.export_cases(second)
    assert second.read_bytes() == first.read_bytes()
    # names with invisible characters come back byte for byte
    code = read_csv(first)[3]["case_code"]
    stored = fresh.cases.get(fresh.cases.id_for_code(code)).survivor["legal_name"]
    assert stored == "Ma\u200bría \u202eLópez"
    assert [s.code for s in fresh.search.search("María López")] == [code]


def test_exported_data_imports_back_from_xlsx(org: Org, fresh: Services,
                                              tmp_path: Path) -> None:
    rich_cases(org)
    first = tmp_path / "first.csv"
    org.coordinator.exchange.export_cases(first)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(COLUMNS)
    for row in read_csv(first):
        sheet.append([row[c] for c in COLUMNS])
    book.save(tmp_path / "cases.xlsx")
    report = fresh.exchange.import_file(tmp_path / "cases.xlsx")
    assert (report.imported, report.problems) == (4, [])
    second = tmp_path / "second.csv"
    fresh.exchange.export_cases(second)
    assert second.read_bytes() == first.read_bytes()


def test_xlsx_with_real_dates_and_numbers(fresh: Services, tmp_path: Path) -> None:
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["legal_name", "birth_date", "estimated_age", "interpreter_needed",
                  "interpreter_language", "opened_on", "citizenship"])
    sheet.append(["Olena Shevchenko", dt.datetime(1992, 5, 17), None, True, "uk",
                  dt.date(2025, 4, 1), "UA"])
    sheet.append(["Ioana Stan", None, 34, False, None, None, "RO"])
    book.save(tmp_path / "list.xlsx")
    report = fresh.exchange.import_file(tmp_path / "list.xlsx")
    assert (report.imported, report.problems) == (2, [])
    olena = fresh.cases.get(fresh.search.search("Olena")[0].id)
    assert olena.survivor["birth_date"] == "1992-05-17"
    assert olena.survivor["interpreter_needed"] is True
    assert olena.case["opened_on"] == "2025-04-01"
    assert fresh.cases.get(fresh.search.search("Ioana")[0].id).survivor["estimated_age"] == 34


# -- other spreadsheets: the mapping -----------------------------------------------------
def test_mapping_for_another_spreadsheet(fresh: Services, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "theirs.csv",
                       ["Full name", "DOB", "Sex", "Nationality", "Worker", "Comments"],
                       [["Amina Yusuf", "03/02/1995", "F", "NG", "caseworker", "x"],
                        ["Tran Van Minh", "28/11/1988", "M", "VN", "", "y"]])
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({
        "columns": {"Full name": "legal_name", "DOB": "birth_date", "Sex": "gender",
                    "Nationality": "citizenship", "Worker": "assigned_to", "Comments": ""},
        "values": {"gender": {"F": "woman", "M": "man"}},
        "date_format": "%d/%m/%Y"}))
    report = fresh.exchange.import_file(source, mapping_path=mapping)
    assert (report.imported, report.problems) == (2, [])
    amina = fresh.cases.get(fresh.search.search("Amina")[0].id)
    assert amina.survivor["birth_date"] == "1995-02-03"
    assert amina.survivor["gender"] == "woman" and amina.survivor["citizenship"] == ["NG"]
    assert amina.case["assigned_to"] is not None
    minh = fresh.cases.get(fresh.search.search("Minh")[0].id)
    assert minh.survivor["gender"] == "man" and minh.survivor["birth_date"] == "1988-11-28"


def test_mapping_problems_are_reported(fresh: Services, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "theirs.csv", ["Name", "DOB"],
                       [["Amina Yusuf", "1995-02-03"]])
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"columns": {"Name": "legal_name", "DOB": "birth_date"},
                                   "date_format": "%d/%m/%Y"}))
    report = fresh.exchange.import_file(source, mapping_path=mapping)
    assert report.imported == 0
    assert [(p.row, p.field) for p in report.problems] == [(2, "birth_date")]
    assert "%d/%m/%Y" in report.problems[0].message
    with pytest.raises(ValidationError) as unknown:
        fresh.exchange.import_file(source, mapping_path=_json(tmp_path, {"columns": {
            "Name": "legal_name"}}))
    assert "Unknown columns: DOB" in plain(str(unknown.value))
    with pytest.raises(ValidationError, match="no legal_name column"):
        fresh.exchange.import_file(source, mapping_path=_json(tmp_path, {"columns": {}}))
    with pytest.raises(ValidationError, match="cannot be read as JSON"):
        fresh.exchange.import_file(source, mapping_path=_text(tmp_path, "{columns"))
    assert fresh.search.list_ids() == []


def _json(tmp_path: Path, value: object) -> Path:
    return _text(tmp_path, json.dumps(value))


def _text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / f"m{len(list(tmp_path.iterdir()))}.json"
    path.write_text(text)
    return path


# -- bad rows: dry run, all or nothing, skip invalid ------------------------------------
BAD_ROWS = [
    ["SH-2025-0001", "Good One", "1990-01-01", "NG", "es", "open", ""],
    ["SH-2025-0002", "Bad Date", "2026-02-30", "NG", "", "open", ""],
    ["SH-2025-0003", "Bad Country", "", "XX", "", "open", ""],
    ["SH-2025-0001", "Same Code", "", "", "", "open", ""],
    ["SH-2025-0004", "Bad Language", "", "", "klingon", "open", ""],
    ["SH-2025-0005", "Closed No Reason", "", "", "", "closed", ""],
    ["", "Good Two", "", "VN", "vi", "closed", "goals_met"],
    ["SH-2025-0006", "", "", "", "", "open", ""],
]
HEADER = ["case_code", "legal_name", "birth_date", "citizenship", "languages", "status",
          "closure_reason"]
EXPECTED_PROBLEMS = [(3, "birth_date", "not a date"), (4, "citizenship", "ISO 3166"),
                     (5, "case_code", "also on row 2"), (6, "languages", "ISO 639"),
                     (7, "closure_reason", "closure reason"), (9, "legal_name", "required")]


def check_problems(report: object) -> None:
    problems = report.problems  # type: ignore[attr-defined]
    assert [(p.row, p.field) for p in problems] == [(r, f) for r, f, _m in EXPECTED_PROBLEMS]
    for problem, (_r, _f, message) in zip(problems, EXPECTED_PROBLEMS, strict=True):
        assert message in problem.message


def test_dry_run_reports_every_rejected_row_and_saves_nothing(org: Org,
                                                              tmp_path: Path) -> None:
    source = write_csv(tmp_path / "bad.csv", HEADER, BAD_ROWS)
    audit_before = len(org.audit())
    report = org.coordinator.exchange.import_file(source, dry_run=True)
    check_problems(report)
    assert (report.rows, report.imported, report.rejected_rows) == (8, 0, [3, 4, 5, 6, 7, 9])
    lines = describe(report)
    assert lines[0].startswith("Row 3, birth_date:")
    assert lines[-1] == ("Dry run: 2 of 8 rows would be imported; 6 rejected. "
                         "Nothing was saved.")
    assert org.count("cases") == 0 and org.count("survivors") == 0
    assert len(org.audit()) == audit_before


def test_one_bad_row_means_nothing_is_imported(org: Org, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "bad.csv", HEADER, BAD_ROWS)
    report = org.coordinator.exchange.import_file(source)
    check_problems(report)
    assert report.imported == 0
    assert describe(report)[-1].startswith("Nothing was imported: 6 of 8 rows have problems")
    assert org.count("cases") == 0 and org.audit("data.import") == []


def test_a_file_without_one_good_row_does_not_suggest_skipping_the_bad_ones(
        org: Org, tmp_path: Path) -> None:
    # a date that does not exist, a country that does not either, and a blank row, which is
    # no one's and counts for nothing
    bad_only = [BAD_ROWS[1], [""] * len(BAD_ROWS[1]), BAD_ROWS[2]]
    source = write_csv(tmp_path / "bad.csv", HEADER, bad_only)
    for skip in (False, True):
        report = org.coordinator.exchange.import_file(source, skip_invalid=skip)
        assert report.imported == 0
        assert describe(report)[-1] == ("Nothing was imported: all 2 rows have problems. Fix "
                                        "them and import the file again.")
    assert org.count("cases") == 0


def test_skip_invalid_imports_the_valid_rows_together(org: Org, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "bad.csv", HEADER, BAD_ROWS)
    report = org.coordinator.exchange.import_file(source, skip_invalid=True)
    check_problems(report)
    assert report.imported == 2
    assert org.count("cases") == 2
    good_two = org.coordinator.cases.get(org.coordinator.search.search("Good Two")[0].id)
    assert (good_two.case["status"], good_two.case["closure_reason"]) == ("closed",
                                                                          "goals_met")
    assert good_two.code != "SH-2025-0001"
    assert [e["details"] for e in org.audit("data.import")] == [{"count": 2}]


def test_codes_already_in_the_vault_are_refused(org: Org, tmp_path: Path) -> None:
    existing = org.new_case("Already Here")
    source = write_csv(tmp_path / "dup.csv", ["case_code", "legal_name"],
                       [[existing.code.lower(), "Someone New"], ["SH-2025-0099", "Fine"]])
    report = org.coordinator.exchange.import_file(source)
    assert [(p.row, p.field) for p in report.problems] == [(2, "case_code")]
    assert "already in use" in report.problems[0].message
    assert org.count("cases") == 1


def test_imported_cases_are_numbered_after_existing_ones(org: Org, tmp_path: Path) -> None:
    first = org.new_case("Already Here")
    source = write_csv(tmp_path / "new.csv", ["legal_name"], [["One"], ["Two"]])
    assert org.coordinator.exchange.import_file(source).imported == 2
    codes = sorted(s.code for s in org.coordinator.search.summaries(
        org.coordinator.search.list_ids()))
    stem = first.code.rsplit("-", 1)[0]
    assert codes == [first.code, f"{stem}-0002", f"{stem}-0003"]


def test_only_coordinators_import(org: Org, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "ok.csv", ["legal_name"], [["Someone"]])
    for services in (org.caseworker, org.legal, org.admin):
        with pytest.raises(PermissionDenied):
            services.exchange.import_file(source)
    assert org.count("cases") == 0


def test_unknown_assignee_and_bad_flags(org: Org, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "x.csv", ["legal_name", "assigned_to", "is_minor"],
                       [["A", "nobody", "no"], ["B", "caseworker", "perhaps"],
                        ["C", "CASEWORKER", "yes"], ["D", "legal", "no"], ["E", "admin", "no"],
                        ["F", "coordinator", "no"]])
    report = org.coordinator.exchange.import_file(source)
    # as in intake, a case is held only by an active caseworker or coordinator
    assert [(p.row, p.field) for p in report.problems] == [
        (2, "assigned_to"), (3, "is_minor"), (5, "assigned_to"), (6, "assigned_to")]
    assert "nobody" in report.problems[0].message
    assert "legal" in report.problems[2].message
    assert org.coordinator.exchange.import_file(source, skip_invalid=True).imported == 2
    held = {s.display_name: s.assigned_to for s in org.coordinator.search.summaries(
        org.coordinator.search.list_ids())}
    assert held == {"C": org.ids["caseworker"], "F": org.ids["coordinator"]}


# -- files that are not what they seem ---------------------------------------------------
def test_legacy_encoding_is_refused_by_name_then_accepted(org: Org, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "legacy.csv", ["legal_name", "aliases"],
                       [["María García", "Anaïs Müller"], ["François Lefèvre", ""]],
                       encoding="cp1252")
    with pytest.raises(ValidationError) as exc:
        org.coordinator.exchange.import_file(source)
    message = str(exc.value)
    assert "not UTF-8" in message and "cp1252" in message and "--encoding cp1252" in message
    assert org.count("cases") == 0
    report = org.coordinator.exchange.import_file(source, encoding="cp1252")
    assert report.imported == 2
    maria = org.coordinator.cases.get(org.coordinator.search.search("Maria")[0].id)
    assert maria.survivor["legal_name"] == "María García"
    assert maria.survivor["aliases"] == ["Anaïs Müller"]
    with pytest.raises(ValidationError, match="cannot be read as utf-16"):
        org.coordinator.exchange.import_file(
            write_csv(tmp_path / "odd.csv", ["legal_name"], [["x"]]), encoding="utf-16")
    with pytest.raises(ValidationError, match="cannot be read as no-such-codec"):
        org.coordinator.exchange.import_file(source, encoding="no-such-codec")


@pytest.mark.parametrize(("names", "encoding"), [
    (["Олена Шевченко", "Наталья Иванова", "Дмитрий Соколов"], "cp1251"),
    (["Zdeněk Novák", "Łukasz Żółć"], "cp1250"),
])
def test_other_legacy_encodings_are_named_too(org: Org, tmp_path: Path, names: list[str],
                                              encoding: str) -> None:
    source = write_csv(tmp_path / "legacy.csv", ["legal_name"], [[n] for n in names],
                       encoding=encoding)
    with pytest.raises(ValidationError, match=f"--encoding {encoding}"):
        org.coordinator.exchange.import_file(source)
    assert org.coordinator.exchange.import_file(source, encoding=encoding).imported == len(
        names)
    assert {s.display_name for s in org.coordinator.search.summaries(
        org.coordinator.search.list_ids())} == set(names)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.csv", b"", "empty"),
    ("binary.csv", b"legal_name\n\x00\x01\x02\n", "not a text CSV"),
    ("broken.xlsx", b"PK\x03\x04 not really a workbook", "cannot be read"),
])
def test_unreadable_files(org: Org, tmp_path: Path, name: str, data: bytes,
                          message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ValidationError, match=message):
        org.coordinator.exchange.import_file(path)
    with pytest.raises(ValidationError, match="There is no file"):
        org.coordinator.exchange.import_file(tmp_path / "missing.csv")


def test_round_trip_survives_apostrophes_and_quotes_in_free_text(org: Org, fresh: Services,
                                                                 tmp_path: Path) -> None:
    for n, name in enumerate(("Mary O'Brien", "Seán Ó Conaill", "D'Angelo Rossi")):
        org.new_case(name, phone=f"+353 1 555 01{n}0", safe_contact=SafeContact(
            cover_story="Say 'language school' and 'Tuesday' if asked"),
            case=CaseInput(safety_plan="Code word 'blue' means danger; 'red' means call"))
    first = tmp_path / "first.csv"
    org.coordinator.exchange.export_cases(first)
    report = fresh.exchange.import_file(first)
    assert (report.imported, report.problems) == (3, [])
    second = tmp_path / "second.csv"
    fresh.exchange.export_cases(second)
    assert second.read_bytes() == first.read_bytes()


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_spreadsheet_csv_with_other_delimiters(fresh: Services, tmp_path: Path,
                                               delimiter: str) -> None:
    text = delimiter.join(["legal_name", "citizenship", "aliases"]) + "\r\n"
    text += delimiter.join(["García, María", "ES;HN" if delimiter == "\t" else '"ES;HN"',
                            "Mari"]) + "\r\n"
    path = tmp_path / "semi.csv"
    path.write_text("\ufeff" + text, encoding="utf-8")
    report = fresh.exchange.import_file(path)
    assert (report.imported, report.problems) == (1, [])
    record = fresh.cases.get(fresh.search.search("Maria")[0].id)
    assert record.survivor["legal_name"] == "García, María"
    assert record.survivor["citizenship"] == ["ES", "HN"]


def test_closing_dates_are_imported_checked_and_exported(org: Org, tmp_path: Path) -> None:
    header = ["case_code", "legal_name", "status", "closure_reason", "opened_on", "closed_on"]
    good = [["SH-2024-0001", "Closed Then", "closed", "goals_met", "2024-01-10", "2024-06-30"],
            ["SH-2024-0002", "Closed Undated", "closed", "moved_away", "2024-02-01", ""]]
    bad = [["SH-2024-0003", "Open Yet Closed", "open", "", "2024-01-01", "2024-03-01"],
           ["SH-2024-0004", "Closed First", "closed", "goals_met", "2024-05-01", "2024-04-30"],
           ["SH-2024-0005", "Closed Later", "closed", "goals_met", "2024-05-01", "2999-01-01"],
           ["SH-2024-0006", "Closed Oddly", "closed", "goals_met", "2024-05-01", "30/06/2024"]]
    report = org.coordinator.exchange.import_file(
        write_csv(tmp_path / "closing.csv", header, good + bad), dry_run=True)
    assert [(p.row, p.field) for p in report.problems] == [
        (4, "closed_on"), (5, "closed_on"), (6, "closed_on"), (7, "closed_on")]
    assert "Only a closed case" in report.problems[0].message
    assert "before it was opened" in report.problems[1].message
    good.append(["SH-2024-0007", "Closed Not Opened", "closed", "goals_met", "", "2024-03-03"])
    report = org.coordinator.exchange.import_file(
        write_csv(tmp_path / "closing-good.csv", header, good))
    assert (report.imported, report.undated_closures) == (3, 1)
    assert describe(report)[0] == ("1 closed case has no closed_on date; it is dated the day "
                                   "of the import.")
    out = tmp_path / "out.csv"
    org.coordinator.exchange.export_cases(out)
    exported = {r["case_code"]: (r["opened_on"], r["closed_on"]) for r in read_csv(out)}
    assert exported == {"SH-2024-0001": ("2024-01-10", "2024-06-30"),
                        "SH-2024-0002": ("2024-02-01", dt.date.today().isoformat()),
                        "SH-2024-0007": ("2024-03-03", "2024-03-03")}


@pytest.mark.parametrize(("imported_in", "exported_in"), [
    ("Europe/Berlin", "America/Los_Angeles"), ("Pacific/Auckland", "UTC"),
    ("America/Anchorage", "Asia/Tokyo")])
def test_a_closing_date_reads_the_same_in_another_time_zone(
        org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, imported_in: str,
        exported_in: str) -> None:
    header = ["case_code", "legal_name", "status", "closure_reason", "opened_on", "closed_on"]
    row = ["SH-2024-0001", "Closed Then", "closed", "goals_met", "2024-01-10", "2024-06-30"]
    try:
        monkeypatch.setenv("TZ", imported_in)
        time.tzset()
        org.coordinator.exchange.import_file(write_csv(tmp_path / "in.csv", header, [row]))
        monkeypatch.setenv("TZ", exported_in)
        time.tzset()
        org.coordinator.exchange.export_cases(tmp_path / "out.csv")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert read_csv(tmp_path / "out.csv")[0]["closed_on"] == "2024-06-30"


def test_the_timeline_travels_with_the_case(org: Org, fresh: Services, tmp_path: Path) -> None:
    rich_cases(org)
    first = tmp_path / "first.csv"
    org.coordinator.exchange.export_cases(first)
    cells = {row["legal_name"]: row["timeline"] for row in read_csv(first)}
    events = json.loads(cells["María José García"])
    assert [(e["stage"], e["approximate"], e["source"]) for e in events] == [
        ("recruitment", True, "survivor"), ("police_report", False, "authority")]
    assert cells["Nguyễn Thị Lan"] == ""
    assert fresh.exchange.import_file(first).imported == 4
    code = read_csv(first)[0]["case_code"]
    imported = fresh.timeline.list(fresh.cases.id_for_code(code))
    assert [(e.place, e.description, e.approximate) for e in imported] == [
        ("San Pedro Sula", 'Offered a job;\n"cleaning"', True),
        ("Sevilla", "ذهبت إلى الشرطة", False)]


@pytest.mark.parametrize(("cell", "message"), [
    ("not json", "JSON list of events"),
    ('[{"stage": "holiday"}]', "Timeline event 1: "),
    ('[{"stage": "escape"}, {"stage": "escape", "approximate": true}]',
     "Timeline event 2: An approximate date needs a date"),
    ('[{"stage": "escape", "when": "2020"}]', "Timeline event 1: unknown keys: when"),
])
def test_a_bad_timeline_rejects_its_row(org: Org, tmp_path: Path, cell: str,
                                        message: str) -> None:
    source = write_csv(tmp_path / "t.csv", ["legal_name", "timeline"], [["Ana Test", cell]])
    report = org.coordinator.exchange.import_file(source)
    assert [(p.row, p.field) for p in report.problems] == [(2, "timeline")]
    assert message in plain(report.problems[0].message)
    assert org.count("cases") == 0 and org.count("timeline_events") == 0


def test_the_legal_casework_and_family_travel_with_the_case(org: Org, fresh: Services,
                                                            tmp_path: Path) -> None:
    rich_cases(org)
    c = org.coordinator
    case_id = c.cases.id_for_code(read_csv_codes(org, tmp_path)[0])
    matter = c.legal.open(case_id, "t_visa", status="filed", jurisdiction="United States",
                          authority_ref="EAC-26-001", notes="Filed by courier",
                          dates={"filed_on": "2026-01-10", "filing_due": "2026-02-01"})
    item = c.legal.add_evidence(matter.id, "Statement of the applicant")
    c.legal.set_evidence_state(item.id, "requested", holder="Law centre")
    c.proceedings.open(case_id, authority_kind="prosecutor", role="injured_party",
                       stage="trial", reference="PR-77", requested=["screens"],
                       next_hearing=dt.date.today() + dt.timedelta(days=30),
                       survivor_told=False)
    claim = c.claims.open(case_id, route="labour_tribunal", currency="EUR", claimed="9000",
                          status="awarded", awarded="5000")
    c.claims.add_payment(claim.id, on=dt.date.today(), paid="1250.50")
    c.non_punishment.add(case_id, measure="charge", offence="False document",
                         link="Handed to her by the recruiter", act_by="2027-01-15")
    c.family.add(case_id, "Mira", "child", birth_date="2017-04-01", country="HN",
                 at_risk=True, included=True, reason="At risk")
    first = tmp_path / "first.csv"
    c.exchange.export_cases(first)
    row = next(r for r in read_csv(first) if r["legal"])
    legal = json.loads(row["legal"])
    assert sorted(legal) == ["claims", "matters", "non_punishment", "proceedings"]
    assert legal["matters"][0]["evidence"] == [{"label": "Statement of the applicant",
                                                "required": True, "state": "requested",
                                                "reason": "", "holder": "Law centre"}]
    assert json.loads(row["family"])[0]["name"] == "Mira"

    report = fresh.exchange.import_file(first)
    assert report.problems == [] and report.imported == 4
    new_id = fresh.cases.id_for_code(row["case_code"])
    [m] = fresh.legal.list(new_id)
    assert (m.matter_type, m.status, m.authority_ref, m.dates["filed_on"]) == (
        "t_visa", "filed", "EAC-26-001", dt.date(2026, 1, 10))
    [p] = fresh.proceedings.list(new_id)
    assert not p.survivor_told and p.requested == ("screens",)
    kinds = {d.kind for d in fresh.legal.case_deadlines(new_id)}
    assert {"hearing", "inform_survivor", "non_punishment"} <= kinds
    [cl] = fresh.claims.list(new_id)
    assert cl.received == "1250.50"
    second = tmp_path / "second.csv"
    fresh.exchange.export_cases(second)
    again = next(r for r in read_csv(second) if r["case_code"] == row["case_code"])
    assert (again["legal"], again["family"]) == (row["legal"], row["family"])


def read_csv_codes(org: Org, tmp_path: Path) -> list[str]:
    path = tmp_path / "codes.csv"
    org.coordinator.exchange.export_cases(path)
    return [r["case_code"] for r in read_csv(path)]


@pytest.mark.parametrize(("column", "cell", "message"), [
    ("legal", "[]", "JSON object"),
    ("legal", '{"matters": [{"type": "lottery"}]}', "matters, item 1: "),
    ("legal", '{"claims": [{"route": "civil_court", "currency": "EUR", "claimed": "1.234"}]}',
     "claims, item 1: "),
    ("legal", '{"non_punishment": [{"measure": "fine"}]}', "non_punishment, item 1: "),
    ("legal", '{"appeals": []}', "unknown keys: appeals"),
    ("family", '[{"name": "Mira", "relationship": "cousin"}]', "family, item 1: "),
    ("family", '[{"name": "Mira", "relationship": "child", "at_risk": "false"}]',
     "at_risk, included are true or false"),
    ("legal", '{"matters": [{"type": "t_visa", "dates": {"filed_on": "soon"}}]}',
     "matters, item 1: "),
    ("legal", '{"matters": [{"type": "t_visa", "dates": {"filed_on": "2026-02-01",'
              ' "decision_on": "2026-01-01"}}]}', "before the filing"),
    ("legal", '{"matters": [{"type": "t_visa", "template_id": "nowhere"}]}',
     "matters, item 1: "),
    ("legal", '{"matters": [{"type": "t_visa", "evidence": [{"label": "Photos",'
              ' "state": "not_applicable"}]}]}', "not applicable"),
    ("legal", '{"claims": [{"route": "civil_court", "currency": "EUR",'
              ' "payments": [{"on": "yesterday", "amount": "5"}]}]}', "claims, item 1: "),
    ("legal", '{"claims": [{"route": "civil_court", "currency": "EUR",'
              ' "payments": [{"on": "2026-01-01", "amount": "0"}]}]}', "more than zero"),
    ("legal", '{"proceedings": [{"authority_kind": "police", "role": "witness",'
              ' "stage": "report", "survivor_told": "false"}]}', "are true or false"),
])
def test_bad_casework_rejects_its_row(org: Org, tmp_path: Path, column: str, cell: str,
                                      message: str) -> None:
    source = write_csv(tmp_path / "t.csv", ["legal_name", column], [["Ana Test", cell]])
    assert [(p.row, p.field) for p in org.coordinator.exchange.import_file(
        source, dry_run=True).problems] == [(2, column)], "a dry run finds it too"
    report = org.coordinator.exchange.import_file(source)
    assert [(p.row, p.field) for p in report.problems] == [(2, column)]
    assert message in plain(report.problems[0].message)
    assert org.count("cases") == 0 and org.count("legal_matters") == 0


def test_a_column_given_twice_is_refused_by_name(org: Org, tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("legal_name,gender,gender\nStat Person Twice,woman,man\n", "utf-8")
    with pytest.raises(ValidationError, match=r"the column .*gender.* more than once") as refused:
        org.coordinator.exchange.import_file(path, dry_run=True)
    assert "Nothing was imported" in str(refused.value)
    assert org.count("cases") == 0
