"""Screenshots of the Appointments, Deadlines, Referrals, Partners and Administration pages.

Used by ``python -m ui.screenshots`` (``make screenshots``): ``language_screens(out,
folder, language)`` once per language, inside ``qt_language(app, language)`` after
``set_language(language)``; *folder* is an empty temporary folder for the throwaway vault.
It writes ``agenda-week``, ``appointment-conflict``, ``deadlines``, ``referrals``,
``partners``, ``admin-users``, ``admin-settings``, ``admin-vault`` and ``my-day`` in
English, and the variants ``RUNS`` names for Arabic and the pseudo-locale (``en_XA``).

The vault is created in a temporary folder with invented, clearly fictional records and
deleted afterwards; its key derivation is deliberately light because it never holds
anything real.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.services.registry import Services, build_services
from shelter_app.vault.crypto import KdfParams, KdfPolicy
from shelter_app.vault.vault import OpenVault, Vault

from .agenda.common import select_row
from .background import Background

THROWAWAY_KDF = KdfPolicy(default=KdfParams(8192, 1, 1), minimum=KdfParams(8192, 1, 1))
PASS = "lantern orchard seven rivers"  # noqa: S105 - a throwaway vault
SIZE = (1100, 680)
ALL = ("agenda-week", "appointment-conflict", "deadlines", "referrals", "partners",
       "admin-users", "admin-settings", "admin-vault", "my-day", "statistics")


def _populate(admin: Services, staff: dict[str, Services], ids: dict[str, str]) -> None:
    coordinator, caseworker = staff["ines"], staff["sam"]
    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    clinic = coordinator.partners.add(
        "Riverside Health Centre (fictional)", "health", services=["medical", "psychosocial"],
        languages=["en", "vi", "ro"], address="1 Example Street", secure_contact="Ext. 4")
    legal_aid = coordinator.partners.add(
        "Legal Aid Collective (fictional)", "legal", services=["legal_aid"],
        languages=["en", "es"], document_language="es")
    coordinator.partners.add("Casa Segura (ficticia)", "shelter", services=["safe_shelter"],
                             languages=["es"], document_language="es")
    coordinator.partners.add("Interpreters Network (fictional)", "other",
                             services=["interpreting"], languages=["ar", "uk", "vi"])
    closed = coordinator.partners.add("Old Harbour Hostel (fictional)", "shelter",
                                      services=["safe_shelter"], languages=["en"])
    coordinator.partners.set_active(closed.id, False)
    people = [("Example Person A", "vi"), ("Example Person B", "es"),
              ("Example Person C", "ar"), ("Example Person D", "uk")]
    cases = []
    for name, spoken in people:
        record = coordinator.cases.create(SurvivorInput(legal_name=name, languages=[spoken]),
                                          CaseInput(assigned_to=ids["sam"]))
        coordinator.cases.share(record.id, ids["lee"])
        cases.append(record.id)
    plan = [(0, 9, 0, "legal_consultation", "Room 1", "Ms Tran", "vi"),
            (0, 11, 1, "medical", "Clinic", "", None),
            (1, 10, 2, "authority_interview", "Interview room", "Mr Haddad", "ar"),
            (2, 14, 3, "court_hearing", "Court 3", "Ms Koval", "uk"),
            (3, 9, 1, "legal_consultation", "Room 2", "", None),
            (4, 15, 0, "other", "Room 1", "", None)]
    for day, hour, case_no, kind, room, interpreter, language in plan:
        start = dt.datetime.combine(monday + dt.timedelta(days=day), dt.time(hour))
        a = caseworker.appointments.schedule(
            cases[case_no], kind, start, start + dt.timedelta(hours=1), location="Main office",
            room=room, staff_id=ids["sam"], interpreter=interpreter,
            interpreter_language=language)
        if day == 0 and hour == 9:
            caseworker.appointments.set_status(a.id, "confirmed")
    staff["lee"].legal.open(cases[0], "residence_permit", dates={
        "filing_due": today - dt.timedelta(days=2), "permit_expiry": today + dt.timedelta(60)})
    staff["lee"].legal.open(cases[2], "reflection_period", dates={
        "reflection_start": today - dt.timedelta(days=20),
        "reflection_end": today + dt.timedelta(days=5)})
    for case_id in cases[:3]:
        caseworker.consent.record(case_id, sections=["identity"], purpose="Referral",
                                  given_by="survivor", method="written",
                                  given_on=today - dt.timedelta(days=10), any_referral=True)
    sent = caseworker.referrals.create(cases[0], clinic.id, priority="urgent")
    caseworker.referrals.move(sent.id, "sent", on=today - dt.timedelta(days=5))
    accepted = caseworker.referrals.create(cases[1], legal_aid.id)
    caseworker.referrals.move(accepted.id, "sent")
    caseworker.referrals.move(accepted.id, "accepted")
    caseworker.referrals.create(cases[3], clinic.id, priority="emergency")
    for case_no, what, days in ((0, "Book an interpreter for the hearing", -1),
                                (1, "Call the clinic about the results", 0),
                                (2, "Collect the police report", 3),
                                (3, "Renew the bus pass", None)):
        due = None if days is None else today + dt.timedelta(days=days)
        caseworker.tasks.create(cases[case_no], what, assigned_to=ids["sam"], due_on=due)
    admin.settings.set("window_title", "Office notes")
    admin.settings.set("organisation_logo", _logo())


def _logo() -> bytes:
    """An invented logo: two letters on a coloured square."""
    image = QImage(96, 96, QImage.Format.Format_ARGB32)
    image.fill(QColor("#1f6f8b"))
    painter = QPainter(image)
    painter.setPen(QColor("white"))
    font = QFont()
    font.setPixelSize(44)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, "HH")
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def _open_vault(folder: Path) -> tuple[Vault, list[OpenVault], dict[str, Services]]:
    vault, opened, _key = Vault.create(folder, organisation="Harbour House (fictional)",
                                       admin_username="maria", admin_passphrase=PASS,
                                       admin_display_name="Maria Admin", kdf=THROWAWAY_KDF)
    admin = build_services(opened)
    ids = {"maria": opened.user_id}
    for name, display, role in (("ines", "Ines Coordinator", "coordinator"),
                                ("sam", "Sam Worker", "caseworker"),
                                ("lee", "Lee Legal", "legal")):
        ids[name] = admin.accounts.add(name, [role], PASS, display_name=display,
                                       temporary=False).id
    admin.accounts.add("omar", ["caseworker"], "temporary passphrase 1",
                       display_name="Omar New")
    sessions, all_opened = {"maria": admin}, [opened]
    for name in ("ines", "sam", "lee"):
        one, _report = vault.unlock(name, PASS)
        all_opened.append(one)
        sessions[name] = build_services(one)
    _populate(admin, sessions, ids)
    return vault, all_opened, sessions


def _save(widget: QWidget, out: Path, name: str,
          size: tuple[int, int] | None = SIZE) -> Path:
    if size is not None:
        widget.resize(*size)
    widget.show()
    if size is None:
        widget.adjustSize()
    for _i in range(5):
        QApplication.processEvents()
    path = out / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(path)
    return path


def page_screens(out: Path, folder: Path, *, suffix: str = "",
                 names: Iterable[str] = ALL) -> list[Path]:
    """Render the pages named in *names* (see ``ALL``) into *out*."""
    from .admin.page import AdminPage
    from .agenda.page import AgendaPage
    from .deadlines import DeadlinesPage
    from .partners_page import PartnersPage
    from .referrals_page import ReferralsPage

    wanted = set(names)
    vault, opened, s = _open_vault(folder)
    background = Background()
    # The week _populate books: its Wednesday is in it whatever day the week starts on in
    # the language rendered (Saturday, Sunday or Monday) and whatever day today is.
    today = dt.date.today()
    midweek = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=2)
    written: list[Path] = []
    try:
        def agenda() -> QWidget:
            page = AgendaPage(s["sam"], background, today=midweek)
            page.set_mode("week")
            select_row(page.view, 0)
            return page

        def admin(tab: int) -> Callable[[], QWidget]:
            def make() -> QWidget:
                page = AdminPage(s["maria"], background)
                page.tabs.setCurrentIndex(tab)
                if page.accounts is not None:
                    page.accounts.refresh(select="omar")
                return page
            return make

        def conflict() -> QWidget:
            """Booking the interview room while it is taken: the warning and Save anyway."""
            page = AgendaPage(s["sam"], background, today=midweek)
            page.set_mode("week")
            select_row(page.view, 2)
            dialog = page.edit_selected()
            assert dialog is not None
            start = dialog.starts.value()
            assert start is not None
            dialog.starts.set_value(start - dt.timedelta(days=1, hours=1))
            dialog.room.setText("Room 1")
            dialog.save_button.click()  # refused: shows the double booking
            dialog.setParent(None)
            page.deleteLater()
            return dialog

        def selected(page: QWidget) -> QWidget:
            view = getattr(page, "view", None)
            if view is not None:
                select_row(view, 0)
            return page

        def my_day() -> QWidget:
            from .day.page import MyDayPage

            page = MyDayPage(s["sam"], background)
            background.wait()
            for _i in range(5):
                QApplication.processEvents()
            return page

        def statistics() -> QWidget:
            """The Statistics section on a vault of its own, with enough fictional cases
            for figures to show (the shared one has four)."""
            from shelter_app.demo import populate

            from .statistics.page import StatisticsPage

            populate(s["ines"], survivors=160, services_per_case=3)
            page = StatisticsPage(s["ines"], background)
            page.resize(*SIZE)
            page.show()
            background.wait()
            for _i in range(5):
                QApplication.processEvents()
            page.scroll.verticalScrollBar().setValue(0)
            return page

        def partners() -> QWidget:
            page = PartnersPage(s["ines"], background)
            page.show_inactive.setChecked(True)
            return selected(page)

        builders: dict[str, Callable[[], QWidget]] = {
            "agenda-week": agenda,
            "deadlines": lambda: selected(DeadlinesPage(s["ines"], background)),
            "referrals": lambda: selected(ReferralsPage(s["sam"], background)),
            "partners": partners,
            "appointment-conflict": conflict,
            "admin-users": admin(0), "admin-settings": admin(1), "admin-vault": admin(2),
            "my-day": my_day, "statistics": statistics,
        }
        for name in ALL:
            if name in wanted:
                widget = builders[name]()
                if name != "appointment-conflict":
                    widget.setWindowTitle("Office notes")
                written.append(_save(widget, out, name + suffix,
                                     None if name == "appointment-conflict" else SIZE))
                widget.deleteLater()
    finally:
        background.wait()
        for one in opened:
            one.close()
        vault.close()
    return written


# (language, file-name suffix, pages): English in full, the mirrored layouts where they
# differ most.
RUNS = (("en", "", ALL), ("ar", "-ar", ("agenda-week", "my-day", "statistics")),
        ("es", "-es", ("agenda-week", "my-day")),
        ("en_XA", "-en_XA", ("agenda-week", "admin-settings", "admin-vault")))


def language_screens(out: Path, folder: Path, language: str) -> list[Path]:
    """The pages ``RUNS`` names for *language*; call inside ``qt_language``."""
    return [path for lang, suffix, names in RUNS if lang == language
            for path in page_screens(out, folder / language, suffix=suffix, names=names)]
