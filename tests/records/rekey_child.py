"""A re-key in a process of its own, ended abruptly (tests/records/test_rekey.py).

``python -m tests.records.rekey_child FOLDER POINT N [USER]``: signs in as the administrator
(or USER, a coordinator: the content keys change too) and changes the keys; at the N-th
time the re-key reaches POINT the process ends with ``os._exit`` (no clean-up runs, as in a
crash).  POINT "none" lets it finish; "ready" prints a line once signed in, for the caller
to kill the process at a moment of its own.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from shelter_app.services.registry import build_services
from shelter_app.vault import rekey
from shelter_app.vault.vault import Vault
from tests.conftest import ADMIN_PASS, FAST_KDF
from tests.records.conftest import STAFF_PASS


def main(folder: Path, point: str, nth: int, user: str) -> None:
    seen = {"count": 0}

    def reached(name: str) -> None:
        if name == point:
            seen["count"] += 1
            if seen["count"] == nth:
                os._exit(9)

    rekey._reached = reached
    vault = Vault.open(folder, kdf=FAST_KDF)
    opened, _report = vault.unlock(user, ADMIN_PASS if user == "admin" else STAFF_PASS)
    services = build_services(opened)
    if point == "ready":
        print("ready", flush=True)
    services.vault_admin.rekey()
    services.lock()
    vault.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
         sys.argv[4] if len(sys.argv) > 4 else "admin")
