"""The sections of the main window, registered in one list.

Each ``PageSpec`` names a section, its label, how to build its page and who may see it.
The main window lists the sections whose ``visible(services)`` is true, in the order of
``PAGES``; the others are absent, not greyed out.  ``visible`` asks the same permission
decision the services enforce (``services.ctx.allowed``): hiding a section is a courtesy,
the service refuses anyway.  Pages are built the first time they are shown.

What a page may also offer the shell (each optional, found by name):

- ``end_session()``: drop every record it holds (models, fields, texts); called at every
  lock, auto-lock and quick exit, before the window is deleted.
- ``has_unsaved() -> bool``, ``unsaved_titles() -> list[str]`` (case codes, never names),
  ``save_all() -> bool``, ``discard_all()``: asked when the user locks by hand.
- ``keep_drafts()``: keep unsaved edits inside the vault (auto-lock and quick exit never
  ask; see ``shelter_app/services/drafts.py``).
- ``data_changed()``: something changed in a case, or the day turned (noticed by
  ``ui/day/nav_counts.py``): read again now if shown, else when next shown.
- an ``open_case`` signal ``(case_id[, tab[, record_id]])``: show that case, at that tab
  of its workspace with that record selected (``MainWindow.open_case``).

Other sections are appended to ``PAGES`` by their own modules' entries below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from shelter_app.i18n import _
from shelter_app.services.registry import Services

from .background import Background

# Imported with the main window (at start-up, while the sign-in screen waits), not when the
# list is first shown: the case list must be on screen within half a second of unlocking.
from .cases.list_page import may_see_cases
from .cases.section import CasesSection


@dataclass
class PageSpec:
    key: str
    label: Callable[[], str]
    factory: Callable[[Services, Background, QWidget], QWidget]
    visible: Callable[[Services], bool]


def _my_day_page(services: Services, background: Background, parent: QWidget) -> QWidget:
    from .day.page import MyDayPage

    return MyDayPage(services, background, parent)


def _my_day_visible(services: Services) -> bool:
    return bool(services.day.groups())  # an administrator alone has no day


def _cases_page(services: Services, background: Background, parent: QWidget) -> QWidget:
    return CasesSection(services, background, parent)


def _cases_visible(services: Services) -> bool:
    return may_see_cases(services)


# My day comes first: the page a caseworker, coordinator or legal volunteer lands on.
PAGES: list[PageSpec] = [
    PageSpec("my_day", lambda: _("My day"), _my_day_page, _my_day_visible),
    PageSpec("cases", lambda: _("Cases"), _cases_page, _cases_visible),
]

# Appointments, Deadlines, Referrals, Partners, Administration: ui/agenda/sections.py.
from .agenda.sections import SECTIONS as _MORE_SECTIONS  # noqa: E402

PAGES += [PageSpec(key, label, factory, visible)
          for key, label, factory, visible in _MORE_SECTIONS]
