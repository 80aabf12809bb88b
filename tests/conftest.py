"""Fixtures: a fresh real SQLCipher vault per test, with fast key derivation.

Fast Argon2 parameters are set here and only here; the minimum is the same small value so
the "parameters lowered below the minimum" case can still be tested against it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SHELTER_LANG", "en")

from shelter_app.i18n import set_language  # noqa: E402
from shelter_app.services.registry import Services, build_services  # noqa: E402
from shelter_app.vault.crypto import KdfParams, KdfPolicy  # noqa: E402
from shelter_app.vault.vault import OpenVault, Vault  # noqa: E402

FAST_KDF = KdfPolicy(default=KdfParams(1024, 2, 1), minimum=KdfParams(1024, 2, 1))
ADMIN_PASS = "correct horse battery staple"
ORG = "Harbour House"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def kdf() -> KdfPolicy:
    return FAST_KDF


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def created(vault_dir: Path) -> Iterator[tuple[Vault, OpenVault, str]]:
    vault, opened, recovery = Vault.create(
        vault_dir, organisation=ORG, admin_username="admin", admin_passphrase=ADMIN_PASS,
        kdf=FAST_KDF,
    )
    yield vault, opened, recovery
    opened.close()
    vault.close()


@pytest.fixture
def admin(created: tuple[Vault, OpenVault, str]) -> Services:
    return build_services(created[1])


def reopen(vault_dir: Path, username: str = "admin", passphrase: str = ADMIN_PASS
           ) -> tuple[Vault, Services]:
    vault = Vault.open(vault_dir, kdf=FAST_KDF)
    opened, _report = vault.unlock(username, passphrase)
    return vault, build_services(opened)
