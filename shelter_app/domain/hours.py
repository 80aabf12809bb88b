"""Usual office hours, and the notice for an appointment booked outside them.

The hours are a constant for now (08:00 to 19:00, local time); the weekend is the one of
the interface language's region, from CLDR (Saturday and Sunday in most places, Friday and
Saturday in Egypt).  An appointment outside them is allowed — court hearings and night
outreach happen — but the person booking it is told before saving, so that a time typed
wrong (10 PM for 10 AM) is noticed.
"""

from __future__ import annotations

import datetime as dt

from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_time, isolated, locale_for, weekend_days

OPENS = dt.time(8, 0)
CLOSES = dt.time(19, 0)
FIRST_SLOT = dt.time(9, 0)  # a new appointment's start on the next working day


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def outside_hours(starts_at: dt.datetime, ends_at: dt.datetime, *,
                  language: str | None = None) -> list[str]:
    """Why an appointment from *starts_at* to *ends_at* is outside the usual hours, each
    reason a translated phrase; empty when it is within them."""
    start, end = _local(starts_at), _local(ends_at)
    reasons = []
    if start.time() < OPENS:
        reasons.append(_("it starts before {time}").format(
            time=isolated(format_time(OPENS, language=language))))
    if start.time() >= CLOSES:
        reasons.append(_("it starts after {time}").format(
            time=isolated(format_time(CLOSES, language=language))))
    elif end.date() > start.date() or end.time() > CLOSES:
        reasons.append(_("it ends after {time}").format(
            time=isolated(format_time(CLOSES, language=language))))
    weekend = weekend_days(language)
    days = {start.weekday(), end.weekday()} & weekend
    if days:
        names = locale_for(language).days["format"]["wide"]
        reasons.append(_("it is on a {day}, at the weekend").format(
            day=str(names[min(days, key=lambda d: (d - start.weekday()) % 7)])))
    return reasons


def hours_notice(starts_at: dt.datetime, ends_at: dt.datetime, *,
                 language: str | None = None) -> str:
    """The notice shown under an appointment form, or "" within the usual hours."""
    reasons = outside_hours(starts_at, ends_at, language=language)
    if not reasons:
        return ""
    return _("Outside the usual hours ({opens}–{closes}, weekdays): {reasons}. Check the "
             "date and time; you can still save it.").format(
        opens=isolated(format_time(OPENS, language=language)),
        closes=isolated(format_time(CLOSES, language=language)),
        reasons="; ".join(reasons))


def next_slot(now: dt.datetime, *, length: dt.timedelta = dt.timedelta(hours=1),
              language: str | None = None) -> dt.datetime:
    """Where a new appointment starts unless someone says otherwise: the next full hour, if
    it ends within the usual hours of a working day, else ``FIRST_SLOT`` on the next
    working day (naive local time, as *now* is given)."""
    start = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    weekend = weekend_days(language)
    if start.time() < OPENS:
        start = dt.datetime.combine(start.date(), FIRST_SLOT)
    if (start + length).time() > CLOSES or (start + length).date() > start.date():
        start = dt.datetime.combine(start.date() + dt.timedelta(days=1), FIRST_SLOT)
    while start.weekday() in weekend:
        start = dt.datetime.combine(start.date() + dt.timedelta(days=1), FIRST_SLOT)
    return start
