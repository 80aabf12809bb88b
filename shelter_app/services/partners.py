"""The partner directory: organisations that receive referrals."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.roles import Action
from shelter_app.errors import NotFound, ValidationError
from shelter_app.i18n import _
from shelter_app.services.cases import concurrent_change
from shelter_app.services.context import ServiceContext
from shelter_app.store import directory
from shelter_app.store.audit import now_utc
from shelter_app.store.cases import update as versioned_update
from shelter_app.store.db import Row


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    partner_type: str
    services: tuple[str, ...]
    languages: tuple[str, ...]
    address: str
    secure_contact: str
    document_language: str
    active: bool
    row_version: int

    @property
    def label(self) -> str:
        """The name as lists show it: an inactive partner is marked so."""
        return self.name if self.active else _("{name} (inactive)").format(name=self.name)


def _partner(row: Row) -> Partner:
    return Partner(row["id"], row["name"], row["partner_type"], tuple(json.loads(row["services"])),
                   tuple(json.loads(row["languages"])), row["address"], row["secure_contact"],
                   row["document_language"], bool(row["active"]), row["row_version"])


class PartnerService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def _clean(self, name: str, partner_type: str, services: list[str], languages: list[str],
               address: str, secure_contact: str, document_language: str) -> dict[str, object]:
        services = directory.check_service_codes(self._ctx.db, services)
        return {
            "name": v.text(name, "name", required=True),
            "partner_type": vocab.PARTNER_TYPE.check(partner_type, "partner_type"),
            "services": json.dumps(services),
            "languages": json.dumps([v.language(c, "languages") for c in languages]),
            "address": v.text(address, "address", limit=1000),
            "secure_contact": v.text(secure_contact, "secure_contact", limit=2000),
            "document_language": v.language(document_language or "en", "document_language"),
        }

    def add(self, name: str, partner_type: str, *, services: list[str] | None = None,
            languages: list[str] | None = None, address: str = "", secure_contact: str = "",
            document_language: str = "en") -> Partner:
        self._ctx.require(Action.MANAGE_PARTNERS)
        values = self._clean(name, partner_type, services or [], languages or [], address,
                             secure_contact, document_language)
        partner_id = str(uuid.uuid4())
        now, me = now_utc(), self._ctx.session.user_id
        with self._ctx.write(Action.MANAGE_PARTNERS, Event.RECORD_CREATED,
                             target_type="partner", target_id=partner_id,
                             details={"fields": sorted(values)}) as db:
            self._refuse_taken_name(str(values["name"]), None)  # checked and written as one
            db.execute(
                "INSERT INTO partners (id, name, partner_type, services, languages, address,"
                " secure_contact, document_language, created_at, updated_at, created_by,"
                " updated_by) VALUES (:id, :name, :partner_type, :services, :languages,"
                " :address, :secure_contact, :document_language, :now, :now, :me, :me)",
                {"id": partner_id, **values, "now": now, "me": me})
        return self.get(partner_id)

    def _refuse_taken_name(self, name: str, own_id: str | None) -> None:
        if self._ctx.db.scalar("SELECT 1 FROM partners WHERE lower(name) = lower(:n)"
                               " AND id IS NOT :own", {"n": name, "own": own_id}):
            raise ValidationError(_("A partner with that name is already in the directory."),
                                  "name")

    def update(self, partner_id: str, *, row_version: int, name: str, partner_type: str,
               services: list[str], languages: list[str], address: str, secure_contact: str,
               document_language: str) -> Partner:
        """Correct a partner's details.  *row_version* is the version the form was filled
        from: if someone changed the partner meanwhile, the edit is refused, not merged."""
        self._ctx.require(Action.MANAGE_PARTNERS)
        before = self._ctx.db.one("SELECT * FROM partners WHERE id = :id", {"id": partner_id})
        if before is None:
            raise NotFound(_("That partner is not in the directory."))
        values = self._clean(name, partner_type, services, languages, address, secure_contact,
                             document_language)
        changed = sorted(k for k, x in values.items() if before[k] != x)
        if not changed:
            return _partner(before)
        with self._ctx.write(Action.MANAGE_PARTNERS, Event.RECORD_UPDATED,
                             target_type="partner", target_id=partner_id,
                             details={"fields": changed}) as db:
            self._refuse_taken_name(str(values["name"]), partner_id)
            if not versioned_update(db, "partners", partner_id, {
                    **{k: values[k] for k in changed}, "updated_at": now_utc(),
                    "updated_by": self._ctx.session.user_id}, row_version):
                raise concurrent_change()
        return self.get(partner_id)

    def set_active(self, partner_id: str, active: bool) -> Partner:
        """Take a partner out of the directory's choices, or put it back.

        Nothing is deleted: referrals, consents and services that name the partner keep
        naming it.  While inactive, no new referral or consent can name it."""
        self._ctx.require(Action.MANAGE_PARTNERS)
        current = self.get(partner_id)
        if current.active == active:
            return current
        with self._ctx.write(Action.MANAGE_PARTNERS, Event.RECORD_UPDATED,
                             target_type="partner", target_id=partner_id,
                             details={"fields": ["active"]}) as db:
            db.execute("UPDATE partners SET active = :a, updated_at = :now, updated_by = :me,"
                       " row_version = row_version + 1 WHERE id = :id",
                       {"a": int(active), "now": now_utc(), "me": self._ctx.session.user_id,
                        "id": partner_id})
        return self.get(partner_id)

    def get(self, partner_id: str) -> Partner:
        self._ctx.require(Action.READ_PARTNERS)
        row = self._ctx.db.one("SELECT * FROM partners WHERE id = :id", {"id": partner_id})
        if row is None:
            raise NotFound(_("That partner is not in the directory."))
        return _partner(row)

    def find(self, id_or_name: str) -> Partner:
        """By id, or by exact name (case-insensitive) as typed on the command line."""
        self._ctx.require(Action.READ_PARTNERS)
        row = self._ctx.db.one("SELECT * FROM partners WHERE id = :q OR lower(name) = lower(:q)",
                               {"q": id_or_name.strip()})
        if row is None:
            raise NotFound(_("No partner with that id or name. List them with: shelter-admin "
                             "partners"))
        return _partner(row)

    def list(self, *, include_inactive: bool = False) -> list[Partner]:
        self._ctx.require(Action.READ_PARTNERS)
        where = "" if include_inactive else "WHERE active = 1"
        rows = self._ctx.db.all(f"SELECT * FROM partners {where} ORDER BY lower(name)")  # noqa: S608
        return [_partner(r) for r in rows]
