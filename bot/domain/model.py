"""Typed records of the domain. Storage returns these; the pure rules take them.

No I/O here, no telegram or twilio imports. Times are aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


def elapsed_hours(start: dt.datetime, end: dt.datetime) -> float:
    """Real elapsed hours. Subtract in UTC: same-tzinfo subtraction is wall-clock time."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("naive datetime: use aware datetimes")
    return (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)).total_seconds() / 3600




class Role(StrEnum):
    STAFF = "staff"  # ordinarie personal
    SUBSTITUTE = "substitute"  # vikarie
    COORDINATOR = "coordinator"  # samordnare
    HANDLEDARE = "handledare"  # handledare
    ADMIN = "admin"


class Tier(StrEnum):
    POOL = "pool"  # bemanningspool, on stand-by
    SUBSTITUTE = "substitute"  # timvikarie
    STAFF_EXTRA = "staff_extra"  # ordinarie on extra time / overtime


class Channel(StrEnum):
    TELEGRAM = "telegram"
    SMS = "sms"
    BOTH = "both"


class AbsenceCategory(StrEnum):
    SJUK = "sjuk"
    VAB = "vab"
    ANNAT = "annat"


class VacancyStatus(StrEnum):
    SEARCHING = "searching"  # söker vikarie
    FILLED = "filled"  # tillsatt
    CANCELLED = "cancelled"  # avbruten
    EXPIRED = "expired"  # passet började utan vikarie


class OfferState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TAKEN = "taken"  # someone else accepted first
    WITHDRAWN = "withdrawn"  # closed by the bot: vacancy cancelled, booked elsewhere, ineligible
    EXPIRED = "expired"  # shift started
    LATE = "late"  # accepted after it was taken
    UNREACHABLE = "unreachable"  # no channel reached the person: a silent "no" (never theirs)


# What counts as a "no" in the tallies (boards, alerts, reports): a refusal, or an offer no
# channel could deliver (the call-out moves on the same way). Only DECLINED is the person's.
COUNTED_AS_NO = frozenset({OfferState.DECLINED, OfferState.UNREACHABLE})


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    name: str
    area: str
    coordinator_chat_id: int | None = None
    allow_staff_extra: bool = False
    # The workplace (the group's office), never a care recipient's address.
    address: str | None = None
    phone: str | None = None  # E.164; a landline is fine


@dataclass(frozen=True, slots=True)
class RoleGrant:
    role: Role
    unit_id: str | None = None


@dataclass(frozen=True, slots=True)
class Qualification:
    code: str
    expires_on: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.expires_on is None or day <= self.expires_on


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    phone: str | None = None  # E.164
    telegram_user_id: int | None = None
    telegram_chat_id: int | None = None
    language: str = "sv"
    channel: Channel = Channel.BOTH
    tier: Tier | None = None
    active: bool = True
    paused_until: dt.datetime | None = None
    sms_opted_out: bool = False
    available_days: str = "1234567"
    available_from: dt.time | None = None
    available_to: dt.time | None = None
    max_hours_week: float | None = None
    roles: tuple[RoleGrant, ...] = ()
    qualifications: tuple[Qualification, ...] = ()
    introduced_units: frozenset[str] = frozenset()

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name else ""

    def has_role(self, role: Role, unit_id: str | None = None) -> bool:
        """The role at all, or (given a unit) at that very unit: a unit-bound role granted
        without a unit holds at no unit, never at every unit."""
        return any(g.role == role and (unit_id is None or g.unit_id == unit_id)
                   for g in self.roles)

    def units_for(self, role: Role) -> frozenset[str]:
        return frozenset(g.unit_id for g in self.roles if g.role == role and g.unit_id)

    @property
    def reachable_by_telegram(self) -> bool:
        return self.telegram_chat_id is not None and self.channel in (
            Channel.TELEGRAM,
            Channel.BOTH,
        )

    @property
    def reachable_by_sms(self) -> bool:
        return (
            self.phone is not None
            and not self.sms_opted_out
            and self.channel in (Channel.SMS, Channel.BOTH)
        )

    @property
    def reachable(self) -> bool:
        return self.reachable_by_telegram or self.reachable_by_sms


@dataclass(frozen=True, slots=True)
class Shift:
    id: str
    unit_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    role: str
    person_id: str | None = None
    requirements: tuple[str, ...] = ()
    cancelled: bool = False

    @property
    def hours(self) -> float:
        return elapsed_hours(self.starts_at, self.ends_at)


@dataclass(frozen=True, slots=True)
class Interval:
    """A span of time a person is committed (a scheduled shift or a booking)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    unit_id: str | None = None
    shift_id: str | None = None

    @property
    def hours(self) -> float:
        return elapsed_hours(self.starts_at, self.ends_at)

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.starts_at < end and start < self.ends_at


@dataclass(frozen=True, slots=True)
class Absence:
    id: int
    person_id: str
    category: AbsenceCategory
    starts_at: dt.datetime
    ends_at: dt.datetime
    channel: str
    reported_at: dt.datetime
    ended_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Vacancy:
    id: int
    shift_id: str
    status: VacancyStatus
    wave: int
    next_due_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    absence_id: int | None = None
    escalated_at: dt.datetime | None = None
    widened: bool = False


@dataclass(frozen=True, slots=True)
class Offer:
    id: int
    vacancy_id: int
    person_id: str
    wave: int
    rank: int
    code: int
    created_at: dt.datetime
    state: OfferState = OfferState.OPEN
    answered_at: dt.datetime | None = None
    answer_channel: str | None = None
    telegram_message_id: int | None = None


@dataclass(frozen=True, slots=True)
class Booking:
    id: int
    vacancy_id: int
    shift_id: str
    person_id: str
    booked_at: dt.datetime
    channel: str
    override_reason: str | None = None
    by_person_id: str | None = None
    cancelled_at: dt.datetime | None = None
    cancel_kind: str | None = None


@dataclass(frozen=True, slots=True)
class PersonLoad:
    """What the engine knows of a candidate's time: commitments and recent history."""

    commitments: tuple[Interval, ...] = ()  # scheduled shifts + live bookings
    unavailable: tuple[Interval, ...] = ()
    # Regular staff only: their live bookings (extra time) around the shift, and the hours
    # booked in the calendar year of the shift (for the overtime caps).
    extra: tuple[Interval, ...] = ()
    extra_hours_year: float = 0.0
    hours_offered_28d: float = 0.0
    hours_booked_28d: float = 0.0
    worked_units_14d: frozenset[str] = field(default_factory=frozenset)
