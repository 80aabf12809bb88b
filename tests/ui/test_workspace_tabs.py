"""The workspace's record tabs: consent, services, referrals, appointments, legal,
attachments, documents and history, driven through their widgets."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest
from PySide6.QtCore import Qt

from shelter_app.domain.audit import Event
from tests.bidi import plain
from ui.cases.section import CasesSection
from ui.cases.tabs.attachments import AttachmentViewer
from ui.cases.workspace import CaseWorkspace

from .case_helpers import CANARY, Office, keep, new_case

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def office(qapp, vault_dir):
    office = Office(vault_dir)
    office.record = new_case(office.coordinator, office.ids)
    office.partner = office.coordinator.partners.add("Riverside Clinic (fictional)",
                                                     "health").id
    yield office
    office.close()


def workspace_of(office, who: str = "coordinator") -> CaseWorkspace:
    section = keep(CasesSection(getattr(office, who), office.background))
    section.show()
    workspace = section.open_case(office.record.id)
    assert workspace is not None
    return workspace


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_consent_is_recorded_and_withdrawn(qtbot, office):
    tab = workspace_of(office).show_tab("consent")
    click(qtbot, tab.record_button)  # nothing chosen: refused beside the field
    assert tab.form["sections"].message.isVisibleTo(tab)
    tab.form["sections"].put(["identity", "services"])
    tab.form["partner_id"].put(office.partner)
    tab.form["purpose"].put("Medical referral")
    tab.form["given_by"].put("survivor")
    tab.form["method"].put("written")
    click(qtbot, tab.record_button)
    assert tab.table.rowCount() == 1 and tab.table.item(0, 0).text() == "Active"
    assert "Riverside Clinic" in tab.table.item(0, 2).text()
    tab.table.selectRow(0)
    click(qtbot, tab.withdraw_button)
    assert tab.table.item(0, 0).text() == "Withdrawn"


def test_the_answer_about_statistics_is_shown_and_changed_in_the_consent_tab(qtbot, office):
    tab = workspace_of(office).show_tab("consent")
    field = tab.reporting["reporting_consent"]
    assert field.get() == "not_asked" and "not counted" in tab.reporting_state.text()
    field.put("no")
    click(qtbot, tab.reporting_button)
    assert office.coordinator.consent.reporting(office.record.id).answer == "no"
    assert "recorded" in tab.done.text() and "Answered on" in tab.reporting_state.text()
    legal = workspace_of(office, "legal").show_tab("consent")  # may read it, not change it
    assert legal.reporting["reporting_consent"].get() == "no"
    assert not legal.reporting["reporting_consent"].widget.isEnabled()
    assert not hasattr(legal, "reporting_button")


def test_a_service_is_recorded_and_health_notes_stay_hidden_from_legal(qtbot, office):
    tab = workspace_of(office).show_tab("services")
    tab.form["service"].put("medical")
    tab.form["provider_kind"].put("internal")
    tab.form["notes"].put("Sees the nurse weekly")
    tab.form["duration_minutes"].put("forty")
    click(qtbot, tab.record_button)
    assert "whole minutes" in tab.form["duration_minutes"].message.text()
    tab.form["duration_minutes"].put("40")
    click(qtbot, tab.record_button)
    assert tab.table.rowCount() == 1 and tab.table.item(0, 5).text() == "Sees the nurse weekly"
    caseworker_tab = workspace_of(office, "caseworker").show_tab("services")
    assert caseworker_tab.table.item(0, 5).text() == "Sees the nurse weekly"
    assert "services" not in workspace_of(office, "legal").keys


def test_a_referral_is_sent_only_with_consent(qtbot, office):
    tab = workspace_of(office).show_tab("referrals")
    tab.form["partner_id"].put(office.partner)
    tab.form["priority"].put("normal")
    tab.form["services"].put(["medical"])
    click(qtbot, tab.create_button)
    assert tab.table.rowCount() == 1 and tab.table.item(0, 3).text() == "Draft"
    tab.table.selectRow(0)
    tab.status.put("sent")
    click(qtbot, tab.move_button)
    assert "no active consent" in tab.message.text()
    office.coordinator.consent.record(office.record.id, sections=["identity"],
                                      purpose="Referral", given_by="survivor",
                                      method="written", given_on=dt.date.today(),
                                      partner_id=office.partner)
    click(qtbot, tab.move_button)
    assert tab.table.item(0, 3).text() == "Sent" and tab.table.item(0, 5).text()


def test_records_keep_naming_a_partner_after_it_is_deactivated(qtbot, office):
    office.coordinator.consent.record(office.record.id, sections=["identity"],
                                      purpose="Referral", given_by="survivor",
                                      method="written", given_on=dt.date.today(),
                                      partner_id=office.partner)
    office.coordinator.referrals.create(office.record.id, office.partner)
    office.coordinator.partners.set_active(office.partner, False)
    workspace = workspace_of(office)
    referrals = workspace.show_tab("referrals")
    assert referrals.table.item(0, 0).text() == "Riverside Clinic (fictional) (inactive)"
    assert referrals.form["partner_id"].widget.findData(office.partner) == -1, \
        "not offered for a new referral"
    consent = workspace.show_tab("consent")
    assert consent.table.item(0, 2).text() == "Riverside Clinic (fictional) (inactive)"
    assert consent.form["partner_id"].widget.findData(office.partner) == -1


def test_an_appointment_is_booked_and_a_clash_needs_a_second_yes(qtbot, office):
    tab = workspace_of(office).show_tab("appointments")
    start = dt.datetime.combine(dt.date.today() + dt.timedelta(days=3), dt.time(10, 0))
    tab.form["appointment_type"].put("medical")
    tab.starts.set_value(start)
    tab.form["room"].put("Room 2")
    click(qtbot, tab.book_button)
    assert tab.table.rowCount() == 1
    tab.starts.set_value(start + dt.timedelta(minutes=30))
    click(qtbot, tab.book_button)
    assert "already has an appointment" in tab.message.text()
    assert not tab.anyway.isHidden() and tab.table.rowCount() == 1
    tab.anyway.setChecked(True)
    click(qtbot, tab.book_button)
    assert tab.table.rowCount() == 2 and tab.anyway.isHidden()


def test_a_legal_matter_is_opened_with_its_deadline(qtbot, office):
    tab = workspace_of(office, "legal").show_tab("legal")
    tab.form["matter_type"].put("t_visa")
    tab.form["status"].put("preparing")
    tab.form["filing_due"].put("2030-02-30")
    click(qtbot, tab.open_button)
    assert "no such date" in tab.form["filing_due"].message.text()
    tab.form["filing_due"].put("2030-03-01")
    click(qtbot, tab.open_button)
    assert tab.table.rowCount() == 1 and tab.table.item(0, 0).text() == "T visa"
    assert [d.kind for d in office.coordinator.legal.due(within_days=10_000)] == ["filing_due"]


def test_attachments_are_added_viewed_in_memory_and_copied_under_a_neutral_name(
        qtbot, office, tmp_path):
    workspace = workspace_of(office)
    tab = workspace.show_tab("attachments")
    source = tmp_path / "passport Zenobia.png"
    source.write_bytes(PNG)
    tab.choose_file = lambda: str(source)
    tab.label.setText("Passport scan")
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=10_000)
    assert tab.table.item(0, 0).text() == "Passport scan"

    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf")
    tab.choose_file = lambda: str(fake)
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.message.isVisibleTo(tab), timeout=10_000)
    assert "not a PDF or an image" in tab.message.text() and tab.table.rowCount() == 1

    tab.table.selectRow(0)
    viewer = tab.view()
    assert isinstance(viewer, AttachmentViewer)
    assert plain(viewer.windowTitle()).startswith(office.record.code)
    assert "Zenobia" not in viewer.windowTitle() and "passport" not in viewer.windowTitle()
    viewer.close()

    proposed: list[str] = []
    tab.choose_target = lambda name: (proposed.append(name), str(tmp_path / "zenobia.png"))[1]
    assert tab.save_copy() is None and "survivor's name" in tab.message.text()
    assert proposed[0].startswith("attachment-") and proposed[0].endswith(".png")
    assert CANARY.split()[0] not in proposed[0]
    tab.choose_target = lambda name: str(tmp_path / name)
    copy = tab.save_copy()
    assert copy is not None and copy.read_bytes() == PNG
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    assert tab.save_copy() is None and "already exists" in tab.message.text()
    assert copy.read_bytes() == PNG


def test_documents_explains_and_history_shows_this_case_only(qtbot, office):
    workspace = workspace_of(office)
    documents = workspace.show_tab("documents")
    assert "Referral packets" in documents.explanation.text()
    history = workspace.show_tab("history")
    whats = [history.table.item(r, 3).text() for r in range(history.table.rowCount())]
    assert whats[-1] == "Created the case at intake"
    assert not any("opened" in what for what in whats)  # opening the case is not history
    whos = {history.table.item(r, 1).text() for r in range(history.table.rowCount())}
    assert whos == {"You"}
    events = office.coordinator.ctx.audit.events(target_type="case",
                                                 target_id=office.record.id)
    assert any(e.action == Event.SECTION_OPENED and e.details == {"section": "history"}
               for e in events)


@pytest.mark.parametrize(("key", "field"), [
    ("consent", "purpose"), ("services", "outcome"), ("referrals", "reason"),
    ("appointments", "notes"), ("legal", "notes")])
def test_a_half_typed_add_form_counts_as_unsaved(office, key, field):
    workspace = workspace_of(office)
    section = workspace.parentWidget().parentWidget()
    tab = workspace.show_tab(key)
    assert not workspace.has_unsaved()
    tab.form[field].put("Half typed")
    assert workspace.has_unsaved() and section.unsaved_titles() == [workspace.code]
    section.discard_all()
    assert tab.form[field].get() == "" and not workspace.has_unsaved()
    tab.form[field].put(f"Half typed {CANARY}")
    section.keep_drafts()  # auto-lock: never asks; the form is kept only inside the vault
    assert office.coordinator.ctx.db.scalar("SELECT count(*) FROM drafts") == 1
    section.end_session()
    assert tab.form[field].get() == ""
    # the next time the case is opened, what was typed is offered again
    again = workspace_of(office).show_tab(key)
    assert again.form[field].get() == f"Half typed {CANARY}" and again.has_unsaved()
    assert "before the lock" in again.done.text()
    again.discard_form()  # cleared on purpose: the draft goes too
    assert office.coordinator.ctx.db.scalar("SELECT count(*) FROM drafts") == 0
    events = office.coordinator.ctx.audit.events()
    assert all(CANARY not in repr(e) for e in events)  # the chain says a draft was kept, no more


def test_saving_at_lock_records_what_was_typed(qtbot, office):
    workspace = workspace_of(office)
    section = workspace.parentWidget().parentWidget()
    tab = workspace.show_tab("services")
    tab.form["outcome"].put("Bus pass")
    assert section.has_unsaved()
    assert not section.save_all(), "no service chosen: refused, not guessed"
    assert "Choose the service" in tab.form["service"].message.text()
    tab.form["service"].put("safe_shelter")
    tab.form["provider_kind"].put("internal")
    assert section.save_all()
    assert tab.table.rowCount() == 1 and not section.has_unsaved()
    tab.form["duration_minutes"].put("many")  # refused: the lock does not go ahead
    assert not section.save_all() and section.has_unsaved()
    assert section.currentWidget() is workspace and workspace.tabs.currentWidget() is tab


def test_a_form_restored_after_a_lock_and_then_recorded_leaves_no_draft(qtbot, office):
    workspace = workspace_of(office)
    section = workspace.parentWidget().parentWidget()
    tab = workspace.show_tab("services")
    tab.form["outcome"].put("Bus pass")
    section.keep_drafts()
    section.end_session()
    again = workspace_of(office).show_tab("services")
    assert again.form["outcome"].get() == "Bus pass"
    again.form["service"].put("safe_shelter")  # choices are made again, never remembered
    again.form["provider_kind"].put("internal")
    again.submit()  # the tab's own "Record" button
    assert again.table.rowCount() == 1 and not again.has_unsaved()
    assert office.coordinator.ctx.db.scalar("SELECT count(*) FROM drafts") == 0


def test_the_documents_tab_lists_what_was_produced_and_forgets_it_at_lock(qtbot, office):
    office.coordinator.consent.record(
        office.record.id, sections=["identity", "contact"], purpose="referral",
        given_by="survivor", method="written", given_on=dt.date.today(),
        partner_id=office.partner)
    office.coordinator.referrals.create(office.record.id, office.partner, services=["medical"],
                                        reason="Health check")
    produced = office.coordinator.documents.referral_packet(
        office.record.id, office.partner, sections=["identity", "contact"])
    office.coordinator.documents.record_printed(produced)  # listed once it left the vault
    workspace = workspace_of(office)
    tab = workspace.show_tab("documents")
    qtbot.waitUntil(lambda: tab.panel.table.rowCount() == 1, timeout=5000)
    assert produced.packet_id in [tab.panel.table.item(0, c).text() for c in range(9)]
    tab.forget()
    assert tab.panel.table.rowCount() == 0 and tab.panel.records == []
