"""A case's history: what changed, by whom, in which section — and only the sections the
reader's roles may read, without "Record opened" or any other read or session event."""

from __future__ import annotations

import pytest

from shelter_app.domain.audit import Event
from shelter_app.domain.history import Section
from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.errors import NotFound, PermissionDenied
from shelter_app.services.history import HistoryEntry
from shelter_app.services.registry import Services
from tests.records.conftest import Org, days


def plain(text: str) -> str:
    """*text* without the bidirectional isolates around names."""
    return text.replace("\u2068", "").replace("\u2069", "")


def lines(services: Services, case_id: str) -> list[tuple[str, str, str]]:
    """(section, sentence, who) of each line, newest first."""
    return [(e.section.value, plain(e.text), e.actor)
            for e in services.history.for_case(case_id)]


def sections(services: Services, case_id: str) -> set[str]:
    return {e.section.value for e in services.history.for_case(case_id)}


@pytest.fixture
def busy(org: Org) -> tuple[Org, str]:
    """A case that has been worked on in every section, and read, searched and kept."""
    record = org.new_case("Ana History", phone="+1 555 0100", access_needs="Wheelchair")
    case_id = record.id
    partner = org.partner()
    org.coordinator.consent.record(case_id, sections=["identity", "services"],
                                   partner_id=partner,
                                   purpose="Referral", given_by="survivor", method="written",
                                   given_on=days(0))
    cw = org.caseworker
    cw.cases.get(case_id)  # "Record opened"
    cw.search.search("Ana")  # a search
    cw.drafts.save("case_profile", {"phone": {"from": "", "to": "x"}}, case_id=case_id)
    current = cw.cases.get(case_id)
    cw.cases.update(case_id, survivor=SurvivorInput(
        legal_name="Ana History", preferred_name="Ani", phone="+1 555 0199",
        access_needs="Wheelchair, ramp"),
        versions=current.row_versions)
    cw.care.record(case_id, "medical", provided_on=days(-1), notes="Check-up")
    cw.referrals.create(case_id, partner, services=["medical"], reason="Check-up")
    cw.appointments.schedule(case_id, "legal_consultation", f"{days(3)}T10:00:00Z",
                             f"{days(3)}T11:00:00Z")
    org.legal.legal.open(case_id, "residence_permit", jurisdiction="IT")
    cw.cases.update(case_id, case=CaseInput(risk_level="high", opened_on=None),
                    versions=cw.cases.get(case_id).row_versions)
    cw.cases.set_status(case_id, "assessment")
    org.coordinator.ctx.record(Event.EXPORT, target_type="case", target_id=case_id,
                               details={"sections": ["identity", "health"],
                                        "format": "referral.pdf-aes256"})
    return org, case_id


def test_coordinator_reads_every_change_and_no_reading_noise(busy: tuple[Org, str]) -> None:
    org, case_id = busy
    got = lines(org.coordinator, case_id)
    texts = [t for _s, t, _w in got]
    assert texts[-1] == "Created the case at intake"
    assert "Assigned the case to caseworker" not in texts  # assigned at creation, no event
    assert "Shared the case with legal" in texts
    assert {"identity", "consent", "contact", "health", "services", "referrals",
            "appointments", "legal", "risk", "status", "documents", "sharing",
            "case"} == {s for s, _t, _w in got}
    assert ("contact", "Changed: Phone, email or address", "caseworker") in got
    assert ("identity", "Changed: Preferred name", "caseworker") in got
    assert ("health", "Changed: Immediate needs and access needs", "caseworker") in got
    assert ("services", "Recorded a service", "caseworker") in got
    assert ("status", "Changed the status of the case", "caseworker") in got
    assert ("documents", "Produced: Referral packet", "coordinator") in got
    # Nothing that only read or kept something.
    for noise in ("Record opened", "Section opened", "Search", "Unsaved changes kept"):
        assert not any(noise in t for t in texts)
    # Newest first, and every line has its time.
    entries = org.coordinator.history.for_case(case_id)
    seqs = [e.seq for e in entries]
    assert seqs == sorted(seqs, reverse=True)
    assert all(e.occurred_at.tzinfo is not None for e in entries)


def test_reading_the_history_is_recorded_but_not_history(busy: tuple[Org, str]) -> None:
    org, case_id = busy
    before = len(org.audit(Event.SECTION_OPENED))
    first = org.coordinator.history.for_case(case_id)
    second = org.coordinator.history.for_case(case_id)
    assert [e.seq for e in first] == [e.seq for e in second]  # reading added no line
    opened = org.audit(Event.SECTION_OPENED)[before:]
    assert [e["details"] for e in opened] == [{"section": "history"}] * 2


def test_caseworker_sees_services_and_health_of_an_assigned_case(busy: tuple[Org, str]) -> None:
    org, case_id = busy
    got = sections(org.caseworker, case_id)
    assert {"services", "health", "referrals", "contact", "legal"} <= got


def test_legal_volunteer_never_learns_of_health_services_or_referrals(
        busy: tuple[Org, str]) -> None:
    org, case_id = busy
    got = lines(org.legal, case_id)
    shown = {s for s, _t, _w in got}
    assert shown == {"case", "identity", "consent", "contact", "appointments", "legal", "risk",
                     "status", "documents", "sharing"}
    assert not any("needs" in t.casefold() for _s, t, _w in got)
    # The profile save that changed the phone and the access needs: only the phone.
    contact = [e for e in org.legal.history.for_case(case_id) if e.section == Section.CONTACT]
    assert [e.fields for e in contact] == [("Phone, email or address",)]
    # The intake's field list and the packet's sections leave health out too.
    created = next(e for e in org.legal.history.for_case(case_id) if e.section == Section.CASE)
    assert "Immediate needs and access needs" not in created.fields
    assert "Legal name" in created.fields
    packet = next(e for e in org.legal.history.for_case(case_id)
                  if e.section == Section.DOCUMENTS)
    assert packet.fields == ("Identity",)
    coordinator_packet = next(e for e in org.coordinator.history.for_case(case_id)
                              if e.section == Section.DOCUMENTS)
    assert coordinator_packet.fields == ("Identity", "Health")


def test_the_history_follows_who_may_read_the_case(busy: tuple[Org, str]) -> None:
    org, case_id = busy
    with pytest.raises(NotFound):
        org.other_caseworker.history.for_case(case_id)
    with pytest.raises(NotFound):
        org.other_legal.history.for_case(case_id)
    with pytest.raises(PermissionDenied):  # an administrator reads no case at all
        org.admin.history.for_case(case_id)
    with pytest.raises(NotFound):
        org.coordinator.history.for_case("no-such-case")
    # Refusals are audited, and never become history.
    assert org.audit(Event.PERMISSION_DENIED)
    assert "Action refused" not in {t for _s, t, _w in lines(org.coordinator, case_id)}


def test_assignment_and_sharing_name_the_people(org: Org) -> None:
    case_id = org.new_case("Ana Team", share=False).id
    org.coordinator.cases.assign(case_id, org.ids["other_caseworker"])
    org.coordinator.cases.assign(case_id, org.ids["other_caseworker"])  # already: no line
    org.coordinator.cases.share(case_id, org.ids["legal"])
    org.coordinator.cases.share(case_id, org.ids["legal"], shared=False)
    entries = org.coordinator.history.for_case(case_id)
    assert entries[0].text == "Stopped sharing the case with \u2068legal\u2069"  # isolated
    got = [t for _s, t, _w in lines(org.coordinator, case_id)]
    assert got[:3] == ["Stopped sharing the case with legal", "Shared the case with legal",
                       "Assigned the case to other_caseworker"]
    assert got.count("Assigned the case to other_caseworker") == 1
    assert org.coordinator.cases.team(case_id) == ("other_caseworker", [])


def test_older_lines_come_page_by_page(org: Org) -> None:
    case_id = org.new_case("Ana Pages").id
    for n in range(5):
        org.caseworker.care.record(case_id, "safe_shelter", provided_on=days(-n))
    first = org.caseworker.history.for_case(case_id, limit=3)
    rest = org.caseworker.history.for_case(case_id, before=first[-1].seq)
    assert len(first) == 3 and [e.text for e in first] == ["Recorded a service"] * 3
    assert [e.seq for e in first + rest] == sorted((e.seq for e in first + rest), reverse=True)
    assert rest[-1].text == "Created the case at intake"
    everything = org.caseworker.history.for_case(case_id)
    assert [e.seq for e in first + rest] == [e.seq for e in everything]


def test_a_history_entry_holds_no_content(busy: tuple[Org, str]) -> None:
    org, case_id = busy
    for entry in org.coordinator.history.for_case(case_id):
        assert isinstance(entry, HistoryEntry)
        text = " ".join([entry.text, *entry.fields])
        for secret in ("Ana", "History", "555", "Wheelchair", "Check-up", "Referral for"):
            assert secret not in text


def test_the_same_boxes_ticked_in_another_order_are_no_change(org: Org) -> None:
    """A form lists ticked boxes in the vocabulary's order; records made elsewhere (import,
    demo data) may hold another order.  Saving the profile must not report a change."""
    case_id = org.new_case("Ana Order", case=CaseInput(
        means_of_control=["threats", "debt_bondage"],
        exploitation_types=["forced_labour", "sexual"])).id
    current = org.caseworker.cases.get(case_id)
    org.caseworker.cases.update(case_id, survivor=SurvivorInput(
        legal_name="Ana Order", phone="+1 555 0101"), case=CaseInput(
        means_of_control=["debt_bondage", "threats"],
        exploitation_types=["sexual", "forced_labour"], opened_on=None),
        versions=current.row_versions)
    changes = [e for e in org.caseworker.history.for_case(case_id) if e.text != (
        "Created the case at intake") and e.section != Section.SHARING]
    assert [(e.section, e.fields) for e in changes] == [
        (Section.CONTACT, ("Phone, email or address",))]
