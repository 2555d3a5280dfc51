"""What a coordinator (samordnare) asks for, whichever channel it came from.

Telegram and the web desk each turn their input (a button, a command, a form) into one of
these typed intents and hand it, with the acting person, to the one service function for
it (`bot.services.coordinator`, `bot.services.introduction`). The service checks the
actor's scope itself, so the channels cannot differ on who may do what; they only render
the outcome.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
