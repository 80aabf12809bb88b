"""The monkey test: thousands of random but valid actions as each role, nothing breaks.

A vault with fictional cases and the four accounts; for each role a controller signs in and
a seeded ``Monkey`` (tests/ui/monkey.py) acts on whatever is in front.  The test fails on a
crash, an unhandled exception (pytest-qt turns an exception in a slot into a failure), a Qt
warning (``qt_log_level_fail``), or a vault whose pages or audit chain do not verify
afterwards.

The seed is printed (and named in every failure): replay a run with
``SHELTER_MONKEY_SEED=<seed>``.  The suite runs a short walk per role; the full one
(2,000 actions per role) runs with ``pytest -m monkey``.  ``SHELTER_MONKEY_ACTIONS``
sets the number of actions per role for either.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from shelter_app.demo import populate
from shelter_app.errors import TooManyAttempts
from tests.conftest import ADMIN_PASS

from .case_helpers import STAFF_PASS, session, staffed_vault
from .conftest import flush_deletes
from .monkey import Monkey

SHORT = 150
FULL = 2000
ROLES = ("caseworker", "coordinator", "legal", "admin")


def seed() -> int:
    chosen = os.environ.get("SHELTER_MONKEY_SEED")
    return int(chosen) if chosen else random.SystemRandom().randrange(1, 2**31)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A vault with 24 fictional cases (assigned to the caseworker; some shared with legal)."""
    folder = tmp_path_factory.mktemp("monkey") / "vault"
    ids = staffed_vault(folder)
    with session(folder, "coordinator") as coordinator:
        populate(coordinator, survivors=24, seed=7, services_per_case=2,
                 appointments_per_case=1)
        for case_id in coordinator.search.list_ids()[:8]:
            coordinator.cases.share(case_id, ids["legal"])
    return folder, ids


def walk(qtbot, make_controller, folder: Path, role: str, actions: int) -> None:
    chosen = seed()
    log_file = folder.parent / f"monkey-{role}-{chosen}.log"
    print(f"\nmonkey: role={role} seed={chosen} actions={actions} log={log_file} "
          f"(replay with SHELTER_MONKEY_SEED={chosen})", flush=True)
    passphrase = ADMIN_PASS if role == "admin" else STAFF_PASS
    controller = make_controller(folder)
    monkey = Monkey(qtbot, controller, random.Random(chosen), role, passphrase,
                    log_file=log_file)
    try:
        monkey.sign_in()
        assert controller.state == "main", f"seed {chosen}: could not sign in"
        monkey.run(actions)
        monkey.wait_background()
    except BaseException as exc:
        tail = "\n".join(monkey.log[-25:])
        raise AssertionError(f"monkey seed {chosen} ({role}) failed after "
                             f"{len(monkey.log)} actions; last actions:\n{tail}") from exc
    # Quick exit at the end: the red button, as a person would.
    controller.quick_exit()
    assert controller.state == "closed"
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    controller.shutdown()  # releases the vault folder for the check
    flush_deletes()


def check_vault(folder: Path) -> None:
    """``verify`` as the administrator.  The monkey may have typed wrong recovery keys in
    "Forgot passphrase?": those count as failed attempts, so wait out the delay they set."""
    for _attempt in range(8):
        try:
            with session(folder, "admin") as admin:
                report = admin.vault_admin.verify()
        except TooManyAttempts as exc:
            time.sleep(exc.retry_after + 0.1)
            continue
        assert report.ok, (report.problems, report.chain)
        return
    raise AssertionError("the administrator could not sign in to verify the vault")


def actions_per_role(default: int) -> int:
    return int(os.environ.get("SHELTER_MONKEY_ACTIONS", default))


def own_copy(office: tuple[Path, dict[str, str]], tmp_path: Path) -> Path:
    """A copy of the office vault for one walk: a walk's wrong recovery keys count as
    failed attempts, whose delay would stop the next walk's sign-in."""
    folder = tmp_path / "vault"
    shutil.copytree(office[0], folder)
    return folder


@pytest.mark.parametrize("role", ROLES)
def test_monkey_short_walk(qtbot, make_controller, office, role, tmp_path):
    folder = own_copy(office, tmp_path)
    walk(qtbot, make_controller, folder, role, actions_per_role(SHORT))
    check_vault(folder)


@pytest.mark.monkey
@pytest.mark.parametrize("role", ROLES)
def test_monkey_full_walk(qtbot, make_controller, office, role, tmp_path):
    folder = own_copy(office, tmp_path)
    walk(qtbot, make_controller, folder, role, actions_per_role(FULL))
    check_vault(folder)
