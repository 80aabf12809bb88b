"""The anonymised CTDC-style table, the HTCDS table and the monitoring report: checked
against the independent checker, the consent that governs each, and each other."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from shelter_app.domain.anonymise import anonymise
from shelter_app.domain.records import CaseInput
from shelter_app.domain.statistics import cell_text, total_text
from shelter_app.errors import PermissionDenied, ValidationError
from shelter_app.services import anonymised_export as ctdc
from shelter_app.services.case_facts import Facts
from shelter_app.services.htcds_export import COLUMNS as HTCDS_COLUMNS
from shelter_app.services.htcds_export import HtcdsExporter
from tests.bidi import plain
from tests.records.conftest import Org
from tests.statistics import checker
from tests.statistics.test_statistics import TODAY, YEAR_AGO, cases

COUNTRIES = ["VN", "NG", "RO", "UA", "SY", "HN", "ML", "ER"]


def random_facts(rng: random.Random, n: int) -> list[Facts]:
    out = []
    for _i in range(n):
        opened = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(900))
        out.append(Facts(
            opened=opened, closed=None, identification=rng.choice(["possible", "actual", ""]),
            identified_by=rng.choice(["police", "ngo", ""]),
            exploitation=tuple(rng.sample(["sexual", "forced_labour", "domestic_servitude",
                                           "forced_begging"], rng.randint(0, 2))),
            means=tuple(rng.sample(["threats", "debt_bondage", "false_promises"],
                                   rng.randint(0, 2))),
            recruitment="", recruiter=rng.choice(["friend", "family", "stranger", ""]),
            gender=rng.choice(["woman", "woman", "man", "transgender", "unknown"]),
            citizenship=(rng.choice(COUNTRIES),) if rng.random() < 0.9 else (),
            countries=(rng.choice(COUNTRIES[:3]),) if rng.random() < 0.7 else (),
            birth=dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(365 * 40))
            if rng.random() < 0.8 else None,
            estimated_age=None, exploited_on=None))
    return out


@pytest.mark.parametrize(("n", "k"), [(40, 5), (300, 11), (2000, 11), (12, 11), (5, 11)])
def test_the_anonymised_table_is_k_anonymous_by_the_independent_checker(n: int, k: int) -> None:
    made = ctdc.build(random_facts(random.Random(n * k), n), k)
    assert checker.k_anonymity_problems(made.rows, k) == []
    assert made.report.rows_in == n and len(made.rows) == made.report.rows_out <= n
    assert made.rows == sorted(made.rows)  # nothing of the order of registration


def test_the_checker_finds_what_the_table_would_give_away() -> None:
    facts = random_facts(random.Random(7), 60)
    rows = [ctdc._row(f, ctdc.FINE_AGES) for f in facts]  # before anonymising
    assert checker.k_anonymity_problems(rows, 11) != []


def test_suppression_keeps_what_is_common_and_drops_only_what_cannot_be_hidden() -> None:
    rows = [["2025", "Female", "VN"]] * 12 + [["2025", "Male", "VN"]] * 11 + [
        ["2024", "Male", "ER"]]
    out, report = anonymise(rows, ["year", "gender", "country"],
                            [["country"], ["gender"], ["year"]], 11)
    assert out.count(["2025", "Female", "VN"]) == 12 and out.count(["2025", "Male", "VN"]) == 11
    assert report.rows_dropped == 1 and report.globally_suppressed == {
        "year": 1, "country": 1}
    with pytest.raises(ValueError, match="exactly one group"):
        anonymise(rows, ["year", "gender", "country"], [["country"], ["year"]], 11)


def test_the_exported_table_has_no_name_date_code_or_id(org: Org, tmp_path: Path) -> None:
    ids = cases(org, "yes", 12, recruiter_relationship="friend")
    cases(org, "no", 3)
    path = tmp_path / "table.csv"
    made = ctdc.AnonymisedExport(org.coordinator.ctx).write(path, 5)
    text = path.read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ctdc.COLUMNS and len(rows) - 1 == made.report.rows_out == 12
    assert made.left_out == 3
    assert "Stat Person" not in text and not any(i in text for i in ids)
    assert not re.search(r"\d{4}-\d{2}-\d{2}|SH-\d{4}", text)
    assert checker.k_anonymity_problems([r for r in rows[1:]], 5) == []
    report = (tmp_path / "table-report.txt").read_text("utf-8")
    # a figure below k reads "< k" there too: 3 left out, 0 rows dropped
    assert "k-anonymity" in report and "Left out: < 5 cases" in report
    assert "anonymous: < 5 rows" in report and "\u2068" not in report
    event = org.audit("data.export")[-1]
    assert event["details"] == {"count": 12, "threshold": 5, "format": "ctdc"}
    with pytest.raises(ValidationError, match="already exists"):
        ctdc.AnonymisedExport(org.coordinator.ctx).write(path, 5)


@pytest.mark.parametrize("who", ["caseworker", "legal", "admin"])
def test_only_coordinators_export_the_anonymised_table(org: Org, who: str, tmp_path: Path
                                                      ) -> None:
    with pytest.raises(PermissionDenied):
        ctdc.AnonymisedExport(getattr(org, who).ctx).write(tmp_path / "t.csv")
    assert not (tmp_path / "t.csv").exists()


def test_the_htcds_table_holds_only_cases_shared_with_that_partner(org: Org, tmp_path: Path
                                                                  ) -> None:
    partner, other = org.partner("Clinic A"), org.partner("Clinic B")
    shared = cases(org, None, 2, exploitation_types=["sexual", "domestic_servitude"],
                   identification_status="actual", identified_by="police")
    only_identity = cases(org, None, 1)[0]
    elsewhere = cases(org, None, 1)[0]
    for case_id, sections, to in ((shared[0], ["identity", "situation"], partner),
                                  (shared[1], ["identity", "situation", "health"], partner),
                                  (only_identity, ["identity"], partner),
                                  (elsewhere, ["identity", "situation"], other)):
        org.coordinator.consent.record(case_id, sections=sections, purpose="Care",
                                       given_by="survivor", method="written",
                                       given_on=TODAY, partner_id=to)
    path = tmp_path / "htcds.csv"
    done = HtcdsExporter(org.coordinator.ctx, org.coordinator.consent).write(path, partner)
    assert (done.written, done.without_consent) == (2, 2)
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
    assert list(rows[0]) == HTCDS_COLUMNS and len(rows) == 2
    assert rows[0]["vic_TypeOfExploitation"] == "SexualExploitation;Servitude"
    assert rows[0]["vic_TraffickingStatus"] == "ActualVictimOfTrafficking"
    assert rows[0]["vic_TraffickingStatusDecisionMakingOrg"] == "Police"
    assert rows[0]["prs_Gender"] == "Feminine" and rows[0]["prs_Birthdate"] == ""
    assert "Stat Person" not in path.read_text("utf-8-sig")
    dictionary = (tmp_path / "htcds-dictionary.csv").read_text("utf-8-sig")
    assert all(name in dictionary for name in HTCDS_COLUMNS)
    event = org.audit("data.export")[-1]
    assert event["target_id"] == partner and event["details"]["count"] == 2


def test_the_htcds_date_of_birth_only_when_asked(org: Org, tmp_path: Path) -> None:
    partner = org.partner("Clinic A")
    case_id = org.new_case("Stat Person Born", share=False, birth_date="1990-04-02").id
    org.coordinator.consent.record(case_id, sections=["identity", "situation"], purpose="Care",
                                   given_by="survivor", method="written", given_on=TODAY,
                                   partner_id=partner)
    path = tmp_path / "with.csv"
    HtcdsExporter(org.coordinator.ctx, org.coordinator.consent).write(path, partner,
                                                                      identifying=True)
    [row] = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"))))
    assert row["prs_Birthdate"] == "1990-04-02"
    assert org.audit("data.export")[-1]["details"]["fields"] == ["prs_Birthdate"]


def test_the_report_the_dashboard_and_the_command_line_show_the_same_figures(
        org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    cases(org, "yes", 14)
    cases(org, "yes", 3, recruitment_method="online")
    made = org.coordinator.statistics.monitoring_report(YEAR_AGO, TODAY, language="en")
    dashboard = org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    pdf = " ".join(plain(page.extract_text()) for page in PdfReader(io.BytesIO(made.pdf)).pages)
    pdf = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", pdf))  # "ﬁ" ligatures
    for ours, theirs in zip(dashboard.tables, made.stats.tables, strict=True):
        assert ours.rows() == theirs.rows() and ours.counts == theirs.counts
        for label, cell in ours.rows():
            assert plain(f"{label} {cell_text(cell, dashboard.threshold, 'en')}") in pdf, label
        total = plain(total_text(ours.counts, "en"))
        assert not total or f"Total {total}" in pdf
    assert "Counted: 17 cases" in pdf and "< 5" in pdf


def test_the_command_line_prints_the_dashboard_s_figures(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from shelter_app.services.registry import build_services
    from shelter_app.vault.vault import Vault
    from tests.conftest import FAST_KDF
    from tests.records.test_cli import PASS, run

    folder = tmp_path / "demo"
    assert run(monkeypatch, capsys, "--vault", str(folder), "--passphrase-stdin", "demo",
               "--survivors", "60")[0] == 0
    code, out, err = run(monkeypatch, capsys, "--vault", str(folder), "--passphrase-stdin",
                         "--as", "coordinator", "stats", "--from", YEAR_AGO.isoformat())
    assert (code, err) == (0, "")
    code, _out, err = run(monkeypatch, capsys, "--vault", str(folder), "--passphrase-stdin",
                          "--as", "legal", "stats")
    assert code != 0 and "roles do not allow this" in err
    with Vault.open(folder, kdf=FAST_KDF) as vault:
        services = build_services(vault.unlock("coordinator", PASS)[0])
        try:
            stats = services.statistics.produce(YEAR_AGO, TODAY)
        finally:
            services.lock()
    out = plain(out)
    for table in stats.tables:
        assert f"{table.title} ({table.unit})" in out
        for label, cell in table.rows():
            assert plain(f"  {label}\t{cell_text(cell, stats.threshold)}") in out, label
    report = tmp_path / "report.pdf"
    code, out, err = run(monkeypatch, capsys, "--vault", str(folder), "--passphrase-stdin",
                         "--as", "coordinator", "report", "monitoring", "--out", str(report),
                         "--encrypt")
    assert code == 0 and PdfReader(io.BytesIO(report.read_bytes())).is_encrypted
    assert "passphrase" in out


def test_a_report_in_a_language_without_a_catalogue_is_refused(org: Org) -> None:
    from shelter_app.errors import CatalogueMissing

    with pytest.raises(CatalogueMissing):
        org.coordinator.statistics.monitoring_report(YEAR_AGO, TODAY, language="sw")
    assert org.audit("data.statistics") == []  # refused before anything was counted


def test_a_consent_for_any_referral_does_not_put_a_case_in_an_htcds_table(
        org: Org, tmp_path: Path) -> None:
    partner = org.partner("Clinic A")
    [case_id] = cases(org, None, 1)
    org.coordinator.consent.record(case_id, sections=["identity", "situation"],
                                   purpose="Referrals", given_by="survivor", method="written",
                                   given_on=TODAY, any_referral=True)
    done = HtcdsExporter(org.coordinator.ctx, org.coordinator.consent).write(
        tmp_path / "h.csv", partner)
    assert (done.written, done.without_consent) == (0, 1)


def test_a_partner_that_served_few_is_not_named(org: Org) -> None:
    [case_id] = cases(org, "yes", 1)
    cases(org, "yes", 6)
    quiet = org.partner("Rape Crisis Centre (fictional)")
    org.coordinator.care.record(case_id, "medical", provided_on=TODAY, provider_kind="partner",
                                partner_id=quiet)
    stats = org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    labels = [label for _code, label in stats.table("service_partners").labels]
    assert "Rape Crisis Centre (fictional)" not in labels and labels[-1] == "Other partners"


def test_a_birth_date_after_the_intake_does_not_stop_the_statistics(org: Org) -> None:
    from shelter_app.domain.records import CaseInput

    record = org.new_case("Stat Person Typo", share=False, birth_date="2020-01-01",
                          case=CaseInput(opened_on="2019-06-01"))
    org.coordinator.consent.set_reporting(record.id, "yes")
    stats = org.coordinator.statistics.produce("2019-01-01", TODAY)
    assert stats.table("age").counts.cell("not_recorded").count == 1
    assert ctdc.AnonymisedExport(org.coordinator.ctx).make(5).report.rows_in == 1


def test_the_table_read_from_the_stored_copies_is_the_one_read_case_by_case(
        org: Org, monkeypatch) -> None:
    """The stored copies of every case read in one pass, and the counted cases' read one
    by one: the same table, the same left out, and not a case of before a given day more."""
    rng = random.Random(8)
    for i in range(30):
        opened = TODAY - dt.timedelta(days=rng.randrange(400))
        record = org.new_case(f"Table Person {i}", share=False,
                              gender=rng.choice(["woman", "man"]),
                              case=CaseInput(opened_on=opened, exploitation_types=["sexual"]))
        org.coordinator.consent.set_reporting(record.id, rng.choice(["yes", "yes", "no"]))
    export = ctdc.AnonymisedExport(org.coordinator.ctx)
    for until in (None, TODAY - dt.timedelta(days=200)):
        def one_by_one(*_a: object) -> None:
            raise AssertionError("the stored copies were not enough")

        monkeypatch.setattr(ctdc, "read_facts", one_by_one)
        fast = export.make(5, until=until)
        monkeypatch.undo()
        monkeypatch.setattr(ctdc, "stored_facts", lambda *_a: None)
        slow = export.make(5, until=until)
        monkeypatch.undo()
        assert (fast.rows, fast.left_out, fast.report) == (slow.rows, slow.left_out,
                                                          slow.report)
    assert 0 < export.make(5, until=TODAY - dt.timedelta(days=200)).report.rows_in < \
        export.make(5).report.rows_in
