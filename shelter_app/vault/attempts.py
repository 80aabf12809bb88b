"""Failed sign-in attempts, counted before any key exists (so outside the database).

``signin-attempts.json`` holds, per keyslot user id, the consecutive failures, when the
last happened, and the times not yet written to the audit chain.  No names, no passphrases.
After ``FREE_ATTEMPTS`` failures each further attempt must wait twice as long as the last,
up to ``MAX_DELAY`` seconds.  The next successful sign-in moves the times into the chain.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelter_app.errors import StorageFailure, TooManyAttempts
from shelter_app.i18n import ngettext
from shelter_app.vault.fileio import atomic_write

FILE_NAME = "signin-attempts.json"
FREE_ATTEMPTS = 5
MAX_DELAY = 15 * 60
MAX_KEPT_TIMES = 1000


@dataclass
class Record:
    failures: int = 0
    last_failure: float = 0.0
    unreported: list[str] = field(default_factory=list)
    dropped: int = 0  # failures beyond MAX_KEPT_TIMES, counted but not timed


def delay_after(failures: int) -> float:
    if failures < FREE_ATTEMPTS:
        return 0.0
    return float(min(2 ** (failures - FREE_ATTEMPTS), MAX_DELAY))


class AttemptCounter:
    def __init__(self, folder: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = folder / FILE_NAME
        self._clock = clock

    def _load(self) -> dict[str, Record]:
        try:
            body: Any = json.loads(self.path.read_text(encoding="utf-8"))
            return {
                str(uid): Record(int(r["failures"]), float(r["last_failure"]),
                                 [str(t) for t in r["unreported"]], int(r.get("dropped", 0)))
                for uid, r in body.items()
            }
        except (FileNotFoundError, ValueError, KeyError, TypeError, AttributeError):
            return {}  # a lost or damaged counter only loses the throttle, never data

    def _save(self, records: dict[str, Record]) -> None:
        body = {
            uid: {"failures": r.failures, "last_failure": r.last_failure,
                  "unreported": r.unreported, "dropped": r.dropped}
            for uid, r in records.items()
        }
        with contextlib.suppress(StorageFailure):  # a full disk must not block sign-in
            atomic_write(self.path, json.dumps(body, indent=1).encode("utf-8"))

    def check(self, user_id: str) -> None:
        """Raise TooManyAttempts while this account must still wait."""
        record = self._load().get(user_id)
        if record is None:
            return
        wait = record.last_failure + delay_after(record.failures) - self._clock()
        if wait > 0:
            seconds = int(wait + 0.999)
            raise TooManyAttempts(
                ngettext(
                    "Too many failed attempts. Try again in {n} second.",
                    "Too many failed attempts. Try again in {n} seconds.",
                    seconds,
                ).format(n=seconds),
                retry_after=wait,
            )

    def failed(self, user_id: str) -> int:
        records = self._load()
        record = records.setdefault(user_id, Record())
        now = self._clock()
        record.failures += 1
        record.last_failure = now
        if len(record.unreported) < MAX_KEPT_TIMES:
            stamp = dt.datetime.fromtimestamp(now, dt.UTC).isoformat(timespec="seconds")
            record.unreported.append(stamp.replace("+00:00", "Z"))
        else:
            record.dropped += 1
        self._save(records)
        return record.failures

    def pending(self, user_id: str) -> tuple[list[str], int]:
        """The failure times (and the count of untimed ones) since the last sign-in."""
        record = self._load().get(user_id)
        if record is None:
            return [], 0
        return list(record.unreported), record.dropped

    def clear(self, user_id: str) -> None:
        """Forget *user_id*'s failures once they are recorded in the audit chain."""
        records = self._load()
        if records.pop(user_id, None) is not None:
            self._save(records)

    def take_unreported(self, user_id: str) -> tuple[list[str], int]:
        """``pending`` then ``clear``, in one call."""
        found = self.pending(user_id)
        self.clear(user_id)
        return found
