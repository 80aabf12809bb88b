"""Attachments: scans, PDFs and photos, stored encrypted inside the vault database, each
file, its label, name and digest sealed under the case key (docs/VAULT_FORMAT.md, 7.1).

The type is read from the content, never trusted from the file name; a file that is not a
PDF or an image is refused, naming what it looks like.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from shelter_app.domain import names
from shelter_app.domain import validate as v
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.errors import NotFound, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext, keys_not_given, require_case_key
from shelter_app.services.settings import SettingsService
from shelter_app.store.audit import now_utc
from shelter_app.store.db import Row

_INFO = ("SELECT id, case_id, label, file_name, media_type, size, sha256, created_at"
         " FROM attachments")
ALLOWED = {"application/pdf", "image/png", "image/jpeg", "image/tiff", "image/gif", "image/webp",
           "image/heic"}


def sniff(data: bytes) -> str:
    """The media type the bytes really are (a small, strict set of signatures)."""
    head = data[:32]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"heif"):
        return "image/heic"
    if head[:4] == b"PK\x03\x04":
        return "application/zip"
    if head[:2] == b"MZ" or head[:4] == b"\x7fELF":
        return "application/x-executable"
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html", b"<svg", b"<?xml")):
        return "text/markup"
    return "application/octet-stream"


@dataclass(frozen=True)
class Attachment:
    id: str
    case_id: str
    label: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    created_at: str


class AttachmentService:
    def __init__(self, ctx: ServiceContext, settings: SettingsService) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)
        self._settings = settings

    @property
    def limit_bytes(self) -> int:
        """The organisation's setting ``attachment_limit_mb``, in bytes."""
        return int(self._settings.get("attachment_limit_mb")) * 1024 * 1024

    def add(self, case_id: str, file_name: str, data: bytes, *, label: str = "") -> Attachment:
        scope = self._access.require(case_id, Action.MANAGE_DOCUMENTS)
        require_case_key(self._ctx)
        if not data:
            raise ValidationError(_("The file is empty."), "file")
        limit = self.limit_bytes
        if len(data) > limit:
            raise ValidationError(
                _("The file is {size} MB; the limit is {limit} MB.").format(
                    size=f"{len(data) / 1048576:.1f}", limit=limit // 1048576), "file")
        media_type = sniff(data)
        if media_type not in ALLOWED:
            raise ValidationError(
                fill(_("This file is not a PDF or an image, whatever its name says (its content "
                  "looks like {kind}). Attach scans, PDFs or photos."), kind=media_type),
                "file")
        shown_name = names.strip_invisible(file_name.replace("\\", "/").rsplit("/", 1)[-1])
        attachment_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        digest = hashlib.sha256(data).hexdigest()
        label = v.text(label, "label")
        shown_name = v.text(shown_name, "file_name", limit=255) or "file"
        with self._ctx.write(Action.MANAGE_DOCUMENTS, Event.RECORD_CREATED, scope=scope,
                             target_type="attachment", target_id=attachment_id,
                             details={"format": media_type}) as db:
            db.execute("INSERT INTO attachments (id, case_id, label, file_name, media_type, size,"
                       " sha256, content, created_at, updated_at, created_by, updated_by) VALUES"
                       " (:id, :case, :label, :name, :type, :size, :sha, :content, :now, :now,"
                       " :me, :me)",
                       {"id": attachment_id, "case": case_id,
                        **{name: self._ctx.seal(KeyName.CASE, "attachments", attachment_id,
                                                column, text)
                           for name, column, text in (("label", "label", label),
                                                      ("name", "file_name", shown_name),
                                                      ("sha", "sha256", digest))},
                        "type": media_type, "size": len(data),
                        "content": self._ctx.seal(KeyName.CASE, "attachments",
                                                       attachment_id, "content", data),
                        "now": now, "me": me})
        return self._info(attachment_id)

    def _opened(self, row: Row) -> Attachment:
        """An attachment's description, its sealed texts opened (empty for a session not
        yet given the case key)."""
        def text(column: str) -> str:
            return self._ctx.unseal(KeyName.CASE, "attachments", row["id"], column,
                                    row[column]) or ""
        return Attachment(row["id"], row["case_id"], text("label"), text("file_name"),
                          row["media_type"], row["size"], text("sha256"), row["created_at"])

    def _info(self, attachment_id: str) -> Attachment:
        row = self._ctx.db.one(f"{_INFO} WHERE id = :id", {"id": attachment_id})
        if row is None:
            raise NotFound(_("No such attachment."))
        return self._opened(row)

    def list(self, case_id: str) -> list[Attachment]:
        self._access.require(case_id, Action.MANAGE_DOCUMENTS)
        return [self._opened(r) for r in self._ctx.db.all(
            f"{_INFO} WHERE case_id = :c ORDER BY created_at", {"c": case_id})]

    def content(self, attachment_id: str, *, leaving: bool = False) -> tuple[Attachment, bytes]:
        """The attachment's file.  *leaving*: it is to be saved outside the vault (a copy),
        which a read-only vault refuses, as it could not record it."""
        info = self._info(attachment_id)
        self._access.require(info.case_id, Action.MANAGE_DOCUMENTS)
        if leaving:
            self._ctx.refuse_if_read_only()
        stored = self._ctx.db.scalar("SELECT content FROM attachments WHERE id = :id",
                                     {"id": attachment_id})
        data = self._ctx.unseal(KeyName.CASE, "attachments", attachment_id, "content",
                                     stored)
        if data is None:
            raise keys_not_given(reading=True)
        self._ctx.record(Event.RECORD_OPENED, target_type="attachment", target_id=attachment_id)
        return info, data
