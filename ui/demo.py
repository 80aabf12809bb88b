"""``shelter-app --demo``: a throwaway vault in a temporary folder, deleted at exit.

The vault holds fictional cases and one account per role (``shelter_app.demo_vault``), made
with the production key-derivation parameters (it is what people try the application
with).  Each account's passphrase is generated here and shown on the sign-in screen, with
a button that fills in the fields: nothing in the vault is real.

``new_demo_vault()`` only chooses the folder and the passphrases; ``DemoVault.create`` makes
the vault (a couple of seconds); ``make_demo_vault`` runs it off the GUI thread while the
sign-in screen, shown at once, says how far it has got.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from shelter_app.domain.accounts import validate_passphrase
from shelter_app.domain.roles import ROLE_LABELS, Role
from shelter_app.errors import PassphraseRejected, ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.vault.crypto import PRODUCTION_KDF, KdfPolicy

if TYPE_CHECKING:
    from .background import Background
    from .sign_in import SignInWindow

# No look-alike letters or digits (0/o, 1/l/i), so the passphrase can be typed from sight.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def demo_passphrase(username: str = "") -> str:
    """Four groups of four random characters, e.g. ``k7pq-2mzt-x9wd-4hbn`` (~79 bits)."""
    while True:
        groups = ("".join(secrets.choice(_ALPHABET) for _i in range(4)) for _g in range(4))
        candidate = "-".join(groups)
        try:
            return validate_passphrase(candidate, username=username or None)
        except PassphraseRejected:  # e.g. it happened to contain the user name
            continue


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    passphrase: str

    def role_label(self) -> str:
        return _(ROLE_LABELS[self.role])


@dataclass
class DemoVault:
    root: Path  # the temporary folder; everything under it is deleted by cleanup()
    folder: Path  # the vault folder inside it
    accounts: list[DemoAccount] = field(default_factory=list)
    ready: bool = False  # True once create() has made the vault
    recovery_key: str = ""  # shown too, so that "Forgot passphrase?" can be tried

    def note(self) -> str:
        return _("Demo vault: fictional, deleted when you close the application. "
                 "Try it as each role:")

    def shown(self) -> dict[str, object]:
        """What the sign-in screen's demo box shows (``SignInWindow``'s arguments): the
        note, each account's role, name and passphrase, and the recovery key once made."""
        return {"demo_note": self.note(), "demo_recovery_key": self.recovery_key,
                "demo_accounts": [(a.role_label(), a.username, a.passphrase)
                                  for a in self.accounts]}

    def create(self, kdf: KdfPolicy = PRODUCTION_KDF,
               progress: Callable[[int, int], None] | None = None) -> None:
        """Make the vault with its accounts and cases (slow: not on the GUI thread)."""
        from shelter_app.demo_vault import create_demo_vault  # only in demo mode

        made = create_demo_vault(self.folder,
                                 {a.username: a.passphrase for a in self.accounts},
                                 kdf=kdf, progress=progress)
        self.recovery_key = made.recovery_key
        self.ready = True

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def new_demo_vault() -> DemoVault:
    """A temporary folder and a passphrase per account; the vault is not made yet."""
    from shelter_app.demo_vault import DEMO_ACCOUNTS

    root = Path(tempfile.mkdtemp(prefix="shelter-demo-"))
    accounts = [DemoAccount(name, role, demo_passphrase(name)) for name, role in DEMO_ACCOUNTS]
    return DemoVault(root, root / "vault", accounts)


def create_demo_vault_now(kdf: KdfPolicy = PRODUCTION_KDF) -> DemoVault:
    """``new_demo_vault`` and ``create`` in one call (tests and scripts)."""
    demo = new_demo_vault()
    try:
        demo.create(kdf)
    except BaseException:
        demo.cleanup()
        raise
    return demo


class _Progress(QObject):
    """Carries the worker's progress to the sign-in window, on the GUI thread."""

    changed = Signal(int, int)


def make_demo_vault(demo: DemoVault, kdf: KdfPolicy, background: Background,
                    window: SignInWindow, ready: Callable[[], None]) -> None:
    """Make *demo*'s vault on *background*, showing its progress in *window*; call *ready*
    once it is made, or show in *window* why it could not be."""
    relay = _Progress(window)
    relay.changed.connect(window.set_preparing)
    window.set_preparing(0, 1)

    def failed(exc: BaseException) -> None:
        reason = exc.message if isinstance(exc, ShelterError) else type(exc).__name__
        window.show_error(fill(_("The demo vault could not be made: {reason}"), reason=reason))
        if not isinstance(exc, ShelterError):
            raise exc

    def made(_result: object) -> None:
        window.demo_box.set_recovery_key(demo.recovery_key)
        ready()

    background.run(lambda: demo.create(kdf, relay.changed.emit), made, failed, context=window)
