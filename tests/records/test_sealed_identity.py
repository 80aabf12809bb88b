"""Survivors' identity, contact and access needs, cases' situation, attachments, evidence
labels and kept drafts are sealed; the name index holds keyed tags (docs/VAULT_FORMAT.md,
sections 7.1 and 7.2).  Checked on the real database with each account's own keys, as a
reader written from the document would: every cell of every table is scanned for the
canary strings placed in each class."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.errors import KeysNotGiven
from shelter_app.services.case_fields import CASE_CASE, SURVIVOR_CASE
from shelter_app.services.registry import build_services
from shelter_app.services.search import CaseFilter
from shelter_app.vault import blind_index, fields
from tests.conftest import raw_connect, unwrap_data_key

from .conftest import STAFF_PASS, Org
from .test_sealed_fields import keys_of

CASE = "canarycase"      # one word, so that the name index would hold it were it plain
HEALTH = "canaryhealth"
LEGAL = "canarylegal"
PDF = b"%PDF-1.4\n" + CASE.encode() + b"\n%%EOF\n"


def _canary_case(org: Org) -> dict[str, str]:
    """A case with a canary of its class in every sealed column the services write."""
    survivor = SurvivorInput(
        legal_name=f"Amara {CASE}name", preferred_name=f"{CASE}pref", aliases=[f"{CASE}alias"],
        birth_date="1990-04-03", gender="woman", citizenship=["NG"], languages=["yo"],
        interpreter_needed=True, interpreter_language="yo",
        phone=f"{CASE}phone", address=f"{CASE} street",
        access_needs=f"{HEALTH} wheelchair")
    case = CaseInput(referral_source=f"{CASE}source", exploitation_types=["forced_labour"],
                     means_of_control=["debt_bondage"], safety_plan=f"{CASE}plan")
    record = org.new_case(survivor.legal_name, case=case, **{
        k: v for k, v in vars(survivor).items() if k != "legal_name"})
    attachment = org.caseworker.attachments.add(record.id, f"{CASE}scan.pdf", PDF,
                                                label=f"{CASE}label")
    matter = org.legal.legal.open(record.id, "residence_permit", notes=f"{LEGAL}notes")
    org.legal.legal.add_evidence(matter.id, f"{LEGAL}evidence")
    org.caseworker.drafts.save("case_profile", {"access_needs": {"from": "", "to": HEALTH}},
                               case_id=record.id)
    org.legal.drafts.save("legal_form", {"notes": {"from": "", "to": LEGAL}},
                          case_id=record.id)
    org.caseworker.drafts.save("task_form", {"what": {"from": "", "to": CASE}},
                               case_id=record.id)
    return {"case": record.id, "survivor": record.survivor_id, "attachment": attachment.id}


def _cells(org: Org) -> list[tuple[str, str, str, Any]]:
    """(table, row id, column, value) of every cell of every table, read with the database
    key alone."""
    return cells_of(org.folder / "cases.db", unwrap_data_key(org.folder))


def cells_of(path: Path, data_key: bytes) -> list[tuple[str, str, str, Any]]:
    """Every cell of the database at *path* (a backup too), and every token of its name
    index, read through fts5vocab tables made on a private connection."""
    conn = sqlcipher.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE '%_data' AND name NOT LIKE '%_idx' AND name NOT LIKE '%_docsize'"
            " AND name NOT LIKE '%_config' AND name NOT LIKE '%_content'"
            " AND name NOT LIKE '%_vocab'")]
        cells = []
        for table in tables:
            cur = conn.execute(f"SELECT * FROM {table}")  # noqa: S608
            names = [d[0] for d in cur.description]
            for row in cur.fetchall():
                row_id = row[names.index("id")] if "id" in names else ""
                cells += [(table, str(row_id), c, v) for c, v in zip(names, row, strict=True)]
        for index in ("case_search", "case_keys"):
            conn.execute(f"CREATE VIRTUAL TABLE temp.{index}_v USING fts5vocab(main, {index},"
                         " 'row')")
            cells += [(index, "", "term", r[0]) for r in conn.execute(
                f"SELECT term FROM temp.{index}_v")]  # noqa: S608
    finally:
        conn.close()
    return cells


@pytest.fixture
def vocab_tables(org: Org) -> None:
    with org.coordinator.ctx.db.transaction() as db:
        for index in ("case_search", "case_keys"):
            db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {index}_vocab"
                       f" USING fts5vocab({index}, 'row')")


def _readable(cells: list[tuple[str, str, str, Any]], keys: dict[str, bytes]) -> str:
    """Everything a reader holding *keys* gets out of *cells*: plain cells as they are and
    each sealed one it can open."""
    out = []
    for table, row_id, column, value in cells:
        if isinstance(value, bytes):
            if fields.is_sealed_blob(value):
                for key in keys.values():
                    try:
                        value = fields.open_blob(key, table, row_id, column, value)
                        break
                    except fields.FieldDamaged:
                        continue
                else:
                    continue
            out.append(value.decode("latin-1"))
        elif fields.is_sealed(value):
            for key in keys.values():
                try:
                    out.append(fields.open_value(key, table, row_id, column, value))
                    break
                except fields.FieldDamaged:
                    continue
        elif value is not None:
            out.append(str(value))
    return "\n".join(out)


@pytest.mark.parametrize(("username", "classes"), [
    ("admin", set()),
    ("legal", {CASE, LEGAL}),
    ("caseworker", {CASE, HEALTH, LEGAL}),
    ("coordinator", {CASE, HEALTH, LEGAL}),
])
def test_each_account_reads_exactly_its_classes(org: Org, vocab_tables: None, username: str,
                                                classes: set[str]) -> None:
    _canary_case(org)
    text = _readable(_cells(org), keys_of(org, username))
    found = {c for c in (CASE, HEALTH, LEGAL) if c in text}
    assert found == classes
    # the date of birth is a canary too: no plain cell holds it
    assert ("1990-04-03" in text) == (CASE in classes)


def test_nothing_of_a_survivor_is_plain(org: Org, vocab_tables: None) -> None:
    ids = _canary_case(org)
    cells = _cells(org)
    plain = _readable(cells, {})
    assert CASE not in plain and HEALTH not in plain and LEGAL not in plain
    stored = {(t, c): v for t, r, c, v in cells if r in (ids["survivor"], ids["case"])}
    for column in SURVIVOR_CASE:
        value = stored[("survivors", column)]
        assert value is None or fields.is_sealed(value), column
    assert fields.is_sealed(stored[("survivors", "access_needs")])
    for column in CASE_CASE:
        value = stored[("cases", column)]
        assert value is None or fields.is_sealed(value), column
    # what stays plain names nobody: the code, status and flags
    assert stored[("cases", "status")] == "open" and stored[("survivors", "is_minor")] == 0


def test_the_index_finds_as_before(org: Org) -> None:
    org.new_case("Nguyễn Thị Lan")
    org.new_case("Олена Коваль", aliases=["Olena K"])
    org.new_case("محمد حسن")
    search = org.coordinator.search
    assert [c.display_name for c in search.search("nguy")] == ["Nguyễn Thị Lan"]
    assert [c.display_name for c in search.search("NGUYEN lan")] == ["Nguyễn Thị Lan"]
    assert [c.display_name for c in search.search("олен")] == ["Олена Коваль"]
    assert [c.display_name for c in search.search("kov")] == ["Олена Коваль"]
    assert [c.display_name for c in search.search("محم")] == ["محمد حسن"]
    assert search.search("lan olena") == []
    code = search.search("lan")[0].code
    assert [c.code for c in search.search(code.split("-")[-1])] == [code]


def test_the_list_filters_by_exploitation_type(org: Org) -> None:
    labour = org.new_case("Ana Labour", case=CaseInput(exploitation_types=["forced_labour"]))
    org.new_case("Bea Sexual", case=CaseInput(exploitation_types=["sexual"]))
    ids = org.coordinator.search.list_ids(CaseFilter(exploitation_type="forced_labour"))
    assert ids == [labour.id]
    # a change of the types moves the case out of the filter
    org.coordinator.cases.update(labour.id, case=CaseInput(exploitation_types=["sexual"],
                                                           opened_on=dt.date.today()))
    assert org.coordinator.search.list_ids(CaseFilter(exploitation_type="forced_labour")) == []


def test_a_birth_date_is_compared_by_its_tag(org: Org) -> None:
    record = org.new_case("Amina Yusuf", birth_date="1995-07-01")
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    stored, tag = conn.execute("SELECT birth_date, birth_key FROM survivors WHERE id = ?",
                               (record.survivor_id,)).fetchone()
    conn.close()
    assert fields.is_sealed(stored)
    key = blind_index.index_key(keys_of(org, "caseworker")["case"])
    assert tag == blind_index.birth_tag(key, "1995-07-01")
    found = org.coordinator.search.duplicates(SurvivorInput(legal_name="Amina Yusuf",
                                                            birth_date="1995-07-01"))
    assert [m.case_id for m in found] == [record.id]
    assert "Same date of birth" in found[0].reasons


def test_attachments_and_drafts_open_in_the_application(org: Org) -> None:
    ids = _canary_case(org)
    info, data = org.caseworker.attachments.content(ids["attachment"])
    assert data == PDF and info.file_name == f"{CASE}scan.pdf" and info.label == f"{CASE}label"
    draft = org.caseworker.drafts.get("case_profile", case_id=ids["case"])
    assert draft is not None and draft.changes["access_needs"]["to"] == HEALTH
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    under = dict(conn.execute("SELECT kind, sealed_under FROM drafts").fetchall())
    conn.close()
    assert under == {"case_profile": "health", "legal_form": "legal", "task_form": "case"}


def test_an_account_not_given_the_case_key_sees_codes_only(org: Org) -> None:
    record = org.new_case("Hidden Until Given")
    org.admin.accounts.add("newlegal", ["legal"], STAFF_PASS, temporary=False)
    one, _report = org.vault.unlock("newlegal", STAFF_PASS)
    org.opened.append(one)
    newcomer = build_services(one)
    org.coordinator.cases.share(record.id, newcomer.session.user_id)
    [summary] = newcomer.search.summaries([record.id])
    assert summary.code == record.code and summary.display_name == "(waiting for keys)"
    with pytest.raises(KeysNotGiven):
        newcomer.search.search("hidden")
    with pytest.raises(KeysNotGiven):
        newcomer.cases.get(record.id)


def test_plain_identity_of_an_earlier_version_is_sealed_and_indexed_once(org: Org) -> None:
    record = org.new_case("Sealed Later", birth_date="1988-02-02",
                          case=CaseInput(exploitation_types=["forced_labour"], safety_plan="plan"))
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    # as the version before wrote it: plain columns, plain words in the index, no tags
    conn.execute("UPDATE survivors SET legal_name = 'Sealed Later', preferred_name = '',"
                 " aliases = '[]', birth_date = '1988-02-02', birth_key = NULL,"
                 " gender = 'unknown', citizenship = '[]', languages = '[]', contact = '{}',"
                 " safe_contact = '{}', identity_documents = '[]', guardian = '{}',"
                 " access_needs = '' WHERE id = ?", (record.survivor_id,))
    conn.execute("UPDATE cases SET exploitation_types = '[\"forced_labour\"]',"
                 " safety_plan = 'plan', means_of_control = '[]', referral_source = '',"
                 " situation_tags = '' WHERE id = ?", (record.id,))
    conn.execute("DELETE FROM case_search")
    conn.execute("INSERT INTO case_search (rowid, terms) SELECT search_id, 'sealed later'"
                 " FROM cases")
    conn.execute("DELETE FROM meta WHERE key IN ('fields_sealed', 'name_index')")
    conn.commit()
    conn.close()
    build_services(org.admin.ctx.vault)  # holds no content key: nothing changes
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    assert conn.execute("SELECT legal_name FROM survivors WHERE id = ?",
                        (record.survivor_id,)).fetchone()[0] == "Sealed Later"
    conn.close()
    again = build_services(org.caseworker.ctx.vault)
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    name, plan = conn.execute("SELECT s.legal_name, c.safety_plan FROM survivors s JOIN cases c"
                              " ON c.survivor_id = s.id WHERE c.id = ?", (record.id,)).fetchone()
    flags = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('fields_sealed',"
                              " 'name_index')").fetchall())
    conn.close()
    assert fields.is_sealed(name) and fields.is_sealed(plan)
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    pages = b"".join(bytes(r[0]) for r in conn.execute("SELECT block FROM case_search_data"
                                                        " WHERE block IS NOT NULL"))
    conn.close()
    assert b"sealed" not in pages and b"later" not in pages  # the plain words are gone
    assert flags == {"fields_sealed": "7", "name_index": "keyed1"}
    assert [c.id for c in again.search.search("seal")] == [record.id]
    assert again.search.list_ids(CaseFilter(exploitation_type="forced_labour")) == [record.id]
    assert [m.case_id for m in again.search.duplicates(SurvivorInput(
        legal_name="Sealed Later", birth_date="1988-02-02"))] == [record.id]
    assert json.loads(json.dumps(again.cases.get(record.id).case["exploitation_types"])) == [
        "forced_labour"]
