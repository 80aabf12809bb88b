"""No plaintext leaves the encrypted database: a canary written into records never shows up
in any file of the vault folder, the temporary folder or the logs, while the vault is open
(write-ahead log present) or after it is closed.

The session runs in a child process with its own TMPDIR and a DEBUG log file, so every place
the program could write to is a folder this test can read byte by byte.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

SESSION = r'''
import logging, sys, warnings
from pathlib import Path
logging.basicConfig(level=logging.DEBUG, filename=sys.argv[3])
logging.captureWarnings(True)
from tests.conftest import ADMIN_PASS, FAST_KDF, TEMP_PASS
from shelter_app.errors import WrongPassphrase
from shelter_app.services.registry import build_services
from shelter_app.vault.vault import Vault

folder, canary = Path(sys.argv[1]), sys.argv[2]
vault, opened, _key = Vault.create(folder, organisation="Org " + canary, admin_username="admin",
                                   admin_passphrase=ADMIN_PASS, admin_display_name=canary,
                                   kdf=FAST_KDF)
s = build_services(opened)
s.accounts.add("casey", ["caseworker"], TEMP_PASS, display_name="Casey " + canary)
s.settings.set("window_title", canary[:60])
s.vault_admin.backup()
s.lock()
try:
    vault.unlock("casey", "not casey's passphrase")
except WrongPassphrase:
    pass
opened, _report = vault.unlock("admin", ADMIN_PASS)
s = build_services(opened)
s.settings.set("organisation", "Renamed " + canary)
assert s.settings.get("organisation") == "Renamed " + canary
assert canary in [a.display_name for a in s.accounts.list()]
print("OPEN", flush=True)
sys.stdin.readline()              # the test scans while the vault is open
s.lock()
vault.close()
print("CLOSED", flush=True)
'''


def _forms(canary: str) -> list[bytes]:
    out = []
    for text in {canary, canary.casefold(), canary.upper()}:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            out.append(text.encode(encoding))
    return out


def _leaks(folders: list[Path], forms: list[bytes]) -> list[str]:
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                found += [f"{path} ({form!r})" for form in forms if form in data]
    return found


@pytest.mark.slow
def test_canary_never_reaches_the_disk_in_clear(tmp_path: Path) -> None:
    canary = f"Canary-Straße-{uuid.uuid4().hex}"
    forms = _forms(canary)
    vault_dir, temp_dir, log_dir = tmp_path / "vault", tmp_path / "tmp", tmp_path / "logs"
    temp_dir.mkdir()
    log_dir.mkdir()
    control = temp_dir / "control.txt"
    control.write_text(canary.casefold(), encoding="utf-16-le")
    assert _leaks([temp_dir], forms), "the scan finds the casefolded UTF-16 form"
    control.unlink()

    env = {**os.environ, "TMPDIR": str(temp_dir), "SQLITE_TMPDIR": str(temp_dir),
           "PYTHONDONTWRITEBYTECODE": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", SESSION, str(vault_dir), canary, str(log_dir / "session.log")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env, cwd=Path(__file__).resolve().parent.parent,
    )
    assert child.stdout is not None and child.stdin is not None
    try:
        assert child.stdout.readline().strip() == "OPEN", child.stderr.read()  # type: ignore[union-attr]
        wal = vault_dir / "cases.db-wal"
        assert wal.exists() and wal.stat().st_size > 0, "the write-ahead log is in use"
        names = {p.name for p in vault_dir.rglob("*")}
        assert {"cases.db", "keyslots.json", "signin-attempts.json"} <= names
        assert any(n.startswith("cases-") for n in names), "a backup was written"
        assert _leaks([vault_dir, temp_dir, log_dir], forms) == []
        child.stdin.write("\n")
        child.stdin.flush()
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    assert "CLOSED" in out
    assert (log_dir / "session.log").exists()
    assert _leaks([vault_dir, temp_dir, log_dir], forms) == []
    assert not any(form in (out + err).encode() for form in forms)
