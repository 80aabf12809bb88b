"""Finding cases: name search, the duplicate check before intake, and the case list.

Everything here is limited to the cases the user may read; the search index holds only
keyed tags of names, aliases and case codes (the identity section; vault/blind_index.py),
so no query can probe any other section and the index names nobody to an account without
the case key.  Search events record the number of results, never the words searched for.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shelter_app.domain import names
from shelter_app.domain import validate as v
from shelter_app.domain.audit import Event
from shelter_app.domain.records import CaseSummary, SurvivorInput
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ValidationError
from shelter_app.i18n import _
from shelter_app.services import case_fields
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext
from shelter_app.store.db import Row
from shelter_app.vault import blind_index

RANKED_MATCHES = 400
CODE_PREFIX = re.compile(r"^[A-Z]{1,6}-\d{2,4}(-\d*)?$")
_ORDER = {"updated": "c.updated_at DESC, c.id DESC", "code": "c.code",
          "opened": "c.opened_on DESC, c.id DESC"}
SUMMARY_SQL = (
    "SELECT c.id, c.code, s.id AS sid, s.legal_name, s.preferred_name, c.status,"
    " c.risk_level, c.assigned_to, c.opened_on, c.updated_at FROM cases c"
    " JOIN survivors s ON s.id = c.survivor_id"
)


@dataclass(frozen=True)
class DuplicateMatch:
    case_id: str
    code: str
    display_name: str
    score: int
    reasons: tuple[str, ...]


@dataclass
class CaseFilter:
    statuses: list[str] = field(default_factory=list)
    assigned_to_me: bool = False
    exploitation_type: str | None = None
    legal_matter_type: str | None = None
    due_within_days: int | None = None
    include_closed: bool = True


def _every_word_in(typed: list[str], legal_name: str) -> bool:
    """Every typed word is a word of *legal_name*, folded to Latin letters or spelled alike."""
    theirs = names.tokens(legal_name)
    latin = {names.latin(t) for t in theirs}
    keys = {names.skeleton(t) for t in theirs} - {""}
    return all(names.latin(t) in latin or names.skeleton(t) in keys for t in typed)


def _whole_names(values: list[str]) -> set[str]:
    """Each name as its folded words; a name made only of common words ("María") is left
    out, as it says nothing about who someone is."""
    whole = set()
    for value in values:
        words = names.tokens(value or "")
        if names.distinctive(words):
            whole.add(" ".join(words))
    return whole


def _birth_date(survivor: SurvivorInput) -> str | None:
    """The ISO birth date typed so far, or None while it is not yet a date (the check runs
    as the intake form is filled in; the form itself reports a bad date on saving)."""
    try:
        return v.iso(v.date(survivor.birth_date, "birth_date"))
    except ValidationError:
        return None


class SearchService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    def _summary(self, row: Row) -> CaseSummary:
        name = case_fields.display_name(self._ctx, row["sid"], row["legal_name"],
                                        row["preferred_name"])
        return CaseSummary(row["id"], row["code"], _("(waiting for keys)") if name is None
                           else name, row["status"], row["risk_level"], row["assigned_to"],
                           row["opened_on"], row["updated_at"])

    # -- name search ---------------------------------------------------------------
    def search(self, text: str, *, limit: int = 200) -> list[CaseSummary]:
        """Cases whose names, aliases or code start with every word typed; any input is safe."""
        self._ctx.require(Action.READ_CASE, self._any_scope())
        code = text.strip().upper()
        if CODE_PREFIX.match(code):  # "SH-2026-00", typed or scanned: the code's own index
            visible, params = self._access.visible_sql("c")
            rows = self._ctx.db.all(
                f"{SUMMARY_SQL} WHERE c.code >= :lo AND c.code < :hi AND {visible}"
                " ORDER BY c.code LIMIT :limit",
                {"lo": code, "hi": code + "\uffff", "limit": limit, **params})
            self._ctx.record(Event.SEARCH, details={"count": len(rows)})
            return [self._summary(r) for r in rows]
        match = blind_index.name_query(case_fields.index_key(self._ctx), text)
        if match is None:
            return []
        visible, params = self._access.visible_sql("c")
        # Ranking costs time for every match; a short word can match thousands of names, and
        # then the newest cases first is as useful an order and far quicker.
        matches = self._ctx.db.scalar("SELECT count(*) FROM case_search WHERE case_search"
                                      " MATCH :q", {"q": match})
        order = "f.rank" if matches <= RANKED_MATCHES else "f.rowid DESC"
        rows = self._ctx.db.all(
            f"{SUMMARY_SQL} JOIN case_search f ON f.rowid = c.search_id"
            f" WHERE case_search MATCH :q AND {visible} ORDER BY {order} LIMIT :limit",
            {"q": match, "limit": limit, **params})
        self._ctx.record(Event.SEARCH, details={"count": len(rows)})
        return [self._summary(r) for r in rows]

    def _any_scope(self) -> Scope:
        for scope in (Scope.OTHER, Scope.ASSIGNED, Scope.SHARED):
            if self._ctx.allowed(Action.READ_CASE, scope):
                return scope
        return Scope.ASSIGNED

    # -- duplicates ----------------------------------------------------------------
    def duplicates(self, survivor: SurvivorInput, *, limit: int = 10) -> list[DuplicateMatch]:
        """Likely existing records of the same person, with the reasons, best first."""
        self._ctx.require(Action.CREATE_CASE)
        key = case_fields.index_key(self._ctx)
        visible, params = self._access.visible_sql("c")
        new_names = [survivor.legal_name, survivor.preferred_name, *survivor.aliases]
        new_tokens = {t for n in new_names for t in names.tokens(n)}
        new_latin = {names.latin(t) for t in new_tokens}
        # A particle or a common middle word ("Thị", "bin", "de") finds no one by itself.
        new_keys = {names.skeleton(t) for t in names.distinctive(new_tokens)} - {""}
        birth = blind_index.birth_tag(key, _birth_date(survivor))
        select = ("SELECT c.id AS case_id, c.code, s.* FROM cases c JOIN survivors s"
                  " ON s.id = c.survivor_id"
                  " JOIN case_keys k ON k.rowid = c.search_id")
        by_name = f" WHERE case_keys MATCH :q AND {visible}"
        key_query = blind_index.skeleton_query(key, sorted(new_keys))
        queries = []
        if key_query and birth:  # the likeliest first, whole: a common name or a common
            # date of birth alone could fill the capped look-ups below and push it out
            queries.append((f"{select}{by_name} AND s.birth_key = :b", {"q": key_query,
                                                                          "b": birth}))
        if key_query:
            queries.append((f"{select}{by_name} LIMIT 500", {"q": key_query}))
        if birth:
            queries.append(("SELECT c.id AS case_id, c.code, s.* FROM cases c JOIN survivors s"  # noqa: S608
                            f" ON s.id = c.survivor_id WHERE s.birth_key = :b AND {visible}"
                            " LIMIT 200", {"b": birth}))
        candidates: dict[str, Row] = {}
        for sql, values in queries:
            for row in self._ctx.db.all(sql, {**values, **params}):
                candidates[row["case_id"]] = row
        opened = [case_fields.open_columns(self._ctx, "survivors", r) for r in candidates.values()]
        matches = [m for m in (self._score(r, new_names, new_tokens, new_latin, new_keys,
                                           survivor) for r in opened) if m]
        matches.sort(key=lambda m: (-m.score, m.code))
        return matches[:limit]

    def duplicates_elsewhere(self, survivor: SurvivorInput) -> int:
        """How many cases this account cannot open are very likely the same person.

        A caseworker sees only her own and shared cases, so a survivor already known to a
        colleague would get a second, split file.  Only the number comes back — no code,
        name or reason — and only when the date of birth is the same and every word of
        the typed legal name (two at least) is a word of that case's legal name, in any
        order or spelling.  Preferred names and aliases are not compared, and a longer
        typed name matches less, so the check cannot be used to learn who is in the vault
        from a date of birth and a list of likely names.  Each check is recorded in the
        audit chain with its count.
        """
        self._ctx.require(Action.CREATE_CASE)
        visible, params = self._access.visible_sql("c")
        birth = _birth_date(survivor)
        typed = names.tokens(survivor.legal_name)
        if visible == "1" or not birth or len(names.distinctive(typed)) < 2:
            return 0  # everything is visible (duplicates() said it all), or nothing to match
        rows = self._ctx.db.all(
            "SELECT s.id, s.legal_name FROM cases c JOIN survivors s ON s.id = c.survivor_id"  # noqa: S608
            f" WHERE s.birth_key = :b AND COALESCE({visible}, 0) = 0",
            {"b": blind_index.birth_tag(case_fields.index_key(self._ctx), birth), **params})
        found = sum(1 for r in rows if _every_word_in(typed, case_fields.open_columns(
            self._ctx, "survivors", r)["legal_name"]))
        self._ctx.record(Event.SEARCH, details={"count": found, "scope": "elsewhere"})
        return found

    def _score(self, row: dict[str, Any], new_names: list[str], new_tokens: set[str],
               new_latin: set[str], new_keys: set[str], survivor: SurvivorInput
               ) -> DuplicateMatch | None:
        old_names = [row["legal_name"], row["preferred_name"], *json.loads(row["aliases"])]
        old_tokens = {t for n in old_names for t in names.tokens(n)}
        old_keys = {names.skeleton(t) for t in names.distinctive(old_tokens)} - {""}
        score, reasons = 0, []
        # Only words that are not particles or common middle words ("Thị", "Văn", "bin",
        # "de", "María") make two names alike; a whole name in common must have one too.
        shared = {names.latin(t) for t in names.distinctive(old_tokens)} & new_latin
        same_name = _whole_names(new_names) & _whole_names(old_names)
        if same_name:
            score += 60
            reasons.append(_("Same name or alias"))
        elif len(shared) >= 2:
            score += 45
            reasons.append(_("Same names in another order or script"))
        elif shared:
            score += 20
            reasons.append(_("A name in common"))
        shared_keys = new_keys & old_keys
        if shared_keys and not same_name:
            # Two names spelled alike ("Mohamed Hasan", "محمد حسن" for "Mohammed Hassan")
            # are as likely the same person as two names in common; one alone is not.
            score += 15 * min(len(shared_keys), 3)
            reasons.append(_("Names spelled alike"))
        birth = _birth_date(survivor)
        if birth and row["birth_date"] == birth:
            score += 35
            reasons.append(_("Same date of birth"))
        elif birth and row["birth_date"] and abs(int(birth[:4]) - int(row["birth_date"][:4])) <= 1:
            score += 8
            reasons.append(_("Born within a year"))
        new_cit = {c.upper() for c in survivor.citizenship}
        if new_cit and new_cit & set(json.loads(row["citizenship"])):
            score += 10
            reasons.append(_("Same citizenship"))
        if score < 30 or not (shared or shared_keys):
            return None
        return DuplicateMatch(row["case_id"], row["code"],
                              row["preferred_name"] or row["legal_name"], score, tuple(reasons))

    # -- the case list -------------------------------------------------------------
    def _where(self, flt: CaseFilter) -> tuple[str, dict[str, Any]]:
        visible, params = self._access.visible_sql("c")
        where = [visible]
        if flt.statuses:
            keys = {f"st{i}": s for i, s in enumerate(flt.statuses)}
            where.append(f"c.status IN ({', '.join(':' + k for k in keys)})")
            params.update(keys)
        elif not flt.include_closed:
            where.append("c.status != 'closed'")
        if flt.assigned_to_me:
            where.append("c.assigned_to = :me")
            params["me"] = self._ctx.session.user_id
        if flt.exploitation_type:
            where.append("instr(' ' || c.situation_tags || ' ', :etype) > 0")
            params["etype"] = " " + blind_index.tag(case_fields.index_key(self._ctx),
                                                    blind_index.EXPLOITATION,
                                                    flt.exploitation_type) + " "
        if flt.legal_matter_type:
            where.append("EXISTS (SELECT 1 FROM legal_matters m WHERE m.case_id = c.id"
                         " AND m.matter_type = :mtype)")
            params["mtype"] = flt.legal_matter_type
        if flt.due_within_days is not None:
            where.append("EXISTS (SELECT 1 FROM deadlines d WHERE d.case_id = c.id AND d.done = 0"
                         " AND d.due_on <= :due)")
            params["due"] = (dt.date.today() + dt.timedelta(days=flt.due_within_days)).isoformat()
        return " AND ".join(where), params

    def count(self, flt: CaseFilter | None = None) -> int:
        """How many visible cases match *flt* (the list's row count, before any id is read)."""
        where, params = self._where(flt or CaseFilter())
        return int(self._ctx.db.scalar(f"SELECT count(*) FROM cases c WHERE {where}",  # noqa: S608
                                       params))

    def page_ids(self, flt: CaseFilter | None = None, *, sort: str = "updated", offset: int = 0,
                 limit: int = 200) -> list[str]:
        """One page of :meth:`list_ids`, read straight from the index: the first screen of a
        100,000-case list needs only its first rows."""
        if sort == "name":
            return self.list_ids(flt, sort=sort)[offset:offset + limit]
        where, params = self._where(flt or CaseFilter())
        return self._ctx.db.column(
            f"SELECT c.id FROM cases c WHERE {where} ORDER BY {_ORDER[sort]}"  # noqa: S608
            " LIMIT :limit OFFSET :offset", {**params, "limit": limit, "offset": offset})

    def list_ids(self, flt: CaseFilter | None = None, *, sort: str = "updated",
                 name_key: Callable[[str], Any] | None = None) -> list[str]:
        """Ids of every visible case matching *flt*, in order (for a lazy list model).

        Sorting by name uses *name_key* when given — the interface's collation, so that
        "Åsa" sorts where a Swedish reader expects it — and otherwise an accent- and
        case-insensitive order.
        """
        where, params = self._where(flt or CaseFilter())
        if sort == "name":
            rows = self._ctx.db.all(
                f"SELECT c.id, s.id AS sid, s.preferred_name, s.legal_name FROM cases c"  # noqa: S608
                f" JOIN survivors s ON s.id = c.survivor_id WHERE {where}", params)
            key = name_key or names.fold
            shown = [(case_fields.display_name(self._ctx, r["sid"], r["legal_name"],
                                               r["preferred_name"]) or "", r["id"]) for r in rows]
            shown.sort(key=lambda pair: key(pair[0]))
            return [case_id for _name, case_id in shown]
        return self._ctx.db.column(
            f"SELECT c.id FROM cases c WHERE {where} ORDER BY {_ORDER[sort]}",  # noqa: S608
            params)

    def summaries(self, ids: list[str]) -> list[CaseSummary]:
        """Rows for *ids* in the same order; ids the user may not read are left out."""
        if not ids:
            return []
        visible, params = self._access.visible_sql("c")
        keys = {f"i{n}": i for n, i in enumerate(ids)}
        rows = self._ctx.db.all(
            f"{SUMMARY_SQL} WHERE c.id IN ({', '.join(':' + k for k in keys)}) AND {visible}",
            {**keys, **params})
        by_id = {r["id"]: self._summary(r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]
