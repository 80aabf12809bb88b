"""docs/VAULT_FORMAT.md is right: a vault made by Shelter App opens with stock libraries.

Only the writing side (making a vault to read) uses ``shelter_app``.  The reading side is the
Python code of the document itself: its fenced ``python`` blocks are extracted from the
Markdown and executed, so the document cannot drift from the code without a failing test.
Those blocks may import argon2, cryptography, sqlcipher3 and the standard library only.
The test vectors of section 15 are recomputed twice: from the document's words with stock
libraries, and with the application's own functions with their random choices fixed.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import datetime as dt
import getpass
import hashlib
import hmac
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shelter_app.domain import names as name_rules
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import keys_for
from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.errors import (
    KeysNotGiven,
    PermissionDenied,
    ValidationError,
    VaultDamaged,
    WrongPassphrase,
)
from shelter_app.services import drafts as draft_service
from shelter_app.services import field_sealing, row_seals, vault_admin
from shelter_app.services import search as search_service
from shelter_app.services.registry import build_services
from shelter_app.services.search import CaseFilter
from shelter_app.vault import blind_index, crypto, fields, rekey, sealing
from shelter_app.vault.keyring import Keyring, open_account
from shelter_app.vault.keyslots import (
    FORMAT_VERSION,
    RECOVERY_ID,
    Keyslot,
    KeyslotFile,
    legacy_slot,
    name_key,
)
from shelter_app.vault.migrate import latest_version
from shelter_app.vault.vault import Vault
from tests.bidi import plain as without_marks
from tests.conftest import ADMIN_PASS, FAST_KDF, ORG, add_user, from_template, signed_in
from tests.records.conftest import ACCOUNTS as STAFF_ACCOUNTS
from tests.records.conftest import STAFF_PASS, organisation
from tests.records.test_sealed_identity import CASE as CASE_CANARY
from tests.records.test_sealed_identity import HEALTH as HEALTH_CANARY
from tests.records.test_sealed_identity import LEGAL as LEGAL_CANARY
from tests.records.test_sealed_identity import _canary_case
from tests.schema_undo import undo_schema_8

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "VAULT_FORMAT.md"
MIGRATIONS = ROOT / "shelter_app" / "vault" / "migrations"
STOCK_LIBRARIES = {"argon2", "cryptography", "sqlcipher3"}

ZOE = "Zoë"  # a non-ASCII user name: NFC, case folding and UTF-8 all matter
ZOE_PASS = "temporary passphrase 1"
GONE = "dismissed"
GONE_PASS = "temporary passphrase 2"
CORA_PASS = "temporary passphrase 3"
LENA_PASS = "temporary passphrase 4"
CARL_PASS = "temporary passphrase 5"
HEALTH_NOTE = "Seen at the clinic; follow-up in two weeks"
SHELTER_NOTE = "Moved to house B"
LEGAL_REF = "REF-2026-0417"
LEGAL_NOTE = "Interview at the immigration office on Tuesday"
APPOINTMENT_NOTE = "Bring the clinic's letter; the interpreter meets her at the gate"
REFERRAL_REASON = "Check-up after the move; she asks to be seen by a woman doctor"
TASK_WHAT = "Ask the clinic to send her letter to the safe address"
CONSENT_PURPOSE = "Referral to the clinic for a check-up after the move"
TIMELINE_PLACE = "A farm outside the harbour town"
TIMELINE_DESCRIPTION = "Promised work in a restaurant; her passport was taken on arrival"
WITHDRAWAL_NOTE = "She asked on the phone that nothing more be sent to the clinic"
NINA_PASS = "temporary passphrase 6"
NICK_PASS = "temporary passphrase 7"
BIRTH_DATE = "1990-04-03"
ACCESS_NEEDS = "A ground-floor room; letters in large print"
SAFETY_PLAN = "Never alone at the bus stop; the neighbour keeps a spare phone"
ATTACHMENT_NAME = "residence-card.pdf"
ATTACHMENT_LABEL = "Scan of the residence card"
PDF = b"%PDF-1.4\n% a scanned residence card\n%%EOF\n"
EVIDENCE_LABEL = "The clinic's letter about the injuries"
PROFILE_DRAFT = {"access_needs": {"from": ACCESS_NEEDS, "to": "Wheelchair access"}}
LEGAL_DRAFT = {"notes": {"from": LEGAL_NOTE, "to": "Call the lawyer back on Friday"}}

VECTOR_VAULT = "0b6f5a8e-4c2d-4f7a-9e1b-3d5c7a9f2e10"
VECTOR_ADMIN = "5d2c9b1e-7a3f-4e8d-b6c4-1f0a2e3d4c5b"
VECTOR_PASS = "correct horse battery staple"
VECTOR_RECOVERY = "7K3D-QW9X-M2ZT-8HJR-C4VN-P6YB-0SAE-1FG5"
RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
SECONDS_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MICROS_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
DB_BACKUP = re.compile(r"^cases-(\d{8}T\d{12})Z-v(\d+)\.db$")


# -- the document ------------------------------------------------------------------------
def _blocks(language: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def _python_block(marker: str) -> str:
    found = [b for b in _blocks("python") if marker in b]
    assert len(found) == 1, f"expected one python block containing {marker!r}"
    return found[0]


RECIPE = _python_block("def unwrap_data_key")
PAGE_READER = _python_block("def decrypt_database")


def _run(source: str, name: str) -> dict[str, Any]:
    """Execute a block of the document as its own module and return its namespace."""
    namespace: dict[str, Any] = {"__name__": name}
    exec(compile(source, f"docs/VAULT_FORMAT.md ({name})", "exec"), namespace)  # noqa: S102
    return namespace


@pytest.fixture(scope="module")
def recipe() -> dict[str, Any]:
    return _run(RECIPE, "open_vault")


@pytest.fixture(scope="module")
def page_reader() -> dict[str, Any]:
    return _run(PAGE_READER, "decrypt_pages")


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


# -- a vault made by the application -----------------------------------------------------
@dataclass(frozen=True)
class Made:
    folder: Path
    recovery_key: str
    admin_id: str
    zoe_id: str
    gone_id: str


def _make_made(folder: Path) -> tuple[str, str, str, str]:
    vault, opened, recovery_key = Vault.create(
        folder, organisation=ORG, admin_username="admin", admin_passphrase=ADMIN_PASS,
        kdf=FAST_KDF)
    services = build_services(opened)
    zoe = services.accounts.add(ZOE, ["caseworker"], ZOE_PASS)
    gone = services.accounts.add(GONE, ["legal"], GONE_PASS)
    services.accounts.disable(GONE)
    services.vault_admin.backup()
    admin_id = opened.user_id
    services.lock()
    vault.close()

    again = Vault.open(folder, kdf=FAST_KDF)
    with pytest.raises(WrongPassphrase):
        again.unlock("admin", "not the passphrase at all")
    signed_in, _report = again.unlock("admin", ADMIN_PASS)  # moves the failure into the chain
    signed_in.close()
    with pytest.raises(WrongPassphrase):
        again.unlock(ZOE, "not her passphrase either")  # stays in signin-attempts.json
    again.close()
    return recovery_key, admin_id, zoe.id, gone.id


@pytest.fixture
def made(vault_dir: Path) -> Made:
    """A closed vault with three accounts (one disabled), a backup and failed sign-ins
    (made once per test process and copied, ``from_template``)."""
    recovery_key, admin_id, zoe, gone = from_template("format", vault_dir, _make_made)
    return Made(vault_dir, recovery_key, admin_id, zoe, gone)


def _keyslots(made: Made) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((made.folder / "keyslots.json").read_text(encoding="ascii"))
    return body


def _data_key(made: Made, recipe: dict[str, Any]) -> bytes:
    keyslots = recipe["load_keyslots"](made.folder)
    data_key: bytes = recipe["unwrap_data_key"](
        keyslots, recipe["find_slot"](keyslots, "admin"), ADMIN_PASS
    )
    return data_key


# -- the code of the document uses stock libraries only ----------------------------------
@pytest.mark.parametrize("source", [RECIPE, PAGE_READER], ids=["recipe", "page-reader"])
def test_document_code_imports_only_stock_libraries(source: str) -> None:
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module is not None
            imported.add(node.module.split(".")[0])
    foreign = {m for m in imported if m not in STOCK_LIBRARIES | sys.stdlib_module_names}
    assert not foreign
    assert "shelter_app" not in source


# -- test vectors (section 15) -----------------------------------------------------------
def _text_block(start: str) -> str:
    found = [b for b in _blocks("text") if b.startswith(start)]
    assert len(found) == 1, f"expected one text block starting with {start!r}"
    return found[0]


def _table(start: str) -> dict[str, str]:
    """A text block of section 15 as {label: value}: the two are two or more spaces apart."""
    rows = [re.split(r"\s{2,}", line.strip(), maxsplit=1)
            for line in _text_block(start).splitlines() if line.strip()]
    assert all(len(row) == 2 for row in rows)
    return {label: value for label, value in rows}


def _example_text() -> str:
    found = [b for b in _blocks("json") if '"shelter-app-keyslots"' in b]
    assert len(found) == 1, "one example key file"
    return found[0]


def _pending_slot() -> dict[str, Any]:
    found = [b for b in _blocks("json") if '"wrapped_by": "database"' in b]
    assert len(found) == 1, "one example of a slot waiting to finish the upgrade"
    slot: dict[str, Any] = json.loads(found[0])
    return slot


def _vector_keys() -> dict[str, bytes]:
    inputs = _table("data key")
    labels = {"database": "data key", "administration": "administration key",
              "case": "case key", "health": "health key", "legal": "legal key"}
    return {name: bytes.fromhex(inputs[label]) for name, label in labels.items()}


def _vector_randomness() -> dict[tuple[str, str], tuple[bytes, bytes]]:
    """{(user id, key name): (ephemeral private key, nonce)} of every grant."""
    rows = [line.split() for line in _text_block("slot ").splitlines()[1:] if line.strip()]
    ids = {"admin": VECTOR_ADMIN, "recovery": RECOVERY_ID}
    return {(ids[slot], name): (bytes.fromhex(ephemeral), bytes.fromhex(nonce))
            for slot, name, ephemeral, nonce in rows}


def _b64text(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def test_the_document_says_which_formats_it_describes() -> None:
    words = " ".join(DOC.read_text(encoding="utf-8").split())
    assert FORMAT_VERSION == 2
    assert "It describes key file (`keyslots.json`) format version 2," in words
    assert f"and database schema version {latest_version()}." in words
    assert f"the schema version: `{latest_version()}` in this release" in words


def test_the_document_lists_every_audit_action() -> None:
    text = DOC.read_text(encoding="utf-8")
    actions = text[text.index("counts and field names. Actions:"):text.index("### drafts")]
    assert [e.value for e in Event if f"`{e.value}`" not in actions] == []


def test_example_keyslot_file_is_a_valid_test_vector(recipe: dict[str, Any], tmp_path: Path
                                                      ) -> None:
    (tmp_path / "keyslots.json").write_text(_example_text(), encoding="ascii")
    keyslots = recipe["load_keyslots"](tmp_path)  # every digest recomputes
    assert keyslots["version"] == 2 and keyslots["vault_id"] == VECTOR_VAULT
    assert recipe["name_key"](VECTOR_VAULT, "admin") == "70d3d95dd8d9ab4865171fd7922023b0"
    assert recipe["name_key"](VECTOR_VAULT, "cora") == "3f87d3a7e11aa031c7759b2fea6dfd7a"
    admin = recipe["find_slot"](keyslots, "ADMIN")
    assert admin["user_id"] == VECTOR_ADMIN
    assert admin["kdf"]["memory_kib"] == 65536 and admin["kdf"]["iterations"] == 3
    keys = _vector_keys()
    assert recipe["open_slot"](keyslots, admin, VECTOR_PASS) == (
        {"administration": keys["administration"], "database": keys["database"]}, ["admin"])
    typed = recipe["normalise_recovery_key"]("7k3d qw9x m2zt 8hjr c4vn p6yb osae lfg5")
    assert typed == VECTOR_RECOVERY
    assert recipe["open_slot"](keyslots, recipe["find_slot"](keyslots), typed) == (keys, None)
    assert recipe["unwrap_data_key"](keyslots, admin, VECTOR_PASS) == bytes(range(32))
    with pytest.raises(PermissionError, match="disabled"):
        recipe["open_slot"](keyslots, recipe["find_slot"](keyslots, "cora"), VECTOR_PASS)


def test_example_is_what_the_application_reads_and_writes(tmp_path: Path) -> None:
    (tmp_path / "keyslots.json").write_text(_example_text(), encoding="ascii")
    slots = KeyslotFile.load(tmp_path / "keyslots.json")
    assert json.dumps(slots.to_json(), indent=2, ensure_ascii=True) + "\n" == _example_text()
    keys = _vector_keys()
    minimum = crypto.PRODUCTION_KDF.minimum
    admin = open_account(slots, slots.find_user("admin"), VECTOR_PASS, minimum)
    assert {n: bytes(k) for n, k in admin.keyring.keys.items()} == {
        "administration": keys["administration"], "database": keys["database"]}
    assert admin.keyring.signed_roles == {"admin"} and not admin.unfinished
    recovery = open_account(slots, slots.by_user_id(RECOVERY_ID), VECTOR_RECOVERY, minimum)
    assert {n: bytes(k) for n, k in recovery.keyring.keys.items()} == keys


def test_key_file_test_vectors_recompute(recipe: dict[str, Any]) -> None:
    """Section 15 from the words of sections 3.6-3.8, 4 and 11.1, with stock libraries."""
    inputs, results = _table("data key"), _table("admin wrap key")
    step = _table("ephemeral public key")
    body = json.loads(_example_text())
    slots = {s["user_id"]: s for s in body["slots"]}
    vault, epoch, keys = inputs["vault_id"], int(inputs["epoch of every key"]), _vector_keys()
    assert vault == VECTOR_VAULT and inputs["admin user_id"] == VECTOR_ADMIN
    assert body["epochs"] == {name: epoch for name in sorted(keys)}
    assert sorted(body["checks"]) == sorted(keys)

    # key pairs and the verify key
    for who, user_id in (("admin", VECTOR_ADMIN), ("recovery", RECOVERY_ID)):
        private = X25519PrivateKey.from_private_bytes(bytes.fromhex(inputs[f"{who} private key"]))
        public = private.public_key().public_bytes(*RAW)
        assert public.hex() == results[f"{who} public key"]
        assert public == b64(slots[user_id]["public_key"])
    verify = Ed25519PrivateKey.from_private_bytes(keys["administration"]).public_key()
    assert verify.public_bytes(*RAW).hex() == results["verify key"]
    assert b64(body["verify_key"]).hex() == results["verify key"]

    # check values (3.7)
    for name, key in keys.items():
        message = b"\0".join([b"shelter-app key check v2", vault.encode(), name.encode(),
                              str(epoch).encode()])
        assert b64(body["checks"][name]) == hmac.new(key, message, hashlib.sha256).digest()[:16]

    # wrap keys, check values and private key wraps (4.2-4.4)
    params = (int(inputs["argon2id memory_kib"]), int(inputs["argon2id iterations"]),
              int(inputs["argon2id parallelism"]))
    for who, user_id, secret in (("admin", VECTOR_ADMIN, inputs["passphrase"]),
                                 ("recovery", RECOVERY_ID, inputs["recovery key"])):
        slot = slots[user_id]
        kdf = slot["kdf"]
        assert (kdf["memory_kib"], kdf["iterations"], kdf["parallelism"]) == params
        assert b64(kdf["salt"]).hex() == inputs[f"{who} salt"]
        wrap_key, check = recipe["derive"](secret, kdf)
        assert wrap_key.hex() == results[f"{who} wrap key"] and check == b64(slot["check"])
        nonce = bytes.fromhex(inputs[f"{who} wrap nonce"])
        aad = b"\0".join([b"shelter-app private key v2", vault.encode(), user_id.encode()])
        plain = bytes.fromhex(inputs[f"{who} private key"]) + verify.public_bytes(*RAW)
        assert slot["private_key"] == {
            "wrapped_by": "passphrase", "algorithm": "AES-256-GCM", "nonce": _b64text(nonce),
            "ciphertext": _b64text(AESGCM(wrap_key).encrypt(nonce, plain, aad))}

    # grants (3.6): each is made again from its ephemeral key and nonce
    randomness = _vector_randomness()
    assert {(u, n) for u in (VECTOR_ADMIN, RECOVERY_ID) for n in slots[u]["grants"]} == set(
        randomness)
    assert sorted(slots[RECOVERY_ID]["grants"]) == sorted(keys), "the recovery slot: every key"
    for (user_id, name), (ephemeral_private, nonce) in randomness.items():
        recipient = b64(slots[user_id]["public_key"])
        ephemeral = X25519PrivateKey.from_private_bytes(ephemeral_private)
        ephemeral_public = ephemeral.public_key().public_bytes(*RAW)
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
        grant_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_public + recipient,
                         info=b"shelter-app grant v2").derive(shared)
        aad = b"\0".join([b"shelter-app grant v2", vault.encode(), user_id.encode(),
                          name.encode(), str(epoch).encode()])
        assert slots[user_id]["grants"][name] == {
            "ephemeral": _b64text(ephemeral_public), "nonce": _b64text(nonce),
            "ciphertext": _b64text(AESGCM(grant_key).encrypt(nonce, keys[name], aad))}
        if (user_id, name) == (VECTOR_ADMIN, "database"):
            assert ephemeral_public.hex() == step["ephemeral public key"]
            assert shared.hex() == step["shared secret"]
            assert grant_key.hex() == step["grant key"]

    # the statement (3.8): Ed25519 signatures are deterministic, so it signs again the same
    message = _text_block('["shelter-app account v2"').strip()
    statement = slots[VECTOR_ADMIN]["statement"]
    assert statement["roles"] == [inputs["admin roles"]]
    assert statement["signed_at"] == inputs["signed_at"]
    assert message == json.dumps(["shelter-app account v2", vault, VECTOR_ADMIN,
                                  slots[VECTOR_ADMIN]["public_key"], statement["roles"],
                                  statement["signed_at"]], separators=(",", ":"))
    verify.verify(b64(statement["signature"]), message.encode("ascii"))
    signing = Ed25519PrivateKey.from_private_bytes(keys["administration"])
    assert signing.sign(message.encode("ascii")) == b64(statement["signature"])

    # the interim key of the upgrade (11.1)
    interim = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"shelter-app migration wrap v2").derive(keys["database"])
    assert interim.hex() == results["interim key"]

    # digests, times, the disabled slot
    for slot in body["slots"]:
        assert slot["digest"] == recipe["slot_digest"](slot)
        assert slot["created_at"] == inputs["created_at"]
    cora = slots[inputs["disabled user_id"]]
    assert list(cora) == ["kind", "user_id", "name_key", "status", "created_at", "digest"]
    assert cora["status"] == "disabled"
    assert cora["name_key"] == recipe["name_key"](vault, inputs["disabled user name"])
    assert slots[VECTOR_ADMIN]["name_key"] == recipe["name_key"](vault, inputs["user name"])


def test_the_application_computes_the_same_key_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Section 15's file, made by the application's own functions (sealing.py, crypto.py,
    keyslots.py) with the random choices fixed to section 15's values."""
    inputs, keys, randomness = _table("data key"), _vector_keys(), _vector_randomness()
    vault, epoch = inputs["vault_id"], int(inputs["epoch of every key"])
    params = crypto.KdfParams(int(inputs["argon2id memory_kib"]),
                              int(inputs["argon2id iterations"]),
                              int(inputs["argon2id parallelism"]))
    ephemerals: list[bytes] = []
    nonces: list[bytes] = []
    real = sealing.X25519PrivateKey

    class FixedEphemeral:
        from_private_bytes = staticmethod(real.from_private_bytes)

        @staticmethod
        def generate() -> X25519PrivateKey:
            return real.from_private_bytes(ephemerals.pop(0))

    class FixedNonces:
        @staticmethod
        def token_bytes(size: int) -> bytes:
            value = nonces.pop(0)
            assert len(value) == size
            return value

    monkeypatch.setattr(sealing, "X25519PrivateKey", FixedEphemeral)
    monkeypatch.setattr(sealing, "secrets", FixedNonces)

    verify = sealing.verify_key_of(keys["administration"])
    made: dict[str, Keyslot] = {}
    for who, user_id, secret in (("admin", VECTOR_ADMIN, inputs["passphrase"]),
                                 ("recovery", RECOVERY_ID, inputs["recovery key"])):
        pair = sealing.KeyPair.from_private(bytes.fromhex(inputs[f"{who} private key"]))
        salt = bytes.fromhex(inputs[f"{who} salt"])
        derived = crypto.derive(secret, salt, params)
        nonces.append(bytes.fromhex(inputs[f"{who} wrap nonce"]))
        nonce, ciphertext = sealing.wrap_private(derived.wrap_key, pair, verify,
                                                 sealing.private_aad(vault, user_id))
        grants = {}
        for (owner, name), (ephemeral, grant_nonce) in randomness.items():
            if owner == user_id:
                ephemerals.append(ephemeral)
                nonces.append(grant_nonce)
                grants[name] = sealing.seal(pair.public, keys[name],
                                            sealing.grant_aad(vault, user_id, name, epoch))
        statement = None
        if who == "admin":
            roles = [inputs["admin roles"]]
            message = sealing.statement_bytes(vault, user_id, pair.public, roles,
                                              inputs["signed_at"])
            statement = {"roles": roles, "signed_at": inputs["signed_at"],
                         "signature": sealing.b64(sealing.sign(keys["administration"], message))}
        made[who] = Keyslot(
            kind="user" if who == "admin" else "recovery", user_id=user_id,
            name_key=name_key(vault, inputs["user name"]) if who == "admin" else None,
            status="active", params=params, salt=salt, check=derived.check,
            created_at=inputs["created_at"], public_key=pair.public,
            private_wrapped_by="passphrase", private_nonce=nonce, private_ciphertext=ciphertext,
            grants=grants, statement=statement)
    assert not ephemerals and not nonces
    disabled = Keyslot(kind="user", user_id=inputs["disabled user_id"],
                       name_key=name_key(vault, inputs["disabled user name"]), status="disabled",
                       params=crypto.KdfParams(0, 0, 0), created_at=inputs["created_at"])
    file = KeyslotFile(vault, b"", [made["admin"], disabled, made["recovery"]], version=2,
                       verify_key=verify)
    for name, key in keys.items():
        file.add_key(name, key, epoch)
    assert file.checks == {n: sealing.key_check(k, vault, n, epoch) for n, k in keys.items()}
    assert json.dumps(file.to_json(), indent=2, ensure_ascii=True) + "\n" == _example_text()


def test_slot_waiting_to_finish_the_upgrade_test_vector(recipe: dict[str, Any],
                                                        tmp_path: Path) -> None:
    """Section 15's pending slot: version 1 wrap plus the private key under the interim key."""
    inputs, results, keys = _table("data key"), _table("admin wrap key"), _vector_keys()
    pending = _pending_slot()
    body = json.loads(_example_text())
    admin = body["slots"][0]
    assert pending["user_id"] == admin["user_id"] == VECTOR_ADMIN
    for same in ("kind", "name_key", "status", "created_at", "kdf", "check", "public_key",
                 "grants", "statement"):
        assert pending[same] == admin[same]
    assert pending["digest"] == recipe["slot_digest"](pending)
    assert Keyslot.from_json(pending).to_json() == pending  # the application's own layout

    # the version 1 wrap (11.1)
    wrap_key = bytes.fromhex(results["admin wrap key"])
    aad = b"\0".join([b"shelter-app keyslot v1", VECTOR_VAULT.encode(), VECTOR_ADMIN.encode()])
    assert AESGCM(wrap_key).decrypt(b64(pending["aead"]["nonce"]),
                                    b64(pending["aead"]["ciphertext"]), aad) == keys["database"]
    v1_check = hmac.new(keys["database"], b"shelter-app key check v1" + VECTOR_VAULT.encode(),
                        hashlib.sha256).digest()[:16]
    assert _b64text(v1_check) == "eiBBuUe4Vt2oGfCmFynt8w==" in DOC.read_text(encoding="utf-8")
    assert crypto.key_check(keys["database"], VECTOR_VAULT) == v1_check

    # the private key under the interim key
    nonce = bytes.fromhex(inputs["interim wrap nonce"])
    plain = bytes.fromhex(inputs["admin private key"]) + bytes.fromhex(results["verify key"])
    private_aad = b"\0".join([b"shelter-app private key v2", VECTOR_VAULT.encode(),
                              VECTOR_ADMIN.encode()])
    interim = bytes.fromhex(results["interim key"])
    assert pending["private_key"] == {
        "wrapped_by": "database", "algorithm": "AES-256-GCM", "nonce": _b64text(nonce),
        "ciphertext": _b64text(AESGCM(interim).encrypt(nonce, plain, private_aad))}

    # in place of the first slot, it opens to the same keys, with the recipe and the app
    body["slots"][0] = pending
    (tmp_path / "keyslots.json").write_text(json.dumps(body, indent=2) + "\n", encoding="ascii")
    keyslots = recipe["load_keyslots"](tmp_path)
    expected = {"administration": keys["administration"], "database": keys["database"]}
    assert recipe["open_slot"](keyslots, recipe["find_slot"](keyslots, "admin"),
                               VECTOR_PASS) == (expected, ["admin"])
    slots = KeyslotFile.load(tmp_path / "keyslots.json")
    opened = open_account(slots, slots.find_user("admin"), VECTOR_PASS,
                          crypto.PRODUCTION_KDF.minimum)
    assert opened.unfinished and {n: bytes(k) for n, k in opened.keyring.keys.items()} == expected


def test_audit_chain_test_vector() -> None:
    block = next(b for b in _blocks("text") if b.startswith("audit key"))
    lines = [line.split(None, 2) for line in block.splitlines()]
    values = {f"{words[0]} {words[1]}": words[2] for words in lines if len(words) == 3}
    audit_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                     info=b"shelter-app audit chain v1").derive(bytes(range(32)))
    assert audit_key.hex() == values["audit key"]
    prev = bytes(32)
    for n in (1, 2):
        text = values[f"content {n}"]
        content = json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
        assert content == text  # the printed content is canonical
        mac = hmac.new(audit_key, prev + content.encode("utf-8"), hashlib.sha256).digest()
        assert mac.hex() == values[f"hmac {n}"]
        prev = mac
    head = next(words for words in lines if words[0] == "audit_head")
    assert head[1] == f"2:{prev.hex()}"


def test_anchor_test_vector() -> None:
    """Section 15's anchor and fingerprint, recomputed from section 8.6's words and by the
    application's own code."""
    block = next(b for b in _blocks("text") if b.startswith("anchor key"))
    values = {f"{w[0]} {w[1]}": w[2] for w in (line.split() for line in block.splitlines())}
    vault_id = "0b6f5a8e-4c2d-4f7a-9e1b-3d5c7a9f2e10"
    event_hmac = bytes.fromhex(
        "07ab318b03c707852417b5ade35f434140f9b7b950f6000c1de4f88fef6612ab")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"shelter-app audit anchor v1").derive(bytes(range(32)))
    assert key.hex() == values["anchor key"]
    message = b"\0".join([b"shelter-app audit anchor v1", vault_id.encode(), b"2",
                          event_hmac.hex().encode(), b"2026-04-02T10:15:01Z"])
    assert hmac.new(key, message, hashlib.sha256).hexdigest() == values["anchor mac"]
    digest = hmac.new(key, b"\0".join([b"shelter-app audit fingerprint v1",
                                       vault_id.encode(), b"2", event_hmac]),
                      hashlib.sha256).digest()
    bits = int.from_bytes(digest[:10], "big")
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    chars = "".join(alphabet[(bits >> (5 * i)) & 31] for i in reversed(range(16)))
    written = "#2 " + "-".join(chars[i:i + 4] for i in range(0, 16, 4))
    assert values["fingerprint #2"] == written.removeprefix("#2 ")
    # and the application computes the same
    from shelter_app.vault import anchors

    assert anchors.anchor_key(bytes(range(32))) == key
    made = anchors.Anchor(2, event_hmac, "2026-04-02T10:15:01Z").to_json(key, vault_id)
    assert made["mac"] == values["anchor mac"]
    assert anchors.format_fingerprint(
        2, anchors.fingerprint_code(key, vault_id, 2, event_hmac)) == written


def test_rekey_test_vector(recipe: dict[str, Any], tmp_path: Path) -> None:
    """Section 15's re-key: the record's check values and grants, its content entry's too,
    and the integrity key's check value, from the words of sections 3.6, 3.7 and 3.10, and
    by rekey.py itself."""
    values, keys = _table("new database key"), _vector_keys()
    new_key, epoch = bytes.fromhex(values["new database key"]), int(values["new epoch"])
    new_case = bytes.fromhex(values["new case key"])
    first = bytes.fromhex(values["integrity key"])
    assert first == keys["database"] and epoch == int(values["new case epoch"]) == 2
    vault = VECTOR_VAULT.encode()

    def check(key: bytes, name: bytes, generation: int) -> str:
        message = b"\0".join([b"shelter-app key check v2", vault, name,
                              str(generation).encode()])
        return _b64text(hmac.new(key, message, hashlib.sha256).digest()[:16])

    assert check(new_key, b"database", epoch) == values["new database check"]
    assert check(first, b"integrity", 1) == values["integrity check"]
    assert check(new_case, b"case", 2) == values["new case check"]
    aad = b"\0".join([b"shelter-app grant v2", vault, VECTOR_ADMIN.encode(), b"database",
                      b"2"])
    assert aad.hex() == values["admin grant data"]
    assert sealing.grant_aad(VECTOR_VAULT, VECTOR_ADMIN, "database", epoch) == aad
    case_aad = b"\0".join([b"shelter-app grant v2", vault, b"recovery", b"case", b"2"])
    assert case_aad.hex() == values["recovery case grant data"]
    assert sealing.grant_aad(VECTOR_VAULT, RECOVERY_ID, "case", 2) == case_aad

    # the application: the record as rekey.py prepares it for section 3's file, by a
    # session that trusts the vault's verify key and changes the case key
    (tmp_path / "keyslots.json").write_text(_example_text(), encoding="ascii")
    slots = KeyslotFile.load(tmp_path / "keyslots.json")
    verify_key = bytes.fromhex(_table("admin wrap key")["verify key"])
    session = Keyring(user_id=VECTOR_ADMIN, pair=None, verify_key=verify_key)
    assert rekey._prepare(slots, session, new_key, {}).keys() == {
        "state", "epoch", "check", "grants"}  # no content keys change: no "content"
    record = rekey._prepare(slots, session, new_key, {"case": new_case})
    assert (record["state"], record["epoch"], record["check"]) == (
        "prepared", epoch, values["new database check"])
    assert sorted(record["grants"]) == sorted([VECTOR_ADMIN, RECOVERY_ID])  # cora is disabled
    entry = record["content"]["case"]
    assert list(record) == ["state", "epoch", "check", "grants", "content"]
    assert (list(record["content"]), entry["epoch"], entry["check"]) == (
        ["case"], 2, values["new case check"])
    assert list(entry["grants"]) == [RECOVERY_ID]  # the admin role holds no case key
    slots.add_key("integrity", first)
    assert _b64text(slots.checks["integrity"]) == values["integrity check"]
    slots.rekey = record
    slots.save(tmp_path / "keyslots.json")
    assert KeyslotFile.load(tmp_path / "keyslots.json").rekey == record

    # the document's code opens each grant of the record with its slot's private key
    inputs = _table("data key")
    keyslots = recipe["load_keyslots"](tmp_path)
    assert list(keyslots)[5:7] == ["verify_key", "rekey"]  # written after verify_key
    for who, user_id in (("admin", VECTOR_ADMIN), ("recovery", RECOVERY_ID)):
        private = X25519PrivateKey.from_private_bytes(bytes.fromhex(inputs[f"{who} private key"]))
        slot = next(s for s in keyslots["slots"] if s["user_id"] == user_id)
        assert recipe["open_rekey_grant"](keyslots, slot, private) == new_key
        with pytest.raises(InvalidTag):  # sealed with the record's epoch, not epochs' 1
            recipe["open_sealed"](keyslots, slot, private, record["grants"][user_id],
                                  "database", 1)
        assert recipe["open_rekey_grant"](keyslots, slot, private, "case") == (
            new_case if who == "recovery" else None)
        assert recipe["open_rekey_grant"](keyslots, slot, private, "health") is None
    recovery = recipe["find_slot"](keyslots)
    private, held, _roles = recipe["unlock_slot"](keyslots, recovery, VECTOR_RECOVERY)
    assert held == keys
    # a file already under the new keys: the new database and case keys, the others as held
    assert recipe["rekeyed_keys"](keyslots, recovery, private, held) == {
        **held, "database": new_key, "case": new_case}
    assert recipe["open_slot"](keyslots, recipe["find_slot"](keyslots, "admin"),
                               VECTOR_PASS)[0]["database"] == keys["database"]


def test_sealed_field_test_vector(recipe: dict[str, Any],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Section 15's sealed field: from section 7.1's words with stock libraries, opened by the
    document's open_field, and made by the application's own fields.py with its nonce fixed."""
    values, keys = _table("field key"), _vector_keys()
    key, nonce = bytes.fromhex(values["field key"]), bytes.fromhex(values["field nonce"])
    assert key == keys["case"]
    table, row_id, column, text = (values[f"field {name}"]
                                   for name in ("table", "row id", "column", "text"))
    assert (table, column) == ("service_entries", "notes")
    aad = b"\0".join([b"shelter-app field v1", table.encode(), row_id.encode(),
                      column.encode()])
    assert aad.hex() == values["associated data"]
    sealed = AESGCM(key).encrypt(nonce, text.encode("utf-8"), aad)
    assert sealed.hex() == values["ciphertext and tag"]
    stored = values["stored value"]
    assert stored == "sf1:" + _b64text(nonce + sealed)
    size = len(text.encode("utf-8"))
    assert size == 61 and len(stored) == 4 + 4 * -(-(28 + size) // 3) == 124

    open_field = recipe["open_field"]
    both = {"case": key, "health": keys["health"]}
    assert open_field(both, "case", table, row_id, column, stored) == text
    assert open_field({"health": keys["health"]}, "case", table, row_id, column, stored) is None
    other_row = "00000000-0000-4000-8000-000000000000"
    for args in (("health", table, row_id, column), ("case", table, other_row, column),
                 ("case", table, row_id, "outcome"), ("case", "appointments", row_id, column)):
        with pytest.raises(InvalidTag):
            open_field(both, *args, stored)
    assert open_field({}, "case", table, row_id, column, "written before") == "written before"
    assert open_field({}, "case", table, row_id, column, "sf1: a plain note") == (
        "sf1: a plain note"), "plain text that merely begins with the prefix"

    class FixedNonce:
        @staticmethod
        def token_bytes(size: int) -> bytes:
            assert size == len(nonce)
            return nonce

    monkeypatch.setattr(fields, "secrets", FixedNonce)
    assert fields.aad(table, row_id, column) == aad
    assert fields.seal(key, table, row_id, column, text) == stored
    assert fields.open_value(key, table, row_id, column, stored) == text


def test_shortest_sealed_field_test_vector(recipe: dict[str, Any],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Section 15's empty legal reference under the legal key, as earlier releases sealed
    it: recomputed with stock libraries and opened by open_field and by fields.py, which
    now stores an empty text as it is, whatever the nonce."""
    values, keys = _table("legal key"), _vector_keys()
    key, nonce = bytes.fromhex(values["legal key"]), bytes.fromhex(values["nonce"])
    assert key == keys["legal"]
    table, row_id, column = values["table"], values["row id"], values["column"]
    assert (table, column) == ("legal_matters", "authority_ref") and UUID4.match(row_id)
    aad = b"\0".join([b"shelter-app field v1", table.encode(), row_id.encode(),
                      column.encode()])
    assert aad.hex() == values["associated data"]
    tag = AESGCM(key).encrypt(nonce, b"", aad)
    assert tag.hex() == values["tag"] and len(tag) == 16
    stored = values["stored value"]
    assert stored == "sf1:" + _b64text(nonce + tag) and len(stored) == 44
    assert recipe["open_field"]({"legal": key}, "legal", table, row_id, column, stored) == ""
    for args in (("case", table, row_id, column), ("legal", table, row_id, "notes"),
                 ("legal", "service_entries", row_id, column)):
        with pytest.raises(InvalidTag):
            recipe["open_field"](keys, *args, stored)
    assert recipe["open_field"]({}, "legal", table, row_id, column, stored) is None

    class FixedNonce:
        @staticmethod
        def token_bytes(size: int) -> bytes:
            return nonce

    monkeypatch.setattr(fields, "secrets", FixedNonce)
    assert fields.open_value(key, table, row_id, column, stored) == ""
    assert fields.seal(key, table, row_id, column, "") == ""
    assert fields.seal(key, table, row_id, column, " ") != " "


def test_which_values_have_the_sealed_form(recipe: dict[str, Any]) -> None:
    """Section 15's table of section 7.1's rule, agreed on by the document's is_sealed and
    the application's fields.is_sealed; a plain value opens as itself without any key."""
    block = _text_block("sealed form")
    rows = [re.split(r"\s{2,}", line.strip()) for line in block.splitlines()[1:] if line.strip()]
    assert len(rows) >= 6 and all(len(row) == 3 for row in rows)
    assert [row[0] for row in rows].count("yes") == 1
    for answer, value, why in rows:
        assert recipe["is_sealed"](value) is fields.is_sealed(value) is (answer == "yes"), why
        if answer == "no":
            assert recipe["open_field"]({}, "legal", "legal_matters", "x", "notes",
                                        value) == value
    assert rows[0][1] == _table("legal key")["stored value"]


def test_sealed_file_test_vector(recipe: dict[str, Any], monkeypatch: pytest.MonkeyPatch
                                 ) -> None:
    """Section 15's sealed file: from section 7.1's words with stock libraries, opened by the
    document's open_blob, and made by the application's own fields.py with its nonce fixed."""
    values, keys = _table("file key"), _vector_keys()
    key, nonce = bytes.fromhex(values["file key"]), bytes.fromhex(values["file nonce"])
    assert key == keys["case"]
    table, row_id, column = (values[f"file {name}"] for name in ("table", "row id", "column"))
    assert (table, column) == ("attachments", "content") and UUID4.match(row_id)
    data = bytes.fromhex(values["file bytes"])
    assert data == b"%PDF-1.4\n%%EOF\n"
    aad = b"\0".join([b"shelter-app field v1", table.encode(), row_id.encode(),
                      column.encode()])
    assert aad.hex() == values["file associated data"]
    stored = bytes.fromhex(values["stored BLOB"])
    assert stored == b"sf1\0" + nonce + AESGCM(key).encrypt(nonce, data, aad)
    assert len(stored) == len(data) + 32 == 47

    open_blob = recipe["open_blob"]
    assert recipe["is_sealed_blob"](stored) and fields.is_sealed_blob(stored)
    assert open_blob({"case": key}, "case", table, row_id, column, stored) == data
    assert open_blob({"health": keys["health"]}, "case", table, row_id, column, stored) is None
    for args in (("health", table, row_id, column), ("case", table, VECTOR_ADMIN, column),
                 ("case", table, row_id, "label"), ("case", "drafts", row_id, column)):
        with pytest.raises(InvalidTag):
            open_blob(keys, *args, stored)
    for plain in (data, b"sf1\0" + bytes(27), b"SF1\0" + stored[4:]):  # a file as it is
        assert not recipe["is_sealed_blob"](plain) and not fields.is_sealed_blob(plain)
        assert open_blob({}, "case", table, row_id, column, plain) == plain

    class FixedNonce:
        @staticmethod
        def token_bytes(size: int) -> bytes:
            assert size == len(nonce)
            return nonce

    monkeypatch.setattr(fields, "secrets", FixedNonce)
    assert fields.seal_blob(key, table, row_id, column, data) == stored
    assert fields.open_blob(key, table, row_id, column, stored) == data


def _tag_rows() -> list[tuple[str, str, str, str]]:
    """Section 15's table of keyed tags: (kind, text, message in hex, tag)."""
    block = _text_block("kind ")
    rows = [tuple(re.split(r"\s{2,}", line.strip()))
            for line in block.splitlines()[1:] if line.strip()]
    assert rows and all(len(row) == 4 for row in rows)
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def test_keyed_tag_test_vectors(recipe: dict[str, Any]) -> None:
    """Section 15's keyed tags: from section 7.2's words with stock libraries, with the
    document's index_key and tag, and with the application's own blind_index.py; and the
    rows of the name index the document shows for `Ana`, `SH-2026-0001`."""
    values, keys = _table("case key"), _vector_keys()
    case_key = bytes.fromhex(values["case key"])
    assert case_key == keys["case"]
    index_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                     info=b"shelter-app blind index v1").derive(case_key)
    assert index_key.hex() == values["index key"]
    assert recipe["index_key"]({"case": case_key}) == index_key
    assert recipe["index_key"]({"database": keys["database"]}) is None
    assert blind_index.index_key(case_key) == index_key
    rows = _tag_rows()
    assert {kind for kind, *_rest in rows} == {"name", "skeleton", "birth", "exploitation"}
    for kind, text, message, tag in rows:
        assert message == (kind.encode() + b"\0" + text.encode()).hex()
        digest = hmac.new(index_key, bytes.fromhex(message), hashlib.sha256).digest()
        assert tag == base64.b32encode(digest[:10]).decode("ascii").lower()
        assert re.fullmatch(r"[a-z2-7]{16}", tag)
        assert recipe["tag"](index_key, kind, text) == blind_index.tag(index_key, kind, text)
        assert recipe["tag"](index_key, kind, text) == tag

    # the rows of the index for the legal name Ana and the code SH-2026-0001
    shown = dict(line.split(None, 1) for line in _text_block("case_search").splitlines())
    names_tags = [tag for kind, _text, _message, tag in rows if kind == "name"]
    assert len(names_tags) == 13
    assert shown["case_search"].split(" ") == sorted(names_tags)
    assert shown["case_search"] == blind_index.name_terms(index_key, "Ana", "", [],
                                                          "SH-2026-0001")
    by_text = {(kind, text): tag for kind, text, _message, tag in rows}
    assert recipe["name_words"]("Ana SH-2026-0001") == ["ana", "sh", "2026", "0001"]
    assert {text for kind, text in by_text if kind == "name"} == {
        word[:n] for word in ("ana", "sh", "2026", "0001") for n in range(1, len(word) + 1)}
    assert shown["case_keys"] == by_text[("skeleton", "an")] == blind_index.skeleton_terms(
        index_key, "Ana", "", [])
    assert name_rules.skeleton("ana") == "an"
    assert blind_index.name_query(index_key, "AN") == f'"{by_text[("name", "an")]}"'
    assert blind_index.name_query(index_key, "An") == '"qinvw277omjoph33"'
    assert f"MATCH '\"{by_text[('name', 'an')]}\"'" in DOC.read_text(encoding="utf-8")
    assert blind_index.birth_tag(index_key, "1990-04-03") == by_text[("birth", "1990-04-03")]
    assert blind_index.situation_tags(index_key, ["forced_labour"]) == by_text[
        ("exploitation", "forced_labour")]


def test_row_seal_test_vector(recipe: dict[str, Any]) -> None:
    """Section 15's row seal: from section 7.3's words with stock libraries, with the
    document's row_seal_key and row_seal, and with the application's own row_seals.py; the
    row is one the application could have stored: its sealed values open as section 15 says
    and its situation_tags is the tag section 15 gives."""
    values, keys = _table("seal key"), _vector_keys()
    case_key = keys["case"]
    seal_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"shelter-app row seal v1").derive(case_key)
    assert seal_key.hex() == values["seal key"]
    assert recipe["row_seal_key"]({"case": case_key}) == seal_key
    assert recipe["row_seal_key"]({"database": keys["database"]}) is None
    assert row_seals.seal_key(case_key) == seal_key == crypto.subkey(case_key, "row seal v1")
    labels = list(values)
    table, columns = values["table"], labels[labels.index("table") + 1:labels.index("content")]
    assert table == "cases" and columns == list(row_seals.COLUMNS[table])
    assert list(recipe["SEALED_ROW_COLUMNS"][table]) == columns
    row = {column: json.loads(values[column]) for column in columns}
    content = json.dumps([table, *row.values()], ensure_ascii=False, separators=(",", ":"))
    assert content == values["content"]
    seal = hmac.new(seal_key, content.encode("utf-8"), hashlib.sha256).hexdigest()
    assert seal == values["row_seal"] and re.fullmatch(r"[0-9a-f]{64}", seal)
    assert recipe["row_seal"](seal_key, table, list(row.values())) == seal
    assert row_seals.row_seal(seal_key, table, row) == seal

    # the row: sealed values of section 7.1 under the same key, with the nonces named
    sealed = {column: row[column] for column in recipe["SEALED_UNDER"][table]
              if row[column] is not None}
    assert {column: recipe["open_field"]({"case": case_key}, "case", table, row["id"],
                                         column, value)
            for column, value in sealed.items()} == {
        "referral_source": "", "exploitation_types": '["forced_labour"]',
        "means_of_control": "[]", "safety_plan": ""}
    assert [b64(value[4:])[:12] for value in sealed.values()] == [
        bytes([n]) * 12 for n in (0xD1, 0xD2, 0xD3, 0xD4)]
    tags = {(kind, text): tag for kind, text, _message, tag in _tag_rows()}
    assert row["situation_tags"] == tags[("exploitation", "forced_labour")]
    assert UUID4.match(row["id"]) and UUID4.match(row["survivor_id"])
    assert isinstance(row["search_id"], int) and row["is_draft"] == 0

    # any one value changed (a text for an integer too), or another key: another seal
    for column in columns:
        changed = {**row, column: "changed" if row[column] != "changed" else "other"}
        assert row_seals.row_seal(seal_key, table, changed) != seal, column
    assert row_seals.row_seal(seal_key, table, {**row, "search_id": "1"}) != seal
    assert row_seals.row_seal(row_seals.seal_key(keys["health"]), table, row) != seal


def _section(start: str, end: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index(start):text.index(end)]


NUMBERS = {"one": 1, "two": 2, "four": 4, "eighteen": 18, "nineteen": 19, "twenty": 20,
           "fifty": 50}


def test_the_sealed_columns_are_those_the_application_seals(recipe: dict[str, Any]) -> None:
    """Section 7.1's table of sealed columns, its count, and the document's SEALED_UNDER are
    exactly the columns the application's pass seals (services/field_sealing.py), each with
    the key the pass uses; section 7.1's rule for drafts is draft_service.sealing_key's."""
    section = _section("### 7.1 Sealed fields", "**The format.**")
    documented = dict(re.findall(r"^\| `(\w+\.\w+)` \| (.*) \|$", section, flags=re.MULTILINE))
    sealed = {f"{spec.table}.{column}": spec for spec in field_sealing.SEALED
              for column in spec.columns}
    assert sorted(documented) == sorted(sealed)
    match = re.search(r"exactly ([\w-]+) columns, of (\w+) tables", section)
    assert match is not None
    assert sum(NUMBERS[word] for word in match[1].split("-")) == len(sealed) == 54
    assert NUMBERS[match[2]] == len({spec.table for spec in field_sealing.SEALED}) == 20

    # the key of every column whose key is the same in every row
    fixed = {column: None if spec.table == "drafts" else re.search(r"'(\w+)' AS key",
                                                                    spec.rows_sql)
             for column, spec in sealed.items()}
    for column, found in fixed.items():
        table, name = column.split(".")
        if found is None:  # by the service type, or by sealed_under
            assert table in ("service_entries", "drafts"), column
            assert table not in recipe["SEALED_UNDER"]
            continue
        assert documented[column].startswith(f"`{found[1]}`"), column
        assert recipe["SEALED_UNDER"][table][name] == found[1], column
    assert {f"{table}.{column}" for table, columns in recipe["SEALED_UNDER"].items()
            for column in columns} == {c for c, found in fixed.items() if found}
    # a draft left plain by an earlier version has no sealed_under: it is sealed under case
    assert "'case' AS key FROM drafts" in sealed["drafts.content"].rows_sql
    assert field_sealing.LEVEL == _documented_fields_sealed() == "7"

    # drafts: legal forms under legal, the health forms under health when held, else case
    rule = documented["drafts.content"]
    assert f"`legal` for a `{'`, `'.join(sorted(draft_service.LEGAL_KINDS))}`" in rule
    health_kinds = re.search(r"`health` for (.*?) kept by", rule)
    assert health_kinds is not None
    assert set(re.findall(r"`(\w+)`", health_kinds[1])) == set(draft_service.HEALTH_KINDS)
    for kind in draft_service.KINDS:
        assert f"`{kind}`" in _section("### drafts (schema version 3)",
                                       "### generated_documents"), kind
        for held in ({"case"}, {"case", "health"}, {"case", "health", "legal"}):
            expected = ("legal" if kind in draft_service.LEGAL_KINDS else "health"
                        if kind in draft_service.HEALTH_KINDS and "health" in held else "case")
            assert draft_service.sealing_key(kind, held) == expected


def test_what_stays_plain_of_a_survivor_and_a_case(made: Made, recipe: dict[str, Any]
                                                     ) -> None:
    """Section 7's list of what stays plain of a survivor and of a case is every column of
    the two tables that section 7.1 does not seal, as the database has them."""
    section = _section("### survivors and cases: the keyed columns", "### 7.1 Sealed fields")
    words = " ".join(section.split())
    survivor_part = words[words.index("Of a survivor, only"):words.index("; of a case,")]
    case_part = words[words.index("; of a case,"):words.index("they name no one")]
    conn = recipe["open_database"](made.folder / "cases.db", _data_key(made, recipe))
    try:
        columns = {table: {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                   for table in ("survivors", "cases")}
    finally:
        conn.close()
    every_row = {"id", "created_at", "updated_at", "created_by", "updated_by", "row_version"}
    for table, part in (("survivors", survivor_part), ("cases", case_part)):
        plain = set(re.findall(r"`(\w+)`", part))
        assert "the columns every row has" in part
        assert plain | every_row == columns[table] - set(recipe["SEALED_UNDER"][table]), table
        assert not plain & every_row


def _documented_fold() -> dict[str, str]:
    """Section 7.2's table of the characters replaced before decomposing."""
    section = _section("**Words.**", "**The name index.**")
    rows = re.findall(r"^\| `(.)` \(U\+([0-9A-F]{4})\) \| "
                      r"(nothing|`([^`]+)`(?: \(U\+[0-9A-F]{4}\))?) \|$",
                      section, flags=re.MULTILINE)
    assert rows
    table = {}
    for character, point, _whole, replacement in rows:
        assert ord(character) == int(point, 16)
        table[character] = replacement
    return table


def _documented_latin() -> dict[str, str]:
    """Section 7.2's list of Cyrillic and Arabic letters and their Latin letters."""
    block = _text_block("Cyrillic")
    items = " ".join(block.replace("Cyrillic", "").replace("Arabic", ",").split()).split(", ")
    pairs = [item.strip(" ,").split(" ") for item in items if item.strip(" ,")]
    assert all(len(pair) == 2 for pair in pairs)
    return {letter: "" if latin == "-" else latin for letter, latin in pairs}


def _documented_skeleton(word: str, latin: dict[str, str]) -> str:
    """A spelling key made by the words of section 7.2 (not the application's code)."""
    w = word.translate(str.maketrans(latin))
    for old, new in (("ph", "f"), ("kh", "h"), ("ck", "k"), ("q", "k")):
        w = w.replace(old, new)
    w = "".join(ch for ch in w if ch.isalpha())
    if not w:
        return ""
    out = w[0]
    for ch in w[1:]:
        if ch not in "aeiouyw" and ch != out[-1]:
            out += ch
    return out


SAMPLE_NAMES = ("Nguyễn Thị Lan", "María-José de la Cruz", "Олена Коваль", "Алёна Йовенко",
                "محمد حسن", "أحمد بن علي", "Łukasz Żółć", "Ærøskøbing Straße", "Søren Þórsson",
                "Zo\u00eb\u200b Ad\u200eams", "O'Brien_2nd", "Mohammed Muhammad", "Phillip Khan",
                "Jack Quincy", "ЩУКИН Ёжиков", "كـــريم", "SH-2026-0001", "  ", "ı İ ß",
                "Ğülşen Çelik", "Ñuño", "Ma\u0301ria", "ヤマダ タロウ", "김민지", "Đặng Văn Đức")


def test_the_documented_word_rules_are_the_applications(recipe: dict[str, Any]) -> None:
    """Section 7.2's folding table and Latin letters are name_rules.py's; the document's
    name_words finds the words name_rules.tokens finds; the spelling key made by the document's
    words is name_rules.skeleton's; the numbers section 7.2 gives are the code's."""
    fold, latin = _documented_fold(), _documented_latin()
    assert fold == {chr(k): v for k, v in name_rules._EXTRA_FOLD.items()}
    assert recipe["FOLD"] == name_rules._EXTRA_FOLD
    translit = {**name_rules._CYRILLIC, **name_rules._ARABIC}
    assert {k: v for k, v in translit.items() if k in latin} == latin
    left_out = set(translit) - set(latin)
    assert all(name_rules.fold(ch) != ch for ch in left_out), "only letters folding never leaves"
    for text in SAMPLE_NAMES:
        words = recipe["name_words"](text)
        assert words == name_rules.tokens(text), text
        for word in words:
            assert word.translate(str.maketrans(latin)) == name_rules.latin(word), word
            assert _documented_skeleton(word, latin) == name_rules.skeleton(word), word
    assert {name_rules.skeleton(w) for w in ("Mohammed", "Muhammad", "محمد")} == {"mhmd"}
    assert recipe["name_words"]("Nguyễn Thị") == ["nguyen", "thi"]
    assert recipe["name_words"]("María-José") == ["maria", "jose"]
    assert name_rules.latin("Олена") == "olena"

    section = _section("### 7.2 Keyed tags", "## 8. The audit chain")
    words = " ".join(section.split())
    assert blind_index.INFO == b"shelter-app blind index v1"
    assert blind_index.MAX_WORD == 32 and "its first 32 characters" in words
    assert blind_index.MAX_QUERY_WORDS == 12 and "the first 12 words" in words
    assert search_service.RANKED_MATCHES == 400 and "at most 400" in words
    assert search_service.CODE_PREFIX.pattern == r"^[A-Z]{1,6}-\d{2,4}(-\d*)?$"
    assert "one to six letters, a dash, two to four digits, and optionally a dash and" in words
    assert (blind_index.NAME, blind_index.SKELETON, blind_index.BIRTH,
            blind_index.EXPLOITATION) == ("name", "skeleton", "birth", "exploitation")
    assert len(vocab.EXPLOITATION.codes()) == 10 and "only ten exploitation types" in words


# -- the folder --------------------------------------------------------------------------
def test_folder_layout(made: Made) -> None:
    names = {p.name for p in made.folder.iterdir()}
    assert names == {"cases.db", "keyslots.json", "signin-attempts.json", "vault.lock", "backups"}
    assert (made.folder / "vault.lock").read_bytes() == b""  # emptied on a clean close
    raw = (made.folder / "cases.db").read_bytes()
    assert not raw.startswith(b"SQLite format 3\0")  # the first 16 bytes are the salt
    assert len(raw) % 4096 == 0
    backups = sorted(p.name for p in (made.folder / "backups").iterdir())
    databases = [DB_BACKUP.match(n) for n in backups if n.startswith("cases-")]
    assert len(databases) == 1 and all(databases)
    assert [n for n in backups if n.startswith("keyslots")] == ["keyslots.json"]
    mirror = made.folder / "backups" / "keyslots.json"
    assert mirror.read_bytes() == (made.folder / "keyslots.json").read_bytes()
    if os.name == "posix":
        assert made.folder.stat().st_mode & 0o777 == 0o700
        assert (made.folder / "backups").stat().st_mode & 0o777 == 0o700
        for name in ("keyslots.json", "signin-attempts.json", "vault.lock"):
            assert (made.folder / name).stat().st_mode & 0o777 == 0o600


def test_wal_files_exist_only_while_open(made: Made) -> None:
    vault = Vault.open(made.folder, kdf=FAST_KDF)
    opened, _report = vault.unlock("admin", ADMIN_PASS)
    try:
        assert (made.folder / "cases.db-wal").exists()
        assert (made.folder / "cases.db-shm").exists()
    finally:
        opened.close()
        vault.close()
    assert not (made.folder / "cases.db-wal").exists()
    assert not (made.folder / "cases.db-shm").exists()


@pytest.mark.skipif(os.name != "posix", reason="flock is the POSIX lock")
def test_lock_file(made: Made) -> None:
    import fcntl

    lock = made.folder / "vault.lock"
    vault = Vault.open(made.folder, kdf=FAST_KDF)
    try:
        assert lock.read_text(encoding="ascii") == f"{os.getpid()}\n"
        with lock.open("rb") as other, pytest.raises(BlockingIOError):
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        vault.close()
    assert lock.read_bytes() == b""
    with lock.open("rb") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again


# -- keyslots.json -----------------------------------------------------------------------
ACTIVE_FIELDS = ["kind", "user_id", "name_key", "status", "created_at", "kdf", "check",
                 "public_key", "private_key", "grants", "statement", "digest"]


def test_keyslot_file_fields(made: Made, recipe: dict[str, Any]) -> None:
    raw = (made.folder / "keyslots.json").read_bytes()
    body = json.loads(raw.decode("ascii"))
    assert raw.decode("ascii") == json.dumps(body, indent=2, ensure_ascii=True) + "\n"
    assert list(body) == ["format", "version", "vault_id", "epochs", "checks", "verify_key",
                          "slots", "audit_anchor"]
    assert body["format"] == "shelter-app-keyslots" and body["version"] == 2
    assert UUID4.match(body["vault_id"])
    # no coordinator has signed in yet, so there is no content key (section 3.5)
    assert body["epochs"] == {"administration": 1, "database": 1}
    assert sorted(body["checks"]) == ["administration", "database"]
    assert all(len(b64(value)) == 16 for value in body["checks"].values())
    assert len(b64(body["verify_key"])) == 32

    slots = {s["user_id"]: s for s in body["slots"]}
    assert set(slots) == {made.admin_id, made.zoe_id, made.gone_id, "recovery"}
    for slot in body["slots"]:
        assert slot["digest"] == recipe["slot_digest"](slot)
        assert re.fullmatch(r"[0-9a-f]{32}", slot["digest"])
        assert SECONDS_UTC.match(slot["created_at"])
        if slot["status"] == "disabled":
            assert list(slot) == ["kind", "user_id", "name_key", "status", "created_at", "digest"]
            continue
        expected = ACTIVE_FIELDS if slot["kind"] == "user" else [
            f for f in ACTIVE_FIELDS if f != "statement"]
        assert slot["status"] == "active" and list(slot) == expected
        assert slot["kdf"] == {
            "algorithm": "argon2id", "version": 19,
            "memory_kib": FAST_KDF.default.memory_kib,
            "iterations": FAST_KDF.default.iterations,
            "parallelism": FAST_KDF.default.parallelism,
            "salt": slot["kdf"]["salt"],
        }
        assert len(b64(slot["kdf"]["salt"])) == 16
        assert len(b64(slot["check"])) == 16
        assert len(b64(slot["public_key"])) == 32
        wrapped = slot["private_key"]
        assert list(wrapped) == ["wrapped_by", "algorithm", "nonce", "ciphertext"]
        assert wrapped["wrapped_by"] == "passphrase" and wrapped["algorithm"] == "AES-256-GCM"
        assert len(b64(wrapped["nonce"])) == 12
        assert len(b64(wrapped["ciphertext"])) == 64 + 16
        assert list(slot["grants"]) == sorted(slot["grants"])
        for grant in slot["grants"].values():
            assert list(grant) == ["ephemeral", "nonce", "ciphertext"]
            assert [len(b64(grant[f])) for f in grant] == [32, 12, 32 + 16]
        if slot["kind"] == "user":
            statement = slot["statement"]
            assert list(statement) == ["roles", "signed_at", "signature"]
            assert SECONDS_UTC.match(statement["signed_at"])
            assert len(b64(statement["signature"])) == 64

    # what each slot holds: an administrator's session gives no content key
    assert sorted(slots[made.admin_id]["grants"]) == ["administration", "database"]
    assert sorted(slots[made.zoe_id]["grants"]) == ["database"]
    assert sorted(slots["recovery"]["grants"]) == ["administration", "database"]
    assert slots[made.admin_id]["statement"]["roles"] == ["admin"]
    assert slots[made.zoe_id]["statement"]["roles"] == ["caseworker"]

    vault_id = body["vault_id"]
    name_key_of = recipe["name_key"]
    assert slots[made.admin_id]["kind"] == "user"
    assert slots[made.admin_id]["name_key"] == name_key_of(vault_id, "admin")
    assert slots[made.admin_id]["name_key"] == name_key_of(vault_id, "  ADMIN ")
    decomposed = unicodedata.normalize("NFD", "ZOË")
    assert slots[made.zoe_id]["name_key"] == name_key_of(vault_id, decomposed)
    assert slots[made.gone_id]["status"] == "disabled"
    assert slots[made.gone_id]["name_key"] == name_key_of(vault_id, GONE)
    assert slots["recovery"]["kind"] == "recovery" and slots["recovery"]["name_key"] is None

    # section 3.3 spelled out once more, byte by byte
    material = b"shelter-app user\0" + vault_id.encode() + b"\0admin"
    assert slots[made.admin_id]["name_key"] == hashlib.sha256(material).hexdigest()[:32]


def test_a_damaged_slot_is_found_by_its_digest(made: Made, recipe: dict[str, Any],
                                               tmp_path: Path) -> None:
    body = _keyslots(made)
    body["slots"][0]["created_at"] = "2000-01-01T00:00:00Z"
    (tmp_path / "keyslots.json").write_text(json.dumps(body), encoding="ascii")
    with pytest.raises(ValueError, match="damaged"):
        recipe["load_keyslots"](tmp_path)


def test_admin_slot_opens_with_the_passphrase(made: Made, recipe: dict[str, Any]) -> None:
    keyslots = recipe["load_keyslots"](made.folder)
    slot = recipe["find_slot"](keyslots, "admin")
    assert slot["user_id"] == made.admin_id

    wrap_key, check = recipe["derive"](ADMIN_PASS, slot["kdf"])
    assert check == b64(slot["check"])
    assert recipe["derive"]("a different passphrase", slot["kdf"])[1] != b64(slot["check"])

    # section 4.4, step by step: the associated data binds the private key to its slot
    vault_id, user_id = keyslots["vault_id"].encode(), made.admin_id.encode()
    aad = b"shelter-app private key v2\0" + vault_id + b"\0" + user_id
    nonce, wrapped = b64(slot["private_key"]["nonce"]), b64(slot["private_key"]["ciphertext"])
    plain = AESGCM(wrap_key).decrypt(nonce, wrapped, aad)
    assert len(plain) == 64
    private = X25519PrivateKey.from_private_bytes(plain[:32])
    assert private.public_key().public_bytes(*RAW) == b64(slot["public_key"])
    assert plain[32:] == b64(keyslots["verify_key"])
    with pytest.raises(InvalidTag):
        AESGCM(wrap_key).decrypt(nonce, wrapped, aad.replace(user_id, b"recovery"))

    # section 4.5: the database grant, step by step, bound to its name
    grant = slot["grants"]["database"]
    ephemeral = b64(grant["ephemeral"])
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    grant_key = HKDF(algorithm=hashes.SHA256(), length=32,
                     salt=ephemeral + b64(slot["public_key"]),
                     info=b"shelter-app grant v2").derive(shared)
    grant_aad = b"\0".join([b"shelter-app grant v2", vault_id, user_id, b"database", b"1"])
    data_key = AESGCM(grant_key).decrypt(b64(grant["nonce"]), b64(grant["ciphertext"]),
                                         grant_aad)
    mac = hmac.new(data_key, b"shelter-app key check v2\0" + vault_id + b"\0database\0" + b"1",
                   hashlib.sha256)
    assert mac.digest()[:16] == b64(keyslots["checks"]["database"])
    with pytest.raises(InvalidTag):
        AESGCM(grant_key).decrypt(b64(grant["nonce"]), b64(grant["ciphertext"]),
                                  grant_aad.replace(b"\0database\0", b"\0case\0"))

    keys, roles = recipe["open_slot"](keyslots, slot, ADMIN_PASS)
    assert sorted(keys) == ["administration", "database"] and roles == ["admin"]
    assert keys["database"] == data_key == recipe["unwrap_data_key"](keyslots, slot, ADMIN_PASS)
    signing = Ed25519PrivateKey.from_private_bytes(keys["administration"])
    assert signing.public_key().public_bytes(*RAW) == plain[32:]  # the key it trusts
    # and the application opens the same keys from the same slot
    slots = KeyslotFile.load(made.folder / "keyslots.json")
    opened = open_account(slots, slots.find_user("admin"), ADMIN_PASS, FAST_KDF.minimum)
    assert {n: bytes(k) for n, k in opened.keyring.keys.items()} == keys
    opened.keyring.wipe()

    with pytest.raises(PermissionError):
        recipe["unwrap_data_key"](keyslots, slot, ADMIN_PASS + " ")


def test_every_active_slot_gives_the_same_data_key(made: Made, recipe: dict[str, Any]) -> None:
    keyslots = recipe["load_keyslots"](made.folder)
    data_key = _data_key(made, recipe)
    # typed with a combining diaeresis and in capitals: NFC and case folding find and open it
    zoe = recipe["find_slot"](keyslots, unicodedata.normalize("NFD", "ZOË"))
    assert zoe["user_id"] == made.zoe_id
    keys, roles = recipe["open_slot"](keyslots, zoe, unicodedata.normalize("NFD", ZOE_PASS))
    assert keys == {"database": data_key} and roles == ["caseworker"]
    gone = recipe["find_slot"](keyslots, GONE)
    with pytest.raises(PermissionError, match="disabled"):
        recipe["unwrap_data_key"](keyslots, gone, GONE_PASS)


def test_recovery_slot_opens_with_the_recovery_key(made: Made, recipe: dict[str, Any]) -> None:
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}", made.recovery_key)
    keyslots = recipe["load_keyslots"](made.folder)
    sloppy = made.recovery_key.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    normalised = recipe["normalise_recovery_key"](sloppy)
    assert normalised == made.recovery_key
    slot = recipe["find_slot"](keyslots)
    assert slot["user_id"] == "recovery" and "statement" not in slot
    keys, roles = recipe["open_slot"](keyslots, slot, normalised)
    assert sorted(keys) == ["administration", "database"] and roles is None
    assert keys["database"] == _data_key(made, recipe)
    with pytest.raises(ValueError, match="32 letters"):
        recipe["normalise_recovery_key"](made.recovery_key[:-1])


def test_edits_to_the_key_file_are_caught(made: Made, recipe: dict[str, Any],
                                          tmp_path: Path) -> None:
    """Sections 3.6-3.8: a changed statement, grant, epoch, check value or public key does
    not open; the top-level verify_key is not what an account trusts."""
    def edited(change: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        body = _keyslots(made)
        slot = next(s for s in body["slots"] if s["user_id"] == made.admin_id)
        change(body, slot)
        slot["digest"] = recipe["slot_digest"](slot)
        (tmp_path / "keyslots.json").write_text(json.dumps(body), encoding="ascii")
        keyslots = recipe["load_keyslots"](tmp_path)
        return keyslots, recipe["find_slot"](keyslots, "admin")

    zoe_public = next(s for s in _keyslots(made)["slots"]
                      if s["user_id"] == made.zoe_id)["public_key"]
    for problem, change in (
        ("signature", lambda b, s: s["statement"].update(roles=["admin", "coordinator"])),
        ("signature", lambda b, s: s["statement"].update(signed_at="2030-01-01T00:00:00Z")),
        ("not this vault's", lambda b, s: b["checks"].update(
            database=b["checks"]["administration"])),
        ("does not belong", lambda b, s: s.update(public_key=zoe_public)),
    ):
        keyslots, slot = edited(change)
        with pytest.raises(ValueError, match=problem):
            recipe["open_slot"](keyslots, slot, ADMIN_PASS)
    keyslots, slot = edited(lambda b, s: s["grants"].update(
        administration=s["grants"]["database"]))
    with pytest.raises(InvalidTag):  # a grant moved to another name does not open
        recipe["open_slot"](keyslots, slot, ADMIN_PASS)
    keyslots, slot = edited(lambda b, s: b["epochs"].update(administration=2))
    with pytest.raises(InvalidTag):  # nor one of another generation of its key (3.7)
        recipe["open_slot"](keyslots, slot, ADMIN_PASS)
    with pytest.raises(ValueError, match="epochs"):  # an epoch for every check value
        edited(lambda b, s: b["epochs"].pop("administration"))
    keyslots, slot = edited(lambda b, s: b.update(verify_key=base64.b64encode(
        bytes(32)).decode()))
    assert recipe["open_slot"](keyslots, slot, ADMIN_PASS)[1] == ["admin"]


# -- cases.db ----------------------------------------------------------------------------
def test_database_opens_with_the_raw_key(made: Made, recipe: dict[str, Any]) -> None:
    data_key = _data_key(made, recipe)
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        def pragma(name: str) -> Any:
            return conn.execute(f"PRAGMA {name}").fetchone()[0]

        shipped = [p for p in MIGRATIONS.iterdir() if re.match(r"^\d{4}_[a-z0-9_]+\.sql$", p.name)]
        assert pragma("application_id") == 0x53484C54 == 1397247060
        assert pragma("user_version") == len(shipped) >= 1
        assert pragma("journal_mode") == "wal"
        assert str(pragma("cipher_page_size")) == "4096"
        assert pragma("cipher_hmac_algorithm") == "HMAC_SHA512"
        assert pragma("cipher_kdf_algorithm") == "PBKDF2_HMAC_SHA512"
        assert str(pragma("kdf_iter")) == "256000"
        assert str(pragma("cipher_plaintext_header_size")) == "0"
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
        objects = conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
        assert f"parsing this schema's {objects} objects" in " ".join(
            DOC.read_text(encoding="utf-8").split()), "section 6.1"

        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"meta", "users", "settings", "audit_events"} <= tables
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        assert meta["vault_id"] == _keyslots(made)["vault_id"]
        assert MICROS_UTC.match(meta["created_at"])
        assert re.fullmatch(r"\d+:[0-9a-f]{64}", meta["audit_head"])

        users = {r[0]: r[1:] for r in conn.execute(
            "SELECT id, username, username_key, roles, status, must_change_passphrase"
            " FROM users")}
        assert users[made.admin_id] == ("admin", "admin", '["admin"]', "active", 0)
        assert users[made.zoe_id] == (ZOE, "zoë", '["caseworker"]', "active", 1)
        assert users[made.gone_id][3] == "disabled"
        organisation = conn.execute("SELECT value FROM settings WHERE key = 'organisation'")
        assert json.loads(organisation.fetchone()[0]) == ORG
    finally:
        conn.close()


def test_a_wrong_key_does_not_open_the_database(made: Made, recipe: dict[str, Any]) -> None:
    with pytest.raises(recipe["sqlcipher"].DatabaseError, match="not a database"):
        recipe["open_database"](made.folder / "cases.db", bytes(32))
    with pytest.raises(FileNotFoundError):
        recipe["open_database"](made.folder / "nothing-here.db", bytes(32))
    assert not (made.folder / "nothing-here.db").exists()


# -- the audit chain ---------------------------------------------------------------------
def test_audit_chain_recomputes_from_first_to_last(made: Made, recipe: dict[str, Any]) -> None:
    data_key = _data_key(made, recipe)
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        rows = conn.execute("SELECT seq, occurred_at, action, outcome, details, hmac"
                            " FROM audit_events ORDER BY seq").fetchall()
        assert recipe["verify_audit_chain"](conn, data_key) == len(rows)
        head = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()[0]
    finally:
        conn.close()
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert head == f"{len(rows)}:{bytes(rows[-1][5]).hex()}"
    assert all(MICROS_UTC.match(r[1]) for r in rows)
    actions = [r[2] for r in rows]
    assert actions[:2] == ["vault.created", "user.added"]
    for expected in ("user.disabled", "vault.backup", "session.lock", "session.sign_in_failed",
                     "session.sign_in"):
        assert expected in actions
    failed = next(r for r in rows if r[2] == "session.sign_in_failed")
    assert failed[3] == "failed"
    assert SECONDS_UTC.match(json.loads(failed[4])["occurred_at"])
    assert actions.index("session.sign_in_failed") < len(actions) - 1 - actions[::-1].index(
        "session.sign_in")


def test_audit_verification_finds_changes(made: Made, recipe: dict[str, Any],
                                          tmp_path: Path) -> None:
    data_key = _data_key(made, recipe)
    for problem, sql in (
        ("was changed", "UPDATE audit_events SET details = '{\"count\":9}' WHERE seq = 2"),
        ("newest audit events are missing",
         "DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)"),
        ("is missing", "DELETE FROM audit_events WHERE seq = 2"),
    ):
        copy = tmp_path / f"copy-{len(problem)}.db"
        shutil.copyfile(made.folder / "cases.db", copy)
        conn = recipe["open_database"](copy, data_key)
        try:
            conn.execute("DROP TRIGGER audit_events_no_update")
            conn.execute("DROP TRIGGER audit_events_no_delete")
            conn.execute(sql)
            conn.commit()
            with pytest.raises(ValueError, match=problem):
                recipe["verify_audit_chain"](conn, data_key)
        finally:
            conn.close()


def test_the_key_files_anchor_catches_a_cut_tail(made: Made, recipe: dict[str, Any],
                                                 tmp_path: Path) -> None:
    """Section 8.6 as a reader of the docs would check it: the key file's anchor is in the
    chain; deleting the newest events together with the head, or every event, is found."""
    data_key = _data_key(made, recipe)
    keyslots = recipe["load_keyslots"](made.folder)
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        assert recipe["check_anchor"](keyslots, conn, data_key) is None
        newest = conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
    finally:
        conn.close()
    assert keyslots["audit_anchor"]["seq"] == newest
    assert SECONDS_UTC.match(keyslots["audit_anchor"]["at"])
    for problem, sql in (
        ("is missing", "DELETE FROM audit_events WHERE seq >= (SELECT max(seq) - 2"
                       " FROM audit_events)"),
        ("is missing", "DELETE FROM audit_events"),
    ):
        copy = tmp_path / f"cut-{len(sql)}.db"
        shutil.copyfile(made.folder / "cases.db", copy)
        conn = recipe["open_database"](copy, data_key)
        try:
            conn.execute("DROP TRIGGER audit_events_no_delete")
            conn.execute(sql)
            conn.execute("DELETE FROM meta WHERE key = 'audit_head'")
            last = conn.execute("SELECT seq, hmac FROM audit_events ORDER BY seq DESC"
                                " LIMIT 1").fetchone()
            if last:  # the head set to what is left, as someone covering the cut would
                conn.execute("INSERT INTO meta (key, value) VALUES ('audit_head', ?)",
                             (f"{last[0]}:{bytes(last[1]).hex()}",))
            conn.commit()
            recipe["verify_audit_chain"](conn, data_key)  # what is left is a whole chain
            assert problem in recipe["check_anchor"](keyslots, conn, data_key)
        finally:
            conn.close()
    forged = dict(keyslots, audit_anchor=dict(keyslots["audit_anchor"], seq=1))
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        assert "was changed" in recipe["check_anchor"](forged, conn, data_key)
    finally:
        conn.close()


# -- the recipe as a program -------------------------------------------------------------
def _run_program(folder: Path, username: str, secret: str, monkeypatch: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str]) -> str:
    """Run section 13's program as `python open_vault.py FOLDER`; returns what it printed."""
    answers = iter([username])
    monkeypatch.setattr(sys, "argv", ["open_vault.py", str(folder)])
    monkeypatch.setattr("builtins.input", lambda _prompt="": next(answers))
    monkeypatch.setattr(getpass, "getpass", lambda _prompt="": secret)
    capsys.readouterr()
    _run(RECIPE, "__main__")
    return capsys.readouterr().out


def _held(out: str) -> list[str]:
    found = re.findall(r"^Keys held: (.*)$", out, flags=re.MULTILINE)
    assert len(found) == 1
    return found[0].split(", ")


def _entitled(roles: list[str], *, rekeyed: bool = False) -> list[str]:
    """Section 3.5: the keys an account with *roles* holds, sorted; the integrity key only
    once a re-key has made it (section 3.10)."""
    return sorted(str(k) for k in keys_for(roles) if rekeyed or k != "integrity")


FIVE_KEYS = ["administration", "case", "database", "health", "legal"]  # before a re-key


@pytest.mark.parametrize("use_recovery_key", [False, True], ids=["passphrase", "recovery-key"])
def test_recipe_runs_as_a_program(made: Made, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str], use_recovery_key: bool
                                  ) -> None:
    secret = made.recovery_key.lower() if use_recovery_key else ADMIN_PASS
    out = _run_program(made.folder, "" if use_recovery_key else "admin", secret, monkeypatch,
                       capsys)
    if use_recovery_key:
        assert "Recovery slot: no roles" in out
    else:
        assert "Roles (signed by an administrator): admin" in out
    assert _held(out) == ["administration", "database"]
    assert f"Schema version: {latest_version()}" in out
    assert re.search(r"^Audit chain intact: \d+ events$", out, flags=re.MULTILINE)
    for table in ("audit_events", "meta", "settings"):
        assert re.search(rf"^{table}: \d+ rows$", out, flags=re.MULTILINE)
    assert "users: 3 rows" in out
    assert "WARNING" not in out and "Note" not in out


def test_recipe_lists_exactly_the_keys_each_role_holds(made: Made,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    """Section 3.5 read back with the document's program: an administrator adds accounts
    (they hold the database key only), a coordinator's session gives the content keys."""
    with signed_in(made.folder) as admin:
        add_user(admin, "cora", "coordinator", passphrase=CORA_PASS)
        add_user(admin, "lena", "legal", passphrase=LENA_PASS)
    accounts = [(ZOE, ZOE_PASS, ["caseworker"]), ("lena", LENA_PASS, ["legal"]),
                ("cora", CORA_PASS, ["coordinator"]), ("admin", ADMIN_PASS, ["admin"])]
    for name, secret, roles in accounts:
        out = _run_program(made.folder, name, secret, monkeypatch, capsys)
        assert f"Roles (signed by an administrator): {', '.join(roles)}" in out
        assert _held(out) == (["administration", "database"] if name == "admin"
                              else ["database"]), "no content key before a coordinator"

    with signed_in(made.folder, "cora", CORA_PASS):
        pass  # a coordinator's session makes the content keys and gives them (two-person rule)
    checks = _keyslots(made)["checks"]
    assert sorted(checks) == ["administration", "case", "database", "health", "legal"]
    for name, secret, roles in accounts:
        out = _run_program(made.folder, name, secret, monkeypatch, capsys)
        assert f"Roles (signed by an administrator): {', '.join(roles)}" in out
        assert _held(out) == _entitled(roles)
        assert "WARNING" not in out
    out = _run_program(made.folder, "", made.recovery_key, monkeypatch, capsys)
    assert _held(out) == FIVE_KEYS

    # the first re-key makes the integrity key, and every account holds it (section 3.10)
    with signed_in(made.folder) as admin:
        admin.vault_admin.rekey()
    for name, secret, roles in accounts:
        out = _run_program(made.folder, name, secret, monkeypatch, capsys)
        assert _held(out) == _entitled(roles, rekeyed=True) == sorted(
            [*_entitled(roles), "integrity"])
        assert "WARNING" not in out and "Note" not in out
    out = _run_program(made.folder, "", made.recovery_key, monkeypatch, capsys)
    assert _held(out) == sorted([*FIVE_KEYS, "integrity"])


def _make_version_1(made: Made, data_key: bytes) -> None:
    """Rewrite the key file as an earlier release wrote it for these accounts (section 11.1):
    every active slot wraps the same data key, the disabled slot stays as it is."""
    current = KeyslotFile.load(made.folder / "keyslots.json")
    old = KeyslotFile(current.vault_id, crypto.key_check(data_key, current.vault_id),
                      audit_anchor=current.audit_anchor, version=1)
    accounts = {made.admin_id: ("admin", ADMIN_PASS), made.zoe_id: (ZOE, ZOE_PASS)}
    for slot in current.slots:
        if slot.status == "disabled":
            old.put(slot)
        elif slot.kind == "recovery":
            old.put(legacy_slot(data_key, current.vault_id, RECOVERY_ID, made.recovery_key,
                                FAST_KDF.default, kind="recovery"))
        else:
            name, secret = accounts[slot.user_id]
            old.put(legacy_slot(data_key, current.vault_id, slot.user_id, secret,
                                FAST_KDF.default, name=name))
    old.save(made.folder / "keyslots.json")


def test_recipe_opens_a_key_file_during_its_upgrade(made: Made, recipe: dict[str, Any],
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    """Section 11.1: a version 1 file, then the slots still waiting after the upgrade, then
    a slot that finished at its own sign-in, all open with the document's program."""
    data_key = _data_key(made, recipe)
    _make_version_1(made, data_key)
    body = _keyslots(made)
    assert body["version"] == 1 and "key_check" in body
    out = _run_program(made.folder, "admin", ADMIN_PASS, monkeypatch, capsys)
    assert "Roles: not recorded in a version 1 key file" in out
    assert _held(out) == ["database"] and "WARNING" not in out

    with signed_in(made.folder):  # the administrator's sign-in upgrades the file
        pass
    body = _keyslots(made)
    assert body["version"] == 2 and "key_check" not in body
    assert sorted(body["checks"]) == ["administration", "case", "database", "health", "legal"]
    slots = {s["user_id"]: s for s in body["slots"]}
    assert slots[made.admin_id]["private_key"]["wrapped_by"] == "passphrase"
    assert "aead" not in slots[made.admin_id]
    for waiting in (made.zoe_id, RECOVERY_ID):
        assert slots[waiting]["private_key"]["wrapped_by"] == "database"
        assert "aead" in slots[waiting]
    assert slots[made.gone_id]["status"] == "disabled"

    # the upgrade gave the content keys at once, to the roles entitled to them
    out = _run_program(made.folder, ZOE, ZOE_PASS, monkeypatch, capsys)
    assert "Roles (signed by an administrator): caseworker" in out
    assert _held(out) == _entitled(["caseworker"])
    assert "has not finished the upgrade" in out and "WARNING" not in out
    out = _run_program(made.folder, "", made.recovery_key, monkeypatch, capsys)
    assert _held(out) == FIVE_KEYS
    assert "has not finished the upgrade" in out
    # the limit of section 11.1: the data key alone unwraps a waiting private key
    keyslots = recipe["load_keyslots"](made.folder)
    zoe = recipe["find_slot"](keyslots, ZOE)
    interim = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"shelter-app migration wrap v2").derive(data_key)
    aad = b"\0".join([b"shelter-app private key v2", keyslots["vault_id"].encode(),
                      made.zoe_id.encode()])
    plain = AESGCM(interim).decrypt(b64(zoe["private_key"]["nonce"]),
                                    b64(zoe["private_key"]["ciphertext"]), aad)
    private_key = X25519PrivateKey.from_private_bytes(plain[:32])
    assert recipe["open_grant"](keyslots, zoe, private_key, "health") is not None

    # a re-key waits for them (sections 3.10 and 11.1): their version 1 wrap holds the first
    # database key, which the re-key keeps, so new keys sealed to them would be as open
    with signed_in(made.folder) as admin, pytest.raises(ValidationError) as refused:
        admin.vault_admin.rekey()
    message = without_marks(refused.value.message)
    assert ZOE in message and "recovery key" in message
    assert recipe["load_keyslots"](made.folder)["epochs"]["database"] == 1

    with signed_in(made.folder, ZOE, ZOE_PASS):  # her own first sign-in finishes her slot
        pass
    zoe_slot = next(s for s in _keyslots(made)["slots"] if s["user_id"] == made.zoe_id)
    assert zoe_slot["private_key"]["wrapped_by"] == "passphrase" and "aead" not in zoe_slot
    out = _run_program(made.folder, ZOE, ZOE_PASS, monkeypatch, capsys)
    assert _held(out) == _entitled(["caseworker"])
    assert "has not finished the upgrade" not in out

    # giving keys with the recovery key finishes the recovery slot (sections 3.5 and 11.1)
    with signed_in(made.folder) as admin:
        admin.accounts.give_keys_with_recovery(made.recovery_key)
    recovery = next(s for s in _keyslots(made)["slots"] if s["user_id"] == RECOVERY_ID)
    assert recovery["private_key"]["wrapped_by"] == "passphrase" and "aead" not in recovery
    out = _run_program(made.folder, "", made.recovery_key, monkeypatch, capsys)
    assert _held(out) == FIVE_KEYS
    assert "has not finished the upgrade" not in out and "WARNING" not in out

    # now the re-key runs; the first database key stays as the integrity key
    with signed_in(made.folder) as admin:
        admin.vault_admin.rekey()
    keyslots = recipe["load_keyslots"](made.folder)
    assert keyslots["epochs"]["database"] == 2 and keyslots["epochs"]["integrity"] == 1
    assert not recipe["key_matches"](keyslots, "database", data_key)
    assert recipe["key_matches"](keyslots, "integrity", data_key)
    out = _run_program(made.folder, ZOE, ZOE_PASS, monkeypatch, capsys)
    assert _held(out) == _entitled(["caseworker"], rekeyed=True)
    out = _run_program(made.folder, "", made.recovery_key, monkeypatch, capsys)
    assert _held(out) == sorted([*FIVE_KEYS, "integrity"])
    assert "WARNING" not in out


def _with_service_notes(made: Made) -> dict[str, str]:
    """Section 7.1 on a vault made by the application: an administrator adds a coordinator, a
    caseworker and a legal volunteer; the coordinator's session makes and gives the content
    keys, opens a case for the caseworker (a survivor with a date of birth and access needs,
    a case of forced labour with a safety plan), shares it with the legal volunteer, adds a
    partner, records the survivor's consent to share her identity with it and adds a
    recruitment event to the timeline; the caseworker records a health and a shelter
    service, books a medical appointment with notes, refers the survivor to the partner,
    adds a task for herself, due today, adds a scan as an attachment and keeps a draft of
    the case's profile; the legal volunteer opens a legal matter, adds an evidence item to
    it and keeps a draft of a legal form.  Returns the ids by class: service entries'
    "health" and "case", the legal matter's "legal", the appointment's "appointment", the
    referral's "referral", the task's "task", the consent's "consent", the timeline
    event's "timeline", the attachment's "attachment", the evidence item's "evidence", and
    the case's "case_id", its survivor's "survivor", the partner's "partner" and the
    caseworker's "carl"."""
    with signed_in(made.folder) as admin:
        add_user(admin, "cora", "coordinator", passphrase=CORA_PASS, temporary=False)
        carl = add_user(admin, "carl", "caseworker", passphrase=CARL_PASS, temporary=False)
        lena = add_user(admin, "lena", "legal", passphrase=LENA_PASS, temporary=False)
    with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
        record = coordinator.cases.create(
            SurvivorInput(legal_name="Ana Test", birth_date=BIRTH_DATE,
                          access_needs=ACCESS_NEEDS),
            CaseInput(assigned_to=carl, exploitation_types=["forced_labour"],
                      safety_plan=SAFETY_PLAN))
        case_id, survivor_id = record.id, record.survivor_id
        coordinator.cases.share(case_id, lena)
        partner_id = coordinator.partners.add("Riverside Clinic", "health",
                                              services=["medical"]).id
        consent = coordinator.consent.record(case_id, sections=["identity"],
                                             purpose=CONSENT_PURPOSE, given_by="survivor",
                                             method="written", given_on=dt.date.today(),
                                             partner_id=partner_id)
        event = coordinator.timeline.add(case_id, "recruitment", place=TIMELINE_PLACE,
                                         description=TIMELINE_DESCRIPTION)
    today = dt.date.today()
    with signed_in(made.folder, "carl", CARL_PASS) as caseworker:
        health = caseworker.care.record(case_id, "medical", provided_on=today,
                                        notes=HEALTH_NOTE)
        shelter = caseworker.care.record(case_id, "safe_shelter", provided_on=today,
                                         notes=SHELTER_NOTE)
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)
        appointment = caseworker.appointments.schedule(
            case_id, "medical", start, start + dt.timedelta(hours=1), notes=APPOINTMENT_NOTE)
        referral = caseworker.referrals.create(case_id, partner_id, services=["medical"],
                                               reason=REFERRAL_REASON)
        task = caseworker.tasks.create(case_id, TASK_WHAT, assigned_to=carl, due_on=today)
        attachment = caseworker.attachments.add(case_id, ATTACHMENT_NAME, PDF,
                                                label=ATTACHMENT_LABEL)
        caseworker.drafts.save("case_profile", PROFILE_DRAFT, case_id=case_id)
    with signed_in(made.folder, "lena", LENA_PASS) as legal_volunteer:
        matter = legal_volunteer.legal.open(case_id, "residence_permit",
                                            authority_ref=LEGAL_REF, notes=LEGAL_NOTE)
        evidence = legal_volunteer.legal.add_evidence(matter.id, EVIDENCE_LABEL)
        legal_volunteer.drafts.save("legal_form", LEGAL_DRAFT, case_id=case_id)
    return {"health": health.id, "case": shelter.id, "legal": matter.id,
            "appointment": appointment.id, "referral": referral.id, "task": task.id,
            "consent": consent.id, "timeline": event.id, "attachment": attachment.id,
            "evidence": evidence.id, "case_id": case_id, "survivor": survivor_id,
            "partner": partner_id, "carl": carl}


def _documented_fields_sealed() -> str:
    """The value section 7's meta table gives `fields_sealed` once nothing plain is left."""
    found = re.findall(r"^\| `fields_sealed` \| `([^`]+)`", DOC.read_text(encoding="utf-8"),
                       flags=re.MULTILINE)
    assert len(found) == 1
    return str(found[0])


def _notes_line(out: str, label: str = "Service entry notes") -> tuple[int, int]:
    found = re.findall(rf"^{label}: (\d+) open with these keys, (\d+) cannot"
                       r" \(no key\)$", out, flags=re.MULTILINE)
    assert len(found) == 1, out
    return int(found[0][0]), int(found[0][1])


def test_recipe_opens_the_notes_its_keys_allow(made: Made, recipe: dict[str, Any],
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Section 7.1 read back with the document's program: the caseworker's passphrase opens
    her health note, the legal volunteer's cannot (no health key); the legal matter, the
    appointment's notes, the referral's reason, declined reason and outcome, what the task
    says, the consent's purpose, guardian's name and withdrawal note and the timeline
    event's place and description open for the legal volunteer, the caseworker and the
    coordinator; so do the survivor's name, the case's exploitation types, the attachment's
    file and the evidence item's label; the survivor's access needs open for the caseworker
    and the coordinator only, and each kept draft for the holders of its key; the
    administrator's opens none of them; the program prints counts, never a note."""
    entries = _with_service_notes(made)
    secrets = {"carl": CARL_PASS, "lena": LENA_PASS, "cora": CORA_PASS, "admin": ADMIN_PASS,
               "": made.recovery_key}
    labels = ("Service entry notes", "Legal matter notes", "Appointment notes",
              "Referral reasons", "Task texts", "Consent purposes", "Timeline descriptions",
              "Survivor names", "Access needs", "Exploitation types", "Attachment files",
              "Evidence labels", "Kept drafts")
    every = ((2, 0), *[(1, 0)] * 11, (2, 0))  # the two drafts: under health and legal
    counts = {"carl": every, "cora": every, "": every,
              "lena": ((1, 1), *[(1, 0)] * 7, (0, 1), (1, 0), (1, 0), (1, 0), (1, 1)),
              "admin": ((0, 2), *[(0, 1)] * 11, (0, 2))}
    contents = (HEALTH_NOTE, SHELTER_NOTE, LEGAL_REF, LEGAL_NOTE, APPOINTMENT_NOTE,
                REFERRAL_REASON, TASK_WHAT, CONSENT_PURPOSE, TIMELINE_PLACE,
                TIMELINE_DESCRIPTION, "Ana Test", BIRTH_DATE, ACCESS_NEEDS, SAFETY_PLAN,
                "forced_labour", ATTACHMENT_LABEL, ATTACHMENT_NAME, EVIDENCE_LABEL,
                "Wheelchair access")
    for name, expected in counts.items():
        out = _run_program(made.folder, name, secrets[name], monkeypatch, capsys)
        assert [_notes_line(out, label) for label in labels] == list(expected), name
        assert "WARNING" not in out
        assert all(s not in out for s in contents)

    keyslots = recipe["load_keyslots"](made.folder)

    def keys_of(name: str) -> dict[str, bytes]:
        keys: dict[str, bytes] = recipe["open_slot"](
            keyslots, recipe["find_slot"](keyslots, name), secrets[name])[0]
        return keys

    carl, lena, cora, admin = (keys_of(n) for n in ("carl", "lena", "cora", "admin"))
    conn = recipe["open_database"](made.folder / "cases.db", admin["database"])
    try:
        stored = {r[0]: r[1:] for r in conn.execute(
            "SELECT id, outcome, notes FROM service_entries").fetchall()}
        matter = conn.execute("SELECT authority_ref, notes FROM legal_matters WHERE id = ?",
                              (entries["legal"],)).fetchone()
        [(appointment_note,)] = conn.execute("SELECT notes FROM appointments").fetchall()
        [(referral_id, *referral_texts)] = conn.execute(
            "SELECT id, reason, declined_reason, outcome FROM referrals").fetchall()
        [(task_id, task_what, task_person, task_due, task_done)] = conn.execute(
            "SELECT id, what, assigned_to, due_on, done_at FROM tasks").fetchall()
        [(consent_id, *consent_texts)] = conn.execute(
            "SELECT id, purpose, guardian_name, withdrawal_note FROM consents").fetchall()
        consent_plain = conn.execute(
            "SELECT sections, partner_id, any_referral, given_by, method, interpreter_used,"
            " given_on, expires_on, withdrawn_on FROM consents").fetchone()
        [(event_id, *event_texts)] = conn.execute(
            "SELECT id, place, description FROM timeline_events").fetchall()
        event_plain = conn.execute(
            "SELECT stage, country, date_from, date_to FROM timeline_events").fetchone()
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()
    health_note, shelter_note = stored[entries["health"]][1], stored[entries["case"]][1]
    for outcome, notes in stored.values():  # sealed; the empty outcome stays empty
        assert recipe["is_sealed"](notes) and outcome == ""
    assert HEALTH_NOTE not in health_note and SHELTER_NOTE not in shelter_note
    legal_ref, legal_note = matter
    assert recipe["is_sealed"](legal_ref) and recipe["is_sealed"](legal_note)
    assert LEGAL_REF not in legal_ref and LEGAL_NOTE not in legal_note

    def opened(keys: dict[str, bytes], name: str, entry: str, value: str,
               table: str = "service_entries", column: str = "notes") -> str | None:
        text: str | None = recipe["open_field"](keys, name, table, entry, column, value)
        return text

    assert opened(carl, "health", entries["health"], health_note) == HEALTH_NOTE
    assert opened(carl, "case", entries["case"], shelter_note) == SHELTER_NOTE
    assert opened(lena, "health", entries["health"], health_note) is None
    assert opened(lena, "case", entries["case"], shelter_note) == SHELTER_NOTE
    assert opened(admin, "health", entries["health"], health_note) is None
    assert opened(admin, "case", entries["case"], shelter_note) is None
    with pytest.raises(InvalidTag):  # the legal volunteer's case key is not the health key
        opened({"health": lena["case"]}, "health", entries["health"], health_note)

    # the legal matter: the legal volunteer, caseworker and coordinator open it, not the
    # administrator (section 3.5's table)
    for name, keys in (("lena", lena), ("carl", carl), ("cora", cora), ("admin", admin)):
        expected = (LEGAL_REF, LEGAL_NOTE) if name != "admin" else (None, None)
        assert (opened(keys, "legal", entries["legal"], legal_ref, "legal_matters",
                       "authority_ref"),
                opened(keys, "legal", entries["legal"], legal_note, "legal_matters",
                       "notes")) == expected, name
    with pytest.raises(InvalidTag):  # bound to its column
        opened(lena, "legal", entries["legal"], legal_note, "legal_matters", "authority_ref")
    with pytest.raises(InvalidTag):  # and to the legal key
        opened({"legal": lena["case"]}, "legal", entries["legal"], legal_note,
               "legal_matters")

    # the appointment's notes, under the case key: the legal volunteer (the case is shared
    # with her), the caseworker and the coordinator open them, not the administrator
    assert recipe["is_sealed"](appointment_note) and APPOINTMENT_NOTE not in appointment_note
    for name, keys in (("lena", lena), ("carl", carl), ("cora", cora), ("admin", admin)):
        note = APPOINTMENT_NOTE if name != "admin" else None
        assert opened(keys, "case", entries["appointment"], appointment_note,
                      "appointments") == note, name
    for table, column in (("service_entries", "notes"), ("appointments", "outcome")):
        with pytest.raises(InvalidTag):  # bound to its table and column
            opened(carl, "case", entries["appointment"], appointment_note, table, column)
    with pytest.raises(InvalidTag):  # and to the case key, even for a medical appointment
        opened({"case": carl["health"]}, "case", entries["appointment"], appointment_note,
               "appointments")
    with signed_in(made.folder, "lena", LENA_PASS) as legal_volunteer:  # and in the app
        [booked] = legal_volunteer.appointments.list_for_case(entries["case_id"])
        assert booked.notes == APPOINTMENT_NOTE

    # the referral's reason, declined reason and outcome, under the case key: the reason
    # sealed at its making, the two later ones empty text, stored empty; the legal
    # volunteer's case key opens the reason with this page, the administrator's keys do not
    assert referral_id == entries["referral"]
    reason, declined, outcome = referral_texts
    assert recipe["is_sealed"](reason) and (declined, outcome) == ("", "")
    assert REFERRAL_REASON not in reason
    columns = ("reason", "declined_reason", "outcome")
    for name, keys in (("lena", lena), ("carl", carl), ("cora", cora), ("admin", admin)):
        texts = (REFERRAL_REASON, "", "") if name != "admin" else (None, "", "")
        assert tuple(opened(keys, "case", referral_id, value, "referrals", column)
                     for value, column in zip(referral_texts, columns, strict=True)
                     ) == texts, name
    for table, column in (("referrals", "outcome"), ("appointments", "reason")):
        with pytest.raises(InvalidTag):  # bound to its table and column
            opened(carl, "case", referral_id, reason, table, column)
    with pytest.raises(InvalidTag):  # and to the case key, even for a medical referral
        opened({"case": carl["health"]}, "case", referral_id, reason, "referrals", "reason")
    with signed_in(made.folder, "carl", CARL_PASS) as caseworker:  # and in the app
        assert caseworker.referrals.get(referral_id).reason == REFERRAL_REASON
    with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
        made_referral = coordinator.referrals.get(referral_id)
        assert (made_referral.reason, made_referral.declined_reason,
                made_referral.outcome) == (REFERRAL_REASON, "", "")
    with signed_in(made.folder, "lena", LENA_PASS) as legal_volunteer:
        with pytest.raises(PermissionDenied) as refused:  # her role, not a missing key
            legal_volunteer.referrals.get(referral_id)
        assert not isinstance(refused.value, KeysNotGiven)

    # what the task says, under the case key; who does it, its due date and whether it is
    # done stay plain.  The caseworker (her case), the coordinator and the legal volunteer
    # (the case key) open it with this page; the administrator's keys do not
    assert task_id == entries["task"]
    assert recipe["is_sealed"](task_what) and TASK_WHAT not in task_what
    assert (task_person, task_due, task_done) == (entries["carl"], dt.date.today().isoformat(),
                                                  None)
    for name, keys in (("carl", carl), ("cora", cora), ("lena", lena), ("admin", admin)):
        what = TASK_WHAT if name != "admin" else None
        assert opened(keys, "case", task_id, task_what, "tasks", "what") == what, name
    for table, column in (("tasks", "notes"), ("referrals", "what")):
        with pytest.raises(InvalidTag):  # bound to its table and column
            opened(carl, "case", task_id, task_what, table, column)
    with pytest.raises(InvalidTag):  # and to its row
        opened(carl, "case", referral_id, task_what, "tasks", "what")
    with pytest.raises(InvalidTag):  # and to the case key
        opened({"case": carl["health"]}, "case", task_id, task_what, "tasks", "what")
    with signed_in(made.folder, "carl", CARL_PASS) as caseworker:  # and in the app
        assert caseworker.tasks.get(task_id).what == TASK_WHAT
        [mine] = caseworker.day.my_day().group("tasks").items  # My day reads it too
        assert (mine.record_id, mine.text) == (task_id, TASK_WHAT)
    with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
        assert [t.what for t in coordinator.tasks.list_for_case(entries["case_id"])
                ] == [TASK_WHAT]
    with signed_in(made.folder, "lena", LENA_PASS) as legal_volunteer:  # shared with her
        assert [t.what for t in legal_volunteer.tasks.list_for_case(entries["case_id"])
                ] == [TASK_WHAT]
    with signed_in(made.folder) as administrator:
        with pytest.raises(PermissionDenied) as refused:  # her role, not a missing key
            administrator.tasks.get(task_id)
        assert not isinstance(refused.value, KeysNotGiven)

    # the consent's purpose, guardian's name and withdrawal note, under the case key: all
    # three written when it is recorded, the purpose sealed, the two empty ones empty;
    # its sections, recipient, who gave it, method, interpreter and dates stay plain.  The
    # caseworker, the coordinator and the legal volunteer (the case key) open the texts
    # with this page; the administrator's keys do not
    assert consent_id == entries["consent"]
    purpose, guardian, withdrawal = consent_texts
    assert recipe["is_sealed"](purpose) and (guardian, withdrawal) == ("", "")
    assert CONSENT_PURPOSE not in purpose
    assert consent_plain == ('["identity"]', entries["partner"], 0, "survivor", "written", 0,
                             dt.date.today().isoformat(), None, None)
    consent_columns = ("purpose", "guardian_name", "withdrawal_note")
    for name, keys in (("carl", carl), ("cora", cora), ("lena", lena), ("admin", admin)):
        texts = (CONSENT_PURPOSE, "", "") if name != "admin" else (None, "", "")
        assert tuple(opened(keys, "case", consent_id, value, "consents", column)
                     for value, column in zip(consent_texts, consent_columns, strict=True)
                     ) == texts, name
    for table, column in (("consents", "guardian_name"), ("referrals", "purpose")):
        with pytest.raises(InvalidTag):  # bound to its table and column
            opened(carl, "case", consent_id, purpose, table, column)
    with pytest.raises(InvalidTag):  # and to its row
        opened(carl, "case", task_id, purpose, "consents", "purpose")
    with pytest.raises(InvalidTag):  # and to the case key
        opened({"case": carl["health"]}, "case", consent_id, purpose, "consents", "purpose")

    # the timeline event's place and description, under the case key; its stage, country
    # and dates stay plain
    assert event_id == entries["timeline"]
    place, description = event_texts
    assert all(recipe["is_sealed"](value) for value in event_texts)
    assert TIMELINE_PLACE not in place and TIMELINE_DESCRIPTION not in description
    assert event_plain == ("recruitment", None, None, None)
    for name, keys in (("carl", carl), ("cora", cora), ("lena", lena), ("admin", admin)):
        expected = (TIMELINE_PLACE, TIMELINE_DESCRIPTION) if name != "admin" else (None, None)
        assert (opened(keys, "case", event_id, place, "timeline_events", "place"),
                opened(keys, "case", event_id, description, "timeline_events",
                       "description")) == expected, name
    for table, column in (("timeline_events", "description"), ("consents", "place")):
        with pytest.raises(InvalidTag):  # bound to its table and column
            opened(carl, "case", event_id, place, table, column)
    with pytest.raises(InvalidTag):  # and to its row
        opened(carl, "case", consent_id, place, "timeline_events", "place")
    with pytest.raises(InvalidTag):  # and to the case key
        opened({"case": carl["health"]}, "case", event_id, place, "timeline_events", "place")

    # and in the application: the caseworker (her case), the coordinator and the legal
    # volunteer (shared with her) read both; the consent check works on the plain columns
    # and returns the consent with its purpose opened; the administrator is refused by her
    # role, not for a missing key
    for who, secret in (("carl", CARL_PASS), ("cora", CORA_PASS), ("lena", LENA_PASS)):
        with signed_in(made.folder, who, secret) as reader:
            [shown] = reader.consent.list(entries["case_id"])
            assert (shown.id, shown.purpose, shown.guardian_name, shown.sections,
                    shown.partner_id) == (consent_id, CONSENT_PURPOSE, "", ("identity",),
                                          entries["partner"]), who
            [line] = reader.timeline.list(entries["case_id"])
            assert (line.id, line.stage, line.place, line.description) == (
                event_id, "recruitment", TIMELINE_PLACE, TIMELINE_DESCRIPTION), who
            [covering] = reader.consent.check(entries["case_id"], entries["partner"],
                                              ["identity"])
            assert (covering.id, covering.purpose) == (consent_id, CONSENT_PURPOSE), who
    with signed_in(made.folder) as administrator:
        for read in (lambda: administrator.consent.list(entries["case_id"]),
                     lambda: administrator.timeline.list(entries["case_id"])):
            with pytest.raises(PermissionDenied) as refused:
                read()
            assert not isinstance(refused.value, KeysNotGiven)

    # the meta table of section 7: the pass found nothing plain and said so, and the name
    # index holds keyed tags
    assert meta["fields_sealed"] == _documented_fields_sealed() == "7"
    assert meta["name_index"] == "keyed1"
    text = DOC.read_text(encoding="utf-8")
    meta_table = text[text.index("| key | value |"):text.index("### users")]
    assert all(f"| `{key}` |" in meta_table for key in meta)

    # a note copied to another row or column does not open there: the program warns
    conn = recipe["open_database"](made.folder / "cases.db", admin["database"])
    try:
        conn.execute("UPDATE service_entries SET notes = ? WHERE id = ?",
                     (health_note, entries["case"]))
        conn.execute("UPDATE legal_matters SET notes = ? WHERE id = ?",
                     (legal_ref, entries["legal"]))
        conn.execute("UPDATE appointments SET notes = ? WHERE id = ?",
                     (shelter_note, entries["appointment"]))
        conn.execute("UPDATE referrals SET reason = ? WHERE id = ?", (health_note, referral_id))
        conn.execute("UPDATE tasks SET what = ? WHERE id = ?", (reason, task_id))
        conn.execute("UPDATE consents SET purpose = ? WHERE id = ?", (task_what, consent_id))
        conn.execute("UPDATE timeline_events SET description = ? WHERE id = ?",
                     (place, event_id))
        conn.execute("UPDATE survivors SET legal_name = contact, access_needs = safe_contact")
        conn.execute("UPDATE cases SET exploitation_types = safety_plan")
        conn.execute("UPDATE evidence_items SET label = ?", (legal_note,))
        conn.execute("UPDATE drafts SET content = (SELECT d.content FROM drafts d"
                     " WHERE d.id != drafts.id)")
        [(file,)] = conn.execute("SELECT content FROM attachments").fetchall()
        conn.execute("UPDATE attachments SET content = ?",
                     (bytes(file)[:-1] + bytes([file[-1] ^ 1]),))
        conn.commit()
    finally:
        conn.close()
    out = _run_program(made.folder, "carl", CARL_PASS, monkeypatch, capsys)
    assert "WARNING, survivors: a name does not open with its key" in out
    assert "WARNING, survivors' access needs: a value does not open with its key" in out
    assert "WARNING, cases: a list of types does not open with its key" in out
    assert "WARNING, attachments: a file does not open with its key" in out
    assert "WARNING, evidence items: a label does not open with its key" in out
    assert "WARNING, kept drafts: a draft does not open with its key" in out
    assert "WARNING, service entries: a note does not open with its key" in out
    assert "WARNING, legal matters: a note does not open with its key" in out
    assert "WARNING, appointments: a note does not open with its key" in out
    assert "WARNING, referrals: a reason does not open with its key" in out
    assert "WARNING, tasks: a text does not open with its key" in out
    assert "WARNING, consents: a purpose does not open with its key" in out
    assert "WARNING, timeline events: a description does not open with its key" in out


def _pass_state(made: Made, recipe: dict[str, Any], data_key: bytes
                ) -> tuple[list[Any], dict[str, str], str | None, list[Any]]:
    """(row versions of the seven tables, {row id: notes, a referral's reason, what a task
    says, a consent's purpose or a timeline event's description}, meta fields_sealed, the
    key.fields_sealed events), read with the document's code."""
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        rows = [conn.execute(f"SELECT id, row_version, updated_at, updated_by FROM {table}"  # noqa: S608
                             " ORDER BY id").fetchall()
                for table in ("service_entries", "legal_matters", "appointments",
                              "referrals", "tasks", "consents", "timeline_events")]
        notes = dict(conn.execute("SELECT id, notes FROM service_entries UNION ALL"
                                  " SELECT id, notes FROM legal_matters UNION ALL"
                                  " SELECT id, notes FROM appointments UNION ALL"
                                  " SELECT id, reason FROM referrals UNION ALL"
                                  " SELECT id, what FROM tasks UNION ALL"
                                  " SELECT id, purpose FROM consents UNION ALL"
                                  " SELECT id, description FROM timeline_events").fetchall())
        flag = conn.execute("SELECT value FROM meta WHERE key = 'fields_sealed'").fetchone()
        events = conn.execute("SELECT actor_id, target_type, target_id, details"
                              " FROM audit_events WHERE action = 'key.fields_sealed'"
                              " ORDER BY seq").fetchall()
    finally:
        conn.close()
    return rows, notes, flag[0] if flag else None, events


def test_plain_notes_from_before_are_sealed_once(made: Made, recipe: dict[str, Any],
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Section 7.1's one-time pass: plain values are read as they are, left plain by an
    administrator's session, sealed in place by the first sessions holding their keys (the
    legal volunteer's: the legal matter, the shelter entry, the appointment, the referral,
    the task, the consent and the timeline event; the caseworker's: the health entry), with
    no new row version, one
    key.fields_sealed event each, and the meta flag once nothing plain is left.  A note
    that merely begins with the prefix is plain."""
    entries = _with_service_notes(made)
    data_key = _data_key(made, recipe)
    plain = {entries["health"]: "sf1: plain from before", entries["case"]: "plain from before",
             entries["legal"]: "plain legal note", entries["appointment"]: "plain appointment",
             entries["referral"]: "plain referral reason", entries["task"]: "plain task",
             entries["consent"]: "plain consent purpose",
             entries["timeline"]: "plain timeline description"}
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        for row_id in (entries["health"], entries["case"]):
            conn.execute("UPDATE service_entries SET notes = ?, outcome = '' WHERE id = ?",
                         (plain[row_id], row_id))
        conn.execute("UPDATE legal_matters SET notes = ?, authority_ref = ? WHERE id = ?",
                     (plain[entries["legal"]], LEGAL_REF, entries["legal"]))
        conn.execute("UPDATE appointments SET notes = ? WHERE id = ?",
                     (plain[entries["appointment"]], entries["appointment"]))
        conn.execute("UPDATE referrals SET reason = ?, declined_reason = '', outcome = ''"
                     " WHERE id = ?", (plain[entries["referral"]], entries["referral"]))
        conn.execute("UPDATE tasks SET what = ? WHERE id = ?",
                     (plain[entries["task"]], entries["task"]))
        conn.execute("UPDATE consents SET purpose = ?, guardian_name = '',"
                     " withdrawal_note = '' WHERE id = ?",
                     (plain[entries["consent"]], entries["consent"]))
        conn.execute("UPDATE timeline_events SET place = 'plain place', description = ?"
                     " WHERE id = ?", (plain[entries["timeline"]], entries["timeline"]))
        conn.execute("DELETE FROM meta WHERE key = 'fields_sealed'")
        conn.commit()
    finally:
        conn.close()
    before, _notes, _flag, _events = _pass_state(made, recipe, data_key)
    out = _run_program(made.folder, "admin", ADMIN_PASS, monkeypatch, capsys)
    assert _notes_line(out) == (2, 0), "a plain note is read with the data key alone"
    assert _notes_line(out, "Legal matter notes") == (1, 0)
    assert _notes_line(out, "Appointment notes") == (1, 0)
    assert _notes_line(out, "Referral reasons") == (1, 0)
    assert _notes_line(out, "Task texts") == (1, 0)
    assert _notes_line(out, "Consent purposes") == (1, 0)
    assert _notes_line(out, "Timeline descriptions") == (1, 0)

    with signed_in(made.folder):  # no content key: nothing is sealed
        pass
    _rows, notes, flag, events = _pass_state(made, recipe, data_key)
    assert notes == plain and flag is None and events == []

    vault_id = _keyslots(made)["vault_id"]
    with signed_in(made.folder, "lena", LENA_PASS) as legal_volunteer:  # case and legal keys
        lena_id = legal_volunteer.session.user_id
    rows, notes, flag, events = _pass_state(made, recipe, data_key)
    assert rows == before, "the same content in another form: no new row version"
    assert notes[entries["health"]] == plain[entries["health"]], "no health key"
    assert recipe["is_sealed"](notes[entries["case"]])
    assert recipe["is_sealed"](notes[entries["legal"]])
    assert recipe["is_sealed"](notes[entries["appointment"]])
    assert recipe["is_sealed"](notes[entries["referral"]])
    assert recipe["is_sealed"](notes[entries["task"]])
    assert recipe["is_sealed"](notes[entries["consent"]])
    assert recipe["is_sealed"](notes[entries["timeline"]])
    assert flag is None and events == [(lena_id, "vault", vault_id, '{"count":7}')]

    with signed_in(made.folder, "carl", CARL_PASS) as caseworker:
        carl_id = caseworker.session.user_id
    rows, notes, flag, events = _pass_state(made, recipe, data_key)
    assert rows == before
    assert all(recipe["is_sealed"](n) for n in notes.values())
    assert flag == _documented_fields_sealed() == "7"
    assert events[1:] == [(carl_id, "vault", vault_id, '{"count":1}')]

    keyslots = recipe["load_keyslots"](made.folder)
    keys = recipe["open_slot"](keyslots, recipe["find_slot"](keyslots, "carl"), CARL_PASS)[0]
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        reference = conn.execute("SELECT authority_ref FROM legal_matters WHERE id = ?",
                                 (entries["legal"],)).fetchone()[0]
        declined, outcome = conn.execute("SELECT declined_reason, outcome FROM referrals"
                                         " WHERE id = ?", (entries["referral"],)).fetchone()
        guardian, withdrawal = conn.execute("SELECT guardian_name, withdrawal_note FROM"
                                            " consents WHERE id = ?",
                                            (entries["consent"],)).fetchone()
        place = conn.execute("SELECT place FROM timeline_events WHERE id = ?",
                             (entries["timeline"],)).fetchone()[0]
    finally:
        conn.close()
    open_field = recipe["open_field"]
    assert open_field(keys, "health", "service_entries", entries["health"], "notes",
                      notes[entries["health"]]) == "sf1: plain from before"
    assert open_field(keys, "legal", "legal_matters", entries["legal"], "notes",
                      notes[entries["legal"]]) == "plain legal note"
    assert open_field(keys, "legal", "legal_matters", entries["legal"], "authority_ref",
                      reference) == LEGAL_REF
    assert open_field(keys, "case", "appointments", entries["appointment"], "notes",
                      notes[entries["appointment"]]) == "plain appointment"
    assert open_field(keys, "case", "referrals", entries["referral"], "reason",
                      notes[entries["referral"]]) == "plain referral reason"
    for column, value in (("declined_reason", declined), ("outcome", outcome)):
        assert value == "", "the empty texts beside it are stored empty"
        assert open_field(keys, "case", "referrals", entries["referral"], column, value) == ""
    assert open_field(keys, "case", "tasks", entries["task"], "what",
                      notes[entries["task"]]) == "plain task"
    assert open_field(keys, "case", "consents", entries["consent"], "purpose",
                      notes[entries["consent"]]) == "plain consent purpose"
    for column, value in (("guardian_name", guardian), ("withdrawal_note", withdrawal)):
        assert value == "", "the empty texts beside it are stored empty"
        assert open_field(keys, "case", "consents", entries["consent"], column, value) == ""
    assert open_field(keys, "case", "timeline_events", entries["timeline"], "description",
                      notes[entries["timeline"]]) == "plain timeline description"
    assert open_field(keys, "case", "timeline_events", entries["timeline"], "place",
                      place) == "plain place"
    with signed_in(made.folder, "carl", CARL_PASS) as caseworker:  # read back in the app
        [matter] = caseworker.legal.list(entries["case_id"])
        assert (matter.authority_ref, matter.notes) == (LEGAL_REF, "plain legal note")
        [booked] = caseworker.appointments.list_for_case(entries["case_id"])
        assert booked.notes == "plain appointment"
        assert caseworker.referrals.get(entries["referral"]).reason == "plain referral reason"
        assert caseworker.tasks.get(entries["task"]).what == "plain task"
        [consent] = caseworker.consent.list(entries["case_id"])
        assert consent.purpose == "plain consent purpose"
        [event] = caseworker.timeline.list(entries["case_id"])
        assert (event.place, event.description) == ("plain place",
                                                    "plain timeline description")
    assert len(_pass_state(made, recipe, data_key)[3]) == 2, "the flag: no pass any more"


def _write_identity_plain(conn: Any, entries: dict[str, str]) -> None:
    """What every version before schema version 6 wrote: the survivor's, the case's, the
    attachment's, the evidence item's and the drafts' columns plain, the name index in
    plain words, no birth_key, situation_tags or sealed_under, and no name_index flag."""
    conn.execute("UPDATE survivors SET legal_name = 'Ana Test', preferred_name = '',"
                 " aliases = '[]', birth_date = ?, gender = 'unknown', citizenship = '[]',"
                 " languages = '[]', interpreter_language = NULL,"
                 " contact = '{\"address\": \"\", \"email\": \"\", \"phone\": \"\"}',"
                 " safe_contact = '{}', identity_documents = '[]', guardian = '{}',"
                 " access_needs = ?, birth_key = NULL", (BIRTH_DATE, ACCESS_NEEDS))
    conn.execute("UPDATE cases SET referral_source = '', identified_by = NULL,"
                 " exploitation_types = '[\"forced_labour\"]', means_of_control = '[]',"
                 " recruitment_method = NULL, recruiter_relationship = NULL, safety_plan = ?,"
                 " situation_tags = ''", (SAFETY_PLAN,))
    conn.execute("UPDATE attachments SET label = ?, file_name = ?, sha256 = ?, content = ?",
                 (ATTACHMENT_LABEL, ATTACHMENT_NAME, hashlib.sha256(PDF).hexdigest(), PDF))
    conn.execute("UPDATE evidence_items SET label = ?", (EVIDENCE_LABEL,))
    for kind, changes in (("case_profile", PROFILE_DRAFT), ("legal_form", LEGAL_DRAFT)):
        conn.execute("UPDATE drafts SET content = ?, sealed_under = NULL WHERE kind = ?",
                     (json.dumps({"changes": changes}, ensure_ascii=False, sort_keys=True),
                      kind))
    conn.execute("DELETE FROM case_search")
    conn.execute("DELETE FROM case_keys")
    conn.execute("INSERT INTO case_search (rowid, terms) SELECT search_id,"
                 " 'ana test ' || lower(code) FROM cases")
    conn.execute("INSERT INTO case_keys (rowid, keys) SELECT search_id, 'an tst' FROM cases")
    conn.execute("DELETE FROM meta WHERE key = 'name_index'")


@pytest.mark.parametrize("level", ["1", "2", "3", "4", "5", "6"])
def test_a_vault_of_an_earlier_level_seals_what_it_left_plain(made: Made,
                                                               recipe: dict[str, Any],
                                                               level: str) -> None:
    """Section 7's meta flag: a vault at level 1 (service entries sealed; legal matters,
    appointments, referrals, tasks, consents and the timeline written plain), 2
    (appointments, referrals, tasks, consents and the timeline written plain), 3 (referrals,
    tasks, consents and the timeline written plain), 4 (tasks, consents and the timeline
    written plain), 5 (consents and the timeline written plain) or 6 (all of those sealed),
    where in every case survivors, cases, kept drafts, attachments and evidence items were
    written plain and the name index holds plain words, runs the pass again at the next
    sign-in of a caseworker, is then at level 7, and has its name index, dates of birth and
    exploitation types as the keyed tags of section 7.2."""
    entries = _with_service_notes(made)
    data_key = _data_key(made, recipe)
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        if level == "1":
            conn.execute("UPDATE legal_matters SET notes = 'plain legal note',"
                         " authority_ref = ?", (LEGAL_REF,))
        if level in ("1", "2"):
            conn.execute("UPDATE appointments SET notes = 'plain appointment'")
        if level in ("1", "2", "3"):
            conn.execute("UPDATE referrals SET reason = 'plain referral reason',"
                         " declined_reason = '', outcome = ''")
        if level in ("1", "2", "3", "4"):
            conn.execute("UPDATE tasks SET what = 'plain task'")
        if level != "6":
            conn.execute("UPDATE consents SET purpose = 'plain consent purpose',"
                         " guardian_name = '', withdrawal_note = ''")
            conn.execute("UPDATE timeline_events SET place = 'plain place',"
                         " description = 'plain timeline description'")
        _write_identity_plain(conn, entries)
        conn.execute("UPDATE meta SET value = ? WHERE key = 'fields_sealed'", (level,))
        conn.commit()
        before = conn.execute("SELECT rowid FROM case_search WHERE case_search MATCH"
                              " '\"ana\"'").fetchall()
    finally:
        conn.close()
    assert len(before) == 1, "the plain index of an earlier version finds the plain word"
    text = DOC.read_text(encoding="utf-8")
    meta_row = re.findall(r"^\| `fields_sealed` \|.*$", text, flags=re.MULTILINE)[0]
    assert f"`{level}`" in meta_row, "the document gives the meaning of every earlier level"
    with signed_in(made.folder):  # an administrator's session: no key, nothing changes
        pass
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        untouched = conn.execute("SELECT s.legal_name, c.safety_plan, m.value FROM survivors s"
                                 " JOIN cases c ON c.survivor_id = s.id LEFT JOIN meta m"
                                 " ON m.key = 'name_index'").fetchone()
    finally:
        conn.close()
    assert untouched == ("Ana Test", SAFETY_PLAN, None)

    with signed_in(made.folder, "carl", CARL_PASS) as caseworker:
        carl_id = caseworker.session.user_id
        [found] = caseworker.search.search("ana te")
        assert found.id == entries["case_id"] and found.display_name == "Ana Test"
        assert caseworker.attachments.content(entries["attachment"])[1] == PDF
        draft = caseworker.drafts.get("case_profile", case_id=entries["case_id"])
        assert draft is not None and draft.changes == PROFILE_DRAFT
    _rows, notes, flag, events = _pass_state(made, recipe, data_key)
    assert recipe["is_sealed"](notes[entries["consent"]])
    assert recipe["is_sealed"](notes[entries["timeline"]])
    assert all(recipe["is_sealed"](n) for n in notes.values())
    assert flag == _documented_fields_sealed() == "7"
    # survivors counted twice (their case columns, their access needs), the case, the
    # attachment, the evidence item and the two drafts
    count = {"1": 6, "2": 5, "3": 4, "4": 3, "5": 2, "6": 0}[level] + 7
    assert events == [(carl_id, "vault", _keyslots(made)["vault_id"], f'{{"count":{count}}}')]

    # read back with the document's code and the caseworker's keys
    keyslots = recipe["load_keyslots"](made.folder)
    carl = recipe["open_slot"](keyslots, recipe["find_slot"](keyslots, "carl"), CARL_PASS)[0]
    key = recipe["index_key"](carl)
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        raw = {table: dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
               for table, cur in ((table, conn.execute(f"SELECT * FROM {table}"))  # noqa: S608
                                  for table in ("survivors", "cases", "attachments",
                                                "evidence_items"))}
        draft_rows = conn.execute("SELECT id, kind, sealed_under, content FROM drafts"
                                  " ORDER BY kind").fetchall()
        survivor = recipe["open_row"](conn, carl, "survivors", entries["survivor"])
        case = recipe["open_row"](conn, carl, "cases", entries["case_id"])
        attachment = recipe["open_row"](conn, carl, "attachments", entries["attachment"])
        evidence = recipe["open_row"](conn, carl, "evidence_items", entries["evidence"])
        opened_drafts = [recipe["open_row"](conn, carl, "drafts", row[0])
                         for row in draft_rows]
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        plain_word = conn.execute("SELECT rowid FROM case_search WHERE case_search MATCH"
                                  " '\"ana\"'").fetchall()
        found_by_tag = recipe["find_cases"](conn, carl, "ana te")
    finally:
        conn.close()
    for table, columns in recipe["SEALED_UNDER"].items():
        for column in columns:
            if table in raw:
                value = raw[table][column]
                assert value in (None, "") or recipe["is_sealed"](value) or recipe[
                    "is_sealed_blob"](value), f"{table}.{column}"
    assert raw["survivors"]["interpreter_language"] is None, "a NULL stays NULL"
    assert (survivor["legal_name"], survivor["birth_date"], survivor["access_needs"]) == (
        "Ana Test", BIRTH_DATE, ACCESS_NEEDS)
    assert (json.loads(case["exploitation_types"]), case["safety_plan"]) == (
        ["forced_labour"], SAFETY_PLAN)
    assert (attachment["label"], attachment["file_name"], attachment["content"]) == (
        ATTACHMENT_LABEL, ATTACHMENT_NAME, PDF)
    assert evidence["label"] == EVIDENCE_LABEL
    assert [(kind, under) for _id, kind, under, _content in draft_rows] == [
        ("case_profile", None), ("legal_form", None)], "sealed_under stays NULL"
    assert all(recipe["is_sealed"](row[3]) for row in draft_rows)
    assert [json.loads(d["content"])["changes"] for d in opened_drafts] == [
        PROFILE_DRAFT, LEGAL_DRAFT], "both under the case key, a legal form's too"
    # the name index, the date of birth and the exploitation types as keyed tags
    assert meta["name_index"] == "keyed1"
    assert raw["survivors"]["birth_key"] == recipe["tag"](key, "birth", BIRTH_DATE)
    assert raw["cases"]["situation_tags"] == recipe["tag"](key, "exploitation",
                                                            "forced_labour")
    assert plain_word == [], "no plain word left in what the index finds"
    assert found_by_tag == [(entries["case_id"], raw["cases"]["code"])]


def _keys_of(made: Made, recipe: dict[str, Any], name: str, secret: str) -> dict[str, bytes]:
    keyslots = recipe["load_keyslots"](made.folder)
    keys: dict[str, bytes] = recipe["open_slot"](keyslots, recipe["find_slot"](keyslots, name),
                                                 secret)[0]
    return keys


def test_recipe_opens_a_survivor_only_with_the_case_key(made: Made, recipe: dict[str, Any]
                                                        ) -> None:
    """Sections 3.9 and 7.1 with the document's open_row and each account's passphrase: the
    administrator's keys give no survivor's name, date of birth, contact or access needs,
    nothing of the case's situation, no attachment, evidence label or draft, and no tag;
    the legal volunteer's give the survivor's identity and contact, the case's situation,
    the attachment, the evidence label and her own draft, but not the access needs or the
    caseworker's draft under the health key; the caseworker's give all of them.  What stays
    plain is the same for all three."""
    entries = _with_service_notes(made)
    accounts = {"admin": ADMIN_PASS, "lena": LENA_PASS, "carl": CARL_PASS}
    read: dict[str, dict[str, Any]] = {}
    for name, secret in accounts.items():
        keys = _keys_of(made, recipe, name, secret)
        conn = recipe["open_database"](made.folder / "cases.db", keys["database"])
        try:
            drafts = {kind: recipe["open_row"](conn, keys, "drafts", draft_id)["content"]
                      for draft_id, kind in conn.execute("SELECT id, kind FROM drafts")}
            read[name] = {
                "survivor": recipe["open_row"](conn, keys, "survivors", entries["survivor"]),
                "case": recipe["open_row"](conn, keys, "cases", entries["case_id"]),
                "attachment": recipe["open_row"](conn, keys, "attachments",
                                                 entries["attachment"]),
                "evidence": recipe["open_row"](conn, keys, "evidence_items",
                                               entries["evidence"]),
                "drafts": drafts, "index key": recipe["index_key"](keys)}
            if "case" not in keys:
                with pytest.raises(PermissionError, match="case key"):
                    recipe["find_cases"](conn, keys, "ana")
            else:
                assert recipe["find_cases"](conn, keys, "an") == [
                    (entries["case_id"], read[name]["case"]["code"])]
        finally:
            conn.close()

    case_holders = {"lena", "carl"}
    survivor_case = ("legal_name", "preferred_name", "aliases", "birth_date", "gender",
                     "citizenship", "languages", "contact", "safe_contact",
                     "identity_documents", "guardian")
    for name, got in read.items():
        survivor, case = got["survivor"], got["case"]
        if name in case_holders:
            assert (survivor["legal_name"], survivor["birth_date"]) == ("Ana Test", BIRTH_DATE)
            assert json.loads(survivor["contact"]) == {"address": "", "email": "",
                                                       "phone": ""}
            assert json.loads(case["exploitation_types"]) == ["forced_labour"]
            assert case["safety_plan"] == SAFETY_PLAN
            assert (got["attachment"]["label"], got["attachment"]["file_name"],
                    got["attachment"]["sha256"], got["attachment"]["content"]) == (
                ATTACHMENT_LABEL, ATTACHMENT_NAME, hashlib.sha256(PDF).hexdigest(), PDF)
            assert got["evidence"]["label"] == EVIDENCE_LABEL
            assert got["index key"] is not None
        else:
            # nothing opens; an empty text (never sealed) reads as empty
            assert all(survivor[c] in (None, "") for c in survivor_case)
            assert survivor["legal_name"] is None and survivor["birth_date"] is None
            assert case["exploitation_types"] is None and case["safety_plan"] is None
            assert (got["attachment"]["label"], got["attachment"]["file_name"],
                    got["attachment"]["sha256"], got["attachment"]["content"]) == (
                None, None, None, None)
            assert got["evidence"]["label"] is None and got["index key"] is None
        assert survivor["interpreter_language"] is None  # NULL: none was given
        assert case["identified_by"] is None and case["recruitment_method"] is None
        assert survivor["access_needs"] == (ACCESS_NEEDS if name == "carl" else None), name
        profile, legal_form = got["drafts"]["case_profile"], got["drafts"]["legal_form"]
        assert (json.loads(profile)["changes"] if profile else None) == (
            PROFILE_DRAFT if name == "carl" else None), name
        assert (json.loads(legal_form)["changes"] if legal_form else None) == (
            LEGAL_DRAFT if name in case_holders else None), name
        # plain for everyone: the flags, the code and status, the tags
        assert (survivor["is_minor"], survivor["interpreter_needed"]) == (0, 0)
        assert re.fullmatch(r"SH-\d{4}-\d{4}", case["code"]) and case["status"] == "open"
        assert re.fullmatch(r"[a-z2-7]{16}", survivor["birth_key"])
        assert got["attachment"]["media_type"] == "application/pdf"
        assert got["attachment"]["size"] == len(PDF)
    for name in case_holders:
        assert read[name]["survivor"]["birth_key"] == recipe["tag"](
            read[name]["index key"], "birth", BIRTH_DATE)
        assert read[name]["case"]["situation_tags"] == recipe["tag"](
            read[name]["index key"], "exploitation", "forced_labour")

    # and the application reads the same: the caseworker sees the access needs, the legal
    # volunteer the identity of the case shared with her
    with signed_in(made.folder, "carl", CARL_PASS) as caseworker:
        record = caseworker.cases.get(entries["case_id"])
        assert (record.survivor["legal_name"], record.survivor["birth_date"],
                record.survivor["access_needs"]) == ("Ana Test", BIRTH_DATE, ACCESS_NEEDS)
    with signed_in(made.folder, "lena", LENA_PASS) as legal_volunteer:
        record = legal_volunteer.cases.get(entries["case_id"])
        assert record.survivor["legal_name"] == "Ana Test"
        assert "access_needs" not in record.survivor


def _index_rows(conn: Any, index: str) -> dict[int, set[str]]:
    """{rowid: the tokens its row holds} of a contentless FTS5 table, read through a
    temporary fts5vocab table."""
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{index}_instances"
                 f" USING fts5vocab(main, {index}, instance)")
    rows: dict[int, set[str]] = {}
    for term, doc in conn.execute(f"SELECT term, doc FROM temp.{index}_instances"):  # noqa: S608
        rows.setdefault(doc, set()).add(term)
    return rows


def test_the_documented_tags_are_the_index_and_find_as_the_application(
        made: Made, recipe: dict[str, Any]) -> None:
    """Section 7.2 against a vault the application wrote: the rows of case_search and
    case_keys are exactly the tags section 7.2 says (computed with the document's
    name_words, Latin letters and spelling-key rule), birth_key and situation_tags too; a
    typed prefix's tag finds the case's row with a plain MATCH; and the document's
    find_cases finds what Shelter App's name search finds."""
    entries = _with_service_notes(made)
    with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
        for legal_name, aliases, birth, kinds in (
                ("Andrea Ruiz", ["Andy"], "1985-11-30", ["sexual", "forced_labour"]),
                ("Олена Коваль", ["Olena K"], None, []),
                ("محمد حسن", [], "1990-04-03", ["domestic_servitude"]),
                ("Nguyễn Thị Lan", [], None, ["forced_begging"]),
                ("Bartholomew Wolfeschlegelsteinhausenbergerdorffvoralternwaren", [], None,
                 [])):
            coordinator.cases.create(
                SurvivorInput(legal_name=legal_name, aliases=aliases, birth_date=birth),
                CaseInput(exploitation_types=kinds))
        app_found = {text: sorted(c.id for c in coordinator.search.search(text))
                     for text in ("an", "AN TE", "andy", "olen", "олен", "kov", "nguyen lan",
                                  "Nguyễn", "محم", "2026", "0002", "ana olena", "x",
                                  "wolfeschlegelsteinhausenbergerdorffvor", "ruiz andrea")}
    keys = _keys_of(made, recipe, "cora", CORA_PASS)
    key = recipe["index_key"](keys)
    latin = str.maketrans(_documented_latin())

    def name_tags(texts: list[str]) -> set[str]:
        whole = [w for text in texts for w in recipe["name_words"](text)]
        words = {w[:32] for w in whole} | {w.translate(latin)[:32] for w in whole}
        return {recipe["tag"](key, "name", w[:n]) for w in words for n in range(1, len(w) + 1)}

    conn = recipe["open_database"](made.folder / "cases.db", keys["database"])
    try:
        cases = conn.execute("SELECT c.id, c.search_id, c.code, c.survivor_id,"
                             " c.situation_tags FROM cases c ORDER BY c.code").fetchall()
        terms, spellings = _index_rows(conn, "case_search"), _index_rows(conn, "case_keys")
        stored_terms = {}
        for case_id, search_id, code, survivor_id, situation in cases:
            survivor = recipe["open_row"](conn, keys, "survivors", survivor_id)
            case = recipe["open_row"](conn, keys, "cases", case_id)
            texts = [survivor["legal_name"], survivor["preferred_name"],
                     *json.loads(survivor["aliases"])]
            assert terms[search_id] == name_tags([*texts, code]), code
            spelling = {_documented_skeleton(w, _documented_latin())
                        for t in texts for w in recipe["name_words"](t)}
            assert spellings.get(search_id, set()) == {
                recipe["tag"](key, "skeleton", s) for s in spelling if len(s) >= 2}, code
            assert survivor["birth_key"] == (recipe["tag"](key, "birth", survivor["birth_date"])
                                             if survivor["birth_date"] else None), code
            kinds = sorted({recipe["tag"](key, "exploitation", k)
                            for k in json.loads(case["exploitation_types"])})
            assert situation == " ".join(kinds), code
            stored_terms[case_id] = search_id
        # one typed prefix, by hand, as section 7.2 shows it
        an = recipe["tag"](key, "name", "an")
        by_hand = {r[0] for r in conn.execute(
            f"SELECT rowid FROM case_search WHERE case_search MATCH '\"{an}\"'")}  # noqa: S608
        recipe_found = {text: sorted(case_id for case_id, _code in recipe["find_cases"](
            conn, keys, text)) for text in app_found}
    finally:
        conn.close()
    ana, andrea = entries["case_id"], cases[1][0]
    assert by_hand == {stored_terms[ana], stored_terms[andrea]}
    assert recipe_found == app_found
    assert app_found["an"] == sorted([ana, andrea]) and app_found["AN TE"] == [ana]
    assert len(app_found["olen"]) == len(app_found["олен"]) == 1
    assert app_found["olen"] == app_found["олен"] == app_found["kov"]
    assert app_found["ana olena"] == []
    assert len(app_found["wolfeschlegelsteinhausenbergerdorffvor"]) == 1, "cut to 32"


def test_an_account_without_the_case_key_sees_codes_only(made: Made, recipe: dict[str, Any]
                                                         ) -> None:
    """Section 7.1's reading rules for a survivor, a case and an attachment: a caseworker
    who has not received the case key yet sees her case's code with "(waiting for keys)",
    finds it by its code but not by name, cannot open, filter, check for duplicates, export
    or keep a draft; her attachment list shows the file's type and size with its label,
    name and digest empty, and its file is refused.  With the document's code, her keys
    open none of it and compute no tag."""
    _with_service_notes(made)
    with _nick_without_keys(made) as (nick_opened, _nick_id, coordinator, case_id):
        attachment_id = coordinator.attachments.add(case_id, ATTACHMENT_NAME, PDF,
                                                    label=ATTACHMENT_LABEL).id
        code = coordinator.cases.get(case_id).code
        nick = build_services(nick_opened)
        assert not nick_opened.keyring.holds("case")
        [summary] = nick.search.summaries(nick.search.list_ids())
        assert (summary.id, summary.code, summary.display_name) == (
            case_id, code, "(waiting for keys)")
        assert [c.id for c in nick.search.search(code)] == [case_id], "the code is plain"
        for refused, reading in (
                (lambda: nick.search.search("bea"), True),
                (lambda: nick.search.duplicates(SurvivorInput(legal_name="Bea Test")), True),
                (lambda: nick.search.list_ids(CaseFilter(exploitation_type="sexual")), True),
                (lambda: nick.cases.get(case_id), True),
                (lambda: nick.attachments.content(attachment_id), True),
                (lambda: nick.cases.update(case_id, survivor=SurvivorInput(
                    legal_name="Typed anew")), False),
                (lambda: nick.attachments.add(case_id, "b.pdf", PDF), False),
                (lambda: nick.drafts.save("task_form", {"what": {"from": "", "to": "x"}},
                                          case_id=case_id), False),
                (lambda: nick.exchange.export_cases(made.folder.parent / "out.csv"), False)):
            with pytest.raises(KeysNotGiven) as caught:
                refused()
            assert ("cannot be read" if reading else "cannot be written") in str(
                caught.value)
        [listed] = nick.attachments.list(case_id)
        assert (listed.id, listed.label, listed.file_name, listed.sha256) == (
            attachment_id, "", "", "")
        assert (listed.media_type, listed.size) == ("application/pdf", len(PDF))
        # the document's code with the keys her session holds
        nick_keys = {name: bytes(key) for name, key in nick_opened.keyring.keys.items()}
        assert sorted(nick_keys) == ["database"]
        conn = recipe["open_database"](made.folder / "cases.db", nick_keys["database"])
        try:
            survivor_id = conn.execute("SELECT survivor_id FROM cases WHERE id = ?",
                                       (case_id,)).fetchone()[0]
            survivor = recipe["open_row"](conn, nick_keys, "survivors", survivor_id)
            attachment = recipe["open_row"](conn, nick_keys, "attachments", attachment_id)
            with pytest.raises(PermissionError):
                recipe["find_cases"](conn, nick_keys, "bea")
        finally:
            conn.close()
    assert not (made.folder.parent / "out.csv").exists()
    assert survivor["legal_name"] is None and survivor["is_minor"] == 0
    assert attachment["content"] is None and attachment["size"] == len(PDF)
    assert recipe["index_key"](nick_keys) is None


def test_appointment_notes_without_the_case_key(made: Made, recipe: dict[str, Any]) -> None:
    """Section 7.1's reading rule for appointments: an account whose roles allow the
    appointments of a case (a legal volunteer it is shared with) but that has not received
    the case key yet sees the appointment with its notes empty; saving it is refused, so the
    sealed notes are not written over; its status can still be set."""
    entries = _with_service_notes(made)
    data_key = _data_key(made, recipe)
    with Vault.open(made.folder, kdf=FAST_KDF) as vault:
        admin_opened, _report = vault.unlock("admin", ADMIN_PASS)
        nina_id = add_user(build_services(admin_opened), "nina", "legal", passphrase=NINA_PASS,
                           temporary=False)
        nina_opened, _report = vault.unlock("nina", NINA_PASS)  # the database key only
        cora_opened, _report = vault.unlock("cora", CORA_PASS)
        opened = [admin_opened, nina_opened, cora_opened]
        try:
            build_services(cora_opened).cases.share(entries["case_id"], nina_id)
            nina = build_services(nina_opened)
            assert not nina_opened.keyring.holds("case")
            [booked] = nina.appointments.list_for_case(entries["case_id"])
            assert booked.id == entries["appointment"] and booked.notes == ""
            with pytest.raises(KeysNotGiven) as refused:
                nina.appointments.update(
                    booked.id, row_version=booked.row_version,
                    appointment_type=booked.appointment_type, starts_at=booked.starts_at,
                    ends_at=booked.ends_at + dt.timedelta(minutes=30), notes=booked.notes)
            assert "cannot be written" in str(refused.value)
            with pytest.raises(KeysNotGiven):
                nina.appointments.schedule(entries["case_id"], "other", booked.ends_at,
                                           booked.ends_at + dt.timedelta(hours=1))
            assert nina.appointments.set_status(booked.id, "confirmed").status == "confirmed"
        finally:
            for one in opened:
                one.close()
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        stored = conn.execute("SELECT notes, ends_at, status FROM appointments").fetchall()
    finally:
        conn.close()
    [(notes, ends_at, status)] = stored
    assert status == "confirmed", "the status is plain: set without the key"
    assert ends_at == booked.ends_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "the change was refused"
    keyslots = recipe["load_keyslots"](made.folder)
    carl = recipe["open_slot"](keyslots, recipe["find_slot"](keyslots, "carl"), CARL_PASS)[0]
    assert recipe["open_field"](carl, "case", "appointments", entries["appointment"], "notes",
                                notes) == APPOINTMENT_NOTE


@contextlib.contextmanager
def _nick_without_keys(made: Made) -> Iterator[tuple[Any, str, Any, str]]:
    """Sessions of the administrator, a caseworker "nick" just added (so holding the
    database key only) and the coordinator, with a case the coordinator assigned to nick:
    yields (nick's opened vault, nick's id, the coordinator's services, the case id)."""
    with Vault.open(made.folder, kdf=FAST_KDF) as vault:
        admin_opened, _report = vault.unlock("admin", ADMIN_PASS)
        nick_id = add_user(build_services(admin_opened), "nick", "caseworker",
                           passphrase=NICK_PASS, temporary=False)
        nick_opened, _report = vault.unlock("nick", NICK_PASS)  # the database key only
        cora_opened, _report = vault.unlock("cora", CORA_PASS)
        opened = [admin_opened, nick_opened, cora_opened]
        try:
            coordinator = build_services(cora_opened)
            case_id = coordinator.cases.create(SurvivorInput(legal_name="Bea Test"),
                                               CaseInput(assigned_to=nick_id)).id
            yield nick_opened, nick_id, coordinator, case_id
        finally:
            for one in opened:
                one.close()


def test_referral_texts_without_the_case_key(made: Made, recipe: dict[str, Any]) -> None:
    """Section 7.1's reading rule for referrals: a caseworker who has not received the case
    key yet sees the referrals of the case assigned to her with their reason, declined
    reason and outcome empty; making one, and recording that one was declined or
    completed, are refused, so the sealed texts are not written over; sending, accepting
    and revoking, which touch only plain columns, are allowed.  A referral packet, which
    would have the reason empty, is refused rather than made."""
    entries = _with_service_notes(made)
    data_key = _data_key(made, recipe)
    today = dt.date.today()
    with _nick_without_keys(made) as (nick_opened, _nick_id, coordinator, case_id):
        coordinator.consent.record(case_id, sections=["identity"], purpose="Referral",
                                   given_by="survivor", method="written", given_on=today,
                                   partner_id=entries["partner"])
        referral_id = coordinator.referrals.create(
            case_id, entries["partner"], services=["medical"], reason=REFERRAL_REASON).id
        nick = build_services(nick_opened)
        assert not nick_opened.keyring.holds("case")
        [shown] = nick.referrals.list(case_id)
        assert shown.id == referral_id and shown.services == ("medical",)
        assert (shown.reason, shown.declined_reason, shown.outcome) == ("", "", "")
        with pytest.raises(KeysNotGiven) as refused:
            nick.referrals.create(case_id, entries["partner"], services=["medical"],
                                  reason="another")
        assert "cannot be written" in str(refused.value)
        assert nick.referrals.move(referral_id, "sent").status == "sent"
        with pytest.raises(KeysNotGiven):
            nick.referrals.move(referral_id, "declined", reason="no places left")
        assert nick.referrals.move(referral_id, "accepted").status == "accepted"
        with pytest.raises(KeysNotGiven):
            nick.referrals.move(referral_id, "completed", outcome="seen on Monday")
        with pytest.raises(KeysNotGiven) as refused:  # consented, but no case key
            nick.documents.referral_packet(case_id, entries["partner"],
                                           sections=["identity"])
        assert "cannot be read" in str(refused.value)
        assert nick_opened.db.scalar("SELECT count(*) FROM generated_documents") == 0
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        stored = conn.execute("SELECT status, reason, declined_reason, outcome FROM referrals"
                              " WHERE id = ?", (referral_id,)).fetchone()
    finally:
        conn.close()
    status, *texts = stored
    assert status == "accepted", "the status is plain: set without the key"
    keyslots = recipe["load_keyslots"](made.folder)
    carl = recipe["open_slot"](keyslots, recipe["find_slot"](keyslots, "carl"), CARL_PASS)[0]
    columns = ("reason", "declined_reason", "outcome")
    assert [recipe["open_field"](carl, "case", "referrals", referral_id, column, value)
            for column, value in zip(columns, texts, strict=True)] == [REFERRAL_REASON, "", ""]


def test_task_text_without_the_case_key(made: Made, recipe: dict[str, Any]) -> None:
    """Section 7.1's reading rule for tasks: a caseworker who has not received the case key
    yet sees the tasks of the case assigned to her, in the case and in My day, with what
    they say empty (who does it and the due date are plain); adding one and saving a change
    are refused, so the sealed text is not written over; ticking it, which touches only
    plain columns, is allowed."""
    _with_service_notes(made)
    data_key = _data_key(made, recipe)
    today = dt.date.today()
    with _nick_without_keys(made) as (nick_opened, nick_id, coordinator, case_id):
        task_id = coordinator.tasks.create(case_id, TASK_WHAT, assigned_to=nick_id,
                                           due_on=today).id
        nick = build_services(nick_opened)
        assert not nick_opened.keyring.holds("case")
        [shown] = nick.tasks.list_for_case(case_id)
        assert (shown.id, shown.what, shown.assigned_to, shown.due_on) == (
            task_id, "", nick_id, today)
        [line] = nick.day.my_day().group("tasks").items
        assert (line.record_id, line.text, line.person_id) == (task_id, "", nick_id)
        with pytest.raises(KeysNotGiven) as refused:
            nick.tasks.create(case_id, "another", assigned_to=nick_id)
        assert "cannot be written" in str(refused.value)
        with pytest.raises(KeysNotGiven):
            nick.tasks.update(task_id, row_version=shown.row_version, what="typed anew",
                              assigned_to=nick_id, due_on=today + dt.timedelta(days=1))
        assert nick.tasks.set_done(task_id, True, row_version=shown.row_version).done
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        stored = conn.execute("SELECT what, due_on, done_by FROM tasks WHERE id = ?",
                              (task_id,)).fetchone()
        count = conn.execute("SELECT count(*) FROM tasks WHERE case_id = ?",
                             (case_id,)).fetchone()[0]
    finally:
        conn.close()
    what, due_on, done_by = stored
    assert count == 1, "the task she tried to add was not written"
    assert (due_on, done_by) == (today.isoformat(), nick_id), "ticked, not changed"
    keyslots = recipe["load_keyslots"](made.folder)
    carl = recipe["open_slot"](keyslots, recipe["find_slot"](keyslots, "carl"), CARL_PASS)[0]
    assert recipe["open_field"](carl, "case", "tasks", task_id, "what", what) == TASK_WHAT


def test_consent_and_timeline_texts_without_the_case_key(made: Made, recipe: dict[str, Any]
                                                          ) -> None:
    """Section 7.1's reading rule for consents and the timeline: a caseworker who has not
    received the case key yet sees the consents of the case assigned to her with their
    purpose, guardian's name and withdrawal note empty, and the consent check, which reads
    only plain columns, answers as with the key; recording a consent and withdrawing one are
    refused, so nothing is written.  Her timeline shows the event's stage with its place and
    description empty, and adding one is refused.  The coordinator's withdrawal, made with
    the key, seals the note."""
    entries = _with_service_notes(made)
    data_key = _data_key(made, recipe)
    today = dt.date.today()
    with _nick_without_keys(made) as (nick_opened, _nick_id, coordinator, case_id):
        consent_id = coordinator.consent.record(
            case_id, sections=["identity"], purpose=CONSENT_PURPOSE, given_by="survivor",
            method="written", given_on=today, partner_id=entries["partner"]).id
        event_id = coordinator.timeline.add(case_id, "recruitment", place=TIMELINE_PLACE,
                                            description=TIMELINE_DESCRIPTION).id
        nick = build_services(nick_opened)
        assert not nick_opened.keyring.holds("case")
        [shown] = nick.consent.list(case_id)
        assert (shown.id, shown.sections, shown.partner_id, shown.given_by, shown.method,
                shown.given_on, shown.withdrawn_on) == (
            consent_id, ("identity",), entries["partner"], "survivor", "written", today, None)
        assert (shown.purpose, shown.guardian_name) == ("", "")
        [covering] = nick.consent.check(case_id, entries["partner"], ["identity"])
        assert covering.id == consent_id, "the check works on the plain columns"
        with pytest.raises(KeysNotGiven) as refused:
            nick.consent.record(case_id, sections=["identity"], purpose="another",
                                given_by="survivor", method="verbal", given_on=today,
                                partner_id=entries["partner"])
        assert "cannot be written" in str(refused.value)
        with pytest.raises(KeysNotGiven):
            nick.consent.withdraw(consent_id, note="typed without the key")
        [line] = nick.timeline.list(case_id)
        assert (line.id, line.stage, line.place, line.description) == (
            event_id, "recruitment", "", "")
        with pytest.raises(KeysNotGiven) as refused:
            nick.timeline.add(case_id, "transit", place="another place")
        assert "cannot be written" in str(refused.value)
        assert nick.consent.list(case_id)[0].withdrawn_on is None, "not withdrawn"
        coordinator.consent.withdraw(consent_id, note=WITHDRAWAL_NOTE)
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        consents = conn.execute("SELECT id, withdrawn_on, withdrawal_note FROM consents"
                                " WHERE case_id = ?", (case_id,)).fetchall()
        events = conn.execute("SELECT id FROM timeline_events WHERE case_id = ?",
                              (case_id,)).fetchall()
    finally:
        conn.close()
    [(stored_id, withdrawn_on, note)] = consents
    assert (stored_id, withdrawn_on) == (consent_id, today.isoformat())
    assert events == [(event_id,)], "the event she tried to add was not written"
    assert recipe["is_sealed"](note) and WITHDRAWAL_NOTE not in note
    keyslots = recipe["load_keyslots"](made.folder)
    carl = recipe["open_slot"](keyslots, recipe["find_slot"](keyslots, "carl"), CARL_PASS)[0]
    assert recipe["open_field"](carl, "case", "consents", consent_id, "withdrawal_note",
                                note) == WITHDRAWAL_NOTE


# -- the pages, without SQLCipher (section 14) -------------------------------------------
# -- row seals (section 7.3) -------------------------------------------------------------
def _row_seal_report_lines() -> list[str]:
    """The example failure report section 7.3 shows, as vault_admin.row_lines writes it."""
    problems = [row_seals.RowProblem("SH-2026-0002", "cases", False),
                row_seals.RowProblem("SH-2026-0003", "survivors", False),
                row_seals.RowProblem("SH-2026-0005", "cases", True)]
    return [without_marks(line)
            for line in vault_admin.row_lines(vault_admin.RowCheck(10, problems))]


def test_the_row_seals_are_documented_as_the_application_makes_them(made: Made,
                                                                     recipe: dict[str, Any]
                                                                     ) -> None:
    """Section 7.3's table of the columns of a seal is row_seals.COLUMNS and the document's
    SEALED_ROW_COLUMNS, and every column of the two tables but row_seal, in the schema's
    order; the INTEGER columns it names are the tables' INTEGER columns; its label, its meta
    row, its migration and the report lines it quotes are the application's."""
    section = _section("### 7.3 Row seals", "## 8. The audit chain")
    words = " ".join(section.split())
    documented = {table: re.findall(r"`(\w+)`", cells) for table, cells in re.findall(
        r"^\| `(survivors|cases)` \| (.*) \|$", section, flags=re.MULTILINE)}
    assert documented == {table: list(c) for table, c in row_seals.COLUMNS.items()}
    assert documented == {table: list(c) for table, c in recipe["SEALED_ROW_COLUMNS"].items()}
    conn = recipe["open_database"](made.folder / "cases.db", _data_key(made, recipe))
    try:
        info = {table: [(row[1], row[2]) for row in conn.execute(f"PRAGMA table_info({table})")]
                for table in documented}
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        sealed_events = conn.execute("SELECT count(*) FROM audit_events"
                                     " WHERE action = 'key.rows_sealed'").fetchone()[0]
    finally:
        conn.close()
    integers = set()
    for table, columns in documented.items():
        assert [name for name, _type in info[table] if name != "row_seal"] == columns, table
        assert info[table][-1] == ("row_seal", "TEXT"), "added last, by schema version 7"
        assert {kind for _name, kind in info[table]} == {"TEXT", "INTEGER"}, table
        integers |= {name for name, kind in info[table] if kind == "INTEGER"}
    named = words[words.index("an INTEGER column ("):words.index(") as a JSON integer")]
    assert set(re.findall(r"`(\w+)`", named)) == integers

    # the key's label (sections 2 and 7.3), the meta row (section 7), the migration (11)
    text = DOC.read_text(encoding="utf-8")
    assert row_seals.PURPOSE == "row seal v1"
    assert 'info = "shelter-app row seal v1"' in words
    assert "| `shelter-app row seal v1` | HKDF info of the key of the row seals" in text
    assert (row_seals.DONE, row_seals.LEVEL) == ("row_seals", "1")
    assert "| `row_seals` | `1` once every survivor and case row carries its seal" in text
    assert meta["row_seals"] == "1" and sealed_events == 0, "a new vault: marked at once"
    migration = (MIGRATIONS / "0007_row_seals.sql").read_text(encoding="utf-8")
    for table in documented:
        assert f"ALTER TABLE {table} ADD COLUMN row_seal TEXT;" in migration
    assert ("INSERT INTO meta (key, value) SELECT 'row_seals', '1'"
            " WHERE NOT EXISTS (SELECT 1 FROM cases);") in migration
    assert "| 7 | `0007_row_seals.sql` | `survivors.row_seal` and `cases.row_seal`" in text

    # the report's lines are vault_admin.row_lines'
    assert "\n".join(_row_seal_report_lines()) + "\n" == _text_block("Survivor and case rows:")
    for rows in (vault_admin.RowCheck(6, []), None, vault_admin.RowCheck(0, [], sealed=False)):
        [line] = vault_admin.row_lines(rows)
        assert f'"{line}"' in words, line
    [_header, missing] = vault_admin.row_lines(vault_admin.RowCheck(
        1, [row_seals.RowProblem("?", "survivors", True)]))
    assert without_marks(missing) == "  Case ?: the survivor's row has no seal."
    assert '("the survivor\'s row has no seal" likewise' in words


def _row_states(made: Made, recipe: dict[str, Any], keys: dict[str, bytes]
                ) -> dict[tuple[str, str], bool]:
    """{(table, row id): whether the row carries its seal} by the document's row_seal_holds."""
    conn = recipe["open_database"](made.folder / "cases.db", keys["database"])
    try:
        return {(table, row_id): recipe["row_seal_holds"](conn, keys, table, row_id)
                for table in ("survivors", "cases")
                for (row_id,) in conn.execute(f"SELECT id FROM {table}").fetchall()}  # noqa: S608
    finally:
        conn.close()


def _seals_line(out: str) -> str:
    found = re.findall(r"^(?:WARNING, )?[Ss]urvivor and case rows: .*$", out, flags=re.MULTILINE)
    assert len(found) == 1, out
    return str(found[0])


def test_every_row_the_application_writes_carries_its_seal(made: Made, recipe: dict[str, Any],
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    """Section 7.3 against a vault the application wrote: after intake, an import, saves of
    either part, a status, a closure and an assignment, every survivor and case row checks
    out with the document's row_seal_holds (and by section 7.3's words); rows changed
    outside the application do not, and the document's program and the application's vault
    check find the same rows; an account without the case key checks nothing."""
    entries = _with_service_notes(made)
    sheet = tmp_path / "import.csv"
    sheet.write_text("legal_name\nDora Import\n", encoding="utf-8")
    with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
        made_here = [coordinator.cases.create(SurvivorInput(legal_name=name, birth_date=birth),
                                              CaseInput(exploitation_types=kinds))
                     for name, birth, kinds in (("Bea Test", None, []),
                                                ("Cleo Test", BIRTH_DATE, ["sexual"]),
                                                ("Dina Test", None, ["forced_labour"]),
                                                ("Eva Test", None, []))]
        assert coordinator.exchange.import_file(sheet).imported == 1
        bea, cleo, dina, eva = made_here
        coordinator.cases.update(bea.id, survivor=SurvivorInput(
            legal_name="Bea Test", preferred_name="Bea"), versions=bea.row_versions)
        coordinator.cases.update(cleo.id, case=CaseInput(
            exploitation_types=["sexual"], risk_level="high"), versions=cleo.row_versions)
        coordinator.cases.set_status(cleo.id, "assessment")
        coordinator.cases.assign(cleo.id, entries["carl"])
        coordinator.cases.set_status(entries["case_id"], "closed", closure_reason="other")
    cora = _keys_of(made, recipe, "cora", CORA_PASS)
    states = _row_states(made, recipe, cora)
    assert len(states) == 2 * 6 and all(states.values())

    # one row by section 7.3's words, with stock libraries only
    conn = recipe["open_database"](made.folder / "cases.db", cora["database"])
    try:
        cursor = conn.execute("SELECT * FROM survivors WHERE id = ?", (cleo.survivor_id,))
        row = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
        assert recipe["count_row_seals"](conn, cora) == (12, 0)
        assert recipe["count_row_seals"](conn, {"database": cora["database"]}) is None
        with pytest.raises(PermissionError, match="case key"):
            recipe["row_seal_holds"](conn, {"database": cora["database"]}, "cases", cleo.id)
    finally:
        conn.close()
    seal_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"shelter-app row seal v1").derive(cora["case"])
    content = json.dumps(["survivors", *[row[c] for c in row if c != "row_seal"]],
                         ensure_ascii=False, separators=(",", ":"))
    assert row["row_seal"] == hmac.new(seal_key, content.encode("utf-8"),
                                       hashlib.sha256).hexdigest()
    assert row["birth_key"] and fields.is_sealed(row["legal_name"])

    out = _run_program(made.folder, "carl", CARL_PASS, monkeypatch, capsys)
    assert _seals_line(out) == "Survivor and case rows: 12 carry their seal"
    out = _run_program(made.folder, "admin", ADMIN_PASS, monkeypatch, capsys)
    assert _seals_line(out) == ("Survivor and case rows: not checked (no case key, or not"
                                " sealed yet)")

    # outside the application: a risk level rewritten, a sealed name moved from another row,
    # a seal copied from another row, a seal removed; Eva's rows stay as they were
    conn = recipe["open_database"](made.folder / "cases.db", cora["database"])
    try:
        conn.execute("UPDATE cases SET risk_level = 'low' WHERE id = ?", (bea.id,))
        conn.execute("UPDATE survivors SET legal_name = (SELECT legal_name FROM survivors"
                     " WHERE id = ?) WHERE id = ?", (bea.survivor_id, cleo.survivor_id))
        conn.execute("UPDATE cases SET row_seal = (SELECT row_seal FROM cases WHERE id = ?)"
                     " WHERE id = ?", (eva.id, dina.id))
        conn.execute("UPDATE survivors SET row_seal = NULL WHERE id = ?", (dina.survivor_id,))
        conn.commit()
    finally:
        conn.close()
    states = _row_states(made, recipe, cora)
    assert sorted(key for key, holds in states.items() if not holds) == sorted([
        ("cases", bea.id), ("survivors", cleo.survivor_id), ("cases", dina.id),
        ("survivors", dina.survivor_id)])
    out = _run_program(made.folder, "lena", LENA_PASS, monkeypatch, capsys)
    assert _seals_line(out) == ("WARNING, survivor and case rows: 4 of 12 do not carry their"
                                " seal (changed outside the application)")
    with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
        report = coordinator.vault_admin.verify()
        lines = [without_marks(line) for line in report.lines()]
        failure = coordinator.ctx.db.one("SELECT details FROM audit_events WHERE action ="
                                         " 'vault.integrity_failure' ORDER BY seq DESC")
    assert not report.ok and report.rows is not None and report.rows.checked == 12
    start = next(i for i, line in enumerate(lines) if line.startswith("Survivor and case"))
    assert lines[start:] == [
        "Survivor and case rows: 12 checked; 4 changed outside the application.",
        f"  Case {bea.code}: the case's row does not match its seal.",
        f"  Case {cleo.code}: the survivor's row does not match its seal.",
        f"  Case {dina.code}: the case's row does not match its seal.",
        f"  Case {dina.code}: the survivor's row has no seal."]
    assert json.loads(failure["details"])["count"] == 4
    with signed_in(made.folder) as administrator:
        report = administrator.vault_admin.verify()
    assert report.rows is None and without_marks(report.lines()[-1]) == (
        "Survivor and case rows: not checked, as this account holds no case key; a"
        " coordinator's check covers them.")


def _as_schema_6(folder: Path, recipe: dict[str, Any], data_key: bytes) -> None:
    """cases.db as schema version 6 left it: no seal column, no row_seals in meta (and none
    of the columns of schema version 8)."""
    conn = recipe["open_database"](folder / "cases.db", data_key)
    try:
        undo_schema_8(conn)
        for table in ("survivors", "cases"):
            conn.execute(f"ALTER TABLE {table} DROP COLUMN row_seal")
        conn.execute("DELETE FROM meta WHERE key = 'row_seals'")
        conn.execute("PRAGMA user_version = 6")
        conn.commit()
    finally:
        conn.close()


def test_the_rows_of_before_are_sealed_once(made: Made, recipe: dict[str, Any],
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Section 7.3's first sealing and section 11's schema version 7, on a vault with cases
    that schema version 6 wrote: the migration adds the columns, NULL, and no meta row; the
    backup made before it has no seal column; an administrator's sign-in seals nothing and
    its check checks nothing; the first session holding the case key seals every row,
    marks meta row_seals 1 and records key.rows_sealed once, with the count."""
    entries = _with_service_notes(made)
    with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
        coordinator.cases.create(SurvivorInput(legal_name="Bea Test"), CaseInput())
    cora = _keys_of(made, recipe, "cora", CORA_PASS)
    _as_schema_6(made.folder, recipe, cora["database"])
    with signed_in(made.folder) as administrator:  # migrates; holds no case key
        assert administrator.vault_admin.verify().rows is None
    conn = recipe["open_database"](made.folder / "cases.db", cora["database"])
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
        assert conn.execute("SELECT count(*) FROM meta WHERE key = 'row_seals'").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM survivors WHERE row_seal IS NULL").fetchone(
            ) == conn.execute("SELECT count(*) FROM survivors").fetchone() == (2,)
        assert recipe["count_row_seals"](conn, cora) is None, "not sealed yet"
        assert recipe["row_seal_holds"](conn, cora, "cases", entries["case_id"]) is False
    finally:
        conn.close()
    [before] = [p for p in (made.folder / "backups").glob("cases-*-v6.db")]
    conn = recipe["open_database"](before, cora["database"])
    try:
        assert recipe["count_row_seals"](conn, cora) is None, "no seal column"
    finally:
        conn.close()

    with signed_in(made.folder, "lena", LENA_PASS) as legal_volunteer:  # holds the case key
        lena_id = legal_volunteer.ctx.session.user_id
    with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
        report = coordinator.vault_admin.verify()
        assert report.ok and report.rows is not None and report.rows.checked == 4
    conn = recipe["open_database"](made.folder / "cases.db", cora["database"])
    try:
        assert recipe["count_row_seals"](conn, cora) == (4, 0)
        events = conn.execute("SELECT actor_id, target_type, target_id, details"
                              " FROM audit_events WHERE action = 'key.rows_sealed'").fetchall()
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()
    assert meta["row_seals"] == "1"
    assert events == [(lena_id, "vault", meta["vault_id"], '{"count":4}')]
    out = _run_program(made.folder, "carl", CARL_PASS, monkeypatch, capsys)
    assert _seals_line(out) == "Survivor and case rows: 4 carry their seal"

    # a coordinator's re-key seals the rows again under the new case key; the copy of
    # schema version 6 gets no seal column
    with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
        coordinator.vault_admin.rekey()
    now = _keys_of(made, recipe, "cora", CORA_PASS)
    assert now["case"] != cora["case"]
    conn = recipe["open_database"](made.folder / "cases.db", now["database"])
    try:
        assert recipe["count_row_seals"](conn, now) == (4, 0)
        assert recipe["count_row_seals"](conn, {**now, "case": cora["case"]}) == (0, 4)
    finally:
        conn.close()
    conn = recipe["open_database"](before, now["database"])
    try:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(cases)")}
        assert "row_seal" not in columns and recipe["count_row_seals"](conn, now) is None
    finally:
        conn.close()


def test_what_the_row_seals_do_not_find(made: Made, recipe: dict[str, Any]) -> None:
    """Section 7.3's list of what the seals do not find, each as the document says: a row
    put back as an older copy of itself, a row deleted whole, a change sealed again with the
    case key, a change a user's later save covers; and the passes that do not cover one:
    the first sealing once meta row_seals is deleted, the rebuild once meta name_index is
    deleted, the pass of section 7.1 once a plain value is written and meta fields_sealed
    deleted (which seals the value, not the row), and a coordinator's re-key."""
    entries = _with_service_notes(made)
    with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
        older = coordinator.cases.create(SurvivorInput(legal_name="Bea Test"), CaseInput())
        gone = coordinator.cases.create(SurvivorInput(legal_name="Cleo Test"), CaseInput())
    cora = _keys_of(made, recipe, "cora", CORA_PASS)

    def sql(statement: str, *params: Any) -> None:
        conn = recipe["open_database"](made.folder / "cases.db", cora["database"])
        try:
            conn.execute(statement, params)
            conn.commit()
        finally:
            conn.close()

    def problems() -> list[tuple[str, str]]:
        with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
            rows = coordinator.vault_admin.verify().rows
        assert rows is not None and rows.sealed
        return [(p.code, p.table) for p in rows.problems]

    def events(action: str) -> int:
        conn = recipe["open_database"](made.folder / "cases.db", cora["database"])
        try:
            return int(conn.execute("SELECT count(*) FROM audit_events WHERE action = ?",
                                    (action,)).fetchone()[0])
        finally:
            conn.close()

    # a row put back as an older copy of itself, with its older seal
    conn = recipe["open_database"](made.folder / "cases.db", cora["database"])
    try:
        cursor = conn.execute("SELECT * FROM cases WHERE id = ?", (older.id,))
        copy = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
    finally:
        conn.close()
    with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
        coordinator.cases.set_status(older.id, "assessment")
    assert problems() == []
    sql(f"UPDATE cases SET {', '.join(f'{c} = ?' for c in copy)} WHERE id = ?",  # noqa: S608
        *copy.values(), older.id)
    # a row deleted whole: a case and its survivor
    sql("DELETE FROM cases WHERE id = ?", gone.id)
    sql("DELETE FROM survivors WHERE id = ?", gone.survivor_id)
    # a change sealed again with the case key, by this page's words
    conn = recipe["open_database"](made.folder / "cases.db", cora["database"])
    try:
        case_id = entries["case_id"]
        conn.execute("UPDATE cases SET risk_level = 'low' WHERE id = ?", (case_id,))
        columns = ", ".join(recipe["SEALED_ROW_COLUMNS"]["cases"])
        values = conn.execute(f"SELECT {columns} FROM cases WHERE id = ?",  # noqa: S608
                              (case_id,)).fetchone()
        conn.execute("UPDATE cases SET row_seal = ? WHERE id = ?", (recipe["row_seal"](
            recipe["row_seal_key"](cora), "cases", list(values)), case_id))
        conn.commit()
        assert recipe["count_row_seals"](conn, cora) == (4, 0)
    finally:
        conn.close()
    assert problems() == [] and older.code != gone.code

    # the passes that write rows with no user's edit seal again only rows whose seal held:
    # removing their markers, or a re-key, leaves the changed row named
    before = {action: events(action) for action in ("key.rows_sealed", "key.fields_sealed")}
    assert before == {"key.rows_sealed": 0, "key.fields_sealed": 0}, "a new vault's"
    sql("UPDATE cases SET risk_level = 'high' WHERE id = ?", older.id)
    for undo, who, secret, event in (
            ("row_seals", "carl", CARL_PASS, None),
            ("name_index", "carl", CARL_PASS, None),
            ("fields_sealed", "lena", LENA_PASS, "key.fields_sealed")):
        sql("DELETE FROM meta WHERE key = ?", undo)
        if undo == "fields_sealed":  # and a plain value in a sealed column of the row
            sql("UPDATE cases SET safety_plan = 'written plain' WHERE id = ?", older.id)
        with signed_in(made.folder, who, secret):
            pass
        assert problems() == [(older.code, "cases")], undo
        if event is not None:  # the plain value was sealed; the row was not
            before[event] += 1
        assert {action: events(action) for action in before} == before, undo
    with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
        assert coordinator.vault_admin.rekey().content == tuple(CONTENT_KEYS)
    assert problems() == [(older.code, "cases")]
    # a user's save seals the row as it then stands, the change made outside with it
    with signed_in(made.folder, "cora", CORA_PASS) as coordinator:
        coordinator.cases.set_status(older.id, "assessment")
    assert problems() == []


@pytest.mark.skipif(sqlite3.sqlite_version_info < (3, 37, 0), reason="STRICT tables")
def test_pages_decrypt_without_sqlcipher(made: Made, recipe: dict[str, Any],
                                         page_reader: dict[str, Any], tmp_path: Path) -> None:
    data_key = _data_key(made, recipe)
    plain_path = tmp_path / "plain.db"
    page_reader["decrypt_database"](made.folder / "cases.db", plain_path, data_key)
    plain = plain_path.read_bytes()
    assert plain[:16] == b"SQLite format 3\0"
    assert struct.unpack(">H", plain[16:18])[0] == 4096
    assert plain[20] == 80
    assert struct.unpack(">I", plain[60:64])[0] == latest_version()
    assert struct.unpack(">I", plain[68:72])[0] == 0x53484C54

    conn = sqlite3.connect(plain_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        names = {r[0] for r in conn.execute("SELECT username FROM users")}
        assert names == {"admin", ZOE, GONE}
        assert recipe["verify_audit_chain"](conn, data_key) > 0
    finally:
        conn.close()

    damaged = bytearray((made.folder / "cases.db").read_bytes())
    damaged[4096 + 100] ^= 1  # one bit of page 2
    (tmp_path / "damaged.db").write_bytes(damaged)
    with pytest.raises(ValueError, match="page 2"):
        page_reader["decrypt_database"](tmp_path / "damaged.db", tmp_path / "out.db", data_key)


# -- the re-key (section 3.10) -------------------------------------------------------------
STAFF = {name: (STAFF_PASS, roles) for name, roles in STAFF_ACCOUNTS.items()}
CONTENT_KEYS = ["case", "health", "legal"]


def _rekey_vault(tmp_path: Path) -> tuple[Path, str]:
    """The records tests' organisation, one case and one backup copy, closed: (folder,
    recovery key)."""
    with organisation(tmp_path) as org:
        org.new_case("Ana Test")
        org.admin.vault_admin.backup()
        recovery_key = org.recovery_key
    return tmp_path / "vault", recovery_key


def _database_files(folder: Path) -> list[Path]:
    return [folder / "cases.db", *sorted((folder / "backups").glob("cases-*.db"))]


def _opens(recipe: dict[str, Any], path: Path, key: bytes) -> bool:
    try:
        recipe["open_database"](path, key).close()
    except recipe["sqlcipher"].DatabaseError:
        return False
    return True


def _key_check(vault_id: str, name: str, epoch: int, key: bytes) -> bytes:
    """Section 3.7, from its words."""
    message = b"\0".join([b"shelter-app key check v2", vault_id.encode(), name.encode(),
                          str(epoch).encode()])
    return hmac.new(key, message, hashlib.sha256).digest()[:16]


def test_recipe_opens_a_rekeyed_vault(recipe: dict[str, Any], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Section 3.10 read back with the document's code: after a re-key every account and the
    recovery key open cases.db and each backup with the new key; the audit chain and the
    anchor stay under the integrity key, the first database key; a key file copied before
    the re-key opens none of the files."""
    folder, recovery_key = _rekey_vault(tmp_path)
    earlier = recipe["load_keyslots"](folder)
    assert "rekey" not in earlier and "integrity" not in earlier["checks"]
    first_key = recipe["unwrap_data_key"](earlier, recipe["find_slot"](earlier, "admin"),
                                          ADMIN_PASS)
    shutil.copytree(folder, tmp_path / "copied-before")
    backups = len(_database_files(folder)) - 1
    assert backups >= 1

    with signed_in(folder) as admin:
        report = admin.vault_admin.rekey()
    assert (report.epoch, report.files) == (2, 1 + backups)
    assert not list(folder.rglob("*.rekey"))
    mirror = (folder / "backups" / "keyslots.json").read_bytes()
    assert mirror == (folder / "keyslots.json").read_bytes()  # section 12.2
    keyslots = recipe["load_keyslots"](folder)
    assert "rekey" not in keyslots
    assert keyslots["epochs"] == {**earlier["epochs"], "database": 2, "integrity": 1}
    vault_id = keyslots["vault_id"]
    assert b64(keyslots["checks"]["integrity"]) == _key_check(vault_id, "integrity", 1,
                                                              first_key)

    # every account holds the new database key and the integrity key (sections 3.5, 3.10)
    accounts = {"admin": (ADMIN_PASS, ["admin"]), **STAFF}
    keys, _roles = recipe["open_slot"](keyslots, recipe["find_slot"](keyslots, "admin"),
                                       ADMIN_PASS)
    new_key = keys["database"]
    assert keys["integrity"] == first_key != new_key
    assert recipe["chain_root"](keys) == first_key
    assert b64(keyslots["checks"]["database"]) == _key_check(vault_id, "database", 2, new_key)
    for name, (secret, roles) in accounts.items():
        out = _run_program(folder, name, secret, monkeypatch, capsys)
        assert _held(out) == _entitled(roles, rekeyed=True)
        assert re.search(r"^Audit chain intact: \d+ events$", out, flags=re.MULTILINE)
        assert "Audit anchor in the key file: in the chain" in out
        assert "WARNING" not in out and "Note" not in out
        held, _roles = recipe["open_slot"](keyslots, recipe["find_slot"](keyslots, name),
                                           secret)
        assert (held["database"], held["integrity"]) == (new_key, first_key)
    out = _run_program(folder, "", recovery_key, monkeypatch, capsys)
    assert _held(out) == sorted([*FIVE_KEYS, "integrity"]) and "WARNING" not in out

    # the files: under the new key only; the chain under the integrity key (8.1, 8.6)
    for path in _database_files(folder):
        assert _opens(recipe, path, new_key) and not _opens(recipe, path, first_key), path.name
        conn = recipe["open_database"](path, new_key)
        try:
            assert recipe["verify_audit_chain"](conn, first_key) > 0
            with pytest.raises(ValueError, match="was changed"):
                recipe["verify_audit_chain"](conn, new_key)
        finally:
            conn.close()
    conn = recipe["open_database"](folder / "cases.db", new_key)
    try:
        assert recipe["check_anchor"](keyslots, conn, first_key) is None
        assert "was changed" in recipe["check_anchor"](keyslots, conn, new_key)
        rows = conn.execute("SELECT actor_id, target_type, target_id, outcome, details"
                            " FROM audit_events WHERE action = 'key.rekeyed'").fetchall()
        admin_id = conn.execute("SELECT id FROM users WHERE username = 'admin'").fetchone()[0]
    finally:
        conn.close()
    assert [r[:4] for r in rows] == [(admin_id, "vault", vault_id, "ok")]
    assert json.loads(rows[0][4]) == {"version": 2, "count": backups, "keys": ["database"]}

    # a key file copied before: its slots open as they did, but no file of the vault
    for name, (secret, _roles) in accounts.items():
        old = recipe["unwrap_data_key"](earlier, recipe["find_slot"](earlier, name), secret)
        assert old == first_key
    old_recovery = recipe["open_slot"](earlier, recipe["find_slot"](earlier), recovery_key)
    assert old_recovery[0]["database"] == first_key
    shutil.copy(tmp_path / "copied-before" / "keyslots.json", folder / "keyslots.json")
    with pytest.raises(recipe["sqlcipher"].DatabaseError, match="not a database"):
        _run_program(folder, "caseworker", STAFF_PASS, monkeypatch, capsys)
    # a copy of the vault folder made before keeps the old key (section 3.10)
    out = _run_program(tmp_path / "copied-before", "caseworker", STAFF_PASS, monkeypatch,
                       capsys)
    assert "WARNING" not in out and _held(out) == _entitled(["caseworker"])


def _recipe_readable(recipe: dict[str, Any], path: Path, keys: dict[str, bytes]) -> str:
    """Everything section 13's code gets out of *path* (opened with ``keys["database"]``)
    with *keys*: every cell of every table, the index's own pages included, plain as it is
    and sealed when one of the keys opens it."""
    conn = recipe["open_database"](path, keys["database"])
    out = []
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            cursor = conn.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            names = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                row_id = str(row[names.index("id")]) if "id" in names else ""
                for column, value in zip(names, row, strict=True):
                    blob = isinstance(value, bytes)
                    if not (recipe["is_sealed_blob"] if blob else recipe["is_sealed"])(value):
                        out.append(value.decode("latin-1") if blob else str(value))
                        continue
                    opener = recipe["open_blob"] if blob else recipe["open_field"]
                    for name in keys:
                        with contextlib.suppress(InvalidTag):
                            opened = opener(keys, name, table, row_id, column, value)
                            out.append(opened.decode("latin-1") if blob else opened)
                            break
    finally:
        conn.close()
    return "\n".join(out)


def _canaries(text: str) -> set[str]:
    return {c for c in (CASE_CANARY, HEALTH_CANARY, LEGAL_CANARY) if c in text}


def test_recipe_reads_a_coordinators_rekey(recipe: dict[str, Any], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Section 3.10, a coordinator's re-key read back with the document's code: in cases.db
    and each backup every account reads exactly the classes its roles give, with the keys
    its slot opens now, and finds the case by name if it holds the case key; the content
    keys of before, from a key file copied before, open no sealed field and find no name,
    even beside the current database key."""
    with organisation(tmp_path) as org:
        ids = _canary_case(org)
        org.admin.vault_admin.backup()
        recovery_key = org.recovery_key
    folder = tmp_path / "vault"
    accounts = {"admin": (ADMIN_PASS, ["admin"]), **STAFF}

    def keys_in(keyslots: dict[str, Any]) -> dict[str, dict[str, bytes]]:
        held = {name: recipe["open_slot"](keyslots, recipe["find_slot"](keyslots, name),
                                          secret)[0]
                for name, (secret, _roles) in accounts.items()}
        return {**held, "recovery": recipe["open_slot"](keyslots, recipe["find_slot"](keyslots),
                                                        recovery_key)[0]}

    before = keys_in(recipe["load_keyslots"](folder))
    assert _canaries(_recipe_readable(recipe, folder / "cases.db", before["coordinator"])) == {
        CASE_CANARY, HEALTH_CANARY, LEGAL_CANARY}
    with signed_in(folder, "coordinator", STAFF_PASS) as coordinator:
        report = coordinator.vault_admin.rekey()
    assert (report.content, report.left) == (tuple(CONTENT_KEYS), 0)
    keyslots = recipe["load_keyslots"](folder)
    assert "rekey" not in keyslots
    assert {n: keyslots["epochs"][n] for n in ["database", *CONTENT_KEYS]} == dict.fromkeys(
        ["database", *CONTENT_KEYS], 2)
    now = keys_in(keyslots)
    new_key = now["admin"]["database"]
    canary = {"case": CASE_CANARY, "health": HEALTH_CANARY, "legal": LEGAL_CANARY}

    files = _database_files(folder)
    assert len(files) >= 2
    for path in files:
        for name, keys in now.items():
            entitled = (CONTENT_KEYS if name == "recovery" else
                        [k for k in CONTENT_KEYS if k in keys_for(accounts[name][1])])
            assert sorted(k for k in keys if k in CONTENT_KEYS) == entitled, name
            assert keys["database"] == new_key
            assert _canaries(_recipe_readable(recipe, path, keys)) == {
                canary[k] for k in entitled}, (name, path.name)
            # the keys of before open no file, and beside the current database key no field
            assert not _opens(recipe, path, before[name]["database"])
            old = {**before[name], "database": new_key}
            assert _canaries(_recipe_readable(recipe, path, old)) == set(), (name, path.name)
        conn = recipe["open_database"](path, new_key)
        try:
            # the rows are sealed under the new case key (section 7.3), not the old one
            rows = sum(conn.execute("SELECT (SELECT count(*) FROM survivors)"
                                    " + (SELECT count(*) FROM cases)").fetchone())
            assert rows >= 2 and recipe["count_row_seals"](conn, now["coordinator"]) == (rows, 0)
            assert recipe["count_row_seals"](conn, {**before["coordinator"],
                                                    "database": new_key}) == (0, rows)
            code = conn.execute("SELECT code FROM cases WHERE id = ?", (ids["case"],)).fetchone()
            assert recipe["find_cases"](conn, now["legal"], "amara") == [(ids["case"], code[0])]
            assert recipe["find_cases"](conn, {**before["legal"], "database": new_key},
                                        "amara") == []
        finally:
            conn.close()

    conn = recipe["open_database"](folder / "cases.db", new_key)
    try:
        details = [json.loads(d) for (d,) in conn.execute(
            "SELECT details FROM audit_events WHERE action = 'key.rekeyed'").fetchall()]
    finally:
        conn.close()
    assert details == [{"version": 2, "count": len(files) - 1,
                        "keys": ["database", *CONTENT_KEYS]}]
    out = _run_program(folder, "legal", STAFF_PASS, monkeypatch, capsys)
    assert _held(out) == _entitled(["legal"], rekeyed=True)
    assert "Survivor names: 1 open with these keys, 0 cannot (no key)" in out
    assert "Access needs: 0 open with these keys, 1 cannot (no key)" in out
    assert "WARNING" not in out and "Note" not in out


def _crash_rekey(folder: Path, point: str, nth: int, user: str = "admin") -> None:
    """*user*'s re-key (a coordinator's changes the content keys too) in a process of its
    own, ended abruptly at the nth time it reaches *point* (tests/records/rekey_child.py)."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.records.rekey_child", str(folder), point, str(nth), user],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 9, result.stderr


def _names(recipe: dict[str, Any], path: Path, keys: dict[str, bytes]) -> list[str]:
    """The survivors' legal names in *path*, opened with *keys* by section 13's open_row."""
    conn = recipe["open_database"](path, keys["database"])
    try:
        ids = [row_id for (row_id,) in conn.execute("SELECT id FROM survivors ORDER BY id")]
        return [recipe["open_row"](conn, keys, "survivors", i)["legal_name"] for i in ids]
    finally:
        conn.close()


# (whose re-key, where it stopped, n-th time, state left, whether cases.db is under the new
# key); a coordinator's changes the content keys too
INTERRUPTED = [("admin", "prepared", 1, "prepared", False),
               ("admin", "copied", 1, "copied", False),
               ("admin", "swapping", 1, "copied", True),
               ("admin", "swapped", 1, "copied", True),
               ("coordinator", "copied", 1, "copied", False),
               ("coordinator", "swapping", 1, "copied", True),
               ("coordinator", "swapped", 1, "copied", True)]


@pytest.mark.parametrize(("user", "point", "nth", "state", "renamed"), INTERRUPTED,
                         ids=[f"{u}-{p}" for u, p, _n, _s, _r in INTERRUPTED])
def test_recipe_reads_a_vault_whose_rekey_was_interrupted(
        recipe: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], user: str, point: str, nth: int, state: str,
        renamed: bool) -> None:
    """Sections 3.1 and 3.10: the record a crash leaves, read with the document's code: the
    current database grant opens cases.db, or, once the files are renamed, the record's grant
    does, and then the record's content keys open its sealed fields; the next sign-in of an
    account that is not an administrator finishes or undoes it."""
    folder, recovery_key = _rekey_vault(tmp_path)
    earlier = recipe["load_keyslots"](folder)
    first_key = recipe["unwrap_data_key"](earlier, recipe["find_slot"](earlier, "admin"),
                                          ADMIN_PASS)
    _crash_rekey(folder, point, nth, user)
    content = CONTENT_KEYS if user == "coordinator" else []

    keyslots = recipe["load_keyslots"](folder)
    record = keyslots["rekey"]
    assert list(record) == ["state", "epoch", "check", "grants", *(["content"] if content else [])]
    assert (record["state"], record["epoch"]) == (state, 2)
    assert len(b64(record["check"])) == 16
    active = {s["user_id"] for s in keyslots["slots"] if s["status"] == "active"}
    assert set(record["grants"]) == active and RECOVERY_ID in active
    # each new content key is sealed to the accounts its roles entitle, and the recovery slot
    ids = {name: recipe["find_slot"](keyslots, name)["user_id"] for name in STAFF}
    assert {name: (entry["epoch"], set(entry["grants"]))
            for name, entry in record.get("content", {}).items()} == {
        name: (2, {ids[n] for n, (_s, roles) in STAFF.items() if name in keys_for(roles)}
               | {RECOVERY_ID}) for name in content}
    assert keyslots["epochs"] == {**earlier["epochs"], "integrity": 1}  # none changed yet
    assert b64(keyslots["checks"]["database"]) == _key_check(keyslots["vault_id"],
                                                             "database", 1, first_key)
    assert b64(keyslots["checks"]["integrity"]) == _key_check(keyslots["vault_id"],
                                                              "integrity", 1, first_key)
    mirror = recipe["load_keyslots"](folder / "backups" / "keyslots.json")
    assert mirror == keyslots  # the mirror follows each step (section 12.2)

    # each account's grant in the record opens to the same new key, checked against "check"
    new_keys = set()
    for name, secret in (("admin", ADMIN_PASS), ("legal", STAFF_PASS)):
        slot = recipe["find_slot"](keyslots, name)
        private_key, keys, _roles = recipe["unlock_slot"](keyslots, slot, secret)
        assert keys["database"] == keys["integrity"] == first_key
        new_keys.add(recipe["open_rekey_grant"](keyslots, slot, private_key))
        # the new content keys: none for the administrator, no health key for legal
        assert {k for k in CONTENT_KEYS if recipe["open_rekey_grant"](
            keyslots, slot, private_key, k) is not None} == (
            {"case", "legal"} & set(content) if name == "legal" else set())
    (new_key,) = new_keys
    assert b64(record["check"]) == _key_check(keyslots["vault_id"], "database", 2, new_key)
    assert _opens(recipe, folder / "cases.db", new_key) is renamed
    assert _opens(recipe, folder / "cases.db", first_key) is not renamed
    for path in _database_files(folder)[1:]:  # each copy under one key or the other
        assert _opens(recipe, path, first_key) != _opens(recipe, path, new_key), path.name

    # legal's keys of a file: those of the record once it is under the new database key
    slot = recipe["find_slot"](keyslots, "legal")
    private_key, keys, _roles = recipe["unlock_slot"](keyslots, slot, STAFF_PASS)
    rekeyed = recipe["rekeyed_keys"](keyslots, slot, private_key, keys)
    assert rekeyed.keys() == keys.keys() and rekeyed["database"] == new_key
    assert (rekeyed["case"] != keys["case"]) is bool(content)
    for path in _database_files(folder):
        right, wrong = (rekeyed, keys) if _opens(recipe, path, new_key) else (keys, rekeyed)
        assert _names(recipe, path, right) == ["Ana Test"], path.name
        if content:  # the other generation's case key opens nothing in that file
            with pytest.raises(InvalidTag):
                _names(recipe, path, {**wrong, "database": right["database"]})

    for name, secret in (("legal", STAFF_PASS), ("", recovery_key)):
        out = _run_program(folder, name, secret, monkeypatch, capsys)
        assert f"Note: a re-key is under way (section 3.10, {state})" in out
        assert ("Note: cases.db is already under the re-key's new keys" in out) is renamed
        assert re.search(r"^Audit chain intact: \d+ events$", out, flags=re.MULTILINE)
        assert "Survivor names: 1 open with these keys, 0 cannot (no key)" in out
        assert "WARNING" not in out
    assert recipe["load_keyslots"](folder) == keyslots  # the reader changed nothing

    with signed_in(folder, "legal", STAFF_PASS):  # the next sign-in, of any account
        pass
    after = recipe["load_keyslots"](folder)
    assert "rekey" not in after and not list(folder.rglob("*.rekey"))
    finished = state == "copied"
    assert after["epochs"] == {**keyslots["epochs"], **dict.fromkeys(
        ["database", *content] if finished else [], 2)}
    legal_keys, _roles = recipe["open_slot"](after, recipe["find_slot"](after, "legal"),
                                             STAFF_PASS)
    assert legal_keys == (rekeyed if finished else keys)
    key = new_key if finished else first_key
    for path in _database_files(folder):
        assert _opens(recipe, path, key), path.name
        assert _names(recipe, path, legal_keys) == ["Ana Test"], path.name
    out = _run_program(folder, "legal", STAFF_PASS, monkeypatch, capsys)
    assert "Note" not in out and "WARNING" not in out
    conn = recipe["open_database"](folder / "cases.db", key)
    try:
        details = [json.loads(d) for (d,) in conn.execute(
            "SELECT details FROM audit_events WHERE action = 'key.rekeyed'").fetchall()]
    finally:
        conn.close()
    assert details == ([{"version": 2, "reason": "sign_in"}] if finished else [])


def _example_with_record(record: Any, without: str | None = None) -> str:
    """Section 3's file with *record* as its re-key record, and *without* that key."""
    body = json.loads(_example_text())
    for field in ("epochs", "checks"):
        body[field].pop(without, None)
    body = {**{k: v for k, v in body.items() if k != "slots"}, "rekey": record,
            "slots": body["slots"]}
    return json.dumps(body, indent=2) + "\n"


GOOD_RECORD = {"state": "copied", "epoch": 2, "check": "cSBnfoRquaxH52h6mvWKAA==",
               "grants": {}}
GOOD_ENTRY = {"epoch": 2, "check": "q4KyrbkCQQxn+m7Lfd63pw==", "grants": {}}
GOOD_CONTENT = {**GOOD_RECORD, "content": {"case": GOOD_ENTRY, "legal": GOOD_ENTRY}}
MALFORMED_RECORDS = {
    "not an object": ["copied"],
    "unknown state": {**GOOD_RECORD, "state": "done"},
    "epoch 1": {**GOOD_RECORD, "epoch": 1},
    "epoch as text": {**GOOD_RECORD, "epoch": "2"},
    "grants not an object": {**GOOD_RECORD, "grants": []},
    "no check": {k: v for k, v in GOOD_RECORD.items() if k != "check"},
    "check not base64": {**GOOD_RECORD, "check": "not base64!"},
    "check of 15 bytes": {**GOOD_RECORD, "check": "cSBnfoRquaxH52h6mvWK"},
    "epoch skips one": {**GOOD_RECORD, "epoch": 3},
    "content not an object": {**GOOD_RECORD, "content": ["case"]},
    "content null": {**GOOD_RECORD, "content": None},
    "content of another key": {**GOOD_RECORD, "content": {"integrity": GOOD_ENTRY}},
    "content entry not an object": {**GOOD_RECORD, "content": {"case": "new"}},
    "content epoch 1": {**GOOD_RECORD, "content": {"case": {**GOOD_ENTRY, "epoch": 1}}},
    "content check of 15 bytes": {**GOOD_RECORD, "content": {"case": {
        **GOOD_ENTRY, "check": "q4KyrbkCQQxn+m7Lfd63"}}},
    "content grants not objects": {**GOOD_RECORD, "content": {"case": {
        **GOOD_ENTRY, "grants": {"recovery": "a grant"}}}},
}


@pytest.mark.parametrize("problem", sorted(MALFORMED_RECORDS))
def test_a_malformed_rekey_record_is_refused(recipe: dict[str, Any], tmp_path: Path,
                                             problem: str) -> None:
    """Section 3.1: Shelter App refuses a key file whose re-key record is malformed, and so
    does the document's code; a well-formed one is read and written back where it stood."""
    path = tmp_path / "keyslots.json"
    for good in (GOOD_RECORD, GOOD_CONTENT):
        path.write_text(_example_with_record(good), encoding="ascii")
        assert recipe["load_keyslots"](tmp_path)["rekey"] == good
        slots = KeyslotFile.load(path)
        assert slots.rekey == good
        assert json.dumps(slots.to_json(), indent=2) + "\n" == path.read_text(encoding="ascii")
    path.write_text(_example_with_record(MALFORMED_RECORDS[problem]), encoding="ascii")
    with pytest.raises(VaultDamaged):
        KeyslotFile.load(path)
    with pytest.raises(ValueError, match="re-key record"):
        recipe["load_keyslots"](tmp_path)


def test_a_rekey_record_changes_only_keys_the_vault_has(recipe: dict[str, Any],
                                                       tmp_path: Path) -> None:
    """Section 3.1: a content entry for a key that ``epochs`` does not name is refused."""
    path = tmp_path / "keyslots.json"
    path.write_text(_example_with_record(GOOD_CONTENT, without="health"), encoding="ascii")
    assert KeyslotFile.load(path).rekey == GOOD_CONTENT  # health is not changed: accepted
    assert recipe["load_keyslots"](tmp_path)["rekey"] == GOOD_CONTENT
    path.write_text(_example_with_record(GOOD_CONTENT, without="legal"), encoding="ascii")
    with pytest.raises(VaultDamaged):
        KeyslotFile.load(path)
    with pytest.raises(ValueError, match="re-key record"):
        recipe["load_keyslots"](tmp_path)


# -- backups -----------------------------------------------------------------------------
def test_backups_open_with_the_same_key(made: Made, recipe: dict[str, Any]) -> None:
    data_key = _data_key(made, recipe)
    live = _keyslots(made)
    backups = made.folder / "backups"
    for path in backups.glob("cases-*.db"):
        version = int(DB_BACKUP.match(path.name).group(2))  # type: ignore[union-attr]
        assert path.read_bytes()[:16] != (made.folder / "cases.db").read_bytes()[:16]
        conn = recipe["open_database"](path, data_key)
        try:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == version
            assert recipe["verify_audit_chain"](conn, data_key) > 0
        finally:
            conn.close()
    for path in [backups / "keyslots.json"]:
        copy = recipe["load_keyslots"](path)
        assert copy["vault_id"] == live["vault_id"]
        assert copy["checks"] == live["checks"] and copy["epochs"] == live["epochs"]
        admin = recipe["find_slot"](copy, "admin")
        assert recipe["unwrap_data_key"](copy, admin, ADMIN_PASS) == data_key


def test_keyslot_mirror_holds_no_way_in_for_a_disabled_account(made: Made,
                                                               recipe: dict[str, Any]) -> None:
    """Section 12.2: the one mirror in backups/ follows the live file, revocations included."""
    mirror = recipe["load_keyslots"](made.folder / "backups" / "keyslots.json")
    gone = [s for s in mirror["slots"] if s["user_id"] == made.gone_id]
    assert [s["status"] for s in gone] == ["disabled"]
    assert not {"kdf", "check", "aead", "public_key", "private_key", "grants",
                "statement"} & set(gone[0])


# -- signin-attempts.json ----------------------------------------------------------------
def test_giving_keys_with_the_recovery_key_is_recorded(made: Made, recipe: dict[str, Any]
                                                       ) -> None:
    """Sections 3.5, 5 and 9: a wrong recovery key is counted in signin-attempts.json; the
    right one, though no slot lacks a key, moves that failure into the chain, records
    key.recovery_used with {"action": "give_keys"} in the same transaction, and clears the
    recovery entry."""
    attempts = made.folder / "signin-attempts.json"
    with signed_in(made.folder) as admin:
        with pytest.raises(WrongPassphrase):
            admin.accounts.give_keys_with_recovery(VECTOR_RECOVERY)  # another vault's
        assert sorted(json.loads(attempts.read_text(encoding="utf-8"))) == sorted(
            [made.zoe_id, RECOVERY_ID])
        assert admin.accounts.give_keys_with_recovery(made.recovery_key.lower()) == 0
    assert list(json.loads(attempts.read_text(encoding="utf-8"))) == [made.zoe_id]
    data_key = _data_key(made, recipe)
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        rows = conn.execute("SELECT seq, actor_id, action, target_type, outcome, details"
                            " FROM audit_events WHERE target_id = 'recovery' ORDER BY seq"
                            ).fetchall()
    finally:
        conn.close()
    assert [r[2:5] for r in rows] == [("session.sign_in_failed", "keyslot", "failed"),
                                      ("key.recovery_used", "keyslot", "ok")]
    assert rows[1][0] == rows[0][0] + 1 and {r[1] for r in rows} == {made.admin_id}
    assert SECONDS_UTC.match(json.loads(rows[0][5])["occurred_at"])
    assert json.loads(rows[1][5]) == {"action": "give_keys"}


def test_signin_attempts_file(made: Made) -> None:
    text = (made.folder / "signin-attempts.json").read_text(encoding="utf-8")
    body = json.loads(text)
    assert text == json.dumps(body, indent=1)
    assert list(body) == [made.zoe_id]  # the admin's entry went into the chain at sign-in
    record = body[made.zoe_id]
    assert list(record) == ["failures", "last_failure", "unreported", "dropped"]
    assert record["failures"] == 1 and record["dropped"] == 0
    assert isinstance(record["last_failure"], float)
    assert len(record["unreported"]) == 1 and SECONDS_UTC.match(record["unreported"][0])
