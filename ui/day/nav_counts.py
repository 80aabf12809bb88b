"""Counts beside the navigation items: "My day (4)", "Deadlines (2)", "Referrals (1)".

``NavCounts`` keeps them up to date without blocking the GUI thread:

- every second it compares ``DayService.change_marker()`` (a number, no query) and the
  date with what it last saw; when either moved — the person changed something in a case,
  or midnight passed — it emits ``changed`` (the main window passes it on to the pages'
  ``data_changed``) and counts again;
- every five minutes it counts again anyway;
- the counting itself (``DayService.counts``) runs on the worker thread.

"My day" counts the lines of her own day; "Deadlines" those overdue or due within 7 days;
"Referrals" those awaiting an answer past their follow-up date.  A zero shows no number;
from 100 on, "99+" (the core counts no further).  The navigation list is made wide enough
for the numbers when it is built, so nothing is clipped or moves later, in either
direction of writing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QListWidget

from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext
from shelter_app.services.day import COUNT_CAP, DayCounts
from shelter_app.services.registry import Services

from ..background import Background
from ..pages import PageSpec
from .lines import count_text

COUNTED = ("my_day", "deadlines", "referrals")
POLL_MS = 1000
RECOUNT_MS = 5 * 60_000


def count_label(label: str, count: int | None) -> str:
    if not count:
        return label
    return _("{label} ({count})").format(label=label,
                                         count=count_text(count, count >= COUNT_CAP))


def count_tip(key: str, count: int) -> str:
    if key == "my_day":
        return ngettext("{n} item on your day", "{n} items on your day", count).format(n=count)
    if key == "deadlines":
        return ngettext("{n} deadline overdue or due within 7 days",
                        "{n} deadlines overdue or due within 7 days", count).format(n=count)
    return ngettext("{n} referral awaiting an answer past its follow-up date",
                    "{n} referrals awaiting an answer past their follow-up date",
                    count).format(n=count)


class NavCounts(QObject):
    changed = Signal()  # a record changed, or the day turned
    counted = Signal(object)  # DayCounts, after the navigation shows them

    def __init__(self, services: Services, background: Background, nav: QListWidget,
                 specs: Sequence[PageSpec], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._background = background
        self._nav = nav
        self._specs = list(specs)
        self._keys = [s.key for s in self._specs]
        self.active = any(k in COUNTED for k in self._keys) and bool(services.day.groups())
        self.counts: DayCounts | None = None
        self._counting = False
        self._again = False
        self._marker = -1
        self._today = dt.date.today()
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._tick)
        self._recount = QTimer(self)
        self._recount.setInterval(RECOUNT_MS)
        self._recount.timeout.connect(self.recount)
        if self.active:
            self._make_room()
            self._marker = services.day.change_marker()
            self._poll.start()
            self._recount.start()
            self.recount()

    def _make_room(self) -> None:
        metrics = self._nav.fontMetrics()
        em = metrics.horizontalAdvance("M")
        widest = max(metrics.horizontalAdvance(count_label(s.label(), COUNT_CAP))
                     for s in self._specs if s.key in COUNTED)
        needed = widest + em * 3
        if needed > self._nav.width():
            self._nav.setFixedWidth(needed)

    def _tick(self) -> None:
        if self._services.ctx.vault.closed:
            self.stop()
            return
        marker, today = self._services.day.change_marker(), dt.date.today()
        if marker == self._marker and today == self._today:
            return
        self._marker, self._today = marker, today
        self.changed.emit()
        self.recount()

    def recount(self) -> None:
        """Count again on the worker thread (once more afterwards if asked meanwhile)."""
        if not self.active or self._services.ctx.vault.closed:
            return
        if self._counting:
            self._again = True
            return
        self._counting = True
        services, today = self._services, dt.date.today()
        self._background.run(lambda: services.day.counts(today), self._show, self._failed,
                             context=self)

    def _settle(self) -> None:
        self._counting = False
        if self._again and self.active:
            self._again = False
            self.recount()

    def _show(self, counts: DayCounts) -> None:
        if not self.active:
            return
        self.counts = counts
        for row, spec in enumerate(self._specs):
            if spec.key not in COUNTED:
                continue
            count = getattr(counts, spec.key)
            item = self._nav.item(row)
            item.setText(count_label(spec.label(), count))
            item.setToolTip(count_tip(spec.key, count) if count else "")
        self.counted.emit(counts)
        self._settle()

    def _failed(self, exc: BaseException) -> None:
        if not self.active or self._services.ctx.vault.closed:
            return  # the session ended while counting
        self._settle()
        if not isinstance(exc, ShelterError):
            raise exc
        # a refusal or a storage problem: the numbers stay as they were; pages say why

    def stop(self) -> None:
        """The session is ending: no more polling or counting, numbers forgotten."""
        self.active = False
        self._poll.stop()
        self._recount.stop()
        self.counts = None
        for row, spec in enumerate(self._specs):
            if spec.key in COUNTED and self._nav.item(row) is not None:
                self._nav.item(row).setText(spec.label())
                self._nav.item(row).setToolTip("")
