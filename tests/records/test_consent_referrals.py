"""Consent records, the one consent check, and referrals that depend on it."""

from __future__ import annotations

import datetime as dt

import pytest

from shelter_app.errors import PermissionDenied, ValidationError
from shelter_app.services.consent import ConsentMissing
from tests.bidi import plain
from tests.records.conftest import Org, days

TODAY = dt.date.today()


@pytest.fixture
def setup(org: Org) -> tuple[str, str, str]:
    case_id = org.new_case("Ana Consent").id
    return case_id, org.partner("Riverside Clinic"), org.partner("Harbour Legal")


def consent(org: Org, case_id: str, **over: object) -> object:
    values: dict[str, object] = dict(sections=["identity", "health"], purpose="Medical referral",
                                     given_by="survivor", method="written", given_on=TODAY)
    values.update(over)
    return org.caseworker.consent.record(case_id, **values)  # type: ignore[arg-type]


def test_consent_record_keeps_what_was_agreed(org: Org, setup: tuple[str, str, str]) -> None:
    case_id, clinic, _legal = setup
    c = consent(org, case_id, partner_id=clinic, method="verbal", interpreter_used=True,
                interpreter_language="vi", expires_on=days(90), given_on=days(-1))
    stored = org.coordinator.consent.list(case_id)[0]
    assert stored == c
    assert stored.sections == ("identity", "health") and stored.partner_id == clinic
    assert not stored.any_referral and stored.purpose == "Medical referral"
    assert (stored.given_by, stored.method) == ("survivor", "verbal")
    assert stored.interpreter_used and stored.interpreter_language == "vi"
    assert stored.given_on == days(-1) and stored.expires_on == days(90)
    assert stored.withdrawn_on is None


def test_guardian_consent_names_the_guardian(org: Org, setup: tuple[str, str, str]) -> None:
    case_id, clinic, _legal = setup
    with pytest.raises(ValidationError, match="Name the guardian") as exc:
        consent(org, case_id, partner_id=clinic, given_by="guardian")
    assert exc.value.field == "guardian_name"
    c = consent(org, case_id, partner_id=clinic, given_by="guardian", guardian_name="Aunt Test")
    assert c.guardian_name == "Aunt Test"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("over", "field", "message"), [
    ({"sections": []}, "sections", "at least one section"),
    ({"sections": ["identity", "diary"]}, "sections", "not a valid choice"),
    ({"any_referral": False}, "partner_id", "one recipient"),
    ({"any_referral": True, "partner_id": "CLINIC"}, "partner_id", "one recipient"),
    ({"partner_id": "no-such-partner"}, "partner_id", "not in the directory"),
    ({"given_on": "2026-02-30"}, "given_on", "not a date"),
    ({"given_on": "2999-01-01"}, "given_on", "in the future"),
    ({"expires_on": "2020-01-01", "given_on": "2021-01-01"}, "expires_on",
     "cannot expire before"),
    ({"given_by": "neighbour"}, "given_by", "not a valid choice"),
    ({"method": "telepathy"}, "method", "not a valid choice"),
    ({"interpreter_used": True}, "interpreter_language", "which language"),
    ({"interpreter_used": True, "interpreter_language": "xx"}, "interpreter_language",
     "ISO 639"),
    ({"purpose": ""}, "purpose", "required"),
])
def test_bad_consent_is_refused_and_nothing_saved(org: Org, setup: tuple[str, str, str],
                                                  over: dict[str, object], field: str,
                                                  message: str) -> None:
    case_id, clinic, _legal = setup
    values: dict[str, object] = {"any_referral": True, **over}
    if values.get("partner_id") == "CLINIC":
        values["partner_id"] = clinic
    if "partner_id" in over and over["partner_id"] != "CLINIC":
        values["any_referral"] = False
    with pytest.raises(ValidationError, match=message) as exc:
        consent(org, case_id, **values)
    assert exc.value.field == field
    assert org.count("consents") == 0


def test_consent_check_names_the_recipient_and_what_is_missing(
        org: Org, setup: tuple[str, str, str]) -> None:
    case_id, clinic, legal = setup
    check = org.caseworker.consent.check
    with pytest.raises(ConsentMissing) as none:
        check(case_id, clinic, ["identity"])
    assert "no active consent to share anything with Riverside Clinic" in plain(str(none.value))
    assert none.value.missing_sections == ("identity",)
    consent(org, case_id, partner_id=clinic, sections=["identity", "health"])
    assert len(check(case_id, clinic, ["identity", "health"])) == 1
    with pytest.raises(ConsentMissing) as partial:
        check(case_id, clinic, ["identity", "legal", "services"])
    assert "does not cover: Legal, Services" in plain(str(partial.value))
    assert partial.value.missing_sections == ("legal", "services")
    assert "Riverside Clinic" in str(partial.value)
    # consent for the clinic is not consent for the legal service
    with pytest.raises(ConsentMissing, match="Harbour Legal"):
        check(case_id, legal, ["identity"])


def test_consent_for_any_referral_and_combined_consents(org: Org,
                                                        setup: tuple[str, str, str]) -> None:
    case_id, clinic, legal = setup
    consent(org, case_id, any_referral=True, sections=["identity"])
    consent(org, case_id, partner_id=clinic, sections=["health"])
    assert org.caseworker.consent.check(case_id, legal, ["identity"])
    assert len(org.caseworker.consent.check(case_id, clinic, ["identity", "health"])) == 2
    with pytest.raises(ConsentMissing, match="Health"):
        org.caseworker.consent.check(case_id, legal, ["identity", "health"])


def test_expired_future_and_withdrawn_consent_do_not_count(org: Org,
                                                           setup: tuple[str, str, str]) -> None:
    case_id, clinic, _legal = setup
    c = consent(org, case_id, partner_id=clinic, given_on=days(-30), expires_on=days(-1))
    check = org.caseworker.consent.check
    with pytest.raises(ConsentMissing):
        check(case_id, clinic, ["identity"])
    assert check(case_id, clinic, ["identity"], on=days(-2))  # it was active then
    c2 = consent(org, case_id, partner_id=clinic, expires_on=days(30))
    assert [x.id for x in check(case_id, clinic, ["identity"])] == [c2.id]  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="before it was given"):
        org.caseworker.consent.withdraw(c2.id, on=days(-5))  # type: ignore[attr-defined]
    org.caseworker.consent.withdraw(c2.id, note="Changed her mind")  # type: ignore[attr-defined]
    assert org.caseworker.consent.get(c2.id).withdrawn_on == TODAY  # type: ignore[attr-defined]
    with pytest.raises(ConsentMissing):
        check(case_id, clinic, ["identity"])
    with pytest.raises(ValidationError, match="already withdrawn"):
        org.caseworker.consent.withdraw(c2.id)  # type: ignore[attr-defined]
    assert c is not None


def test_only_case_staff_record_consent(org: Org, setup: tuple[str, str, str]) -> None:
    case_id, clinic, _legal = setup
    with pytest.raises(PermissionDenied):
        org.legal.consent.record(case_id, sections=["identity"], purpose="x",
                                 given_by="survivor", method="written", given_on=TODAY,
                                 partner_id=clinic)
    assert org.count("consents") == 0


# -- referrals ---------------------------------------------------------------------------
@pytest.mark.parametrize(("priority", "days_to_follow_up"), [("emergency", 1), ("urgent", 3),
                                                            ("normal", 14)])
def test_referral_priority_sets_the_follow_up(org: Org, setup: tuple[str, str, str],
                                              priority: str, days_to_follow_up: int) -> None:
    case_id, clinic, _legal = setup
    consent(org, case_id, partner_id=clinic)
    r = org.caseworker.referrals.create(case_id, clinic, priority=priority,
                                        services=["medical", "psychosocial"],
                                        reason="Needs a check-up")
    assert (r.status, r.follow_up_due, r.consent_id) == ("draft", None, None)
    sent = org.caseworker.referrals.move(r.id, "sent")
    assert sent.status == "sent" and sent.sent_on == TODAY.isoformat()
    assert sent.follow_up_due == days(days_to_follow_up).isoformat()
    assert sent.consent_id == org.caseworker.consent.list(case_id)[0].id
    assert sent.services == ("medical", "psychosocial") and sent.reason == "Needs a check-up"
    due = org.caseworker.legal.due(within_days=30)
    assert [(d.kind, d.source_id, d.due_on) for d in due] == [
        ("follow_up", r.id, days(days_to_follow_up))]


def test_sending_without_consent_is_refused_and_stays_a_draft(
        org: Org, setup: tuple[str, str, str]) -> None:
    case_id, clinic, _legal = setup
    r = org.caseworker.referrals.create(case_id, clinic, priority="urgent")
    with pytest.raises(ConsentMissing, match="Riverside Clinic"):
        org.caseworker.referrals.move(r.id, "sent")
    consent(org, case_id, partner_id=clinic, sections=["identity"])
    with pytest.raises(ConsentMissing) as refused:
        org.caseworker.referrals.move(r.id, "sent", sections=["identity", "health"])
    assert "does not cover: Health" in plain(str(refused.value))
    again = org.caseworker.referrals.get(r.id)
    assert (again.status, again.consent_id, again.follow_up_due) == ("draft", None, None)
    assert org.caseworker.legal.due() == []


def test_referral_workflow_and_declined_reason(org: Org, setup: tuple[str, str, str]) -> None:
    case_id, clinic, _legal = setup
    consent(org, case_id, any_referral=True, sections=["identity"])
    refs = org.caseworker.referrals
    a = refs.create(case_id, clinic)
    with pytest.raises(ValidationError, match="cannot become Accepted"):
        refs.move(a.id, "accepted")  # not sent yet
    refs.move(a.id, "sent")
    refs.move(a.id, "accepted")
    done = refs.move(a.id, "completed", outcome="Seen by the doctor")
    assert (done.status, done.outcome) == ("completed", "Seen by the doctor")
    with pytest.raises(ValidationError, match="cannot become"):
        refs.move(a.id, "revoked")
    b = refs.create(case_id, clinic)
    refs.move(b.id, "sent")
    with pytest.raises(ValidationError, match="reason the partner gave") as exc:
        refs.move(b.id, "declined")
    assert exc.value.field == "reason"
    declined = refs.move(b.id, "declined", reason="No capacity this month")
    assert (declined.status, declined.declined_reason) == ("declined", "No capacity this month")
    # a closed referral has no follow-up left to do
    assert org.caseworker.legal.due(within_days=60) == []


def test_a_referral_can_be_revoked(org: Org, setup: tuple[str, str, str]) -> None:
    case_id, clinic, _legal = setup
    consent(org, case_id, partner_id=clinic)
    refs = org.caseworker.referrals
    draft = refs.create(case_id, clinic)
    assert refs.move(draft.id, "revoked").status == "revoked"
    sent = refs.create(case_id, clinic, priority="emergency")
    refs.move(sent.id, "sent")
    assert org.caseworker.legal.due()
    assert refs.move(sent.id, "revoked").status == "revoked"
    assert org.caseworker.legal.due() == []
    with pytest.raises(ValidationError, match="cannot become Sent"):
        refs.move(sent.id, "sent")


def test_bad_referral_input(org: Org, setup: tuple[str, str, str]) -> None:
    case_id, clinic, _legal = setup
    refs = org.caseworker.referrals
    for kwargs, message in (({"priority": "asap"}, "not a valid choice"),
                            ({"services": ["massage"]}, "Unknown service"),
                            ({"follow_up_due": "2026-02-30"}, "not a date")):
        with pytest.raises(ValidationError, match=message):
            refs.create(case_id, clinic, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="not in the directory"):
        refs.create(case_id, "no-such-partner")
    assert org.count("referrals") == 0
