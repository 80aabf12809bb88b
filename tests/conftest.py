"""Fixtures: a fresh real SQLCipher vault per test, with fast key derivation.

Fast Argon2 parameters are set here and only here; the minimum is the same small value so
the "parameters lowered below the minimum" case can still be tested against it.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlcipher3.dbapi2 as sqlcipher

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SHELTER_LANG", "en")
# The interface language chosen in the application is never kept in the home folder (and
# each test has a folder of its own: ``_english``).
os.environ.setdefault("SHELTER_CONFIG", tempfile.mkdtemp(prefix="shelter-config-"))

from shelter_app.cli.main import main as cli_main
from shelter_app.i18n import set_language
from shelter_app.services.registry import Services, build_services
from shelter_app.vault.crypto import KdfParams, KdfPolicy
from shelter_app.vault.keyring import open_account
from shelter_app.vault.keyslots import KeyslotFile
from shelter_app.vault.process import core_dumps
from shelter_app.vault.vault import OpenVault, Vault

FAST_KDF = KdfPolicy(default=KdfParams(1024, 2, 1), minimum=KdfParams(1024, 2, 1))
ADMIN_PASS = "correct horse battery staple"
ORG = "Harbour House"


@pytest.fixture(autouse=True)
def _english(tmp_path_factory: pytest.TempPathFactory,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts in English, with a configuration folder of its own: a language
    chosen in one test (kept in ``interface.json``) is never seen by another."""
    monkeypatch.setenv("SHELTER_CONFIG", str(tmp_path_factory.mktemp("config")))
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def no_catalogues(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An install without compiled catalogues (a wheel built without its build step): the
    catalogue folder is an empty one for this test."""
    import shelter_app.i18n as i18n

    empty = tmp_path / "no-locale"
    empty.mkdir()
    monkeypatch.setattr(i18n, "LOCALE_DIR", empty)
    i18n._catalogue.cache_clear()
    yield empty
    monkeypatch.undo()
    i18n._catalogue.cache_clear()
    set_language("en")


@pytest.fixture
def kdf() -> KdfPolicy:
    return FAST_KDF


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


def _make_bare(folder: Path) -> str:
    vault, opened, recovery = Vault.create(
        folder, organisation=ORG, admin_username="admin", admin_passphrase=ADMIN_PASS,
        kdf=FAST_KDF,
    )
    opened.close()
    vault.close()
    return recovery


@pytest.fixture
def created(vault_dir: Path) -> Iterator[tuple[Vault, OpenVault, str]]:
    """A vault with its first administrator signed in (copied from one made once per
    process, ``from_template``): (the vault, the session, the recovery key)."""
    recovery = from_template("bare", vault_dir, _make_bare)
    vault = Vault.open(vault_dir, kdf=FAST_KDF)
    opened, _report = vault.unlock("admin", ADMIN_PASS)
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


# -- vaults made once per test process ------------------------------------------------
T = TypeVar("T")
_TEMPLATES: dict[str, tuple[Path, Any]] = {}


def from_template(name: str, folder: Path, make: Callable[[Path], T]) -> T:
    """The vault *make* builds in a folder, built once per test process under *name* and
    copied to *folder* at each call; returns what *make* returned.

    Making a vault writes its schema's objects through SQLCipher, a fifth of a second;
    hundreds of tests start from the same staffed vault, and a copy of its closed folder is
    the same vault for each of them (the tests of making a vault make their own)."""
    if name not in _TEMPLATES:
        base = Path(tempfile.mkdtemp(prefix="shelter-template-"))
        atexit.register(shutil.rmtree, base, True)
        _TEMPLATES[name] = (base / "vault", make(base / "vault"))
    source, made = _TEMPLATES[name]
    shutil.copytree(source, folder, dirs_exist_ok=True)
    return made  # type: ignore[no-any-return]


# -- helpers for the core tests ------------------------------------------------------
def reachable(admin: Services) -> None:
    """How partners reach the organisation and return feedback slips: a referral packet
    needs both (set as the administrator)."""
    admin.settings.set("organisation_contact", "Intake desk, +00 0000 000000")
    admin.settings.set("referral_return", "Secure e-mail to referrals@example.org")


TEMP_PASS = "temporary passphrase 0042"


def add_user(services: Services, name: str, *roles: str, passphrase: str = TEMP_PASS,
             display_name: str = "", temporary: bool = True) -> str:
    """Add an account as the signed-in administrator; returns its user id."""
    return services.accounts.add(name, list(roles), passphrase, display_name=display_name,
                                 temporary=temporary).id


@contextmanager
def signed_in(vault_dir: Path, username: str = "admin", passphrase: str = ADMIN_PASS
              ) -> Iterator[Services]:
    """A whole session: hold the folder, unlock, yield the services, lock and release."""
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        opened, _report = vault.unlock(username, passphrase)
        services = build_services(opened)
        try:
            yield services
        finally:
            services.lock()


def unwrap_data_key(vault_dir: Path, username: str = "admin", passphrase: str = ADMIN_PASS
                    ) -> bytes:
    """The data key, unwrapped from a keyslot exactly the way the application does it."""
    slots = KeyslotFile.load(vault_dir / "keyslots.json")
    opened = open_account(slots, slots.find_user(username), passphrase, FAST_KDF.minimum)
    return opened.keyring.data_key


def raw_connect(vault_dir: Path, data_key: bytes) -> sqlcipher.Connection:
    """A bare sqlcipher3 connection to cases.db keyed with the raw data key (no app checks)."""
    conn = sqlcipher.connect(str(vault_dir / "cases.db"), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
    return conn


@pytest.fixture
def closed_vault(created: tuple[Vault, OpenVault, str], vault_dir: Path) -> Path:
    """A freshly created vault, closed again: the folder as it lies on disk."""
    created[1].close()
    created[0].close()
    return vault_dir


@pytest.fixture
def run_cli(vault_dir: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run shelter-admin in this process: ``run_cli(*args, stdin="…")`` → (code, out, err).

    ``--vault`` is put in front; passphrases go through ``--passphrase-stdin`` when *stdin*
    is given, exactly as a script would feed them.
    """
    monkeypatch.delenv("SHELTER_USER", raising=False)
    monkeypatch.delenv("SHELTER_VAULT", raising=False)

    def run(*args: str, stdin: str | None = None, vault: bool = True) -> tuple[int, str, str]:
        argv = ["--vault", str(vault_dir)] if vault else []
        if stdin is not None:
            argv.append("--passphrase-stdin")
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = cli_main([*argv, *args], kdf=FAST_KDF)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(autouse=True)
def _no_vault_left_open(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every core test closes what it opens: a vault left open keeps its key in memory."""
    before = core_dumps._depth
    yield
    if "ui" not in Path(str(request.path)).parts:
        assert core_dumps._depth == before, "a test left an unlocked vault open"


# -- a disk that cannot be written (tests/test_read_only_vault.py) -------------------------
def _mount(point: Path, *options: str) -> bool:
    return subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(("size=48m", *options)),
                           "tmpfs", str(point)], capture_output=True).returncode == 0


def remount(point: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(point)], check=True,
                   capture_output=True)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    point = tmp_path / "disk"
    point.mkdir()
    if not _mount(point):
        pytest.skip("this machine does not let the test mount a file system")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], capture_output=True)


@pytest.fixture
def read_only_vault(disk: Path) -> Iterator[tuple[Path, set[str], int]]:
    """A vault with two cases (one with an attachment) and a backup on *disk*, then the
    disk made read-only:
    (folder, codes, number of audit events)."""
    from tests.ui.case_helpers import new_case, session, staffed_vault  # it builds on this

    folder = disk / "vault"
    ids = staffed_vault(folder)
    with session(folder, "coordinator") as s:
        made = [new_case(s, ids, "Ottilie Marchbank"),
                new_case(s, ids, "Rosa Delgado", share=False)]  # not the legal volunteer's
        codes = {case.code for case in made}
        s.attachments.add(made[0].id, "scan.png", b"\x89PNG\r\n\x1a\n" + bytes(16) + b"scan")
    with session(folder, "admin") as admin:
        admin.vault_admin.backup()
    events = audit_count(folder)
    remount(disk, "ro")
    yield folder, codes, events
    remount(disk, "rw")


def audit_count(folder: Path) -> int:
    conn = raw_connect(folder, unwrap_data_key(folder))
    try:
        return int(conn.execute("SELECT count(*) FROM audit_events").fetchone()[0])
    finally:
        conn.close()
