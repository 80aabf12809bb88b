"""The interface language chosen on this computer (sign-in screen, or the Language menu).

Kept in ``interface.json`` in the user's configuration folder (``$SHELTER_CONFIG`` if set,
else the platform's: ``~/.config/shelter-app`` on Linux), outside the vault: the choice is
needed before anyone has signed in, and it says nothing about a survivor.  The file holds
one thing, ``{"language": "ar"}``; a missing, unreadable or damaged file means "no choice
made", never an error, and writing it is best-effort (a read-only home folder leaves the
switch working for the session).

Which language the application starts in: ``--lang``, then ``$SHELTER_LANG`` (both asked
for by name), then the choice kept here, then the system's language (``$LC_ALL``,
``$LC_MESSAGES``, ``$LANG``), then English.  ``shelter-admin`` puts a locale a script set
for its run (``$LC_ALL``, ``$LC_MESSAGES``; "C" is English) before the choice kept here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from pathlib import Path

from platformdirs import user_config_dir

log = logging.getLogger(__name__)

FILE_NAME = "interface.json"
_CODE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2}|_[A-Z][a-z]{3})?$")


def config_dir() -> Path:
    env = os.environ.get("SHELTER_CONFIG")
    return Path(env) if env else Path(user_config_dir("shelter-app", appauthor=False))


def saved_language(folder: Path | None = None) -> str | None:
    """The language last chosen on this computer, or None."""
    path = (folder or config_dir()) / FILE_NAME
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("language")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and _CODE.match(value) else None


def save_language(language: str, folder: Path | None = None) -> bool:
    """Keep *language* as this computer's choice; False (logged) when it cannot be written."""
    if not _CODE.match(language):
        raise ValueError(f"not a language code: {language!r}")
    folder = folder or config_dir()
    path = folder / FILE_NAME
    part = path.with_name(FILE_NAME + ".part")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        part.write_text(json.dumps({"language": language}) + "\n", encoding="utf-8")
        os.replace(part, path)
    except OSError as exc:
        log.warning("the interface language could not be kept: %s", exc.strerror or exc)
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        return False
    return True


def chosen_language(asked: str | None = None, *, command_line: bool = False) -> str:
    """The language to work in: *asked* (``--lang``), else ``$SHELTER_LANG``, else (for
    ``shelter-admin``, *command_line*) a locale a script set for its run, else the choice
    kept on this computer, else the system's."""
    from shelter_app.i18n import language_from_environment, script_language

    chosen = (asked or os.environ.get("SHELTER_LANG")
              or (script_language() if command_line else None) or saved_language())
    return (chosen or language_from_environment()).replace("-", "_")
