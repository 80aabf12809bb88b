"""The non-punishment letter, read back with poppler: the measure, the offence and its link to
the exploitation, the recognition so far and the sources of the principle, in the document
language; made only under the survivor's consent for the recipient, and saved under a
neutral name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.errors import ValidationError
from shelter_app.i18n import translator
from shelter_app.services.consent import ConsentMissing
from tests.documents.conftest import NAME, Scenario, has_phrase, read_pdf

LINK = ("The false passport was handed to her by the restaurant owner, who kept her real "
        "one.\n\nShe had to show it at every police check.")


def _prosecutor(scenario: Scenario, *, consent: bool = True,
                name: str = "Fiscalía Provincial de Sevilla") -> str:
    c = scenario.org.coordinator
    partner = c.partners.add(name, "law_enforcement",
                             document_language="es")
    if consent:
        c.consent.record(scenario.case_id, sections=["identity", "legal"],
                         purpose="Non-punishment letter", given_by="survivor",
                         method="written", given_on=dt.date.today(), partner_id=partner.id)
    return partner.id


def _record(scenario: Scenario, link: str = LINK) -> str:
    legal = scenario.org.legal
    legal.legal.open(scenario.case_id, "nrm", status="granted", jurisdiction="ES",
                     dates={"decision_on": "2025-03-04"})
    legal.legal.open(scenario.case_id, "t_visa")  # being prepared: recognises nothing yet
    return legal.non_punishment.add(
        scenario.case_id, measure="charge", offence="Use of a false identity document",
        authority="Juzgado de Instrucción n.º 3 de Sevilla", reference="DP 1234/2025",
        measure_on="2025-01-20", link=link, legal_basis="Código Penal, art. 177 bis.11").id


def test_the_letter_says_what_the_authority_must_weigh(scenario: Scenario,
                                                       tmp_path: Path) -> None:
    partner_id = _prosecutor(scenario)
    record_id = _record(scenario)
    produced = scenario.org.legal.documents.non_punishment_letter(record_id, partner_id,
                                                                  language="en")
    assert produced.kind == "non_punishment" and produced.sections == ("identity", "legal")
    text = read_pdf(produced.pdf, tmp_path).text
    for phrase in ("Non-punishment of a victim of trafficking in human beings",
                   "Fiscalía Provincial de Sevilla", "Juzgado de Instrucción",
                   "Your reference: DP 1234/2025", NAME, "April 2, 1996", "Honduras",
                   "Charge or prosecution", "Use of a false identity document",
                   "January 20, 2025", "She had to show it at every police check",
                   "National Referral Mechanism: Granted", "March 4, 2025",
                   "CETS No. 197", "Article 26", "Directive 2011/36/EU",
                   "In domestic law: Código Penal, art. 177 bis.11", "Yours faithfully"):
        assert has_phrase(text, phrase), phrase
    assert "T visa" not in text
    path = scenario.org.legal.documents.save(produced, tmp_path / produced.file_name)
    assert path.name.startswith("letter-PK-")
    [kept] = scenario.org.legal.documents.history(scenario.case_id)
    assert (kept.kind, kept.recipient) == ("non_punishment", "Fiscalía Provincial de Sevilla")


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_letter_in_the_recipients_language(scenario: Scenario, tmp_path: Path,
                                               language: str) -> None:
    partner_id = _prosecutor(scenario)
    record_id = _record(scenario)
    lang = None if language == "es" else language  # Spanish: the partner's own language
    produced = scenario.org.legal.documents.non_punishment_letter(record_id, partner_id,
                                                                  language=lang)
    _ = translator(language)
    title = _("Non-punishment of a victim of trafficking in human beings")
    assert title != "Non-punishment of a victim of trafficking in human beings"
    text = read_pdf(produced.pdf, tmp_path).text
    assert has_phrase(text, title) and has_phrase(text, _("The principle of non-punishment"))
    assert has_phrase(text, "Use of a false identity document"), "what was recorded, as is"


def test_no_letter_without_consent_or_the_link(scenario: Scenario) -> None:
    docs = scenario.org.legal.documents
    record_id = _record(scenario)
    no_consent = _prosecutor(scenario, consent=False, name="Fiscalía de Málaga")
    with pytest.raises(ConsentMissing):
        docs.non_punishment_letter(record_id, no_consent)
    assert scenario.org.audit("access.denied")[-1]["details"]["action"] == "case.packet"
    partner_id = _prosecutor(scenario)
    bare = scenario.org.legal.non_punishment.add(scenario.case_id, measure="fine",
                                                 offence="Street selling")
    with pytest.raises(ValidationError) as exc:
        docs.non_punishment_letter(bare.id, partner_id)
    assert exc.value.field == "link"
    # a partner the consent covers for identity only is refused the legal section
    c = scenario.org.coordinator
    other = c.partners.add("Policía Nacional", "law_enforcement")
    c.consent.record(scenario.case_id, sections=["identity"], purpose="Identification",
                     given_by="survivor", method="written", given_on=dt.date.today(),
                     partner_id=other.id)
    with pytest.raises(ConsentMissing):
        docs.non_punishment_letter(record_id, other.id)
    assert docs.history(scenario.case_id) == []


def test_measures_and_the_letter_from_the_command_line(scenario: Scenario, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    from tests.documents.test_cli import cli, close

    _prosecutor(scenario)
    record_id = _record(scenario)
    other = scenario.org.coordinator.cases.create(
        SurvivorInput(legal_name="Other Person"), CaseInput()).code
    folder = close(scenario)
    code, out, err = cli(monkeypatch, capsys, folder, "measures", "--case", scenario.code,
                         user="legal")
    assert (code, err) == (0, "") and out == f"{record_id}\tcharge\topen\t-\n"
    code, out, err = cli(monkeypatch, capsys, folder, "measures", "--case", scenario.code,
                         "--show-text", user="legal")
    assert out.endswith("\tUse of a false identity document\n")
    target = tmp_path / "letter.pdf"
    argv = ["packet", "non-punishment", "--case", scenario.code, "--record", record_id,
            "--to", "Fiscalía Provincial de Sevilla", "--out", str(target)]
    code, out, err = cli(monkeypatch, capsys, folder, *argv, user="legal")
    assert (code, err) == (0, ""), err
    assert "Sections shared: identity, legal" in out
    assert has_phrase(read_pdf(target.read_bytes(), tmp_path).text, "Use of a false")
    # a record of another case, and a partner without her consent, are refused in one line
    argv[3], argv[-1] = other, str(tmp_path / "letter-2.pdf")
    code, out, err = cli(monkeypatch, capsys, folder, *argv)
    assert code == 1 and "belongs to another case" in err and err.count("\n") == 1
    argv[3], argv[7] = scenario.code, "Centro Esperanza"
    code, out, err = cli(monkeypatch, capsys, folder, *argv)
    assert code == 1 and "does not cover" in err and err.count("\n") == 1
    assert not (tmp_path / "letter-2.pdf").exists()
