"""Roles, actions and record scopes: the vocabulary of the permission decision."""

from __future__ import annotations

import json
from enum import StrEnum

from shelter_app.i18n import N_


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    CASEWORKER = "caseworker"
    LEGAL = "legal"


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: N_("Administrator"),
    Role.COORDINATOR: N_("Coordinator"),
    Role.CASEWORKER: N_("Caseworker"),
    Role.LEGAL: N_("Legal volunteer"),
}


def stored_roles(text: str) -> list[str]:
    """The role names in a ``users.roles`` value (a JSON array); nothing for a value that is
    not one, as an edited database may hold."""
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [str(r) for r in value] if isinstance(value, list) else []


class Action(StrEnum):
    # administration
    MANAGE_USERS = "users.manage"
    CHANGE_SETTINGS = "settings.change"
    BACKUP = "vault.backup"
    VERIFY = "vault.verify"
    REKEY = "vault.rekey"
    PRINT_RECOVERY_SHEET = "vault.recovery_sheet"
    # survivor content (scoped to a case)
    READ_CASE = "case.read"
    CREATE_CASE = "case.create"
    EDIT_CASE = "case.edit"
    READ_HEALTH = "case.read_health"
    EDIT_HEALTH = "case.edit_health"
    READ_LEGAL = "case.read_legal"
    EDIT_LEGAL = "case.edit_legal"
    EDIT_TIMELINE = "case.timeline"  # the case's timeline, from which statements are drafted
    EDIT_FAMILY = "case.family"  # the survivor's family members and dependants
    MANAGE_CONSENT = "case.consent"
    RECORD_SERVICE = "case.service"
    MANAGE_REFERRALS = "case.referral"
    MANAGE_APPOINTMENTS = "case.appointment"
    MANAGE_DOCUMENTS = "case.documents"
    MANAGE_TASKS = "case.tasks"
    PRODUCE_PACKET = "case.packet"
    ASSIGN_CASE = "case.assign"
    SHARE_CASE = "case.share"
    EXPORT_CASES = "cases.export"
    IMPORT_CASES = "cases.import"
    VIEW_STATISTICS = "cases.statistics"
    PURGE_RECORDS = "cases.purge"  # retention purges and erasure on request
    VIEW_AUDIT = "audit.view"
    BREAK_GLASS = "case.break_glass"
    MANAGE_PARTNERS = "partners.manage"
    READ_PARTNERS = "partners.read"
    MANAGE_CATALOGUE = "services.catalogue"


class Scope(StrEnum):
    """How the acting user stands to the record the action touches."""

    NONE = "none"  # no particular record (an organisation-wide action)
    ASSIGNED = "assigned"  # a case assigned to the acting user
    SHARED = "shared"  # a case shared with the acting user (legal volunteers)
    OTHER = "other"  # any other case in the organisation
