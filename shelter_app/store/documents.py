"""The ``generated_documents`` table: one row per document that left the vault from a case
(saved or printed), never the document itself."""

from __future__ import annotations

import json
from dataclasses import dataclass

from shelter_app.store.audit import now_utc
from shelter_app.store.db import Database


@dataclass(frozen=True)
class Row:
    """What is written: who and when are added by ``insert``."""

    id: str
    case_id: str
    packet_id: str
    kind: str
    recipient: str
    partner_id: str | None
    language: str
    sections: tuple[str, ...]
    consent_ids: tuple[str, ...]
    template: str
    template_version: str
    encrypted: bool
    pages: int
    size: int
    sha256: str


@dataclass(frozen=True)
class GeneratedDocument:
    id: str
    case_id: str
    packet_id: str
    kind: str
    recipient: str
    language: str
    sections: tuple[str, ...]
    template: str | None
    template_version: str | None
    encrypted: bool
    pages: int
    size: int
    sha256: str
    created_at: str
    created_by: str
    consent_ids: tuple[str, ...] = ()  # the consents it was released under


def exists(db: Database, document_id: str) -> bool:
    return bool(db.scalar("SELECT 1 FROM generated_documents WHERE id = :id",
                          {"id": document_id}))


def insert(db: Database, row: Row, user_id: str) -> None:
    db.execute(
        "INSERT INTO generated_documents (id, case_id, packet_id, kind, recipient, partner_id,"
        " language, sections, consent_ids, template, template_version, encrypted, pages, size,"
        " sha256, created_at, updated_at, created_by, updated_by) VALUES (:id, :case, :packet,"
        " :kind, :recipient, :partner, :lang, :sections, :consents, :template, :version, :enc,"
        " :pages, :size, :sha, :now, :now, :me, :me)",
        {"id": row.id, "case": row.case_id, "packet": row.packet_id, "kind": row.kind,
         "recipient": row.recipient, "partner": row.partner_id, "lang": row.language,
         "sections": json.dumps(list(row.sections)),
         "consents": json.dumps(list(row.consent_ids)), "template": row.template,
         "version": row.template_version, "enc": int(row.encrypted), "pages": row.pages,
         "size": row.size, "sha": row.sha256, "now": now_utc(), "me": user_id})


def history(db: Database, case_id: str) -> list[GeneratedDocument]:
    """The documents that left the vault from *case_id*, newest first."""
    rows = db.all(
        "SELECT d.*, coalesce(nullif(u.display_name, ''), u.username, '') AS who"
        " FROM generated_documents d LEFT JOIN users u ON u.id = d.created_by"
        " WHERE d.case_id = :c ORDER BY d.created_at DESC", {"c": case_id})
    return [GeneratedDocument(
        r["id"], r["case_id"], r["packet_id"], r["kind"], r["recipient"], r["language"],
        tuple(json.loads(r["sections"])), r["template"], r["template_version"],
        bool(r["encrypted"]), r["pages"], r["size"], r["sha256"], r["created_at"],
        r["who"], tuple(json.loads(r["consent_ids"] or "[]"))) for r in rows]
