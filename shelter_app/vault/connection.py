"""Opening the SQLCipher database in the one safe order (docs/VAULT_FORMAT.md § Database)."""

from __future__ import annotations

import functools
import os
import urllib.parse
from pathlib import Path

from shelter_app.errors import StorageFailure, VaultDamaged, VaultMissing, VaultTooNew
from shelter_app.i18n import _
from shelter_app.vault.engine import sqlcipher  # configured before its first connection
from shelter_app.vault.header import HeaderUnreadable, key_fits, read_header

APPLICATION_ID = 0x53484C54  # "SHLT"


@functools.cache
def _synchronous_full_by_default() -> bool:
    """Whether this SQLCipher build already syncs FULL in both journal modes.

    ``PRAGMA synchronous`` parses the whole schema before it takes effect, which memory
    security makes cost several milliseconds per connection; a build whose defaults are
    already FULL needs no statement.  Any other build gets the pragma on every connection.
    """
    probe = sqlcipher.connect(":memory:")
    try:
        options = {row[0] for row in probe.execute("PRAGMA compile_options")}
    finally:
        probe.close()
    return {"DEFAULT_SYNCHRONOUS=2", "DEFAULT_WAL_SYNCHRONOUS=2"} <= options


def _key_pragma(data_key: bytes) -> str:
    if len(data_key) != 32:
        raise ValueError("the data key is 32 bytes")
    return f"PRAGMA key = \"x'{data_key.hex()}'\""


def damaged_database() -> VaultDamaged:
    return VaultDamaged(
        _(
            "The database file cases.db is damaged and cannot be opened. Your passphrase was "
            "accepted. Restore the newest backup from the vault's backups folder."
        )
    )


PLAIN_SQLITE = b"SQLite format 3\x00"


def another_database() -> VaultDamaged:
    return VaultDamaged(_(
        "cases.db does not open with the key in keyslots.json: it is encrypted with another "
        "key. One of the two files is another vault's, or from before this vault's keys were "
        "changed. Neither is damaged, and nothing was changed. Put back this vault's own "
        "files, or restore the newest backup."))


def mismatched_vault() -> VaultDamaged:
    return VaultDamaged(_(
        "cases.db and keyslots.json do not belong to the same vault (their vault ids "
        "differ). Nothing was changed. Put back this vault's own files, or restore the newest "
        "backup."))


def _not_this_database(path: Path, data_key: bytes) -> VaultDamaged | None:
    """A file that is not this vault's database, said for what it is: an unencrypted SQLite
    database (an encrypted one begins with random bytes, its salt), or one encrypted under
    another key (none of its pages reads with this one, see ``header.key_fits``)."""
    try:
        with path.open("rb") as f:
            start = f.read(len(PLAIN_SQLITE))
    except OSError:
        return None
    if start == PLAIN_SQLITE:
        return VaultDamaged(_(
            "cases.db is an unencrypted SQLite database, not this vault's encrypted database: "
            "it was put there by another program or copied over by mistake. Nothing was "
            "changed. Restore the newest backup."))
    if key_fits(path, data_key) is False:
        return another_database()
    return None


def too_new(found: int, known: int) -> VaultTooNew:
    return VaultTooNew(
        _(
            "This vault was written by a newer version of Shelter App (database version "
            "{found}; this version knows up to {known}). Install the newer version to open "
            "it; nothing was changed."
        ).format(found=found, known=known)
    )


def read_only_unclean() -> StorageFailure:
    return StorageFailure(_(
        "This vault is on a disk that cannot be written to, and it was not closed properly: "
        "cases.db-wal holds changes not yet written into cases.db. Copy the whole vault "
        "folder to a disk that can be written to and open it there; nothing is lost."))


def read_only_unfinished() -> StorageFailure:
    return StorageFailure(_(
        "This vault is on a disk that cannot be written to, and it needs a change before it "
        "can be opened (an upgrade to this version, or a change of keys or a restore that "
        "was interrupted). Copy the whole vault folder to a disk that can be written to and "
        "open it there; nothing is lost."))


def _uri(path: Path, read_only: bool) -> str:
    if not read_only:
        return str(path)
    # Nothing can change a file on a read-only disk, and SQLite could not make the
    # shared-memory file a WAL database needs there: "immutable" opens it without one.
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise read_only_unclean()
    return "file:" + urllib.parse.quote(str(path.resolve())) + "?immutable=1"


def connect(path: Path, data_key: bytes, *, create: bool = False,
            read_only: bool = False) -> sqlcipher.Connection:
    """Key and check the database; refuses to create one unless *create* is set.

    SQLCipher would silently make a new empty database at a missing or empty path, which
    would look to the user like every record had vanished, so that is checked first.
    *read_only*: a vault on a disk that cannot be written (``Vault.read_only``); every
    write is then refused by SQLite itself.
    """
    if path.is_dir():
        raise VaultDamaged(_(
            "cases.db in this vault folder is a folder, not the database file. Nothing was "
            "changed. Move it out of the vault folder, then restore the newest backup."))
    if not create:
        try:
            size = path.stat().st_size
        except FileNotFoundError as exc:
            raise VaultMissing(
                _(
                    "The database file cases.db is missing from this vault folder. Nothing "
                    "was created. Restore it from a backup, or choose the right folder."
                )
            ) from exc
        if size == 0:
            raise VaultMissing(
                _(
                    "The database file cases.db is empty (0 bytes). Nothing was created. "
                    "Restore it from the vault's backups folder."
                )
            )
    elif path.exists() and path.stat().st_size > 0:
        raise VaultDamaged(_("A database file already exists where a new vault was to be made."))

    # A file in a folder this process cannot write (a backup on a read-only disk, say) is
    # opened as the live vault on one is (Vault.read_only): SQLite could not make its -shm.
    read_only = read_only or (not create and not os.access(path.parent, os.W_OK))
    conn = sqlcipher.connect(_uri(path, read_only), isolation_level=None,
                             check_same_thread=False, uri=read_only)
    try:
        conn.execute("PRAGMA cipher_memory_security = ON")
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(data_key))
        conn.execute("PRAGMA cipher_compatibility = 4")
        try:
            # Reading a header value makes SQLCipher authenticate page 1 with the key
            # (a wrong key or a damaged page fails here) without parsing the schema.
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlcipher.OperationalError as exc:
            if "unable to open" not in str(exc).lower():
                raise _not_this_database(path, data_key) or damaged_database() from exc
            raise StorageFailure(_(
                "cases.db could not be opened: this program may not read or write the vault "
                "folder, or its disk is not available. Nothing was changed.")) from exc
        except sqlcipher.DatabaseError as exc:
            raise _not_this_database(path, data_key) or damaged_database() from exc
        if create:
            # Before the first table: a purge then gives freed pages back to the disk
            # without writing the whole file again (store/erasure.py, ``compact``).
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            conn.execute("PRAGMA journal_mode = WAL")
        else:
            if app_id != APPLICATION_ID:
                raise damaged_database()
            refuse_newer(conn)  # before anything parses a schema this version may not know
            _check_length(conn, path, data_key)
        if not _synchronous_full_by_default():
            conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
    except BaseException:
        conn.close()
        raise
    return conn


def load_schema(conn: sqlcipher.Connection, *, read_only: bool = False) -> None:
    """Parse the schema, put the file in WAL mode, and give the connection a large cache.

    Opening leaves the parse to the first statement that needs it (vault/header.py says
    why); unlocking calls this right after opening, before any migration or write, so a
    damaged schema page is reported as damage here.  ``journal_mode = WAL`` is stored in
    the file and costs nothing once set; it matters for a copy made in rollback-journal
    mode.  64 MiB of page cache keeps large imports in memory.
    """
    try:
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        if not read_only:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA cache_size = -65536")
    except sqlcipher.DatabaseError as exc:
        raise damaged_database() from exc


def _check_length(conn: sqlcipher.Connection, path: Path, data_key: bytes) -> None:
    """The file is not cut short (a failed copy, a full disk).

    The page count comes from page 1 (vault/header.py): asking SQLite would parse the
    whole schema first, which memory security makes slow.  SQLCipher authenticated page 1
    a moment ago, so if reading it here fails (another connection of this process
    checkpointing, say), SQLite is asked after all rather than a good vault refused.
    """
    wal = path.with_name(path.name + "-wal")
    try:
        if wal.stat().st_size > 0:
            return  # the log may hold pages not yet copied into the file
    except FileNotFoundError:
        pass
    try:
        header = read_header(path, data_key)
        page_size, page_count = header.page_size, header.page_count
    except (HeaderUnreadable, OSError):
        page_size, page_count = 0, 0
    try:
        if page_count == 0:  # unreadable here, or a header without a valid count
            page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
            page_count = int(conn.execute("PRAGMA page_count").fetchone()[0])
    except sqlcipher.DatabaseError as exc:
        raise damaged_database() from exc
    if os.path.getsize(path) < page_size * page_count:
        raise damaged_database()


def schema_version(conn: sqlcipher.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def refuse_newer(conn: sqlcipher.Connection) -> int:
    """The schema version, after refusing a vault written by a newer Shelter App.

    The version is a header value: reading it parses nothing and changes nothing."""
    from shelter_app.vault.migrate import latest_version  # migrate builds on this module

    current, known = schema_version(conn), latest_version()
    if current > known:
        raise too_new(current, known)
    return current


def integrity_problems(conn: sqlcipher.Connection, *, quick: bool = False) -> list[str]:
    """Every page whose authentication fails, then SQLite's own structural check.

    *quick*, what checking a fresh backup copy needs, runs ``quick_check`` alone: it reads
    every page in use (every b-tree, overflow chain and free-list trunk), each authenticated
    by SQLCipher as it is read, and checks every b-tree, but not that each index matches its
    table; with neither the index comparison nor a second pass over the pages' codes, it is
    several times faster.  What it leaves unread, the pages on the free list, hold nothing a
    restore needs.  ``verify`` runs the whole check, every page's code first.
    """
    problems: list[str] = []
    try:
        if not quick:
            problems += [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check")]
        check = "quick_check" if quick else "integrity_check"
        rows = [str(row[0]) for row in conn.execute(f"PRAGMA {check}")]
        problems += [r for r in rows if r != "ok"]
    except sqlcipher.DatabaseError as exc:
        problems.append(str(exc))
    return problems
