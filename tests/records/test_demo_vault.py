"""The demo vault: an account per role, fictional cases, and a working week to look at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from shelter_app.demo_vault import DEMO_ACCOUNTS, STEPS, create_demo_vault, this_week
from tests.conftest import FAST_KDF, signed_in

PASSES = {"admin": "amber harbour lights", "coordinator": "birch river crossing",
          "caseworker": "cedar grove morning", "legal": "delta quartz evening"}


def test_every_role_signs_in_and_sees_its_part(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    steps: list[tuple[int, int]] = []
    made = create_demo_vault(folder, PASSES, kdf=FAST_KDF, survivors=24,
                             progress=lambda done, total: steps.append((done, total)))
    assert steps == [(n, STEPS) for n in range(1, STEPS + 1)]
    assert made.counts["cases"] == 24 and made.recovery_key
    assert [name for name, _role in DEMO_ACCOUNTS] == list(PASSES)

    with signed_in(folder, "coordinator", PASSES["coordinator"]) as coordinator:
        everything = coordinator.search.count()
        assert everything == 24
        # every row the demo wrote in bulk carries its seal (docs/VAULT_FORMAT.md 7.3)
        report = coordinator.vault_admin.verify()
        assert report.ok and report.rows is not None and report.rows.checked == 48, \
            report.lines()
        today = dt.date.today()
        start = dt.datetime.combine(today, dt.time()).astimezone(dt.UTC)
        todays = coordinator.appointments.between(start, start + dt.timedelta(days=1))
        week = coordinator.appointments.between(start, start + dt.timedelta(days=8))
        assert len([a for a in todays if a.staff_id]) >= 4, "today's work for two people"
        assert len(week) >= len(todays) + 6
        due = coordinator.legal.due(within_days=120)
        assert due, "legal matters with deadlines"
    with signed_in(folder, "caseworker", PASSES["caseworker"]) as caseworker:
        assert caseworker.search.count() == 24  # the demo's one caseworker holds every case
        session = caseworker.session
        mine = [a for a in caseworker.appointments.between(start, start + dt.timedelta(days=1))
                if a.staff_id == session.user_id]
        assert len(mine) >= 2
    with signed_in(folder, "legal", PASSES["legal"]) as legal:
        shared = legal.search.list_ids()
        assert 0 < len(shared) < 24, "only the cases shared with her"
        assert all(legal.legal.list(case_id) for case_id in shared), "each with its matter"
        assert any(a.staff_id == legal.session.user_id
                   for a in legal.appointments.between(start, start + dt.timedelta(days=1)))
    with signed_in(folder, "admin", PASSES["admin"]) as admin:
        assert admin.vault_admin.verify().ok
        assert {a.username for a in admin.accounts.list()} == set(PASSES)
        assert not any(a.must_change_passphrase for a in admin.accounts.list())


def test_this_week_starts_today_and_skips_the_weekend(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    create_demo_vault(folder, PASSES, kdf=FAST_KDF, survivors=6)
    saturday = dt.date(2026, 12, 5)
    with signed_in(folder, "coordinator", PASSES["coordinator"]) as coordinator:
        # the vault's own week starts on the day the test runs: only this one is looked at
        earlier = set(coordinator.ctx.db.column("SELECT id FROM appointments"))
        this_week(coordinator, today=saturday)
        start = dt.datetime.combine(saturday, dt.time()).astimezone(dt.UTC)
        booked = coordinator.appointments.between(start, start + dt.timedelta(days=10))
        days = {a.starts_at.astimezone().date() for a in booked
                if a.staff_id and a.id not in earlier}
        assert saturday in days
        assert dt.date(2026, 12, 6) not in days  # Sunday
        assert dt.date(2026, 12, 7) in days  # Monday
