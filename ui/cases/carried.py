"""Unsaved edits carried from one window to the next, in memory (a language switch).

The interface language is changed by building the main window again in the new language
(``AppController.switch_language``); what was typed and not saved must come with it.  The
tabs already know how to keep their edits and put them back (``keep_draft`` /
``restore_draft``, written for the drafts kept in the vault at an auto-lock); given a
``CarriedEdits`` instead of the vault's drafts service, they keep them here, in the same
process that already holds them, and put them back without the notice about a lock.
Nothing is written to the vault or anywhere else, and nothing is audited: no edit left
the screen.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from shelter_app.services.drafts import Draft

if TYPE_CHECKING:
    from .workspace import CaseWorkspace


class CarriedEdits:
    """What the drafts service offers a tab (``save``, ``get``, ``discard``), in memory."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str | None], Draft] = {}
        self.tabs: dict[str, list[str]] = {}  # case id: the workspace tabs with edits

    def save(self, kind: str, changes: dict[str, dict[str, Any]], *,
             case_id: str | None = None, base_versions: tuple[int, ...] = ()) -> None:
        self._kept[(kind, case_id)] = Draft(kind, case_id, changes, tuple(base_versions),
                                            dt.datetime.now(dt.UTC))

    def get(self, kind: str, *, case_id: str | None = None) -> Draft | None:
        return self._kept.get((kind, case_id))

    def discard(self, kind: str, *, case_id: str | None = None) -> bool:
        return self._kept.pop((kind, case_id), None) is not None

    def clear(self) -> None:
        self._kept.clear()
        self.tabs.clear()


def carry_out(workspace: CaseWorkspace, drafts: CarriedEdits) -> None:
    """Keep *workspace*'s unsaved edits in *drafts*, noting the tabs that held them."""
    drafts.tabs[workspace.case_id] = [key for key, tab in workspace.built.items()
                                      if key != "profile" and hasattr(tab, "restore_draft")
                                      and tab.has_unsaved()]  # type: ignore[attr-defined]
    workspace.keep_draft(drafts)


def carry_in(workspace: CaseWorkspace, drafts: CarriedEdits) -> None:
    """Put back in *workspace* (built again) the edits ``carry_out`` kept."""
    workspace.profile.restore_draft(drafts)
    for key in drafts.tabs.get(workspace.case_id, []):
        if key in workspace.keys:
            tab = workspace.tab(key)
            if hasattr(tab, "restore_draft"):
                tab.restore_draft(drafts)
