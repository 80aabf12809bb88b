"""Look-ups of the partner directory and the service catalogue shared by several services."""

from __future__ import annotations

from collections.abc import Iterable

from shelter_app.errors import ValidationError
from shelter_app.i18n import _
from shelter_app.store.db import Database


def partner_exists(db: Database, partner_id: str | None) -> bool:
    return bool(partner_id) and bool(
        db.scalar("SELECT 1 FROM partners WHERE id = :p", {"p": partner_id}))


def require_partner(db: Database, partner_id: str | None) -> None:
    """A partner that a new referral or consent may name: in the directory and active."""
    if not partner_id:
        raise ValidationError(_("Choose the partner."), "partner_id")
    if not partner_exists(db, partner_id):
        raise ValidationError(_("That partner is not in the directory."), "partner_id")
    if not db.scalar("SELECT active FROM partners WHERE id = :p", {"p": partner_id}):
        raise ValidationError(_("That partner is marked inactive in the directory. A "
                                "coordinator can make it active again on the Partners page."),
                              "partner_id")


def check_service_codes(db: Database, codes: Iterable[str]) -> list[str]:
    """*codes* without repeats, each one a service type of the catalogue."""
    known = set(db.column("SELECT code FROM service_types"))
    for code in codes:
        if code not in known:
            raise ValidationError(_("Unknown service '{code}'.").format(code=code), "services")
    return list(dict.fromkeys(codes))
