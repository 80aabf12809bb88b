"""Where things live by default on this platform."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir


def default_vault_dir() -> Path:
    return Path(user_data_dir("shelter-app", appauthor=False)) / "vault"
