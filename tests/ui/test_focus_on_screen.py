"""On a real X server, the keyboard focus never falls on Quick exit, however the tabs of a case
are switched, and a stray Space there never closes the program (issue: after a tab switch Qt
handed the focus to the next control in its chain, the red button, and Space quit)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ui.cases.workspace import TABS

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]


def test_switching_tabs_never_puts_the_focus_on_quick_exit(tmp_path: Path) -> None:
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        pytest.skip("xvfb-run is not installed (scripts/system-deps test installs it)")
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "SHELTER_LANG": "en",
           "PYTHONPATH": str(ROOT)}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run(
        [xvfb_run, "-a", sys.executable, "-m", "tests.ui.focus_probe", str(tmp_path / "vault")],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RESULT quick-exit-focused=0 quits=0 state=main" in done.stdout, done.stdout
    # every tab (the profile and TABS), twice: the walk went all the way
    assert done.stdout.count("focus tab") == 2 * (1 + len(TABS))
