"""A thin, typed layer over the SQLCipher connection.

Named parameters only.  ``Database.transaction()`` gives one ``BEGIN IMMEDIATE`` …
``COMMIT`` unit that rolls back on any exception.  Errors are sorted into the ones the
environment caused (full disk, damaged file: ``EnvironmentFailure`` with a clear message)
and the ones that are our bug (re-raised untouched).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeAlias

import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.errors import StorageFailure, VaultDamaged
from shelter_app.i18n import _

Params: TypeAlias = Mapping[str, Any] | tuple[Any, ...]
Row: TypeAlias = Any  # sqlcipher3.Row: indexable by column name; the driver has no type hints

_ENVIRONMENT_MARKERS = {
    "database or disk is full": "full",
    "disk i/o error": "io",
    "attempt to write a readonly database": "readonly",
    "file is not a database": "damaged",
    "database disk image is malformed": "damaged",
    "unable to open database file": "io",
}


def environment_failure(exc: sqlcipher.Error) -> Exception | None:
    """The user-facing error for an environment failure, or None when it is our bug."""
    text = str(exc).lower()
    kind = next((k for marker, k in _ENVIRONMENT_MARKERS.items() if marker in text), None)
    if kind == "full":
        return StorageFailure(
            _("The disk is full. The last change was not saved; nothing was lost.")
        )
    if kind == "readonly":
        return StorageFailure(_("The vault folder is read-only. The last change was not saved."))
    if kind == "io":
        return StorageFailure(
            _("The disk could not be read or written. The last change was not saved.")
        )
    if kind == "damaged":
        return VaultDamaged(
            _(
                "The database file is damaged. Stop using this copy and restore the newest "
                "backup (Administration, Vault tab, or shelter-admin restore)."
            )
        )
    return None


def _writable(conn: sqlcipher.Connection) -> bool:
    """Whether the main database file and its folder can be written by this process."""
    try:
        row = conn.execute("PRAGMA database_list").fetchone()
    except sqlcipher.Error:
        return False
    path = Path(str(row[2])) if row and row[2] else None
    return path is not None and os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


class Database:
    """One open SQLCipher connection, shared by the services of one signed-in session."""

    def __init__(self, connection: sqlcipher.Connection) -> None:
        self._conn = connection
        self._conn.row_factory = sqlcipher.Row
        self._lock = threading.RLock()
        self._depth = 0
        self._serial = 0  # counts the transactions begun on this connection
        # keyed work to do last in the transaction under way (the audit head, once)
        self._before_commit: dict[str, Callable[[], None]] = {}
        # what callers derive from this database's schema, read once (row_seals' defaults)
        self.schema_cache: dict[str, Any] = {}

    @property
    def raw(self) -> sqlcipher.Connection:
        return self._conn

    def _run(self, sql: str, params: Params) -> sqlcipher.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlcipher.Error as exc:
            self._raise_failure(exc)
            raise

    def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        """*sql* once per row of *rows* (one statement prepared once: a bulk insert)."""
        try:
            self._conn.executemany(sql, rows)
        except sqlcipher.Error as exc:
            self._raise_failure(exc)
            raise

    def _raise_failure(self, exc: sqlcipher.Error) -> None:
        """The environment's failure behind *exc* (a full disk, a damaged file), if any."""
        failure = environment_failure(exc)
        if (isinstance(failure, StorageFailure) and "readonly" in str(exc).lower()
                and _writable(self._conn)):
            # SQLCipher refuses writes this way after a page failed its authentication:
            # the folder is fine, the file is damaged.
            failure = environment_failure(sqlcipher.DatabaseError("file is not a database"))
        if failure is not None:
            raise failure from exc

    def execute(self, sql: str, params: Params | None = None) -> sqlcipher.Cursor:
        with self._lock:
            return self._run(sql, params or {})

    def one(self, sql: str, params: Params | None = None) -> Row | None:
        with self._lock:
            row: Row | None = self._run(sql, params or {}).fetchone()
            return row

    def all(self, sql: str, params: Params | None = None) -> list[Row]:
        with self._lock:
            rows: list[Row] = self._run(sql, params or {}).fetchall()
            return rows

    def column(self, sql: str, params: Params | None = None) -> list[Any]:
        """The first column of every row (fetched as plain tuples: fast for long id lists)."""
        with self._lock:
            cursor = self._run(sql, params or {})
            cursor.row_factory = None
            return [row[0] for row in cursor.fetchall()]

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; nested use joins the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._run("BEGIN IMMEDIATE", {})
            self._serial += 1
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._depth = 0
                self._before_commit.clear()
                self._conn.execute("ROLLBACK")
                raise
            try:
                while self._before_commit:
                    self._before_commit.pop(next(iter(self._before_commit)))()
            except BaseException:
                self._depth = 0
                self._before_commit.clear()
                self._conn.execute("ROLLBACK")
                raise
            self._depth = 0
            try:
                self._run("COMMIT", {})
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def before_commit(self, key: str, work: Callable[[], None]) -> None:
        """Run *work* inside the transaction under way, just before it commits; a later
        call with the same *key* replaces it.  Nothing runs if it rolls back."""
        assert self._depth, "before_commit outside a transaction"
        self._before_commit[key] = work

    @property
    def transaction_id(self) -> int | None:
        """A number of the transaction under way, never given to another one on this
        connection; None outside a transaction."""
        return self._serial if self._depth else None

    @contextmanager
    def held(self) -> Iterator[sqlcipher.Connection]:
        """The connection for this thread alone until the block ends: other threads of the
        session wait (a re-key copies the database and swaps the file meanwhile)."""
        with self._lock:
            yield self._conn

    def replace_connection(self, connection: sqlcipher.Connection) -> None:
        """Go on with *connection* (the same file under a new key); the old one is closed."""
        with self._lock:
            with contextlib.suppress(sqlcipher.Error):
                self._conn.close()
            connection.row_factory = sqlcipher.Row
            self._conn = connection
            self.schema_cache.clear()

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(sqlcipher.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
