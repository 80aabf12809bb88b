"""`make screenshots` renders every picture the README shows, in every language it names."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_every_screenshot_the_readme_shows_is_rendered(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "ui.screenshots", str(tmp_path)], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    shown = re.findall(r"docs/screenshots/([\w-]+\.png)", (ROOT / "README.md").read_text())
    assert shown
    for name in shown:
        picture = tmp_path / name
        assert picture.is_file() and picture.stat().st_size > 10_000, name
