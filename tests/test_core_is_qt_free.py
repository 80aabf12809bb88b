"""The core never imports a GUI toolkit: it runs headless (CLI, benchmarks, servers)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import shelter_app

CORE = Path(shelter_app.__file__).parent
QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6")

IMPORT_EVERYTHING = """
import importlib, pkgutil, sys
import shelter_app
names = [m.name for m in pkgutil.walk_packages(shelter_app.__path__, "shelter_app.")]
for name in names:
    importlib.import_module(name)
qt = sorted(m for m in sys.modules if m.split(".")[0] in {qt!r})
print(len(names), ",".join(qt))
"""


def test_importing_every_core_module_loads_no_qt() -> None:
    done = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING.format(qt=set(QT))],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    count, loaded = done.stdout.split()[0], done.stdout.strip().partition(" ")[2]
    assert int(count) >= 30, "every module was imported"
    assert loaded == "", f"Qt modules loaded by the core: {loaded}"


def test_no_core_source_mentions_qt() -> None:
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
                names = [a.value for a in node.args if isinstance(a, ast.Constant)
                         and isinstance(a.value, str)]
            offenders += [f"{path.relative_to(CORE)}:{node.lineno} {n}" for n in names
                          if n.split(".")[0] in QT or n.split(".")[0] == "ui"]
        text = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(CORE)} mentions {q}" for q in QT
                      if f"import {q}" in text or f"from {q}" in text]
    assert offenders == []
