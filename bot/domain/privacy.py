"""When a person may be erased, and what in a text identifies someone. Pure.

Erasure (GDPR Art. 17) removes what identifies or concerns the person and is not work
history; the employer must keep the shifts worked, the offers sent and the bookings held
(Art. 17(3)(b)). Someone with shifts or bookings still ahead cannot be erased: the
schedule would lose a person who is expected at work. The queries are in
`storage.privacy`; `bot.services.privacy` asks here before it erases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ERASED_NAME = "Raderad person"
ERASED_NUMBER = "(raderat nummer)"
OTHER_PERSON = "[annan person]"  # another person's name in an export (Art. 15(4))


class ErasureRefused(Exception):
    """Why a person cannot be erased now, in Swedish."""


@dataclass(frozen=True, slots=True)
class ErasureFacts:
    """What the database says about a person that decides whether they may be erased."""

    person_id: str
    known: bool
    shifts_ahead: int = 0  # scheduled, not cancelled, not vacated, ending after now
    bookings_ahead: int = 0  # not cancelled, the shift ending after now


def refuse_erasure(facts: ErasureFacts) -> None:
    """Raise `ErasureRefused` for an unknown person or one expected at work."""
    if not facts.known:
        raise ErasureRefused(f"okänd person {facts.person_id}")
    if facts.shifts_ahead or facts.bookings_ahead:
        raise ErasureRefused(
            f"{facts.person_id} har {facts.shifts_ahead} schemalagda och "
            f"{facts.bookings_ahead} bokade pass framåt: flytta eller avboka dem först"
        )


def identifying(name: str) -> bool:
    """A full name, or one word long enough not to hide inside other words ("Bo" would
    match in "Bokat")."""
    name = name.strip()
    return " " in name or len(name) >= 6


def other_names(people: Iterable[tuple[str, str]], person_id: str) -> re.Pattern[str]:
    """A pattern matching every other person's identifying name, longest first (the same
    rule as erasure), given (id, name) pairs."""
    names = sorted(
        {n.strip() for pid, n in people if pid != person_id and identifying(n)},
        key=len,
        reverse=True,
    )
    return re.compile("|".join(map(re.escape, names)) if names else r"(?!x)x")


def scrubs(name: str, phone: str | None) -> list[tuple[str, str]]:
    """What to replace, and with what, in other people's messages that name the erased
    person: the name if it identifies them, the number if they had one."""
    name = name.strip()
    pairs = [(name if identifying(name) else None, ERASED_NAME), (phone, ERASED_NUMBER)]
    return [(needle, instead) for needle, instead in pairs if needle]
