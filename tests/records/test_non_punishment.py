"""Measures against the survivor herself and the non-punishment principle raised against
each: all but the date to act by sealed under the legal key, that date a deadline until
the authority decides, changes refused when the record changed meanwhile."""

from __future__ import annotations

import re

import pytest

from shelter_app.errors import PermissionDenied, ValidationError
from tests.records.conftest import Org, days
from ui.day.lines import tab_for

LINK = "She was given the false passport by the man who held her debt and had to show it."


def _due(org: Org, case_id: str) -> dict[str, object]:
    return {d.kind: d.due_on for d in org.legal.legal.case_deadlines(case_id)}


def _no_uuids(text: str) -> str:
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", text)


def test_a_measure_from_record_to_decision(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    records = org.legal.non_punishment
    record = records.add(case_id, measure="charge", offence="Use of a false identity document",
                         authority="Fiscalía Provincial de Sevilla", reference="DP 1234/2025",
                         measure_on=days(-30), link=LINK, legal_basis="art. 177 bis.11 CP",
                         act_by=days(12))
    assert (record.status, record.act_by, record.measure_on) == ("open", days(12), days(-30))
    assert _due(org, case_id) == {"non_punishment": days(12)}
    assert {tab_for(d.kind) for d in org.legal.legal.case_deadlines(case_id)} == {
        "non_punishment"}
    created = org.audit("record.created")[-1]
    assert created["target_type"] == "non_punishment"
    assert created["details"]["fields"] == sorted(
        ["measure", "offence", "authority", "reference", "measure_on", "status", "link",
         "legal_basis", "notes", "act_by"])

    raised = records.update(record.id, measure="charge", offence=record.offence,
                            status="raised", authority=record.authority,
                            reference=record.reference, measure_on=days(-30), link=LINK,
                            legal_basis=record.legal_basis, act_by=days(12),
                            version=record.row_version)
    assert raised.status == "raised" and _due(org, case_id) == {"non_punishment": days(12)}
    assert org.audit("record.updated")[-1]["details"] == {"fields": ["status"]}
    accepted = records.update(raised.id, measure="charge", offence=record.offence,
                              status="accepted", authority=record.authority,
                              reference=record.reference, measure_on=days(-30), link=LINK,
                              legal_basis=record.legal_basis, act_by=days(12))
    assert accepted.status == "accepted" and _due(org, case_id) == {}, "decided: no deadline"
    # an old version of the form is refused, and nothing of it is written
    with pytest.raises(ValidationError, match="changed this record"):
        records.update(record.id, measure="fine", offence="x", status="open",
                       version=record.row_version)
    assert records.get(record.id).status == "accepted"
    # sealed: no word of the offence, the authority or the link in the row or the audit
    row = org.coordinator.ctx.db.one("SELECT * FROM non_punishment WHERE id = :id",
                                     {"id": record.id})
    assert row is not None and str(row["details"]).startswith("sf1:")
    # (ids and accounts left out, wherever they stand, details included: a random UUID may
    # hold "177" or "1234" by chance)
    ids = ("id", "case_id", "created_by", "updated_by", "actor_id", "target_id")
    stored = _no_uuids(str({k: v for k, v in dict(row).items() if k not in ids}))
    logged = _no_uuids(str([{k: v for k, v in event.items() if k not in ids}
                            for event in org.audit()]))
    for word in ("false", "Fiscal", "1234", "passport", "177", "charge", "accepted"):
        assert word not in stored, word
        assert word not in logged, word


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"offence": "  "}, "offence"),
    ({"measure": "punishment"}, "measure"),
    ({"status": "forgotten"}, "status"),
    ({"measure_on": days(5)}, "measure_on"),
    ({"act_by": "31/31/2026"}, "act_by"),
])
def test_bad_records_are_refused(org: Org, kwargs: dict[str, object], field: str) -> None:
    case_id = org.new_case("Ana Legal").id
    values = {"measure": "detention", "offence": "Irregular stay", **kwargs}
    with pytest.raises(ValidationError) as exc:
        org.legal.non_punishment.add(case_id, **values)  # type: ignore[arg-type]
    assert exc.value.field == field
    assert org.count("non_punishment") == 0


def test_a_caseworker_reads_but_does_not_record(org: Org) -> None:
    case_id = org.new_case("Ana Legal").id
    record = org.legal.non_punishment.add(case_id, measure="removal_order",
                                          offence="Irregular entry")
    assert [r.id for r in org.caseworker.non_punishment.list(case_id)] == [record.id]
    with pytest.raises(PermissionDenied):
        org.caseworker.non_punishment.add(case_id, measure="fine", offence="Street selling")
    with pytest.raises(PermissionDenied):
        org.admin.non_punishment.list(case_id)
