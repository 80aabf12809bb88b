"""Errors the user can act on, each with a translated, name-free message.

Two families, as in a thin SQL layer: ``EnvironmentFailure`` (the disk, the file, the
other process — not our fault, the user can act) and everything else (a bug).  Messages
never contain survivor data: callers pass ids and codes only.
"""

from __future__ import annotations


class ShelterError(Exception):
    """Base for every error whose message is meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class EnvironmentFailure(ShelterError):
    """The machine or the files failed: disk full, damaged file, locked folder."""


# -- opening a vault ---------------------------------------------------------------
class VaultMissing(EnvironmentFailure):
    """No vault at the given folder, or its database file is missing or empty."""


class VaultExists(ShelterError):
    """A vault already exists where a new one was asked for."""


class VaultDamaged(EnvironmentFailure):
    """The database or key file cannot be read as written: damage or tampering."""


class VaultTooNew(ShelterError):
    """The vault was written by a newer version of the application."""


class MigrationFailed(ShelterError):
    """Upgrading the database to a newer version failed; it was rolled back unchanged."""


class VaultInUse(EnvironmentFailure):
    """Another window or program has this vault open."""


class WrongPassphrase(ShelterError):
    """The passphrase does not open this account's keyslot."""


class UnknownUser(ShelterError):
    """No account with that name exists in this vault."""


class AccountDisabled(ShelterError):
    """The account exists but was disabled by an administrator."""


class TooManyAttempts(ShelterError):
    """Sign-in refused for a while after repeated failures."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PassphraseRejected(ShelterError):
    """A new passphrase does not meet the policy."""


# -- languages ---------------------------------------------------------------------
class CatalogueMissing(EnvironmentFailure):
    """A document was asked for in a language whose translation catalogue is not installed
    (an install built without compiling them, or a language Shelter App does not offer)."""


# -- using a vault -----------------------------------------------------------------
class PermissionDenied(ShelterError):
    """The signed-in user's roles do not allow this action on this record."""


class KeysNotGiven(PermissionDenied):
    """The account's roles allow this, but its key to these records has not been given
    yet (a coordinator's session gives it: docs/VAULT_FORMAT.md, section 3.5)."""


class ValidationError(ShelterError):
    """Input that cannot be saved as given; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(ShelterError):
    """A record that does not exist, or that the user may not know exists."""


class StorageFailure(EnvironmentFailure):
    """Writing failed (disk full, read-only folder); nothing was changed."""
