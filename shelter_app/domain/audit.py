"""What the audit chain records: event kinds and outcomes.  Never personal data."""

from __future__ import annotations

from enum import StrEnum

from shelter_app.i18n import N_


class Event(StrEnum):
    VAULT_CREATED = "vault.created"
    SIGN_IN = "session.sign_in"
    SIGN_IN_FAILED = "session.sign_in_failed"
    LOCK = "session.lock"
    UNLOCK = "session.unlock"
    QUICK_EXIT = "session.quick_exit"
    AUTO_LOCK = "session.auto_lock"
    SIGN_OUT = "session.sign_out"
    RECORD_OPENED = "record.opened"
    SECTION_OPENED = "record.section_opened"
    SEARCH = "record.search"
    RECORD_CREATED = "record.created"
    RECORD_UPDATED = "record.updated"
    DRAFT_SAVED = "record.draft_saved"
    DRAFT_DISCARDED = "record.draft_discarded"
    EXPORT = "data.export"
    IMPORT = "data.import"
    PRINT = "data.print"
    STATISTICS = "data.statistics"  # anonymised statistics produced: how many, the threshold
    DOCUMENT_PREVIEWED = "document.previewed"  # made and shown; nothing left the vault
    USER_ADDED = "user.added"
    USER_DISABLED = "user.disabled"
    USER_ENABLED = "user.enabled"
    USER_RESET = "user.passphrase_reset"
    ROLES_CHANGED = "user.roles_changed"
    PASSPHRASE_CHANGED = "key.passphrase_changed"  # noqa: S105 - an event name
    RECOVERY_USED = "key.recovery_used"
    RECOVERY_SHEET = "key.recovery_sheet_printed"
    SETTING_CHANGED = "settings.changed"
    BACKUP = "vault.backup"
    MIGRATED = "vault.migrated"
    VERIFY = "vault.verified"
    INTEGRITY_FAILURE = "vault.integrity_failure"
    AUDIT_FINGERPRINT = "vault.audit_fingerprint"
    ANCHOR_RESET = "vault.anchor_reset"  # a backup restored on purpose was accepted
    RESTORED = "vault.restored"  # a backup put back (recorded in the restored chain)
    KEYS_MIGRATED = "key.file_migrated"  # the key file moved to key pairs and grants
    KEYS_GRANTED = "key.granted"  # keys sealed to an account its signed roles entitle
    KEYS_MADE = "key.content_keys_made"  # a coordinator's first session made them
    REKEYED = "key.rekeyed"  # a new database key; the files re-encrypted under it
    ROWS_SEALED = "key.rows_sealed"  # survivor and case rows of before, sealed once
    FIELDS_SEALED = "key.fields_sealed"  # fields an earlier version wrote plain, now sealed
    RETENTION_REVIEWED = "retention.reviewed"  # a purge list shown: how many items
    RECORDS_PURGED = "retention.purged"  # what the retention periods reached: counts only
    ERASURE_REQUESTED = "retention.erasure_requested"  # waits for a second coordinator
    ERASURE_WITHDRAWN = "retention.erasure_withdrawn"
    CASE_ERASED = "retention.case_erased"  # one survivor's records, on request: counts, why
    PERMISSION_DENIED = "access.denied"


class Outcome(StrEnum):
    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"


EVENT_LABELS: dict[Event, str] = {
    Event.VAULT_CREATED: N_("Vault created"),
    Event.SIGN_IN: N_("Signed in"),
    Event.SIGN_IN_FAILED: N_("Failed sign-in attempt"),
    Event.LOCK: N_("Locked"),
    Event.UNLOCK: N_("Unlocked"),
    Event.QUICK_EXIT: N_("Quick exit"),
    Event.AUTO_LOCK: N_("Locked after idle time"),
    Event.SIGN_OUT: N_("Signed out"),
    Event.RECORD_OPENED: N_("Record opened"),
    Event.SECTION_OPENED: N_("Section opened"),
    Event.SEARCH: N_("Search"),
    Event.RECORD_CREATED: N_("Record created"),
    Event.RECORD_UPDATED: N_("Record changed"),
    Event.DRAFT_SAVED: N_("Unsaved changes kept"),
    Event.DRAFT_DISCARDED: N_("Kept changes discarded"),
    Event.EXPORT: N_("Data exported"),
    Event.IMPORT: N_("Data imported"),
    Event.PRINT: N_("Document printed or saved"),
    Event.STATISTICS: N_("Statistics produced"),
    Event.DOCUMENT_PREVIEWED: N_("Document previewed"),
    Event.USER_ADDED: N_("Account added"),
    Event.USER_DISABLED: N_("Account disabled"),
    Event.USER_ENABLED: N_("Account re-enabled"),
    Event.USER_RESET: N_("Temporary passphrase set"),
    Event.ROLES_CHANGED: N_("Roles changed"),
    Event.PASSPHRASE_CHANGED: N_("Passphrase changed"),
    Event.RECOVERY_USED: N_("Recovery key used"),
    Event.RECOVERY_SHEET: N_("Recovery sheet saved"),
    Event.SETTING_CHANGED: N_("Setting changed"),
    Event.BACKUP: N_("Backup made"),
    Event.MIGRATED: N_("Database upgraded"),
    Event.VERIFY: N_("Vault checked"),
    Event.INTEGRITY_FAILURE: N_("Integrity check failed"),
    Event.AUDIT_FINGERPRINT: N_("Audit fingerprint issued"),
    Event.ANCHOR_RESET: N_("Restored backup accepted"),
    Event.RESTORED: N_("Backup restored"),
    Event.KEYS_MIGRATED: N_("Key file upgraded"),
    Event.KEYS_GRANTED: N_("Keys given to an account"),
    Event.KEYS_MADE: N_("Content keys made"),
    Event.REKEYED: N_("Vault keys changed"),
    Event.ROWS_SEALED: N_("Survivor and case rows sealed"),
    Event.FIELDS_SEALED: N_("Earlier records sealed under content keys"),
    Event.RETENTION_REVIEWED: N_("Purge list reviewed"),
    Event.RECORDS_PURGED: N_("Records purged after their retention period"),
    Event.ERASURE_REQUESTED: N_("Erasure asked for"),
    Event.ERASURE_WITHDRAWN: N_("Erasure request withdrawn"),
    Event.CASE_ERASED: N_("Survivor's records erased"),
    Event.PERMISSION_DENIED: N_("Action refused"),
}

# Keys that may appear in an event's details. Anything else is refused at append time,
# so no caller can slip a name, a note or a search term into the chain.  ``user`` is a
# staff account's id (whom a case was assigned to or shared with), ``change`` "added" or
# "removed", ``status`` a legal matter's status before and after a change (two codes of
# its vocabulary, plain in the row as well).
ALLOWED_DETAIL_KEYS = frozenset(
    {"fields", "count", "roles", "section", "reason", "action", "version", "from_version",
     "to_version", "occurred_at", "problems", "format", "setting", "sections", "first_bad_seq",
     "scope", "user", "change", "keys", "status", "threshold", "list", "purged", "site"}
)
