"""The real application starts on a real X server (Xvfb) with Qt's xcb platform plugin.

Catches what the offscreen tests cannot: missing system libraries for the xcb plugin, a
crash on start-up, a first screen that never appears.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]


def _command() -> list[str]:
    script = ROOT / ".venv" / "bin" / "shelter-app"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "ui.app"]


@pytest.mark.parametrize("extra", [[], ["--demo"]], ids=["first-run", "demo"])
def test_application_starts_under_xvfb(tmp_path: Path, extra: list[str]) -> None:
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        pytest.skip("xvfb-run is not installed (scripts/system-deps test installs it)")
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "SHELTER_LANG": "en"}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run(
        [xvfb_run, "-a", *_command(), "--smoke-test", "--vault", str(tmp_path / "vault"),
         *extra],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "smoke test passed" in done.stdout
