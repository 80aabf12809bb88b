"""A profile's unsaved edits carried from one window to the next, in memory (a language
switch, ``ui/language_switch.py``).

The interface language is changed by building the main window again in the new language;
a profile being edited comes with it, every field as it was typed or chosen.  The Profile
tab already knows how to keep its edits and put them back (``keep_draft`` /
``restore_draft``, written for the drafts kept in the vault at an auto-lock); given a
``CarriedEdits`` instead of the vault's drafts service, it keeps them here, in the process
that already holds them, and puts them back without the notice about a lock.  Nothing is
written to the vault or anywhere else.  (Anything else unsaved, an add form or a row being
changed, is asked about before the switch: Save, Discard or Cancel.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shelter_app.services.drafts import Draft


class CarriedEdits:
    """What the drafts service offers the Profile tab (``save``, ``get``), in memory."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str | None], Draft] = {}

    def save(self, kind: str, changes: dict[str, dict[str, Any]], *,
             case_id: str | None = None, base_versions: tuple[int, ...] = ()) -> None:
        self._kept[(kind, case_id)] = Draft(kind, case_id, changes, tuple(base_versions),
                                            dt.datetime.now(dt.UTC))

    def get(self, kind: str, *, case_id: str | None = None) -> Draft | None:
        return self._kept.get((kind, case_id))

    def clear(self) -> None:
        self._kept.clear()
