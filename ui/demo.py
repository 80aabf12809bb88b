"""``shelter-app --demo``: a throwaway vault in a temporary folder, deleted at exit.

The vault is made with the production key-derivation parameters (it is what people try
the application with), an invented organisation and an administrator called ``demo``.
Its passphrase is generated here and shown on the sign-in screen: nothing in it is real.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from shelter_app.domain.accounts import validate_passphrase
from shelter_app.errors import PassphraseRejected
from shelter_app.i18n import _
from shelter_app.vault.crypto import PRODUCTION_KDF, KdfPolicy
from shelter_app.vault.vault import Vault

DEMO_USER = "demo"
# No look-alike letters or digits (0/o, 1/l/i), so the passphrase can be typed from sight.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def demo_passphrase() -> str:
    """Four groups of four random characters, e.g. ``k7pq-2mzt-x9wd-4hbn`` (~79 bits)."""
    while True:
        groups = ("".join(secrets.choice(_ALPHABET) for _i in range(4)) for _g in range(4))
        candidate = "-".join(groups)
        try:
            return validate_passphrase(candidate, username=DEMO_USER)
        except PassphraseRejected:  # e.g. it happened to contain "demo"
            continue


@dataclass
class DemoVault:
    root: Path  # the temporary folder; everything under it is deleted by cleanup()
    folder: Path  # the vault folder inside it
    username: str
    passphrase: str

    def note(self) -> str:
        return _("Demo vault: fictional, deleted when you close the application.")

    def credentials(self) -> str:
        return _("user: {user}, passphrase: {passphrase}").format(
            user=self.username, passphrase=self.passphrase)

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def create_demo_vault(kdf: KdfPolicy = PRODUCTION_KDF) -> DemoVault:
    root = Path(tempfile.mkdtemp(prefix="shelter-demo-"))
    demo = DemoVault(root, root / "vault", DEMO_USER, demo_passphrase())
    try:
        vault, opened, _recovery_key = Vault.create(
            demo.folder, organisation=_("Demo shelter (fictional)"), admin_username=DEMO_USER,
            admin_passphrase=demo.passphrase, admin_display_name=_("Demo administrator"),
            kdf=kdf)
        opened.close()
        vault.close()
    except BaseException:
        demo.cleanup()
        raise
    return demo
