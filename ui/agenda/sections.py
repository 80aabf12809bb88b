"""The main window's sections for appointments, deadlines, referrals, partners, the audit
log and administration: ``(key, label, factory, visible)`` tuples that ``ui/pages.py`` turns into
``PageSpec`` entries at the end of ``PAGES``.

Visibility asks the same permission table the services enforce: a section appears only
for roles that may do its work in some scope (an administrator sees Administration and
nothing with survivor content, a coordinator its Vault tab; a legal volunteer sees
Appointments and Deadlines of shared cases, and the partner directory, but not
Referrals).  Pages are imported when first built, so starting the application does not
load them all.

Pages with ``open_case`` (Appointments, Deadlines, Referrals) emit it with a case id when
the person asks to open a row's case; the main window connects it to the case workspace.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from shelter_app.i18n import _
from shelter_app.services.registry import Services

from ..background import Background

Factory = Callable[[Services, Background, QWidget], QWidget]


def _agenda(services: Services, background: Background, parent: QWidget) -> QWidget:
    from .page import AgendaPage

    return AgendaPage(services, background, parent)


def _agenda_visible(services: Services) -> bool:
    from .page import may_see_agenda

    return may_see_agenda(services)


def _deadlines(services: Services, background: Background, parent: QWidget) -> QWidget:
    from ..deadlines import DeadlinesPage

    return DeadlinesPage(services, background, parent)


def _deadlines_visible(services: Services) -> bool:
    from ..deadlines import may_see_deadlines

    return may_see_deadlines(services)


def _referrals(services: Services, background: Background, parent: QWidget) -> QWidget:
    from ..referrals_page import ReferralsPage

    return ReferralsPage(services, background, parent)


def _referrals_visible(services: Services) -> bool:
    from ..referrals_page import may_see_referrals

    return may_see_referrals(services)


def _partners(services: Services, background: Background, parent: QWidget) -> QWidget:
    from ..partners_page import PartnersPage

    return PartnersPage(services, background, parent)


def _partners_visible(services: Services) -> bool:
    from ..partners_page import may_see_partners

    return may_see_partners(services)


def _audit(services: Services, background: Background, parent: QWidget) -> QWidget:
    from ..audit.page import AuditLogPage

    return AuditLogPage(services, background, parent)


def _audit_visible(services: Services) -> bool:
    from ..audit.page import may_see_audit

    return may_see_audit(services)


def _statistics(services: Services, background: Background, parent: QWidget) -> QWidget:
    from ..statistics.page import StatisticsPage

    return StatisticsPage(services, background, parent)


def _statistics_visible(services: Services) -> bool:
    from ..statistics.page import may_see_statistics

    return may_see_statistics(services)


def _retention(services: Services, background: Background, parent: QWidget) -> QWidget:
    from ..retention.page import RetentionPage

    return RetentionPage(services, background, parent)


def _retention_visible(services: Services) -> bool:
    from ..retention.page import may_see_retention

    return may_see_retention(services)


def _admin(services: Services, background: Background, parent: QWidget) -> QWidget:
    from ..admin.page import AdminPage

    return AdminPage(services, background, parent)


def _admin_visible(services: Services) -> bool:
    from ..admin.page import may_see_admin

    return may_see_admin(services)


SECTIONS: list[tuple[str, Callable[[], str], Factory, Callable[[Services], bool]]] = [
    ("appointments", lambda: _("Appointments"), _agenda, _agenda_visible),
    ("deadlines", lambda: _("Deadlines"), _deadlines, _deadlines_visible),
    ("referrals", lambda: _("Referrals"), _referrals, _referrals_visible),
    ("partners", lambda: _("Partners"), _partners, _partners_visible),
    ("statistics", lambda: _("Statistics"), _statistics, _statistics_visible),
    ("retention", lambda: _("Retention"), _retention, _retention_visible),
    ("admin", lambda: _("Administration"), _admin, _admin_visible),
    # after Administration, so that an administrator starts there, not on the log
    ("audit", lambda: _("Audit log"), _audit, _audit_visible),
]
