"""shelter-admin: exit 0 on success, 1 with one line on stderr on failure, 2 on a usage error;
passphrases only from the terminal or standard input, never from the command line."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from shelter_app.cli.main import build_parser
from shelter_app.services.accounts import AccountService
from shelter_app.vault.vault import Vault
from tests.bidi import plain
from tests.conftest import ADMIN_PASS, FAST_KDF, TEMP_PASS

KEY = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){7}")
AS_ADMIN = ("--as", "admin")
SECRETS = (ADMIN_PASS, TEMP_PASS, "a brand new passphrase", "hunter2hunter2")


def _failed(code: int, out: str, err: str) -> str:
    """Assert the failure contract and return the message."""
    assert code == 1, (code, out, err)
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert err.startswith("shelter-admin: ")
    for secret in SECRETS:
        assert secret not in err and secret not in out
    return err.removeprefix("shelter-admin: ").strip()


def _usage(code: int, out: str, err: str) -> str:
    assert code == 2, (code, out, err)
    assert err.splitlines()[0].startswith("usage: shelter-admin")
    last = err.splitlines()[-1]
    assert last.startswith("shelter-admin")
    for secret in SECRETS:
        assert secret not in err and secret not in out
    return last


@pytest.fixture
def initialised(run_cli: Any) -> Any:
    code, _out, err = run_cli("init", "--organisation", "Harbour House", "--admin", "admin",
                              stdin=ADMIN_PASS + "\n")
    assert (code, err) == (0, ""), err
    return run_cli


# -- init ------------------------------------------------------------------------------
def test_init_prints_the_recovery_key_once(run_cli: Any, vault_dir: Path) -> None:
    code, out, err = run_cli("init", "--organisation", "Harbour House", "--admin", "admin",
                             "--display-name", "Ada Admin", stdin=ADMIN_PASS + "\n")
    assert (code, err) == (0, "")
    keys = KEY.findall(out)
    assert len(keys) == 1
    assert f"Vault created in {vault_dir}" in out
    assert {"cases.db", "keyslots.json", "backups"} <= {p.name for p in vault_dir.iterdir()}
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        opened, _report = vault.recover(keys[0], "admin", "recovered passphrase")
        opened.close()


def test_init_refuses_an_existing_vault(initialised: Any, vault_dir: Path) -> None:
    before = (vault_dir / "keyslots.json").read_bytes()
    message = _failed(*initialised("init", "--organisation", "Other", "--admin", "root",
                                   stdin="another long passphrase\n"))
    assert "already exists" in message
    assert (vault_dir / "keyslots.json").read_bytes() == before


def test_init_with_a_weak_passphrase_leaves_nothing(run_cli: Any, vault_dir: Path) -> None:
    message = _failed(*run_cli("init", "--organisation", "Harbour House", "--admin", "admin",
                               stdin="short\n"))
    assert "at least 12 characters" in message
    assert not (vault_dir / "cases.db").exists() and not (vault_dir / "keyslots.json").exists()


# -- accounts --------------------------------------------------------------------------
def test_account_commands(initialised: Any, vault_dir: Path) -> None:
    run = initialised
    code, out, err = run(*AS_ADMIN, "user", "add", "casey", "--role", "caseworker", "--role",
                         "legal", "--display-name", "Casey W", stdin=f"{ADMIN_PASS}\n{TEMP_PASS}\n")
    assert (code, err) == (0, "") and "Account casey added" in plain(out)
    code, out, err = run(*AS_ADMIN, "user", "list", stdin=ADMIN_PASS + "\n")
    assert code == 0
    assert out.splitlines() == ["admin\tadmin\tactive\t",
                                "casey\tcaseworker,legal\tactive must-change-passphrase "
                                "waiting-for-keys\tCasey W"]
    assert run(*AS_ADMIN, "user", "roles", "casey", "--role", "legal",
               stdin=ADMIN_PASS + "\n")[0] == 0
    assert run(*AS_ADMIN, "user", "disable", "casey", stdin=ADMIN_PASS + "\n")[0] == 0
    assert "disabled" in _failed(*run("--as", "casey", "user", "list", stdin=TEMP_PASS + "\n"))
    assert run(*AS_ADMIN, "user", "enable", "casey",
               stdin=f"{ADMIN_PASS}\nre-enabled temporary\n")[0] == 0
    assert run(*AS_ADMIN, "user", "reset", "casey",
               stdin=f"{ADMIN_PASS}\nreset temporary one\n")[0] == 0
    code, out, _err = run(*AS_ADMIN, "user", "list", stdin=ADMIN_PASS + "\n")
    assert ("casey\tlegal\tactive must-change-passphrase waiting-for-keys\tCasey W"
            in out.splitlines())

    # a temporary passphrase must be changed before anything else
    message = _failed(*run("--as", "casey", "user", "list", stdin="reset temporary one\n"))
    assert "temporary passphrase" in message and "passphrase" in message
    code, out, err = run("--as", "casey", "passphrase",
                         stdin="reset temporary one\na brand new passphrase\n")
    assert (code, err) == (0, "") and "Passphrase changed" in out
    _failed(*run("--as", "casey", "verify", stdin="reset temporary one\n"))
    message = _failed(*run("--as", "casey", "user", "list",
                           stdin="a brand new passphrase\n"))
    assert "roles do not allow" in message


def test_account_errors_are_one_line(initialised: Any) -> None:
    run = initialised
    assert "already exists" in _failed(*run(*AS_ADMIN, "user", "add", "ADMIN", "--role", "legal",
                                            stdin=f"{ADMIN_PASS}\n{TEMP_PASS}\n"))
    assert "your own account" in _failed(*run(*AS_ADMIN, "user", "disable", "admin",
                                              stdin=ADMIN_PASS + "\n"))
    assert "no account" in _failed(*run(*AS_ADMIN, "user", "disable", "ghost",
                                        stdin=ADMIN_PASS + "\n"))
    assert "last active administrator" in _failed(*run(
        *AS_ADMIN, "user", "roles", "admin", "--role", "legal", stdin=ADMIN_PASS + "\n"))


def test_sign_in_failures(initialised: Any, vault_dir: Path) -> None:
    run = initialised
    assert _failed(*run(*AS_ADMIN, "verify", stdin="hunter2hunter2\n")) == (
        "The passphrase is not correct.")
    assert "no account" in _failed(*run("--as", "nobody", "verify", stdin=ADMIN_PASS + "\n"))
    start = time.perf_counter()
    assert _failed(*run(*AS_ADMIN, "verify", stdin="x" * 1_000_000 + "\n")) == (
        "The passphrase is not correct.")
    assert time.perf_counter() - start < 3
    (vault_dir / "cases.db").unlink()
    assert "cases.db is missing" in _failed(*run(*AS_ADMIN, "verify", stdin=ADMIN_PASS + "\n"))
    assert not (vault_dir / "cases.db").exists()


def test_missing_vault_folder(run_cli: Any, vault_dir: Path) -> None:
    assert "no vault" in _failed(*run_cli(*AS_ADMIN, "verify", stdin=ADMIN_PASS + "\n"))
    assert not vault_dir.exists()


def test_second_instance(initialised: Any, vault_dir: Path) -> None:
    with Vault.open(vault_dir, kdf=FAST_KDF):
        message = _failed(*initialised(*AS_ADMIN, "verify", stdin=ADMIN_PASS + "\n"))
    assert "already open" in message


def test_passphrase_change(initialised: Any) -> None:
    run = initialised
    code, out, _err = run(*AS_ADMIN, "passphrase", stdin=f"{ADMIN_PASS}\na brand new passphrase\n")
    assert code == 0 and out == "Passphrase changed.\n"
    _failed(*run(*AS_ADMIN, "verify", stdin=ADMIN_PASS + "\n"))
    assert run(*AS_ADMIN, "verify", stdin="a brand new passphrase\n")[0] == 0
    assert "at least 12" in _failed(*run(*AS_ADMIN, "passphrase",
                                         stdin="a brand new passphrase\nshort\n"))


def test_backup_and_verify(initialised: Any, vault_dir: Path) -> None:
    code, out, err = initialised(*AS_ADMIN, "backup", stdin=ADMIN_PASS + "\n")
    assert (code, err) == (0, "")
    [backup] = (vault_dir / "backups").glob("cases-*.db")
    assert str(backup) in out
    code, out, err = initialised(*AS_ADMIN, "verify", stdin=ADMIN_PASS + "\n")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "Database: every page is intact."


def test_backup_to_another_drive_is_a_whole_vault(initialised: Any, vault_dir: Path,
                                                  tmp_path: Path) -> None:
    drive = tmp_path / "usb"
    drive.mkdir()
    code, out, err = initialised(*AS_ADMIN, "backup", "--to", str(drive),
                                 stdin=ADMIN_PASS + "\n")
    assert (code, err) == (0, "")
    [copy] = drive.iterdir()
    assert copy.name.startswith("vault-copy-") and str(copy) in out
    assert {p.name for p in copy.iterdir()} == {"cases.db", "keyslots.json", "backups"}
    with Vault.open(copy, kdf=FAST_KDF) as vault:  # opens on its own, with the same passphrase
        opened, _report = vault.unlock("admin", ADMIN_PASS)
        opened.close()
    code, _out, err = initialised(*AS_ADMIN, "backup", "--to", str(tmp_path / "missing"),
                                  stdin=ADMIN_PASS + "\n")
    assert code == 1 and "does not exist" in err
    assert [p.name for p in tmp_path.iterdir() if p.name == "missing"] == []


def test_environment_gives_the_vault_and_the_user(initialised: Any, vault_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELTER_VAULT", str(vault_dir))
    monkeypatch.setenv("SHELTER_USER", "admin")
    code, _out, err = initialised("verify", stdin=ADMIN_PASS + "\n", vault=False)
    assert (code, err) == (0, "")


# -- reading passphrases ---------------------------------------------------------------
def test_standard_input_ending_early(initialised: Any) -> None:
    assert "Standard input ended" in _failed(*initialised(*AS_ADMIN, "verify", stdin=""))
    message = _failed(*initialised(*AS_ADMIN, "user", "add", "casey", "--role", "legal",
                                   stdin=ADMIN_PASS + "\n"))
    assert "Standard input ended before the temporary passphrase for casey was given" in \
        plain(message)


def test_without_a_terminal_or_stdin_flag(initialised: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # no --passphrase-stdin, and standard input is not a terminal: refuse rather than hang
    monkeypatch.setattr(sys, "stdin", io.StringIO(ADMIN_PASS + "\n"))
    assert "No terminal" in _failed(*initialised(*AS_ADMIN, "verify"))


def test_no_option_takes_a_passphrase() -> None:
    def actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
        found = list(parser._actions)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    found += actions(sub)
        return found

    for action in actions(build_parser()):
        for option in action.option_strings:
            if "pass" in option or "secret" in option or "key" in option:
                assert option == "--passphrase-stdin" and action.nargs == 0, option


@pytest.mark.parametrize("argv", [
    ("verify", "--passphrase", "hunter2hunter2"),
    ("verify", "hunter2hunter2"),
    ("--passphrase=hunter2hunter2", "verify"),
    ("--passphrase", "hunter2hunter2", "verify"),
    ("hunter2hunter2",),
    ("--passphrase-stdin=hunter2hunter2", "verify"),
    ("user", "add", "casey", "--role", "legal", "hunter2hunter2"),
    ("passphrase", "hunter2hunter2"),
])
def test_passphrases_are_never_accepted_as_arguments(initialised: Any, argv: tuple[str, ...]
                                                     ) -> None:
    _usage(*initialised(*AS_ADMIN, *argv, stdin=ADMIN_PASS + "\n"))


# -- usage errors ----------------------------------------------------------------------
@pytest.mark.parametrize("argv,expect", [
    (("frobnicate",), "invalid choice"),
    (("verify",), "--as USER"),
    (("user",), "user needs an action"),
    ((), "a command is required"),
    (("user", "add", "casey"), "--role"),
    (("user", "add", "casey", "--role", "wizard"), "invalid choice"),
    (("init", "--admin", "admin"), "--organisation"),
    (("recovery-sheet",), "--out"),
], ids=["unknown-command", "missing-as", "user-no-action", "no-command", "no-role",
        "bad-role", "init-no-org", "sheet-no-out"])
def test_usage_errors_exit_2(run_cli: Any, argv: tuple[str, ...], expect: str,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHELTER_USER", raising=False)
    as_admin = () if argv in (("verify",), ("init", "--admin", "admin")) else AS_ADMIN
    last = _usage(*run_cli(*as_admin, *argv, stdin=ADMIN_PASS + "\n"))
    assert expect in last


def test_help_exits_0(run_cli: Any) -> None:
    code, out, _err = run_cli("--help")
    assert code == 0 and "--passphrase-stdin" in out


def test_unexpected_errors_are_still_one_line(initialised: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: AccountService) -> Any:
        raise RuntimeError("Jane Doe, room 4")  # must not be shown: could be data

    monkeypatch.setattr(AccountService, "list", broken)
    message = _failed(*initialised(*AS_ADMIN, "user", "list", stdin=ADMIN_PASS + "\n"))
    assert "Unexpected error (RuntimeError)" in message
    assert "Jane" not in message


# -- the real entry point, with production key derivation ------------------------------
SHELTER_ADMIN = Path(sys.executable).with_name("shelter-admin")


def _real(*args: str, stdin: str, vault: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHELTER_")}
    env["SHELTER_LANG"] = "en"
    return subprocess.run([str(SHELTER_ADMIN), "--vault", str(vault), "--passphrase-stdin",
                           *args], input=stdin, capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=120, check=False)


@pytest.fixture(scope="module")
def real_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vault = tmp_path_factory.mktemp("real") / "vault"
    done = _real("init", "--organisation", "Harbour House", "--admin", "admin",
                 stdin="كلمة المرور السرية للملجأ\n", vault=vault)
    assert done.returncode == 0, done.stderr
    assert len(KEY.findall(done.stdout)) == 1
    return vault


@pytest.mark.slow
def test_real_entry_point_init_uses_production_parameters(real_vault: Path) -> None:
    slots = json.loads((real_vault / "keyslots.json").read_text())["slots"]
    for slot in slots:
        assert slot["kdf"]["memory_kib"] == 64 * 1024 and slot["kdf"]["iterations"] == 3


@pytest.mark.slow
def test_real_entry_point_user_add_and_verify(real_vault: Path) -> None:
    admin_pass = "كلمة المرور السرية للملجأ"
    done = _real("--as", "admin", "user", "add", "hoa", "--role", "caseworker",
                 stdin=f"{admin_pass}\nMật khẩu tạm thời\n", vault=real_vault)
    assert done.returncode == 0, done.stderr
    done = _real("--as", "admin", "verify", stdin=admin_pass + "\n", vault=real_vault)
    assert done.returncode == 0, done.stderr
    assert "unbroken" in done.stdout and done.stderr == ""


@pytest.mark.slow
def test_real_entry_point_failure_and_usage(real_vault: Path) -> None:
    done = _real("--as", "admin", "verify", stdin="hunter2hunter2\n", vault=real_vault)
    assert done.returncode == 1
    assert done.stderr == "shelter-admin: The passphrase is not correct.\n"
    done = _real("user", stdin="", vault=real_vault)
    assert done.returncode == 2


def test_the_language_chosen_in_the_application_is_the_command_line_s(
        run_cli: Any, vault_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from shelter_app.i18n import translator
    from shelter_app.i18n.preference import save_language

    for name in ("SHELTER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    english = _failed(*run_cli(*AS_ADMIN, "verify", stdin=ADMIN_PASS + "\n"))
    assert "no vault" in english
    assert save_language("es")
    spanish = _failed(*run_cli(*AS_ADMIN, "verify", stdin=ADMIN_PASS + "\n"))
    assert spanish == translator("es")(english) != english
    monkeypatch.setenv("LC_ALL", "C")  # a script's own locale comes first: English
    assert _failed(*run_cli(*AS_ADMIN, "verify", stdin=ADMIN_PASS + "\n")) == english
    monkeypatch.delenv("LC_ALL")
    monkeypatch.setenv("SHELTER_LANG", "en")  # asked for by name: comes first
    assert _failed(*run_cli(*AS_ADMIN, "verify", stdin=ADMIN_PASS + "\n")) == english


def test_a_reader_that_goes_away_ends_the_command_quietly(
        created: Any, run_cli: Any, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`shelter-admin … | head`: the pipe closes; no "Unexpected error" line follows."""
    import builtins

    real_print = builtins.print

    def closed(*args: Any, **kwargs: Any) -> None:
        if kwargs.get("file") is None:
            raise BrokenPipeError(32, "Broken pipe")
        real_print(*args, **kwargs)

    created[1].close()
    created[0].close()
    monkeypatch.setattr(builtins, "print", closed)
    code, _out, err = run_cli("--as", "admin", "user", "list", stdin=ADMIN_PASS + "\n")
    assert code == 1 and "Unexpected error" not in err
