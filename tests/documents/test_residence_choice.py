"""A residence packet is built from the matter the volunteer chose: one of the template's
type and jurisdiction, never a guess between two, and only in the language of the
template's texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from shelter_app.errors import CatalogueMissing, ValidationError
from shelter_app.services.documents import PreflightFailed
from tests.documents.conftest import Scenario
from tests.documents.test_cli import cli, close
from tests.documents.test_residence import Residence, residence  # noqa: F401


def _matter_lines(missing: list[str]) -> list[str]:
    return [m for m in missing if getattr(m, "field", "") == "matter"]


def test_two_matters_that_fit_are_never_guessed_between(
        residence: Residence, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    s = residence.scenario
    c = s.org.coordinator
    second = c.legal.open(s.case_id, "t_visa", jurisdiction="united  states",
                          authority_ref="EAC-26-999-00002")
    docs = c.documents
    assert [m.id for m in docs.residence_matters(s.case_id, "us-t-visa")] == [
        residence.matter_id, second.id]
    asked = _matter_lines(docs.residence_preflight(s.case_id, "us-t-visa"))
    assert len(asked) == 1 and "More than one legal matter fits this template" in asked[0]
    assert "EAC-26-001-50001" in asked[0] and "EAC-26-999-00002" in asked[0]
    with pytest.raises(PreflightFailed):
        docs.residence_packet(s.case_id, "us-t-visa", draft=False)
    # the chosen one is built from, and the check says which it is
    check = docs.residence_check(s.case_id, "us-t-visa", matter_id=residence.matter_id)
    assert check.matter is not None and check.matter.id == residence.matter_id
    assert [letter for letter, _label, _item in check.exhibits] == list("ABCDE")
    assert not _matter_lines(list(check.missing))
    # a matter prepared with the template is the one meant, even beside another
    c.legal.update(second.id, matter_type="t_visa", status="preparing",
                   template_id="us-t-visa", jurisdiction="United States",
                   authority_ref="EAC-26-999-00002")
    assert docs.residence_check(s.case_id, "us-t-visa").matter.id == second.id  # type: ignore[union-attr]

    # the command line names the candidates and how to choose
    c.legal.update(second.id, matter_type="t_visa", status="preparing", template_id="",
                   jurisdiction="United States", authority_ref="EAC-26-999-00002")
    folder = close(s)
    code, out, err = cli(monkeypatch, capsys, folder, "packet", "residence", "--case", s.code,
                         "--template", "us-t-visa", "--preflight", user="legal")
    assert code == 1 and "More than one legal matter fits this template" in out
    assert "Name the legal matter with --matter ID" in out
    assert f"    {residence.matter_id}  T visa, United States, EAC-26-001-50001" in out
    assert f"    {second.id}  T visa, United States, EAC-26-999-00002" in out
    code, out, err = cli(monkeypatch, capsys, folder, "packet", "residence", "--case", s.code,
                         "--template", "us-t-visa", "--out", str(tmp_path / "t.pdf"),
                         user="legal")
    assert code == 1 and "--matter ID" in err and not (tmp_path / "t.pdf").exists()


def test_a_matter_of_another_jurisdiction_is_not_taken(scenario: Scenario) -> None:
    c = scenario.org.coordinator
    italian = c.legal.open(scenario.case_id, "residence_permit", jurisdiction="Italia")
    docs = c.documents
    assert docs.residence_matters(scenario.case_id, "uk-nrm-vts") == []
    missing = docs.residence_preflight(scenario.case_id, "uk-nrm-vts")
    assert any(m.startswith("A legal matter of type") for m in missing), missing
    chosen = _matter_lines(docs.residence_preflight(scenario.case_id, "uk-nrm-vts",
                                                    matter_id=italian.id))
    assert chosen and "recorded for Italia" in chosen[0]
    assert "United Kingdom (England and Wales)" in chosen[0]
    # the Italian template takes it
    assert [m.id for m in docs.residence_matters(scenario.case_id, "it-art18")] == [italian.id]
    # a matter with no jurisdiction recorded fits any template of its type
    blank = c.legal.open(scenario.case_id, "nrm")
    assert [m.id for m in docs.residence_matters(scenario.case_id, "uk-nrm-vts")] == [blank.id]


def test_a_packet_is_only_made_in_its_templates_language(
        residence: Residence) -> None:  # noqa: F811
    s = residence.scenario
    docs = s.org.coordinator.documents
    for asked in ("fr", "ar"):
        with pytest.raises(ValidationError, match="written in \u2068English\u2069 only") as info:
            docs.residence_packet(s.case_id, "us-t-visa", language=asked, draft=True)
        assert info.value.field == "language"
    produced = docs.residence_packet(s.case_id, "us-t-visa", language="en-US", draft=True)
    assert produced.language == "en"
    assert not s.org.audit("document.previewed")[1:], "only the English one was made"


def test_a_template_whose_catalogue_is_missing_is_refused(
        scenario: Scenario, no_catalogues: Path) -> None:
    c = scenario.org.coordinator
    c.legal.open(scenario.case_id, "residence_permit", jurisdiction="Italia")
    with pytest.raises(CatalogueMissing, match=r"Italian \(it\)"):
        c.documents.residence_packet(scenario.case_id, "it-art18", draft=True)
    assert not scenario.org.audit("document.previewed")
