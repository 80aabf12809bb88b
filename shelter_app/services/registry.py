"""The composition root of the core: every service of one signed-in session, built once."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shelter_app.domain.audit import Event
from shelter_app.errors import StorageFailure
from shelter_app.services.accounts import AccountService
from shelter_app.services.appointments import AppointmentService
from shelter_app.services.attachments import AttachmentService
from shelter_app.services.audit_log import AuditLogService
from shelter_app.services.care import CareService
from shelter_app.services.case_fields import key_the_index
from shelter_app.services.cases import CaseService
from shelter_app.services.claims import ClaimsService
from shelter_app.services.consent import ConsentService
from shelter_app.services.context import ServiceContext, Session
from shelter_app.services.day import DayService
from shelter_app.services.drafts import DraftService
from shelter_app.services.exchange import ExchangeService
from shelter_app.services.family import FamilyService
from shelter_app.services.field_sealing import seal_plain_fields
from shelter_app.services.history import HistoryService
from shelter_app.services.legal import LegalService
from shelter_app.services.non_punishment import NonPunishmentService
from shelter_app.services.partners import PartnerService
from shelter_app.services.proceedings import ProceedingsService
from shelter_app.services.referrals import ReferralService
from shelter_app.services.retention import RetentionService
from shelter_app.services.retention_upkeep import compact_if_due, note_erased
from shelter_app.services.row_seals import seal_earlier_rows
from shelter_app.services.search import SearchService
from shelter_app.services.settings import SettingsService
from shelter_app.services.sites import SiteService
from shelter_app.services.tasks import TaskService
from shelter_app.services.timeline import TimelineService
from shelter_app.services.vault_admin import VaultAdminService
from shelter_app.vault.vault import OpenVault

if TYPE_CHECKING:
    from shelter_app.services.document_builder import DocumentBuilder
    from shelter_app.services.documents import DocumentService
    from shelter_app.services.statistics import StatisticsService


@dataclass
class Services:
    ctx: ServiceContext
    accounts: AccountService
    settings: SettingsService
    sites: SiteService
    vault_admin: VaultAdminService
    cases: CaseService
    search: SearchService
    timeline: TimelineService
    consent: ConsentService
    care: CareService
    partners: PartnerService
    referrals: ReferralService
    appointments: AppointmentService
    legal: LegalService
    proceedings: ProceedingsService
    claims: ClaimsService
    non_punishment: NonPunishmentService
    family: FamilyService
    attachments: AttachmentService
    exchange: ExchangeService
    drafts: DraftService
    history: HistoryService
    audit_log: AuditLogService
    tasks: TaskService
    day: DayService
    retention: RetentionService
    document_process: bool = False  # make documents in a child process (the desktop app)
    _documents: DocumentService | None = field(default=None, init=False, repr=False)
    _builder: DocumentBuilder | None = field(default=None, init=False, repr=False)
    _statistics: StatisticsService | None = field(default=None, init=False, repr=False)

    @property
    def statistics(self) -> StatisticsService:
        """Built on first use, as only a coordinator's dashboard or report asks for it."""
        if self._statistics is None:
            from shelter_app.services.statistics import StatisticsService

            self._statistics = StatisticsService(self.ctx)
        return self._statistics

    @property
    def documents(self) -> DocumentService:
        """Built on first use: it brings reportlab and pypdf, which signing in does not need.
        With ``document_process``, the document builder process starts now, while the user
        chooses (``document_builder.py``)."""
        if self._documents is None:
            from shelter_app.services.documents import DocumentService

            if self.document_process:
                from shelter_app.services.document_builder import DocumentBuilder

                self._builder = DocumentBuilder()
                self._builder.start()
                self._documents = DocumentService(self.ctx, services=self,
                                                  build=self._builder.build)
            else:
                self._documents = DocumentService(self.ctx, services=self)
        return self._documents

    @property
    def document_builder(self) -> DocumentBuilder | None:
        """The session's document builder process, once documents were first asked for."""
        return self._builder

    @property
    def session(self) -> Session:
        return self.ctx.session

    def lock(self, event: Event = Event.LOCK) -> None:
        """Record why the session ended, then forget the key and close the database (and
        end the document builder process, if one was started)."""
        if self._builder is not None:
            self._builder.close()
        if self.ctx.vault.closed:
            return
        try:
            self.ctx.record(event, target_type="user", target_id=self.ctx.session.user_id)
        finally:
            self.ctx.forget_keys()
            self.ctx.vault.close()


def build_services(opened: OpenVault, *, document_process: bool = False) -> Services:
    """Every service of the session on *opened*.  *document_process*: make documents in a
    child process (``document_builder.py``), as the desktop application does so that its
    window never waits for them; the command line and the tests make them in this one."""
    ctx = ServiceContext(opened)
    with contextlib.suppress(StorageFailure):  # a full disk: sealed at a later sign-in
        seal_plain_fields(ctx)
        key_the_index(ctx)
        seal_earlier_rows(ctx)
        note_erased(ctx)
        compact_if_due(ctx)
    consent = ConsentService(ctx)
    settings = SettingsService(ctx)
    cases = CaseService(ctx)
    services = Services(
        ctx=ctx, accounts=AccountService(ctx), settings=settings, sites=SiteService(ctx),
        vault_admin=VaultAdminService(ctx, settings), cases=cases, search=SearchService(ctx),
        timeline=TimelineService(ctx), consent=consent, care=CareService(ctx),
        partners=PartnerService(ctx), referrals=ReferralService(ctx, consent),
        appointments=AppointmentService(ctx), legal=LegalService(ctx),
        proceedings=ProceedingsService(ctx), claims=ClaimsService(ctx),
        non_punishment=NonPunishmentService(ctx), family=FamilyService(ctx),
        attachments=AttachmentService(ctx, settings), exchange=ExchangeService(ctx, cases),
        drafts=DraftService(ctx), history=HistoryService(ctx), audit_log=AuditLogService(ctx),
        tasks=TaskService(ctx), day=DayService(ctx),
        retention=RetentionService(ctx, settings), document_process=document_process,
    )
    return services
