"""What a person asks for, whatever channel it came through: typed, frozen, pure.

A channel reads its input (a Telegram button or command, an SMS's words through
`bot.domain.grammar` / `bot.domain.sms_reply`) into one of these; one service function
per use case takes it and returns an outcome; the channel renders the outcome. So the
rules of a use case live once, in the service, not once per channel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.model import AbsenceCategory, Channel

# --- staff and substitutes ---


@dataclass(frozen=True, slots=True)
class ReportAbsence:
    """Frånvaroanmälan. Shift ids when the person picked them; else `day` (a local date),
    or neither: today's shifts, else the next one (`absence.shifts_covered`)."""

    category: AbsenceCategory | None  # None: not said yet (Telegram asks)
    shift_ids: tuple[str, ...] = ()
    day: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ReportWell:
    """Friskanmälan: "frisk igen", about now."""


@dataclass(frozen=True, slots=True)
class Accept:
    """Take an offered shift: by offer id (a button), or by the SMS code (None: the only
    open offer)."""

    offer_id: int | None = None
    code: int | None = None


@dataclass(frozen=True, slots=True)
class Decline:
    """Say no to an offered shift; as `Accept`."""

    offer_id: int | None = None
    code: int | None = None


@dataclass(frozen=True, slots=True)
class CancelBooking:
    """Give up a booking ("I cannot come"): one booking by id, every booking starting on
    `day`, or with neither the next booked shift."""

    booking_id: int | None = None
    day: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ToggleDay:
    """Take shifts on this ISO weekday (1 = Monday), or stop taking them."""

    iso_day: int


@dataclass(frozen=True, slots=True)
class SetTimes:
    """Take shifts between these local wall times; both None: any time."""

    start: dt.time | None
    end: dt.time | None


@dataclass(frozen=True, slots=True)
class Pause:
    """No offers for `days` days, or through the local date `through`; neither: unpause."""

    days: int | None = None
    through: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SetChannel:
    """Telegram, SMS or both; None when the person asked without saying which."""

    channel: Channel | None


@dataclass(frozen=True, slots=True)
class SetLanguage:
    """One of `bot.i18n.LANGUAGES`; None: the next one (a toggle)."""

    language: str | None


@dataclass(frozen=True, slots=True)
class OptOut:
    """STOPP: no more SMS."""


@dataclass(frozen=True, slots=True)
class OptIn:
    """START: SMS again."""


@dataclass(frozen=True, slots=True)
class ListBookings:
    """My booked shifts (PASS, /pass)."""


@dataclass(frozen=True, slots=True)
class Help:
    """HJÄLP, /hjalp."""


@dataclass(frozen=True, slots=True)
class NotUnderstood:
    """Words the grammar cannot read: answered with help, within the reply limits."""


PersonIntent = (
    ReportAbsence
    | ReportWell
    | Accept
    | Decline
    | CancelBooking
    | ToggleDay
    | SetTimes
    | Pause
    | SetChannel
    | SetLanguage
    | OptOut
    | OptIn
    | ListBookings
    | Help
    | NotUnderstood
)


# --- coordinator intents ---
# Telegram and the web desk each turn a coordinator's input (a button, a command, a form)
# into one of these and hand it, with the acting person, to the one service function for
# it (`bot.services.coordinator`, `bot.services.introduction`). The service checks the
# actor's scope itself, so the channels cannot differ on who may do what.


@dataclass(frozen=True, slots=True)
class FillByHand:
    """Book a named person (tillsätt för hand); a reason (motivering) overrides soft rules."""

    vacancy_id: int
    person_id: str
    override_reason: str | None = None


@dataclass(frozen=True, slots=True)
class CreateVacancy:
    """A new open shift (/nytt, the desk's new-vacancy form), searched for at once.
    A start or end of None is a time the channel could not read: refused as invalid, after
    the scope check (a unit outside one's own is refused as such, whatever the times)."""

    unit_id: str
    start: dt.datetime | None
    end: dt.datetime | None
    role: str
    requirements: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Widen:
    """Ask regular staff on extra time / overtime too (vidga)."""

    vacancy_id: int


@dataclass(frozen=True, slots=True)
class CancelVacancy:
    """Stop searching (avbryt); the people asked are told."""

    vacancy_id: int


@dataclass(frozen=True, slots=True)
class Release:
    """After the absent person reported well: keep the substitute, or release them."""

    vacancy_id: int
    keep: bool


@dataclass(frozen=True, slots=True)
class TickChecklistItem:
    """Tick or untick an item of an introduction checklist (a note item asks for the note
    first). `message_id` is the Telegram message showing the checklist, to redraw it."""

    checklist_id: int
    item_id: int
    message_id: int | None = None
