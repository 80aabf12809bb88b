"""The organisation's sites (its shelters, offices and clinics) and the site of each case.

Administrators keep the list: add a site, rename it, retire it (a retired site is kept for
the cases recorded there, and offered for no new one).  Whoever may change a case chooses
its site; the statistics can then be counted for one site.  Everyone signed in may read
the list: a site's name is the organisation's word for a place, never a survivor's.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass

from shelter_app.domain.audit import Event
from shelter_app.domain.roles import Action
from shelter_app.errors import NotFound, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext
from shelter_app.store.audit import now_utc
from shelter_app.store.db import Database

NAME_LIMIT = 80


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    retired: bool


def _key(name: str) -> str:
    """A site's name as compared: one space between words, composed, case folded."""
    return unicodedata.normalize("NFC", " ".join(name.split())).casefold()


def no_such_site() -> NotFound:
    return NotFound(_("There is no such site."))


class SiteService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self.access = CaseAccess(ctx)

    # -- the list ------------------------------------------------------------------------
    def all(self, *, retired: bool = True) -> list[Site]:
        """The sites by name, the retired ones too unless *retired* is False."""
        rows = self._ctx.db.all("SELECT id, name, retired FROM sites"
                                " ORDER BY name COLLATE NOCASE, id")
        return [Site(r["id"], r["name"], bool(r["retired"])) for r in rows
                if retired or not r["retired"]]

    def get(self, site_id: str) -> Site:
        row = self._ctx.db.one("SELECT id, name, retired FROM sites WHERE id = :id",
                               {"id": site_id})
        if row is None:
            raise no_such_site()
        return Site(row["id"], row["name"], bool(row["retired"]))

    def find(self, text: str) -> Site:
        """The site whose name is *text* (case not minded), or whose id it is: for the
        command line."""
        wanted = _key(text)
        for site in self.all():
            if site.id == text.strip() or _key(site.name) == wanted:
                return site
        raise NotFound(fill(_("There is no site called \u201c{name}\u201d. The sites are "
                              "listed by \u201cshelter-admin sites list\u201d."),
                            name=text.strip()))

    def _name(self, db: Database, name: str, site_id: str | None = None) -> str:
        text = unicodedata.normalize("NFC", " ".join(str(name).split()))
        if not text:
            raise ValidationError(_("Enter the site's name."), "name")
        if len(text) > NAME_LIMIT:
            raise ValidationError(fill(_("At most {n} characters."), n=NAME_LIMIT), "name")
        # the same name in other letters' case, in any script ("Élan" and "élan")
        taken = next((row for row in db.all("SELECT id, name FROM sites")
                      if _key(row["name"]) == _key(text)), None)
        if taken is not None and taken["id"] != site_id:
            raise ValidationError(fill(_("There is already a site called \u201c{name}\u201d."),
                                       name=taken["name"]), "name")
        return text

    def add(self, name: str) -> Site:
        site_id = str(uuid.uuid4())
        with self._ctx.write(Action.CHANGE_SETTINGS, Event.SETTING_CHANGED,
                             target_type="site", target_id=site_id,
                             details={"setting": "sites", "change": "added"}) as db:
            text = self._name(db, name)
            now = now_utc()
            db.execute("INSERT INTO sites (id, name, created_at, created_by, updated_at,"
                       " updated_by) VALUES (:id, :name, :now, :me, :now, :me)",
                       {"id": site_id, "name": text, "now": now,
                        "me": self._ctx.session.user_id})
        return Site(site_id, text, False)

    def rename(self, site_id: str, name: str) -> Site:
        site = self.get(site_id)
        with self._ctx.write(Action.CHANGE_SETTINGS, Event.SETTING_CHANGED,
                             target_type="site", target_id=site_id,
                             details={"setting": "sites", "change": "renamed"}) as db:
            text = self._name(db, name, site_id)
            self._update(db, site_id, "name = :name", {"name": text})
        return Site(site_id, text, site.retired)

    def retire(self, site_id: str, *, retired: bool = True) -> Site:
        """Retire a site (no new case is recorded there) or, with *retired* False, bring it
        back."""
        site = self.get(site_id)
        if site.retired == retired:
            return site
        with self._ctx.write(Action.CHANGE_SETTINGS, Event.SETTING_CHANGED,
                             target_type="site", target_id=site_id,
                             details={"setting": "sites",
                                      "change": "retired" if retired else "restored"}) as db:
            self._update(db, site_id, "retired = :r", {"r": int(retired)})
        return Site(site_id, site.name, retired)

    def _update(self, db: Database, site_id: str, assignment: str,
                values: dict[str, object]) -> None:
        db.execute(f"UPDATE sites SET {assignment}, updated_at = :now, updated_by = :me,"  # noqa: S608
                   " row_version = row_version + 1 WHERE id = :id",
                   {**values, "now": now_utc(), "me": self._ctx.session.user_id, "id": site_id})

    # -- a case's site -------------------------------------------------------------------
    def of_case(self, case_id: str) -> Site | None:
        """The site of a case the session may read (None when it has none)."""
        self.access.require(case_id, Action.READ_CASE)
        row = self._ctx.db.one(
            "SELECT s.id, s.name, s.retired FROM case_sites cs JOIN sites s ON s.id = cs.site_id"
            " WHERE cs.case_id = :c", {"c": case_id})
        return None if row is None else Site(row["id"], row["name"], bool(row["retired"]))

    def checked(self, db: Database, site_id: str | None) -> str | None:
        """*site_id* when it names a site that is not retired (None stays None)."""
        if not site_id:
            return None
        row = db.one("SELECT retired FROM sites WHERE id = :id", {"id": site_id})
        if row is None:
            raise ValidationError(_("There is no such site."), "site")
        if row["retired"]:
            raise ValidationError(_("That site is retired: choose another."), "site")
        return site_id

    def put(self, db: Database, case_id: str, site_id: str | None) -> None:
        """Record *site_id* as the site of *case_id* inside the caller's transaction (the
        caller has checked both, and records the event)."""
        if site_id is None:
            db.execute("DELETE FROM case_sites WHERE case_id = :c", {"c": case_id})
            return
        db.execute("INSERT INTO case_sites (case_id, site_id, updated_at, updated_by)"
                   " VALUES (:c, :s, :now, :me) ON CONFLICT (case_id) DO UPDATE SET"
                   " site_id = excluded.site_id, updated_at = excluded.updated_at,"
                   " updated_by = excluded.updated_by",
                   {"c": case_id, "s": site_id, "now": now_utc(),
                    "me": self._ctx.session.user_id})

    def move(self, case_id: str, site_id: str | None) -> None:
        """Record the site a case is handled at (None: no site)."""
        scope = self.access.require(case_id, Action.EDIT_CASE)
        current = self._ctx.db.scalar("SELECT site_id FROM case_sites WHERE case_id = :c",
                                      {"c": case_id})
        if (site_id or None) == current:
            return  # nothing to record in the case's history
        with self._ctx.write(Action.EDIT_CASE, Event.RECORD_UPDATED, scope=scope,
                             target_type="case", target_id=case_id,
                             details={"fields": ["site"], "site": site_id or None}) as db:
            self.put(db, case_id, self.checked(db, site_id))
