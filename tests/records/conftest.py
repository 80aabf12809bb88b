"""An organisation in one real SQLCipher vault: one Services per signed-in account.

``org.coordinator``, ``org.caseworker`` (assigned the case), ``org.other_caseworker`` (not
assigned), ``org.legal`` (the case is shared with them), ``org.other_legal`` (not shared)
and ``org.admin`` each have their own unlocked connection, as on separate desks.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shelter_app.domain.records import CaseInput, CaseRecord, SurvivorInput
from shelter_app.services.registry import Services, build_services
from shelter_app.vault.vault import OpenVault, Vault
from tests.conftest import ADMIN_PASS, FAST_KDF, ORG, from_template, reachable

STAFF_PASS = "plain orchard lantern 42"
ACCOUNTS = {
    "coordinator": ["coordinator"],
    "caseworker": ["caseworker"],
    "other_caseworker": ["caseworker"],
    "legal": ["legal"],
    "other_legal": ["legal"],
}


@dataclass
class Org:
    vault: Vault
    folder: Path
    admin: Services
    coordinator: Services
    caseworker: Services
    other_caseworker: Services
    legal: Services
    other_legal: Services
    ids: dict[str, str]
    opened: list[OpenVault]
    recovery_key: str = ""

    def new_case(self, legal_name: str = "Ana Test", *, by: Services | None = None,
                 share: bool = True, **survivor: Any) -> CaseRecord:
        """A case assigned to ``caseworker`` (and shared with ``legal``), made by the
        coordinator unless *by* says otherwise."""
        maker = by or self.coordinator
        case = survivor.pop("case", None) or CaseInput()
        if maker is self.coordinator and case.assigned_to is None:
            case.assigned_to = self.ids["caseworker"]
        record = maker.cases.create(SurvivorInput(legal_name=legal_name, **survivor), case)
        if share:
            self.coordinator.cases.share(record.id, self.ids["legal"])
        return record

    def partner(self, name: str = "Riverside Clinic") -> str:
        return self.coordinator.partners.add(name, "health", services=["medical"]).id

    def audit(self, action: str | None = None) -> list[dict[str, Any]]:
        rows = self.coordinator.ctx.db.all(
            "SELECT actor_id, action, target_type, target_id, outcome, details FROM audit_events"
            " ORDER BY seq")
        out = [{**dict(zip(r.keys(), r, strict=True)), "details": json.loads(r["details"])}
               for r in rows]
        return [e for e in out if action is None or e["action"] == action]

    def count(self, table: str) -> int:
        return int(self.coordinator.ctx.db.scalar(f"SELECT count(*) FROM {table}"))  # noqa: S608


def _make_organisation(folder: Path) -> tuple[dict[str, str], str]:
    """The vault and its accounts: (their ids, the recovery key)."""
    vault, admin_opened, recovery_key = Vault.create(
        folder, organisation=ORG, admin_username="admin", admin_passphrase=ADMIN_PASS,
        kdf=FAST_KDF)
    admin = build_services(admin_opened)
    try:
        ids = {"admin": admin_opened.user_id}
        for name, roles in ACCOUNTS.items():
            ids[name] = admin.accounts.add(name, roles, STAFF_PASS, temporary=False).id
        reachable(admin)
    finally:
        admin.lock()
        vault.close()
    return ids, recovery_key


@contextmanager
def organisation(tmp_path: Path) -> Iterator[Org]:
    """A vault with one unlocked session per account (shared by the ui tests' fixture)."""
    folder = tmp_path / "vault"
    made_ids, recovery_key = from_template("organisation", folder, _make_organisation)
    ids = dict(made_ids)
    vault = Vault.open(folder, kdf=FAST_KDF)
    admin_opened, _report = vault.unlock("admin", ADMIN_PASS)
    admin = build_services(admin_opened)
    opened = [admin_opened]
    services: dict[str, Services] = {}
    for name in ACCOUNTS:
        one, _report = vault.unlock(name, STAFF_PASS)
        opened.append(one)
        services[name] = build_services(one)
    try:
        yield Org(vault, folder, admin, ids=ids, opened=opened, recovery_key=recovery_key,
                  **services)
    finally:
        for one in opened:
            one.close()
        vault.close()


@pytest.fixture
def org(tmp_path: Path) -> Iterator[Org]:
    with organisation(tmp_path) as made:
        yield made


def days(n: int) -> dt.date:
    return dt.date.today() + dt.timedelta(days=n)
