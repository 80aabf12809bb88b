"""How each line of the day reads: its group's title, and when, what and who in words.

Plain functions of the core's ``DayItem`` (no Qt), so the texts are the same wherever they
are shown.  A case is always named by its code; lines never hold a survivor's name.
"""

from __future__ import annotations

import datetime as dt

from shelter_app.domain import vocab
from shelter_app.i18n import N_, _, ngettext
from shelter_app.i18n.formatting import fill, format_date, format_time
from shelter_app.services.day import DayItem
from shelter_app.services.legal import DEADLINE_LABELS

# group → the workspace tab (ui/cases/workspace.py TABS) a line opens
TABS = {"today": "appointments", "tomorrow": "appointments", "deadlines": "legal",
        "referrals": "referrals", "consents": "consent", "tasks": "tasks"}

# deadline kind → the workspace tab where it is met (else the Legal matters tab)
DEADLINE_TABS = {"hearing": "proceedings", "inform_survivor": "proceedings",
                 "claim_filing": "claims", "non_punishment": "non_punishment",
                 "follow_up": "referrals"}


def tab_for(kind: str) -> str:
    """The workspace tab where a deadline of *kind* is met."""
    return DEADLINE_TABS.get(kind, "legal")


TITLES = {
    "today": N_("Appointments today"),
    "tomorrow": N_("Appointments tomorrow"),
    "deadlines": N_("Legal deadlines: overdue and the next 7 days"),
    "referrals": N_("Referrals awaiting an answer"),
    "consents": N_("Consents expiring within 30 days"),
    "tasks": N_("Open tasks"),
}
EMPTY = {
    "today": N_("No appointment today."),
    "tomorrow": N_("No appointment tomorrow."),
    "deadlines": N_("No legal deadline overdue or due in the next 7 days."),
    "referrals": N_("No referral is waiting past its follow-up date."),
    "consents": N_("No consent expires in the next 30 days."),
    "tasks": N_("No open task."),
}


def count_text(count: int, capped: bool = False) -> str:
    """A count as shown: "99+" from the core's cap on (nobody acts on more in a day)."""
    return f"{count - 1}+" if capped else str(count)


def group_title(key: str, count: int, capped: bool = False) -> str:
    return _("{title} ({count})").format(title=_(TITLES[key]), count=count_text(count, capped))


def _days(on: dt.date, today: dt.date) -> int:
    return (on - today).days


def due_text(on: dt.date | None, today: dt.date) -> str:
    """"Overdue by 3 days", "Due today", "Due in 2 days", with the date."""
    if on is None:
        return _("No due date")
    days = _days(on, today)
    if days < 0:
        when = ngettext("Overdue by {n} day", "Overdue by {n} days", -days).format(n=-days)
    elif days == 0:
        when = _("Due today")
    else:
        when = ngettext("Due in {n} day", "Due in {n} days", days).format(n=days)
    return _("{when} ({date})").format(when=when, date=format_date(on))


def follow_up_text(on: dt.date | None, today: dt.date) -> str:
    if on is None:
        return ""
    days = -_days(on, today)
    if days <= 0:
        when = _("Follow-up due today")
    else:
        when = ngettext("Follow-up was due {n} day ago", "Follow-up was due {n} days ago",
                        days).format(n=days)
    return _("{when} ({date})").format(when=when, date=format_date(on))


def expiry_text(on: dt.date | None, today: dt.date) -> str:
    if on is None:
        return ""
    days = _days(on, today)
    when = _("Expires today") if days <= 0 else ngettext(
        "Expires in {n} day", "Expires in {n} days", days).format(n=days)
    return _("{when} ({date})").format(when=when, date=format_date(on))


def when_text(item: DayItem, today: dt.date) -> str:
    if item.group in ("today", "tomorrow") and item.starts_at and item.ends_at:
        return _("{start}–{end}").format(start=format_time(item.starts_at),
                                         end=format_time(item.ends_at))
    if item.group == "referrals":
        return follow_up_text(item.on, today)
    if item.group == "consents":
        return expiry_text(item.on, today)
    return due_text(item.on, today)


def what_text(item: DayItem) -> str:
    if item.group in ("today", "tomorrow"):
        kind = vocab.APPOINTMENT_TYPE.label(item.kind)
        return fill(_("{type} · {place}"), type=kind, place=item.text) if item.text else kind
    if item.group == "deadlines":
        return _(DEADLINE_LABELS.get(item.kind, item.kind))
    if item.group == "referrals":
        return fill(_("Referral to {partner}: no answer yet"), partner=item.text)
    if item.group == "consents":
        if item.kind == "any_referral":
            return _("Consent to share for any referral")
        return fill(_("Consent to share with {partner}"), partner=item.text)
    return item.text


def who_text(item: DayItem) -> str:
    if item.group == "tasks" and not item.person:
        return _("Nobody yet")
    return item.person


def describe(item: DayItem, today: dt.date) -> str:
    """The whole line in words, for its tooltip and screen readers."""
    parts = [when_text(item, today), item.case_code, what_text(item), who_text(item)]
    return " · ".join(p for p in parts if p)
