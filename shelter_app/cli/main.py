"""shelter-admin: set up a vault, manage accounts, check and back up.

Exit status: 0 success, 1 failure (one line on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from shelter_app.domain.roles import Role
from shelter_app.errors import ShelterError
from shelter_app.i18n import (
    _,
    catalogue_notice,
    ngettext,
    set_language,
)
from shelter_app.i18n.formatting import fill
from shelter_app.i18n.preference import chosen_language
from shelter_app.paths import chosen_vault_dir
from shelter_app.services.registry import Services, build_services
from shelter_app.services.vault_admin import rekey_lines
from shelter_app.vault.crypto import PRODUCTION_KDF, KdfPolicy
from shelter_app.vault.vault import Vault, read_only_text

from . import packets, records, retention, statistics
from .prompts import PassphraseReader


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Usage errors never repeat what was typed: it may be a passphrase given by mistake."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)  # "--passphrase X" must not mean -stdin
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments"):
            message = _("unrecognized arguments (passphrases are never given as arguments: "
                        "type them when asked, or use --passphrase-stdin)")
        else:
            message = _QUOTED_INPUT.sub(r"\1", message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {message}\n")


# argparse quotes the offending input in these messages; the rest of each message stays.
_QUOTED_INPUT = re.compile(r"(invalid choice|ignored explicit argument|invalid \w+ value)"
                           r":? '[^']*'")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="shelter-admin", description=_("Administer a Shelter App vault."))
    p.add_argument("--vault", type=Path, metavar="DIR",
                   help=_("vault folder (default: $SHELTER_VAULT or the user data folder)"))
    p.add_argument("--as", dest="acting", metavar="USER",
                   help=_("the account to act as (default: $SHELTER_USER)"))
    p.add_argument("--passphrase-stdin", action="store_true",
                   help=_("read passphrases from standard input, one per line: yours first, "
                          "then any new one"))
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    init = sub.add_parser("init", help=_("create a new vault with its first administrator"))
    init.add_argument("--organisation", required=True, metavar="NAME")
    init.add_argument("--admin", required=True, metavar="USER")
    init.add_argument("--display-name", default="", metavar="TEXT")

    user = sub.add_parser("user", help=_("manage staff accounts"))
    usub = user.add_subparsers(dest="user_command", metavar="ACTION", parser_class=_Parser)
    add = usub.add_parser("add", help=_("add an account with a temporary passphrase"))
    add.add_argument("name")
    add.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    add.add_argument("--display-name", default="", metavar="TEXT")
    usub.add_parser("list", help=_("list accounts"))
    for name, text in (("disable", _("disable an account (its keyslot is destroyed)")),
                       ("enable", _("re-enable an account with a temporary passphrase")),
                       ("reset", _("set a temporary passphrase to be changed at sign-in"))):
        usub.add_parser(name, help=text).add_argument("name")
    roles = usub.add_parser("roles", help=_("replace an account's roles"))
    roles.add_argument("name")
    roles.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    usub.add_parser("give-keys", help=_(
        "with the recovery key, give every account the keys its roles allow (when no "
        "coordinator holds them any more)"))

    sub.add_parser("passphrase", help=_("change your own passphrase"))
    verify = sub.add_parser("verify", help=_(
        "check every database page, the audit chain and its anchors"))
    verify.add_argument("--fingerprint", action="append", default=[], metavar="TEXT", help=_(
        "also check an audit fingerprint written down earlier, e.g. \"#812 7K3D-QW9X-M2ZT-8HJR\""
        " (may be given more than once)"))
    verify.add_argument("--accept-restored", action="store_true", help=_(
        "after a backup was put back on purpose: accept the restored database's audit chain "
        "as the new anchor (administrators; recorded)"))
    sub.add_parser("fingerprint", help=_(
        "print a short fingerprint of the audit chain to write down or file; verify checks it"))
    backup = sub.add_parser("backup", help=_("write a verified backup into the vault's backups "
                                             "folder, or a whole copy of the vault elsewhere"))
    backup.add_argument("--to", type=Path, metavar="DIR", help=_(
        "make a complete copy of the vault folder inside DIR (a drive kept elsewhere)"))
    restore = sub.add_parser("restore", help=_(
        "put a backup back: it is checked in a new folder first, then swapped in, and the "
        "database it replaces is kept aside (administrators)"))
    restore.add_argument("backup", nargs="?", type=Path, metavar="BACKUP", help=_(
        "the backup file (default: the newest backup that passes its check)"))
    restore.add_argument("--into", type=Path, metavar="DIR", help=_(
        "make the restored vault in the new folder DIR and leave the vault in use as it is"))
    restore.add_argument("--list", action="store_true", help=_(
        "list the vault's backups and change nothing"))
    sub.add_parser("rekey", help=_(
        "change the vault's keys: the database and every backup are encrypted again, and "
        "earlier copies of the key file open nothing (after disabling an account, say); run "
        "by a coordinator, the content keys change too"))
    sheet = sub.add_parser("recovery-sheet",
                           help=_("make a new recovery key and save its sheet as PDF"))
    sheet.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    recover = sub.add_parser("recover",
                             help=_("set a new passphrase for an administrator's account "
                                    "with the recovery key"))
    recover.add_argument("name")
    records.add_parsers(sub)
    packets.add_parsers(sub)
    statistics.add_parsers(sub)
    statistics.add_report_parser(sub)
    retention.add_parsers(sub)
    return p


def _acting(args: argparse.Namespace) -> str:
    name = args.acting or os.environ.get("SHELTER_USER")
    if not name:
        raise UsageError(_("say which account acts: --as USER (or set SHELTER_USER)"))
    return str(name)


def _out(line: str = "") -> None:
    print(line)


class Cli:
    def __init__(self, args: argparse.Namespace, kdf: KdfPolicy) -> None:
        self.args = args
        self.kdf = kdf
        self.reader = PassphraseReader(args.passphrase_stdin)
        self.folder = chosen_vault_dir(args.vault)
        self._current_passphrase = ""
        # Told after the command's output, or joined to its one-line error if it fails.
        self.notice = ""

    def run(self) -> int:
        command = self.args.command
        if command is None:
            raise UsageError(_("a command is required"))
        if command == "init":
            return self.init()
        if command == "recover":
            return self.recover()
        if command == "restore":
            return self.restore()
        if command == "demo":
            return records.run_demo(self.folder, self.args.survivors, self.reader, self.kdf)
        if command == "user" and self.args.user_command is None:
            raise UsageError(_("user needs an action: add, list, disable, enable, reset, roles, "
                               "give-keys"))
        if command == "packet" and self.args.packet_kind is None:
            raise UsageError(_("packet needs a kind: referral, residence, non-punishment or "
                               "own-copy"))
        if command == "retention" and self.args.retention_command is None:
            raise UsageError(_("retention needs an action: review or purge"))
        handlers: dict[str, Callable[[Services], int]] = {
            "user": self.user, "passphrase": self.passphrase, "verify": self.verify,
            "fingerprint": self.fingerprint,
            "backup": self.backup, "recovery-sheet": self.recovery_sheet, "rekey": self.rekey,
            **{name: functools.partial(records.run, name, self.args)
               for name in ("export", "import", "partners", "tasks", "matters",
                            "evidence", "measures")},
            **{name: functools.partial(packets.run, name, self.args)
               for name in ("packet", "templates")},
            "stats": functools.partial(statistics.run, self.args),
            "sites": functools.partial(statistics.run_sites, self.args),
            "report": functools.partial(statistics.run_report, self.args),
            "retention": functools.partial(retention.run_retention, self.args),
            "erase": functools.partial(retention.run_erase, self.args),
        }
        handler = handlers[command]
        acting = _acting(self.args)
        with Vault.open(self.folder, kdf=self.kdf) as vault:
            self._current_passphrase = self.reader.current()
            opened, report = vault.unlock(acting, self._current_passphrase)
            services = build_services(opened)
            try:
                if report.failed_attempts:
                    self.notice = ngettext(
                        "{n} failed sign-in attempt on this account since its last sign-in.",
                        "{n} failed sign-in attempts on this account since its last sign-in.",
                        report.failed_attempts,
                    ).format(n=report.failed_attempts)
                if opened.read_only:
                    print(read_only_text(), file=sys.stderr)
                if report.integrity_warning:
                    print(report.integrity_warning, file=sys.stderr)
                if report.must_change_passphrase and command != "passphrase":
                    raise ShelterError(_("This account has a temporary passphrase. Change it "
                                         "first: shelter-admin --as {user} passphrase")
                                       .format(user=acting))
                code = handler(services)
                if self.notice:
                    print(self.notice, file=sys.stderr)
                return code
            finally:
                services.lock()

    def init(self) -> int:
        passphrase = self.reader.new(fill(_("passphrase for {user}"), user=self.args.admin))
        vault, opened, recovery_key = Vault.create(
            self.folder, organisation=self.args.organisation, admin_username=self.args.admin,
            admin_passphrase=passphrase, admin_display_name=self.args.display_name, kdf=self.kdf)
        opened.close()
        vault.close()
        _out(_("Vault created in {folder}").format(folder=self.folder))
        _out()
        _out(_("Recovery key (shown once; write it down or print it and keep it locked away):"))
        _out(f"    {recovery_key}")
        _out()
        _out(_("Anyone with this key can open every record. Without it, a forgotten "
               "administrator passphrase cannot be replaced."))
        return 0

    def recover(self) -> int:
        key = self.reader.current(_("recovery key"))
        new = self.reader.new(fill(_("new passphrase for {user}"), user=self.args.name))
        with Vault.open(self.folder, kdf=self.kdf) as vault:
            opened, _report = vault.recover(key, self.args.name, new)
            build_services(opened).lock()
        _out(fill(_("New passphrase set for {user}."), user=self.args.name))
        return 0

    def restore(self) -> int:
        from shelter_app.i18n.formatting import format_datetime, format_megabytes
        from shelter_app.vault import restore
        from shelter_app.vault.backup import copies

        if self.args.list:
            found = copies(self.folder)
            if not found:
                _out(_("This vault has no backups."))
            for made, version, path in reversed(found):
                _out(f"{format_datetime(made)}\t" + _("database version {version}").format(
                    version=version) + f"\t{format_megabytes(path.stat().st_size)}\t{path}")
            return 0
        acting = _acting(self.args)
        passphrase = self.reader.current()
        with Vault.open(self.folder, kdf=self.kdf) as vault:
            report = restore.restore(
                vault.folder, acting, passphrase, self.args.backup, into=self.args.into,
                minimum=self.kdf.minimum, attempts=vault.attempts,
                step=lambda text: print(text, file=sys.stderr))
        for line in restore.report_lines(report):
            _out(line)
        return 0

    def user(self, s: Services) -> int:
        a = self.args
        cmd = a.user_command
        if cmd == "list":
            for acc in s.accounts.list():
                roles = ",".join(sorted(r.value for r in acc.roles))
                flags = acc.status
                if acc.must_change_passphrase:
                    flags += " " + _("must-change-passphrase")
                if acc.keys == "waiting":
                    flags += " " + _("waiting-for-keys")
                elif acc.keys == "upgrade":
                    flags += " " + _("not-signed-in-since-upgrade")
                _out(f"{acc.username}\t{roles}\t{flags}\t{acc.display_name}")
            return 0
        if cmd == "add":
            temp = self.reader.new(fill(_("temporary passphrase for {user}"), user=a.name))
            s.accounts.add(a.name, a.role, temp, display_name=a.display_name)
            _out(fill(_("Account {user} added; the passphrase must be changed at first sign-in."),
                 user=a.name))
        elif cmd == "disable":
            s.accounts.disable(a.name)
            _out(fill(_("Account {user} disabled."), user=a.name))
        elif cmd in ("enable", "reset"):
            temp = self.reader.new(fill(_("temporary passphrase for {user}"), user=a.name))
            (s.accounts.enable if cmd == "enable" else s.accounts.reset)(a.name, temp)
            _out(fill(_("Temporary passphrase set for {user}; it must be changed at sign-in."),
                 user=a.name))
        elif cmd == "roles":
            s.accounts.set_roles(a.name, a.role)
            _out(fill(_("Roles of {user}: {roles}"), user=a.name, roles=", ".join(sorted(a.role))))
        elif cmd == "give-keys":
            count = s.accounts.give_keys_with_recovery(self.reader.current(_("recovery key")))
            _out(ngettext("{n} account received keys.", "{n} accounts received keys.",
                          count).format(n=count))
        return 0

    def passphrase(self, s: Services) -> int:
        # The acting passphrase was read to sign in; the new one comes next.
        current = self._current_passphrase
        new = self.reader.new()
        s.accounts.change_own_passphrase(current, new)
        _out(_("Passphrase changed."))
        return 0

    def verify(self, s: Services) -> int:
        if self.args.accept_restored:
            report = s.vault_admin.accept_restored()
        else:
            report = s.vault_admin.verify(self.args.fingerprint)
        for line in report.lines():
            _out(line)
        if not report.ok:
            if report.database_problems:
                first = report.lines()[0]
            elif not report.chain.ok:
                first = report.chain.problem
            else:
                first = next(a.text for a in report.anchors if not a.ok)
            raise ShelterError(_("The vault check failed: {first}").format(first=first))
        return 0

    def fingerprint(self, s: Services) -> int:
        made = s.vault_admin.fingerprint()
        _out(_("Audit fingerprint: {fingerprint}").format(fingerprint=made.text))
        _out(_("Write it down with today's date, or file it with the organisation's records. "
               "\"shelter-admin verify --fingerprint\" checks it later: if the audit events up "
               "to #{seq} are ever changed, deleted or replaced, it no longer matches.")
             .format(seq=made.seq))
        return 0

    def backup(self, s: Services) -> int:
        parent: Path | None = self.args.to
        if parent is not None:
            path = s.vault_admin.copy_to(parent)
            _out(_("A complete copy of the vault, checked, is in {path}. The passphrases and "
                   "the recovery key that open this vault open the copy too: keep the drive "
                   "locked away.").format(path=path))
            return 0
        path = s.vault_admin.backup()
        _out(_("Backup written and verified: {path}").format(path=path))
        return 0

    def rekey(self, s: Services) -> int:
        shown = [-1]

        def progress(done: int, total: int) -> None:
            tenth = 10 * done // max(total, 1)
            if tenth > shown[0]:
                shown[0] = tenth
                print(_("Encrypting under the new key: {percent} %").format(
                    percent=10 * tenth), file=sys.stderr)

        report = s.vault_admin.rekey(progress)
        for line in rekey_lines(report):
            _out(line)
        return 0

    def recovery_sheet(self, s: Services) -> int:
        from shelter_app.documents.recovery_sheet import save_recovery_sheet

        out: Path = self.args.out
        if out.exists():
            raise ShelterError(_("{name} already exists. Choose another file name.")
                               .format(name=out.name))
        written = False

        def save(key: str) -> None:
            # The sheet is saved before the new key replaces the old one: if it cannot be
            # written, the old key still works and nothing changed.
            nonlocal written
            save_recovery_sheet(out, organisation=s.settings.get("organisation"),
                                vault_id=s.ctx.vault.vault_id, recovery_key=key)
            written = True

        try:
            s.vault_admin.new_recovery_key(deliver=save)
        except BaseException:
            if written:  # the sheet holds a key that never came into force
                out.unlink(missing_ok=True)
            raise
        _out(_("A new recovery key was made; the previous one no longer works."))
        _out(_("Recovery sheet saved to {path}. Print it, store it safely, then delete the "
               "file.").format(path=out))
        return 0


def main(argv: Sequence[str] | None = None, *, kdf: KdfPolicy = PRODUCTION_KDF) -> int:
    language = chosen_language(command_line=True)  # shelter_app/i18n/preference.py
    set_language(language)
    # A missing catalogue is said, not hidden: the output would be in English without reason.
    notice = catalogue_notice(language, asked=bool(os.environ.get("SHELTER_LANG")))
    if notice:
        print(f"shelter-admin: {notice}", file=sys.stderr)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage error (2) or --help (0), already printed
        return exc.code if isinstance(exc.code, int) else 2
    cli: Cli | None = None

    def fail(message: str) -> int:
        notice = f" {cli.notice}" if cli is not None and cli.notice else ""
        print(f"shelter-admin: {message}{notice}", file=sys.stderr)
        return 1

    try:
        cli = Cli(args, kdf)
        return cli.run()
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"shelter-admin: {exc}", file=sys.stderr)
        return 2
    except ShelterError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail(_("Cancelled; nothing was changed."))
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say to it
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # our bug: still one line, and no values that could be data
        return fail(_("Unexpected error ({kind}). Please report it; run 'shelter-admin "
                      "verify' to check the vault.").format(kind=type(exc).__name__))


if __name__ == "__main__":
    sys.exit(main())
