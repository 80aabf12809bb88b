"""While a vault is unlocked the process writes no core dump; the setting comes back after."""

from __future__ import annotations

import resource
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from shelter_app.errors import VaultDamaged
from shelter_app.vault.process import core_dumps_disabled
from shelter_app.vault.vault import Vault
from tests.conftest import ADMIN_PASS, FAST_KDF, ORG


def _dumpable() -> int | None:
    status = Path("/proc/self/status")
    if not sys.platform.startswith("linux") or not status.exists():
        return None
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    return int(libc.prctl(3, 0, 0, 0, 0))  # PR_GET_DUMPABLE


@pytest.fixture
def core_dumps_allowed() -> Iterator[int]:
    """Start from a process that would write core files (as a desktop session may)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    if hard == 0:
        pytest.skip("core files are forbidden by the hard limit here")
    wanted = 1 << 20 if hard == resource.RLIM_INFINITY else hard
    resource.setrlimit(resource.RLIMIT_CORE, (wanted, hard))
    assert not core_dumps_disabled()
    yield wanted
    resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))


def test_unlocked_vault_disables_core_dumps(closed_vault: Path, core_dumps_allowed: int) -> None:
    dumpable = _dumpable()
    with Vault.open(closed_vault, kdf=FAST_KDF) as vault:
        assert not core_dumps_disabled(), "holding the folder alone changes nothing"
        opened, _report = vault.unlock("admin", ADMIN_PASS)
        assert core_dumps_disabled()
        if dumpable is not None:
            assert _dumpable() == 0
        opened.close()
        assert not core_dumps_disabled()
        assert resource.getrlimit(resource.RLIMIT_CORE)[0] == core_dumps_allowed
        if dumpable is not None:
            assert _dumpable() == dumpable


def test_failed_unlock_leaves_the_setting_alone(closed_vault: Path,
                                                core_dumps_allowed: int) -> None:
    (closed_vault / "cases.db").write_bytes(b"\0" * 4096)
    with Vault.open(closed_vault, kdf=FAST_KDF) as vault, pytest.raises(VaultDamaged):
        vault.unlock("admin", ADMIN_PASS)
    assert not core_dumps_disabled()


def test_a_new_vault_counts_as_open_until_closed(tmp_path: Path, closed_vault: Path,
                                                 core_dumps_allowed: int) -> None:
    with Vault.open(closed_vault, kdf=FAST_KDF) as first:
        opened_first, _report = first.unlock("admin", ADMIN_PASS)
        vault, opened, _key = Vault.create(tmp_path / "second", organisation=ORG,
                                           admin_username="admin", admin_passphrase=ADMIN_PASS,
                                           kdf=FAST_KDF)
        assert core_dumps_disabled()
        opened.close()
        vault.close()
        assert core_dumps_disabled(), "the first vault is still unlocked"
        opened_first.close()
    assert not core_dumps_disabled()
    vault, opened, _key = Vault.create(tmp_path / "third", organisation=ORG,
                                       admin_username="admin", admin_passphrase=ADMIN_PASS,
                                       kdf=FAST_KDF)
    assert core_dumps_disabled()
    opened.close()
    opened.close()  # closing twice does not undo someone else's hold
    vault.close()
    assert not core_dumps_disabled()


def test_closing_forgets_the_key(created: tuple[Vault, object, str]) -> None:
    opened = created[1]
    key = opened.data_key_copy()  # type: ignore[attr-defined]
    assert any(key)
    opened.close()  # type: ignore[attr-defined]
    assert opened.data_key_copy() == bytes(32)  # type: ignore[attr-defined]
    assert opened.closed  # type: ignore[attr-defined]
