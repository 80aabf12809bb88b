"""Where things live by default on this platform."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def default_vault_dir() -> Path:
    return Path(user_data_dir("shelter-app", appauthor=False)) / "vault"


def chosen_vault_dir(option: str | Path | None) -> Path:
    """The vault folder: the ``--vault`` option if given, else ``$SHELTER_VAULT``, else the
    platform's user data folder (the same rule for ``shelter-app`` and ``shelter-admin``)."""
    if option is not None:
        return Path(option)
    env = os.environ.get("SHELTER_VAULT")
    return Path(env) if env else default_vault_dir()
