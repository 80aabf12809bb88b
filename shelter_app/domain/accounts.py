"""Staff accounts: user-name rules and the passphrase policy."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from shelter_app.domain.confusables import scripts
from shelter_app.domain.roles import Role
from shelter_app.errors import PassphraseRejected, ValidationError
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import format_number

MIN_PASSPHRASE = 12
MAX_PASSPHRASE = 4096  # far above any real passphrase; keeps a pasted file from hashing
MAX_USERNAME = 64


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    display_name: str
    roles: frozenset[Role]
    status: str
    must_change_passphrase: bool
    last_sign_in_at: str | None
    # "ok"; "waiting": its roles entitle it to keys that no coordinator's session has given
    # yet; "upgrade": it has not signed in since the key file's upgrade (VAULT_FORMAT 11.1)
    keys: str = "ok"


def username_key(username: str) -> str:
    return unicodedata.normalize("NFC", username).strip().casefold()


def validate_username(username: str) -> str:
    name = unicodedata.normalize("NFC", username).strip()
    if not name:
        raise ValidationError(_("Enter a user name."), "username")
    if len(name) > MAX_USERNAME:
        raise ValidationError(
            _("A user name can be at most {n} characters.").format(n=MAX_USERNAME), "username"
        )
    for ch in name:
        category = unicodedata.category(ch)
        if category[0] in "CZ" or ch in "/\\:":
            raise ValidationError(
                _("A user name cannot contain spaces, slashes or invisible characters."),
                "username",
            )
    if len(scripts(name)) > 1:
        raise ValidationError(_(
            "A user name cannot mix letters of different alphabets (such as Latin and "
            "Cyrillic): it could be taken for another name. Type it in one alphabet."),
            "username")
    return name


def validate_passphrase(passphrase: str, *, username: str | None = None) -> str:
    """The NFC form of an acceptable new passphrase, or PassphraseRejected saying why."""
    text = unicodedata.normalize("NFC", passphrase)
    if len(text) > MAX_PASSPHRASE:
        raise PassphraseRejected(
            _("A passphrase can be at most {n} characters.").format(n=format_number(MAX_PASSPHRASE))
        )
    if len(text) < MIN_PASSPHRASE:
        raise PassphraseRejected(
            ngettext(
                "A passphrase needs at least {n} character.",
                "A passphrase needs at least {n} characters.",
                MIN_PASSPHRASE,
            ).format(n=MIN_PASSPHRASE)
        )
    if len(set(text)) < 4:
        raise PassphraseRejected(_("A passphrase needs more than a few different characters."))
    if username and username_key(username) in text.casefold():
        raise PassphraseRejected(_("A passphrase cannot contain the user name."))
    return text


def validate_roles(roles: list[str] | set[str] | frozenset[str]) -> frozenset[Role]:
    if not roles:
        raise ValidationError(_("Give the account at least one role."), "roles")
    out = set()
    for role in roles:
        try:
            out.add(Role(role))
        except ValueError as exc:
            raise ValidationError(
                _("Unknown role '{role}'. Roles are: {known}.").format(
                    role=role, known=", ".join(r.value for r in Role)
                ),
                "roles",
            ) from exc
    return frozenset(out)
