"""The staffing figures (bemanningssiffror) for a period: pure, no I/O.

Storage loads the period's vacancies (with their shift and absence), each vacancy's offer
tally and its live booking as the typed rows below; `staffing_figures` adds them up per
unit and in total. The definitions, written once:

- a vacancy belongs to the period when its shift starts on a local date first..last;
- an absence counts for a unit when it vacated a shift of the unit in the period, once
  however many shifts it vacated; absent shifts are counted per weekday of their start;
- *time to fill* is minutes from the vacancy's creation (the absence report) to its live
  booking; median and p90 (nearest rank: nine in ten were filled at least this fast);
- *offers per filled* and *messages per filled*: the offers (and messages about them) made
  for each filled vacancy, averaged over filled vacancies (what the demo always printed);
- *filled before start*: the live booking was made before the shift began; its share is
  of the vacancies still needed (not cancelled);
- *who covered*: booked by hand by a coordinator, else the booked person's tier (pool,
  hourly substitute, regular staff on extra time); a vacancy with no live booking is
  unfilled, and why: cancelled, still searching, nobody to ask, everyone asked said no,
  or someone asked never answered.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.model import AbsenceCategory, Tier, VacancyStatus, elapsed_hours

WEEKDAYS_SV = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")


class Cover(StrEnum):
    """Who covered a vacancy (vem täckte)."""

    POOL = "pool"  # bemanningspoolen
    HOURLY = "hourly"  # timvikarie
    STAFF_EXTRA = "staff_extra"  # ordinarie på mertid/övertid
    BY_HAND = "by_hand"  # tillsatt för hand av samordnare
    UNFILLED = "unfilled"  # ej tillsatt


class Unfilled(StrEnum):
    """Why a vacancy has no live booking (varför ej tillsatt)."""

    CANCELLED = "cancelled"  # avbruten: friskanmäld eller av samordnare
    SEARCHING = "searching"  # söker fortfarande
    NO_ONE_TO_ASK = "no_one_to_ask"  # ingen behörig och tillgänglig att fråga
    ALL_DECLINED = "all_declined"  # alla tillfrågade tackade nej
    NO_ANSWER = "no_answer"  # någon tillfrågad svarade aldrig


@dataclass(frozen=True, slots=True)
class VacancyRow:
    """A vacancy of the period, with its shift and (when reported) its absence."""

    vacancy_id: int
    unit_id: str
    shift_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: VacancyStatus
    created_at: dt.datetime
    escalated: bool
    absence_id: int | None
    category: AbsenceCategory | None


@dataclass(frozen=True, slots=True)
class OfferTally:
    """The offers made for one vacancy, by how they ended, and the messages about them."""

    vacancy_id: int
    offers: int = 0
    declined: int = 0
    unanswered: int = 0  # still open, or expired with no answer
    messages: int = 0


@dataclass(frozen=True, slots=True)
class BookingRow:
    """A vacancy's live booking."""

    vacancy_id: int
    booked_at: dt.datetime
    by_hand: bool  # a coordinator booked it (fill by hand), not an accepted offer
    tier: Tier | None  # the booked person's tier


@dataclass(frozen=True, slots=True)
class StaffingRows:
    """Everything the figures are computed from, as loaded for one period."""

    vacancies: Sequence[VacancyRow]
    tallies: Sequence[OfferTally]
    bookings: Sequence[BookingRow]
    # Absences in the period that vacated no shift (id, category): counted in the total
    # only, and only when no unit was asked for.
    shiftless_absences: Sequence[tuple[int, AbsenceCategory]] = ()


@dataclass(frozen=True, slots=True)
class VacancyOutcome:
    """One vacancy, judged: how (or why not) it was covered, and what it took."""

    row: VacancyRow
    cover: Cover
    unfilled: Unfilled | None
    minutes_to_fill: float | None
    before_start: bool
    offers: int
    messages: int


@dataclass(frozen=True, slots=True)
class Figures:
    absences: int
    absences_by_category: dict[AbsenceCategory, int]
    absent_shifts_by_weekday: tuple[int, ...]  # Monday first, seven counts
    vacancies: int
    cancelled: int
    escalated: int
    filled: int
    filled_before_start: int
    filled_before_start_pct: float | None  # of vacancies not cancelled; None: none needed
    covered: dict[Cover, int]  # every Cover, unfilled included; sums to `vacancies`
    unfilled_why: dict[Unfilled, int]  # sums to covered[UNFILLED]
    hours_by_cover: dict[Cover, float]  # booked shift hours (UNFILLED: hours left uncovered)
    median_minutes_to_fill: float | None
    p90_minutes_to_fill: float | None
    offers_per_filled: float | None
    messages_per_filled: float | None


@dataclass(frozen=True, slots=True)
class UnitFigures:
    unit_id: str
    unit_name: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class StaffingReport:
    first: dt.date
    last: dt.date
    units: tuple[UnitFigures, ...]
    total: Figures


def period_bounds(first: dt.date, last: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Local dates first..last (inclusive) as [after, before): local midnights, so a
    day-saving Sunday is 23 or 25 hours long."""
    after = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    before = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return after, before


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: Sequence[float]) -> float | None:
    """Nearest-rank 90th percentile: the smallest value at least 90 % of values are ≤ to."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def cover_of(tier: Tier | None, by_hand: bool) -> Cover:
    if by_hand:
        return Cover.BY_HAND
    if tier == Tier.POOL:
        return Cover.POOL
    if tier == Tier.STAFF_EXTRA:
        return Cover.STAFF_EXTRA
    return Cover.HOURLY  # a substitute; an offer goes to no one else


def unfilled_reason(status: VacancyStatus, tally: OfferTally) -> Unfilled:
    if status == VacancyStatus.CANCELLED:
        return Unfilled.CANCELLED
    if status == VacancyStatus.SEARCHING:
        return Unfilled.SEARCHING
    if tally.offers == 0:
        return Unfilled.NO_ONE_TO_ASK
    if tally.unanswered:
        return Unfilled.NO_ANSWER
    return Unfilled.ALL_DECLINED


def judge(rows: StaffingRows) -> list[VacancyOutcome]:
    """Each vacancy's outcome, in the order given."""
    tallies = {t.vacancy_id: t for t in rows.tallies}
    bookings = {b.vacancy_id: b for b in rows.bookings}
    outcomes = []
    for v in rows.vacancies:
        tally = tallies.get(v.vacancy_id, OfferTally(v.vacancy_id))
        b = bookings.get(v.vacancy_id)
        if b is None:
            outcomes.append(VacancyOutcome(
                v, Cover.UNFILLED, unfilled_reason(v.status, tally), None, False,
                tally.offers, tally.messages,
            ))
            continue
        minutes = max(0.0, elapsed_hours(v.created_at, b.booked_at) * 60)
        outcomes.append(VacancyOutcome(
            v, cover_of(b.tier, b.by_hand), None, minutes, b.booked_at < v.starts_at,
            tally.offers, tally.messages,
        ))
    return outcomes


def figures(
    outcomes: Sequence[VacancyOutcome],
    tz: ZoneInfo,
    shiftless_absences: Iterable[tuple[int, AbsenceCategory]] = (),
) -> Figures:
    """The figures of a set of vacancy outcomes (one unit's, or all)."""
    absences: dict[int, AbsenceCategory] = dict(shiftless_absences)
    weekdays = [0] * 7
    for o in outcomes:
        if o.row.absence_id is not None and o.row.category is not None:
            absences[o.row.absence_id] = o.row.category
            weekdays[o.row.starts_at.astimezone(tz).weekday()] += 1
    by_category = Counter(absences.values())
    filled = [o for o in outcomes if o.cover != Cover.UNFILLED]
    cancelled = sum(o.unfilled == Unfilled.CANCELLED for o in outcomes)
    needed = len(outcomes) - cancelled
    before = sum(o.before_start for o in filled)
    covered = Counter(o.cover for o in outcomes)
    why = Counter(o.unfilled for o in outcomes if o.unfilled is not None)
    hours: dict[Cover, float] = dict.fromkeys(Cover, 0.0)
    for o in outcomes:
        if o.unfilled != Unfilled.CANCELLED:
            hours[o.cover] += elapsed_hours(o.row.starts_at, o.row.ends_at)
    minutes = [o.minutes_to_fill for o in filled if o.minutes_to_fill is not None]
    return Figures(
        absences=len(absences),
        absences_by_category={c: by_category[c] for c in AbsenceCategory},
        absent_shifts_by_weekday=tuple(weekdays),
        vacancies=len(outcomes),
        cancelled=cancelled,
        escalated=sum(o.row.escalated for o in outcomes),
        filled=len(filled),
        filled_before_start=before,
        filled_before_start_pct=100 * before / needed if needed else None,
        covered={c: covered[c] for c in Cover},
        unfilled_why={u: why[u] for u in Unfilled},
        hours_by_cover={c: round(h, 2) for c, h in hours.items()},
        median_minutes_to_fill=median(minutes),
        p90_minutes_to_fill=p90(minutes),
        offers_per_filled=sum(o.offers for o in filled) / len(filled) if filled else None,
        messages_per_filled=sum(o.messages for o in filled) / len(filled) if filled else None,
    )


def staffing_figures(
    rows: StaffingRows,
    units: Sequence[tuple[str, str]],
    first: dt.date,
    last: dt.date,
    tz: ZoneInfo,
) -> StaffingReport:
    """The report for `units` ((id, name), in the order given, each listed even with no
    vacancies) and their total. Vacancies of other units are left out."""
    wanted = {uid for uid, _ in units}
    outcomes = [o for o in judge(rows) if o.row.unit_id in wanted]
    per_unit = tuple(
        UnitFigures(uid, name, figures([o for o in outcomes if o.row.unit_id == uid], tz))
        for uid, name in units
    )
    return StaffingReport(first, last, per_unit, figures(outcomes, tz, rows.shiftless_absences))


# Absence categories are health data: a small count next to the board and the rota can name
# who is sick. Counts below this are shown as "<3" (the totals stay exact).
SMALL_COUNT = 3


def category_count(n: int) -> str:
    """How many absences of one category, as a report may show it."""
    return f"<{SMALL_COUNT}" if 0 < n < SMALL_COUNT else str(n)
