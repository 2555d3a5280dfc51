"""Rules of the desk's login without passwords: who may log in, how long a one-time login
lives, how often one may be asked for. Pure: the service keeps the counts."""

from __future__ import annotations

import datetime as dt
import hashlib

from bot.domain.model import Person, Role

LOGIN_VALID = dt.timedelta(minutes=10)  # a one-time code or link
THROTTLE_WINDOW = dt.timedelta(minutes=10)
MAX_CODES_PER_PERSON = 3  # codes sent to one person per window
MAX_CODES_PER_PERSON_DAY = 10  # and per day: each one is a text to that person
# Login requests from one address per window, known numbers or not. An office behind one
# NAT address shares it: generous, but it ends a flood of texts and of guessing numbers.
MAX_REQUESTS_PER_ADDRESS = 30
MAX_FAILED_CODES = 5  # wrong codes for one person per window before codes stop working
CODE_DIGITS = 6


def may_use_desk(person: Person) -> bool:
    """Coordinators with a unit, and admins; nobody inactive."""
    return person.active and (
        person.has_role(Role.ADMIN) or bool(person.units_for(Role.COORDINATOR))
    )


def may_send_code(codes_in_window: int, codes_today: int) -> bool:
    return codes_in_window < MAX_CODES_PER_PERSON and codes_today < MAX_CODES_PER_PERSON_DAY


def secret_hash(*parts: str) -> str:
    """sha256 of the parts: a link token alone, or a person's id with a code (a code is
    short: bound to the person, two people can hold the same digits)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def format_code(code: str) -> str:
    """123456 -> '123 456', easier to read off a phone."""
    return f"{code[:3]} {code[3:]}" if len(code) == CODE_DIGITS else code
