"""The organisation's sites: kept by administrators, chosen for a case, and counted one at a
time by the statistics, the monitoring report and the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from tests.records.conftest import Org
from tests.statistics.test_statistics import TODAY, YEAR_AGO, cases


def test_administrators_keep_the_list_and_no_one_else(org: Org) -> None:
    north = org.admin.sites.add("  North   shelter ")
    assert north.name == "North shelter" and not north.retired
    with pytest.raises(ValidationError, match="already a site"):
        org.admin.sites.add("NORTH SHELTER")
    with pytest.raises(ValidationError, match="name"):
        org.admin.sites.add("   ")
    with pytest.raises(ValidationError, match="80"):
        org.admin.sites.add("x" * 81)
    for other in (org.coordinator, org.caseworker, org.legal):
        with pytest.raises(PermissionDenied):
            other.sites.add("Clinic")
        assert [s.name for s in other.sites.all()] == ["North shelter"]  # everyone reads it
    org.admin.sites.rename(north.id, "Harbour House")
    org.admin.sites.retire(north.id)
    assert [(s.name, s.retired) for s in org.caseworker.sites.all()] == [("Harbour House", True)]
    assert org.caseworker.sites.all(retired=False) == []
    org.admin.sites.retire(north.id, retired=False)
    changes = [e["details"]["change"] for e in org.audit("settings.changed")
               if e["target_type"] == "site"]
    assert changes == ["added", "renamed", "retired", "restored"]


def test_a_case_gets_its_site_at_intake_and_can_move(org: Org) -> None:
    north = org.admin.sites.add("North")
    south = org.admin.sites.add("South")
    record = org.coordinator.cases.create(
        SurvivorInput(legal_name="Site Person"), CaseInput(assigned_to=org.ids["caseworker"]),
        site_id=north.id)
    assert org.caseworker.sites.of_case(record.id) == north
    created = [e for e in org.audit("record.created") if e["target_id"] == record.id]
    assert "site" in created[0]["details"]["fields"]
    org.caseworker.sites.move(record.id, south.id)
    assert org.coordinator.sites.of_case(record.id) == south
    moved = [e for e in org.audit("record.updated") if e["target_id"] == record.id]
    assert moved[-1]["details"] == {"fields": ["site"], "site": south.id}
    org.caseworker.sites.move(record.id, south.id)  # the same: nothing recorded
    assert len([e for e in org.audit("record.updated") if e["target_id"] == record.id]) == 1
    org.admin.sites.retire(north.id)
    with pytest.raises(ValidationError, match="retired"):
        org.caseworker.sites.move(record.id, north.id)
    with pytest.raises(ValidationError, match="retired"):
        org.coordinator.cases.create(SurvivorInput(legal_name="Late"), CaseInput(),
                                     site_id=north.id)
    # a legal volunteer reads the site of a case shared with her, and cannot move it
    shared = org.new_case("Shared Person")
    org.caseworker.sites.move(shared.id, south.id)
    assert org.legal.sites.of_case(shared.id) == south
    with pytest.raises((PermissionDenied, NotFound)):
        org.legal.sites.move(shared.id, None)
    org.caseworker.sites.move(shared.id, None)
    assert org.caseworker.sites.of_case(shared.id) is None


def test_the_statistics_count_one_site_or_all(org: Org) -> None:
    north = org.admin.sites.add("North")
    south = org.admin.sites.add("South")
    at_north = cases(org, "yes", 7)
    at_south = cases(org, "yes", 6)
    nowhere = cases(org, "yes", 3)  # no site: counted under all sites only
    left_north = cases(org, "no", 2)
    for case_id in [*at_north, *left_north]:
        org.caseworker.sites.move(case_id, north.id)
    for case_id in at_south:
        org.caseworker.sites.move(case_id, south.id)
    everyone = org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    assert everyone.counted_cases == 16 and everyone.site == ""
    # 16 in all, 7 at North and 6 at South would say that 3 are at no site: one of the two
    # is withheld, whichever site is asked for
    both = [org.coordinator.statistics.produce(YEAR_AGO, TODAY, site=where.id).counted
            .cell("counted") for where in (north, south)]
    assert [cell.count for cell in both] == [7, 6]
    assert sorted(cell.mark.value for cell in both) == ["shown", "withheld"]
    for case_id in nowhere:
        org.caseworker.sites.move(case_id, south.id)
    one = org.coordinator.statistics.produce(YEAR_AGO, TODAY, site=north.id)
    assert one.counted_cases == 7 and one.site == "North"
    assert one.table("exploitation").counts.cell("sexual").shown == 7
    assert one.left_out.cell("no").count == 2 and one.left_out.cell("not_asked").count == 0
    assert org.coordinator.statistics.produce(YEAR_AGO, TODAY, site=south.id).counted_cases == 9
    event = org.audit("data.statistics")[-1]
    assert event["details"]["site"] == south.id and event["details"]["count"] == 9
    org.coordinator.statistics.produce(YEAR_AGO, YEAR_AGO, site=south.id)  # none then
    assert "count" not in org.audit("data.statistics")[-1]["details"]  # below the threshold
    with pytest.raises(NotFound):
        org.coordinator.statistics.produce(YEAR_AGO, TODAY, site="no-such-site")
    with pytest.raises(PermissionDenied):
        org.caseworker.statistics.produce(YEAR_AGO, TODAY, site=north.id)
    report = org.coordinator.statistics.monitoring_report(YEAR_AGO, TODAY, site=north.id,
                                                          language="en")
    import io

    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(report.pdf)).pages)
    assert "North" in text and "handled at" in text
    assert report.stats.counted_cases == one.counted_cases


def test_a_purge_or_an_erasure_takes_the_case_s_site_with_it(org: Org) -> None:
    north = org.admin.sites.add("North")
    record = org.coordinator.cases.create(SurvivorInput(legal_name="Gone Soon"), CaseInput(),
                                          site_id=north.id)
    db = org.coordinator.ctx.db
    assert db.scalar("SELECT count(*) FROM case_sites WHERE case_id = :c", {"c": record.id}) == 1
    from shelter_app.store.erasure import Purged, erase_cases

    with db.transaction() as tx:
        erase_cases(tx, [record.id], Purged())
    assert db.scalar("SELECT count(*) FROM case_sites") == 0
    assert db.scalar("SELECT count(*) FROM sites") == 1  # the site stays


def test_the_command_line_keeps_sites_and_counts_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from shelter_app.services.registry import build_services
    from shelter_app.vault.vault import Vault
    from tests.conftest import FAST_KDF
    from tests.records.test_cli import PASS, run

    folder = tmp_path / "demo"

    def cli(*args: str) -> tuple[int, str, str]:
        code, out, err = run(monkeypatch, capsys, "--vault", str(folder), "--passphrase-stdin",
                             *args)
        return code, plain(out), plain(err)

    assert cli("demo", "--survivors", "40")[0] == 0
    code, out, err = cli("--as", "admin", "sites", "add", "Old Town Office")
    assert code == 0 and "Added the site \u201cOld Town Office\u201d" in out, err
    code, out, _err = cli("--as", "caseworker", "sites")
    assert out.splitlines() == ["Harbour House (demo)\tin use", "Old Town Office\tin use",
                                "Riverside Clinic (demo)\tin use"]
    code, out, err = cli("--as", "caseworker", "sites", "retire", "Old Town Office")
    assert code != 0 and "roles do not allow" in err
    code, out, err = cli("--as", "admin", "sites", "retire", "old town office")
    assert code == 0 and "Retired the site" in out
    code, out, err = cli("--as", "coordinator", "stats", "--site", "Nowhere")
    assert code != 0 and "There is no site called \u201cNowhere\u201d" in err
    code, out, err = cli("--as", "coordinator", "stats", "--site", "harbour house (demo)")
    assert code == 0, err
    with Vault.open(folder, kdf=FAST_KDF) as vault:
        services = build_services(vault.unlock("coordinator", PASS)[0])
        try:
            site = services.sites.find("Harbour House (demo)")
            one = services.statistics.produce(YEAR_AGO + dt.timedelta(days=1), TODAY,
                                              site=site.id)
            every = services.statistics.produce(YEAR_AGO + dt.timedelta(days=1), TODAY)
        finally:
            services.lock()
    assert 0 < one.counted.cell("counted").count < every.counted.cell("counted").count
    counted = one.counted.cell("counted")
    shown = str(counted.count) if counted.shown is not None else "< 11"
    assert f"Counted: {shown} cases handled at Harbour House (demo)" in out


def plain(text: str) -> str:
    return text.replace("\u2068", "").replace("\u2069", "")


def test_names_differing_only_in_case_are_one_site_in_any_script(org: Org) -> None:
    """Found in review: SQLite folds the case of ASCII letters only."""
    elan = org.admin.sites.add("Élan")
    with pytest.raises(ValidationError, match="already a site"):
        org.admin.sites.add("élan")
    with pytest.raises(ValidationError, match="already a site"):
        org.admin.sites.add("E\u0301LAN")  # decomposed É
    strasse = org.admin.sites.add("Straße")
    with pytest.raises(ValidationError, match="already a site"):
        org.admin.sites.add("STRASSE")
    assert org.admin.sites.find("ÉLAN") == elan and org.admin.sites.find("strasse") == strasse
