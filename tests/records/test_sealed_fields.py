"""Service entries' outcome and notes are sealed under a content key: health types under
the health key, the others under the case key.  Checked the way docs/VAULT_FORMAT.md
describes (section 7.1), with each account's own keys, on the real database."""

from __future__ import annotations

import datetime as dt

import pytest

from shelter_app.errors import KeysNotGiven, VaultDamaged
from shelter_app.services.registry import build_services
from shelter_app.vault import fields
from shelter_app.vault.keyring import open_account
from shelter_app.vault.keyslots import KeyslotFile
from tests.conftest import ADMIN_PASS, FAST_KDF, raw_connect, unwrap_data_key

from .conftest import STAFF_PASS, Org

HEALTH_CANARY = "canary-health-7Q4Z"
CASE_CANARY = "canary-case-3K9P"


def keys_of(org: Org, username: str) -> dict[str, bytes]:
    slots = KeyslotFile.load(org.folder / "keyslots.json")
    passphrase = ADMIN_PASS if username == "admin" else STAFF_PASS
    opened = open_account(slots, slots.find_user(username), passphrase, FAST_KDF.minimum)
    keys = {name: bytes(k) for name, k in opened.keyring.keys.items()}
    opened.keyring.wipe()
    return keys


def stored(org: Org) -> dict[str, tuple[str, str, int]]:
    """id → (outcome, notes, is_health) as the database holds them, read with the database
    key alone, as any account could."""
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    try:
        rows = conn.execute("SELECT e.id, e.outcome, e.notes, t.is_health FROM service_entries e"
                            " JOIN service_types t ON t.id = e.service_type_id").fetchall()
    finally:
        conn.close()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


@pytest.fixture
def entries(org: Org) -> dict[str, str]:
    record = org.new_case()
    today = dt.date.today()
    health = org.caseworker.care.record(record.id, "medical", provided_on=today,
                                        outcome="seen", notes=HEALTH_CANARY)
    shelter = org.caseworker.care.record(record.id, "safe_shelter", provided_on=today,
                                         outcome="placed", notes=CASE_CANARY)
    return {"health": health.id, "case": shelter.id, "case_id": record.id}


def test_the_database_key_alone_reads_no_note(org: Org, entries):
    rows = stored(org)
    assert all(fields.is_sealed(o) and fields.is_sealed(n) for o, n, _h in rows.values())
    assert not any(HEALTH_CANARY in n or CASE_CANARY in n for _o, n, _h in rows.values())


def test_each_account_opens_exactly_the_classes_its_roles_allow(org: Org, entries):
    rows = stored(org)

    def opens(username: str, entry: str) -> bool:
        keys = keys_of(org, username)
        _outcome, notes, health = rows[entry]
        key = keys.get("health" if health else "case")
        if key is None:
            return False
        return fields.open_value(key, "service_entries", entry, "notes", notes) in (
            HEALTH_CANARY, CASE_CANARY)

    assert opens("caseworker", entries["health"]) and opens("caseworker", entries["case"])
    assert opens("coordinator", entries["health"]) and opens("coordinator", entries["case"])
    assert opens("legal", entries["case"]) and not opens("legal", entries["health"])
    assert not opens("admin", entries["health"]) and not opens("admin", entries["case"])
    # the legal volunteer's case key does not open the health note either
    legal_case_key = keys_of(org, "legal")["case"]
    with pytest.raises(fields.FieldDamaged):
        fields.open_value(legal_case_key, "service_entries", entries["health"], "notes",
                          rows[entries["health"]][1])


def test_the_application_shows_them_to_whoever_may_read(org: Org, entries):
    [health] = [e for e in org.caseworker.care.list(entries["case_id"])
                if e.id == entries["health"]]
    assert health.notes == HEALTH_CANARY and not health.restricted
    [shelter] = [e for e in org.coordinator.care.list(entries["case_id"])
                 if e.id == entries["case"]]
    assert (shelter.outcome, shelter.notes) == ("placed", CASE_CANARY)


def test_a_sealed_note_moved_to_another_row_does_not_open(org: Org, entries):
    rows = stored(org)
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    conn.execute("UPDATE service_entries SET notes = ? WHERE id = ?",
                 (rows[entries["health"]][1], entries["case"]))
    conn.commit()
    conn.close()
    with pytest.raises(VaultDamaged) as info:
        org.caseworker.care.list(entries["case_id"])
    assert "edited outside the application" in str(info.value)


def test_a_correction_seals_again_under_the_class_of_the_new_type(org: Org, entries):
    entry = org.caseworker.care.get(entries["case"])
    org.caseworker.care.update(entry.id, row_version=entry.row_version, service="medical",
                               provided_on=entry.provided_on, outcome="now medical",
                               notes=CASE_CANARY)
    _outcome, notes, health = stored(org)[entry.id]
    assert health == 1
    keys = keys_of(org, "caseworker")
    assert fields.open_value(keys["health"], "service_entries", entry.id, "notes",
                             notes) == CASE_CANARY
    with pytest.raises(fields.FieldDamaged):
        fields.open_value(keys["case"], "service_entries", entry.id, "notes", notes)


def test_an_account_without_its_keys_yet_cannot_write_them(org: Org):
    record = org.new_case()
    org.admin.accounts.add("newcomer", ["caseworker"], STAFF_PASS, temporary=False)
    one, _report = org.vault.unlock("newcomer", STAFF_PASS)
    org.opened.append(one)
    newcomer = build_services(one)
    org.coordinator.cases.assign(record.id, newcomer.session.user_id)
    org.coordinator.care.record(record.id, "safe_shelter", provided_on=dt.date.today(),
                                notes=CASE_CANARY)
    [entry] = newcomer.care.list(record.id)
    assert entry.restricted and entry.waiting_for_key and entry.notes is None
    with pytest.raises(KeysNotGiven) as info:
        newcomer.care.record(record.id, "safe_shelter", provided_on=dt.date.today(),
                             notes="anything")
    assert "coordinator's next sign-in" in str(info.value)


def test_plain_notes_of_an_earlier_version_are_sealed_once(org: Org, entries):
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    conn.execute("UPDATE service_entries SET notes = 'plain from before', outcome = 'done'")
    conn.execute("DELETE FROM meta WHERE key = 'fields_sealed'")
    conn.commit()
    conn.close()
    # the administrator holds no content key: nothing is sealed at their sign-in
    again = build_services(org.admin.ctx.vault)
    assert all(n == "plain from before" for _o, n, _h in stored(org).values())
    assert again.ctx.db.scalar("SELECT value FROM meta WHERE key = 'fields_sealed'") is None
    # a caseworker's session holds both classes: everything is sealed, and recorded
    build_services(org.caseworker.ctx.vault)
    rows = stored(org)
    assert all(fields.is_sealed(n) and fields.is_sealed(o) for o, n, _h in rows.values())
    assert [e["details"] for e in org.audit("key.fields_sealed")] == [{"count": 2}]
    entry = org.caseworker.care.get(entries["health"])
    assert entry.notes == "plain from before" and entry.row_version == 1


# -- legal matters: reference and notes under the legal key ---------------------------------
LEGAL_CANARY = "canary-legal-8R2M"


def test_legal_notes_open_for_legal_roles_only(org: Org):
    record = org.new_case()
    matter = org.legal.legal.open(record.id, "residence_permit", authority_ref="REF-LEGAL-77",
                                  notes=LEGAL_CANARY)
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    ref, notes = conn.execute("SELECT authority_ref, notes FROM legal_matters WHERE id = ?",
                              (matter.id,)).fetchone()
    conn.close()
    assert fields.is_sealed(ref) and fields.is_sealed(notes)
    assert "REF-LEGAL-77" not in ref and LEGAL_CANARY not in notes
    for username, opens in (("legal", True), ("caseworker", True), ("coordinator", True),
                            ("admin", False)):
        key = keys_of(org, username).get("legal")
        assert (key is not None) == opens, username
        if key is not None:
            assert fields.open_value(key, "legal_matters", matter.id, "notes",
                                     notes) == LEGAL_CANARY
    # in the application, whoever may read legal matters reads them
    [seen] = org.caseworker.legal.list(record.id)
    assert (seen.authority_ref, seen.notes) == ("REF-LEGAL-77", LEGAL_CANARY)
    changed = org.legal.legal.update(matter.id, matter_type="residence_permit",
                                     status="filed", authority_ref="REF-LEGAL-78",
                                     notes=LEGAL_CANARY, dates={"filed_on": dt.date.today()},
                                     version=seen.row_version)
    assert changed.authority_ref == "REF-LEGAL-78"


def test_legal_matters_are_refused_not_shown_empty_without_the_key(org: Org):
    record = org.new_case()
    org.legal.legal.open(record.id, "residence_permit", notes=LEGAL_CANARY)
    org.admin.accounts.add("newlegal", ["legal"], STAFF_PASS, temporary=False)
    one, _report = org.vault.unlock("newlegal", STAFF_PASS)
    org.opened.append(one)
    newcomer = build_services(one)
    org.coordinator.cases.share(record.id, newcomer.session.user_id)
    with pytest.raises(KeysNotGiven) as info:
        newcomer.legal.list(record.id)
    assert "cannot be read" in str(info.value)


# -- appointments: notes under the case key ------------------------------------------------
def test_appointment_notes_are_sealed_under_the_case_key(org: Org):
    record = org.new_case()
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)
    booked = org.caseworker.appointments.schedule(
        record.id, "medical", start, start + dt.timedelta(hours=1), notes=CASE_CANARY)
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    [(stored_notes,)] = conn.execute("SELECT notes FROM appointments WHERE id = ?",
                                     (booked.id,)).fetchall()
    conn.close()
    assert fields.is_sealed(stored_notes) and CASE_CANARY not in stored_notes
    assert "case" not in keys_of(org, "admin")
    assert fields.open_value(keys_of(org, "caseworker")["case"], "appointments", booked.id,
                             "notes", stored_notes) == CASE_CANARY
    assert booked.notes == CASE_CANARY
    [agenda] = [a for a in org.caseworker.appointments.between(start, start
                                                              + dt.timedelta(hours=2))
                if a.id == booked.id]
    assert agenda.notes == CASE_CANARY
    moved = org.caseworker.appointments.update(
        booked.id, row_version=booked.row_version, appointment_type="medical",
        starts_at=start + dt.timedelta(hours=3), ends_at=start + dt.timedelta(hours=4),
        notes=CASE_CANARY)
    assert moved.notes == CASE_CANARY
    changed = [e["details"]["fields"] for e in org.audit("record.updated")
               if e["target_id"] == booked.id]
    assert changed == [["ends_at", "starts_at"]], "unchanged notes are not named as changed"


# -- referrals: reason, declined reason and outcome under the case key ---------------------
def test_referral_reasons_are_sealed_under_the_case_key(org: Org):
    record = org.new_case()
    partner = org.partner()
    made = org.caseworker.referrals.create(record.id, partner, services=["medical"],
                                           reason=CASE_CANARY)
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    row = conn.execute("SELECT reason, declined_reason, outcome FROM referrals WHERE id = ?",
                       (made.id,)).fetchone()
    conn.close()
    assert fields.is_sealed(row[0]) and row[1:] == ("", ""), "nothing to seal yet"
    assert CASE_CANARY not in row[0]
    assert fields.open_value(keys_of(org, "coordinator")["case"], "referrals", made.id,
                             "reason", row[0]) == CASE_CANARY
    assert made.reason == CASE_CANARY
    [visible] = [r for r in org.caseworker.referrals.list_visible() if r.referral.id == made.id]
    assert visible.referral.reason == CASE_CANARY


# -- tasks: what they say, under the case key -----------------------------------------------
def test_what_a_task_says_is_sealed_and_read_on_my_day(org: Org):
    record = org.new_case()
    task = org.caseworker.tasks.create(record.id, CASE_CANARY,
                                       assigned_to=org.ids["caseworker"],
                                       due_on=dt.date.today())
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    [(stored_what,)] = conn.execute("SELECT what FROM tasks WHERE id = ?", (task.id,)).fetchall()
    conn.close()
    assert fields.is_sealed(stored_what) and CASE_CANARY not in stored_what
    assert task.what == CASE_CANARY
    day = org.caseworker.day.my_day()
    lines = [i for g in day.groups for i in g.items if i.kind == "task"]
    assert any(CASE_CANARY in (i.text or "") for i in lines)
    changed = org.caseworker.tasks.update(task.id, row_version=task.row_version,
                                          what=CASE_CANARY, assigned_to=org.ids["caseworker"],
                                          due_on=dt.date.today() + dt.timedelta(days=1))
    assert changed.what == CASE_CANARY
    [event] = [e for e in org.audit("record.updated") if e["target_id"] == task.id]
    assert event["details"]["fields"] == ["due_on"]


def test_a_packet_is_refused_not_made_with_empty_reasons_without_the_case_key(org: Org):
    """A coordinator whose keys have not been given yet (a second coordinator added after
    the first signed in) cannot produce a referral packet with blanks where the reason
    and notes belong: it is refused and nothing is recorded as produced."""
    record = org.new_case()
    partner = org.coordinator.partners.add("Harbour Clinic (fictional)", "health",
                                           document_language="en")
    org.coordinator.consent.record(record.id, sections=["identity"], purpose="Referral",
                                   given_by="survivor", method="written",
                                   given_on=dt.date.today(), partner_id=partner.id)
    org.coordinator.referrals.create(record.id, partner.id, services=["medical"],
                                     reason=CASE_CANARY)
    org.admin.accounts.add("second", ["coordinator"], STAFF_PASS, temporary=False)
    one, _report = org.vault.unlock("second", STAFF_PASS)  # gives keys to others, not itself
    org.opened.append(one)
    second = build_services(one)
    assert not one.keyring.holds("case")
    before = org.count("generated_documents")
    with pytest.raises(KeysNotGiven):
        second.documents.referral_packet(record.id, partner.id, sections=["identity"])
    assert org.count("generated_documents") == before


# -- consents and the timeline, under the case key -------------------------------------------
def test_consent_texts_and_the_timeline_are_sealed(org: Org):
    record = org.new_case()
    partner = org.partner()
    consent = org.coordinator.consent.record(
        record.id, sections=["identity"], purpose=CASE_CANARY, given_by="guardian",
        guardian_name="Guardian Canary", method="written", given_on=dt.date.today(),
        partner_id=partner)
    org.coordinator.consent.withdraw(consent.id, note="withdrawn-canary")
    event = org.coordinator.timeline.add(record.id, "recruitment", place="Place Canary",
                                         description=CASE_CANARY)
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    texts = conn.execute("SELECT purpose, guardian_name, withdrawal_note FROM consents"
                         " WHERE id = ?", (consent.id,)).fetchone()
    places = conn.execute("SELECT place, description FROM timeline_events WHERE id = ?",
                          (event.id,)).fetchone()
    conn.close()
    assert all(fields.is_sealed(t) for t in (*texts, *places))
    joined = " ".join((*texts, *places))
    assert not any(c in joined for c in (CASE_CANARY, "Guardian Canary", "withdrawn-canary",
                                         "Place Canary"))
    [seen] = org.caseworker.consent.list(record.id)
    assert (seen.purpose, seen.guardian_name) == (CASE_CANARY, "Guardian Canary")
    [line] = org.caseworker.timeline.list(record.id)
    assert (line.place, line.description) == ("Place Canary", CASE_CANARY)
    # the consent check works on its plain columns, with the texts opened for display
    org.coordinator.consent.record(record.id, sections=["identity"], purpose="again",
                                   given_by="survivor", method="verbal",
                                   given_on=dt.date.today(), partner_id=partner)
    [active] = org.coordinator.consent.check(record.id, partner, ["identity"])
    assert active.purpose == "again"
