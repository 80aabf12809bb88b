"""What a referral packet holds: plain values gathered by the service, already limited to
the sections the survivor agreed to share.  A section not shared is ``None`` here, so a
builder cannot print what it was never given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from shelter_app.domain import vocab
from shelter_app.i18n.formatting import country_name, format_date, language_name


@dataclass(frozen=True)
class Identity:
    name: str
    preferred_name: str = ""
    aliases: tuple[str, ...] = ()
    birth_date: dt.date | None = None
    estimated_age: int | None = None
    gender: str = "unknown"
    citizenship: tuple[str, ...] = ()
    documents: tuple[tuple[str, str], ...] = ()  # (type code, status code)
    guardian_name: str = ""
    guardian_relationship: str = ""


@dataclass(frozen=True)
class Contact:
    phone: str = ""
    email: str = ""
    address: str = ""
    safe_to_call: bool = False
    safe_to_leave_message: bool = False
    accepts_withheld_numbers: bool = False
    preferred_method: str = ""
    instructions: str = ""
    languages: tuple[str, ...] = ()
    interpreter_needed: bool = False
    interpreter_language: str = ""
    guardian_contact: str = ""


@dataclass(frozen=True)
class Event:
    stage: str
    place: str
    country: str | None
    date_from: dt.date | None
    date_to: dt.date | None
    description: str
    approximate: bool = False


@dataclass(frozen=True)
class Relative:
    """A family member listed on a packet's worksheet (services/family.py)."""

    name: str
    relationship: str
    birth_date: dt.date | None
    place: str
    country: str | None
    at_risk: bool
    included: bool
    reason: str
    notes: str


@dataclass(frozen=True)
class Situation:
    identification_status: str
    exploitation_types: tuple[str, ...]
    means_of_control: tuple[str, ...]
    risk_level: str | None
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Entry:
    """A service received (or a health entry): its label is a catalogue msgid or a custom
    label; notes and outcome only for the health section."""

    label: str
    day: dt.date
    provider: str = ""
    outcome: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Matter:
    matter_type: str
    status: str
    jurisdiction: str
    deadlines: tuple[tuple[str, dt.date], ...]  # (deadline label msgid, date)


@dataclass(frozen=True)
class ConsentLine:
    sections: tuple[str, ...]
    given_on: dt.date
    expires_on: dt.date | None
    given_by: str
    guardian_name: str
    method: str
    interpreter_language: str | None
    purpose: str


@dataclass(frozen=True)
class ReferralPacket:
    packet_id: str
    language: str  # the partner's document language
    survivor_language: str
    today: dt.date
    organisation: str
    organisation_contact: str
    referrer: str
    partner_name: str
    partner_address: str
    partner_contact: str
    case_code: str
    priority: str
    services: tuple[str, ...]  # catalogue msgids or custom labels
    reason: str
    reply_by: dt.date | None
    sections: tuple[str, ...]
    is_minor: bool
    consents: tuple[ConsentLine, ...]
    identity: Identity | None = None
    contact: Contact | None = None
    situation: Situation | None = None
    access_needs: str | None = None
    health: tuple[Entry, ...] | None = None
    legal: tuple[Matter, ...] | None = None
    services_received: tuple[Entry, ...] | None = None
    watermark: str | None = None
    # the person's own copy, a document of its own in her language, made when she wants it
    survivor_copy: bool = False
    return_channel: str = ""  # how the partner returns the feedback slip
    partner_type: str = "other"  # what kind of answer the partner gives (vocab.PARTNER_TYPE)
    extra: dict[str, str] = field(default_factory=dict)


class Words:
    """Labels, names and dates in one document language; dates as *formats* writes them
    when given (a CLDR locale of that language: "en_GB" writes "6 December 2026")."""

    def __init__(self, language: str, formats: str | None = None) -> None:
        from shelter_app.i18n import translator

        self.language = language
        self.formats = formats or language
        self._ = translator(language)

    def term(self, vocabulary: vocab.Vocabulary, code: str | None) -> str:
        if not code:
            return ""
        found = vocabulary.terms.get(code)
        return self._(found.label) if found else code

    def recorded(self, vocabulary: vocab.Vocabulary, code: str | None) -> str:
        """A choice about the person, or "not recorded" when nobody recorded one (a blank
        line in a packet would invite a reader to guess)."""
        _ = self._
        return self.term(vocabulary, code) or _("not recorded")

    def join(self, items: Iterable[str]) -> str:
        """A list as the language writes it (Arabic has its own comma)."""
        from shelter_app.i18n.formatting import join_list

        return join_list(items, language=self.language)

    def terms(self, vocabulary: vocab.Vocabulary, codes: tuple[str, ...] | list[str]) -> str:
        return self.join(self.term(vocabulary, c) for c in codes)

    def date(self, day: dt.date | None) -> str:
        return format_date(day, length="long", language=self.formats) if day else ""

    def when(self, event: Event) -> str:
        """An event's dates, "about …" when they are approximate."""
        _ = self._
        dates = " – ".join(x for x in (self.date(event.date_from), self.date(event.date_to))
                           if x)
        return _("about {dates}").format(dates=dates) if dates and event.approximate else dates

    def country(self, code: str | None) -> str:
        return (country_name(code, language=self.language) or code) if code else ""

    def languages(self, codes: tuple[str, ...] | list[str]) -> str:
        return self.join(language_name(c, language=self.language) or c for c in codes)

    def yes_no(self, value: bool) -> str:
        _ = self._
        return _("Yes") if value else _("No")
