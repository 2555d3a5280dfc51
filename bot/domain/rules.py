"""Rule numbers for the call-out, and the small time helpers the rules share.

Pure: no I/O. Every number comes from `Settings` (see `Settings.rule_settings`) so the
rules the domain notes mark as uncertain stay settings, not constants. Datetimes are aware;
elapsed time is measured in real hours (UTC arithmetic), calendar periods (week, month,
day) in local time (Europe/Stockholm by default), so both are right across DST changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.domain.model import Interval
from bot.domain.model import elapsed_hours as elapsed_hours  # re-exported

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class RuleSettings:
    """Every number the eligibility, ranking and wave rules use. Defaults equal `Settings`."""

    # --- working time (Arbetstidslagen / AB) ---
    rest_daily_hours: float = 11.0  # dygnsvila
    rest_weekly_hours: float = 36.0  # veckovila
    rest_weekly_may_include_daily: bool = True  # False: the 36 h come on top of the 11 h
    max_shift_hours: float = 13.0
    week_hours_warn: float = 44.0
    week_hours_block: float = 48.0
    month_hours_warn: float = 165.0
    max_consecutive_days_warn: int = 11
    # Night work (22-06 local): someone working at least `night_min_hours` of the night
    # is a night worker (ATL 13 a §); warn when their 24 hours from the shift start hold
    # more than `night_work_hours_warn` hours of work.
    night_min_hours: float = 3.0
    night_work_hours_warn: float = 8.0
    # Regular staff's extra time (mertid/övertid: their bookings here) per calendar month
    # and year: block above, warn above `overtime_warn_share` of it (ATL 8 §, 8 a §, 10 a §).
    overtime_month_hours_block: float = 50.0
    overtime_year_hours_block: float = 200.0
    overtime_warn_share: float = 0.8
    short_notice_minutes: int = 30  # kort varsel: offer, but alert the coordinator
    full_time_hours_week: float = 38.25  # heltid; above it extra time is övertid, not mertid

    # --- call-out waves ---
    wave_far_hours: float = 24.0
    wave_far_size: int = 3
    wave_far_wait_minutes: int = 60
    wave_near_hours: float = 4.0
    wave_mid_size: int = 5
    wave_mid_wait_minutes: int = 20
    wave_near_size: int = 8
    wave_near_wait_minutes: int = 7
    wave_all_at_once_minutes: int = 45
    wave_sizing: str = "fixed"  # or "learned" (bot/domain/response_model.py)
    wave_slowdown: float = 1.1
    wave_min_size: int = 2
    wave_max_size: int = 20
    wave_min_wait_minutes: int = 2
    quiet_hours_start: int = 21  # tysta timmar
    quiet_hours_end: int = 7
    # A held offer must still leave this long between the end of quiet hours and the start;
    # a shift closer than that is urgent and goes out at once, night or not.
    quiet_hold_min_lead_hours: float = 2.0

    tz: ZoneInfo = STOCKHOLM


@dataclass(frozen=True)
class Reason:
    """Why someone is blocked or warned about: a stable code for machines, and typed params
    that `bot.texts.reason_text` renders in the reader's language, e.g. code "rest_before",
    params {"rest": 9.5, "need": 11.0} -> "vila före passet 9,5 h < 11 h"."""

    code: str  # stable machine code, e.g. "rest_before", "overlap", "not_introduced"
    blocking: bool
    params: Mapping[str, object] = field(default_factory=dict, hash=False)
    variant: str = ""  # which wording, when a code has more than one (e.g. "scheduled")

    @property
    def key(self) -> str:
        """The catalogue entry in `bot.texts.REASONS`."""
        return f"reason_{self.code}_{self.variant}" if self.variant else f"reason_{self.code}"


# --- formatting (what users see is Swedish) ---

WEEKDAYS_SV = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


def format_local(when: dt.datetime, tz: ZoneInfo) -> str:
    """An instant as local wall time: "2026-03-28 22:00"."""
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def format_span(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> str:
    """A local span: 2026-03-28 15:00–22:00, with both dates when it crosses midnight."""
    a, b = start.astimezone(tz), end.astimezone(tz)
    tail = b.strftime("%H:%M") if a.date() == b.date() else b.strftime("%Y-%m-%d %H:%M")
    return f"{a.strftime('%Y-%m-%d %H:%M')}–{tail}"


# --- local calendar periods as UTC instants ---


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The instant local `day` begins, as aware UTC."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def local_week(when: dt.datetime, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The local calendar week (Mon 00:00 – next Mon 00:00) containing `when`, in UTC.

    A week holding a DST change is 167 or 169 real hours long.
    """
    day = when.astimezone(tz).date()
    monday = day - dt.timedelta(days=day.weekday())
    return local_midnight(monday, tz), local_midnight(monday + dt.timedelta(days=7), tz)


def local_month(when: dt.datetime, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The local calendar month containing `when`, in UTC."""
    day = when.astimezone(tz).date()
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return local_midnight(first, tz), local_midnight(following, tz)


def periods_touched(
    start: dt.datetime,
    end: dt.datetime,
    tz: ZoneInfo,
    period: str,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Every local week ("week") or month ("month") the span [start, end) touches."""
    bounds = local_week if period == "week" else local_month
    out: list[tuple[dt.datetime, dt.datetime]] = []
    cursor = start
    while True:
        lo, hi = bounds(cursor, tz)
        out.append((lo, hi))
        if hi >= end:
            return out
        cursor = hi


NIGHT = (22, 6)  # natt: 22:00-06:00 local


def night_hours(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> float:
    """Real hours of [start, end) inside local nights (22:00-06:00), right across DST."""
    total = 0.0
    day = start.astimezone(tz).date() - dt.timedelta(days=1)
    last = end.astimezone(tz).date()
    while day <= last:
        lo = dt.datetime.combine(day, dt.time(NIGHT[0]), tzinfo=tz)
        hi = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(NIGHT[1]), tzinfo=tz)
        total += clipped_hours([Interval(start, end)], lo, hi)
        day += dt.timedelta(days=1)
    return total


def local_year(when: dt.datetime, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The local calendar year holding `when`, as [midnight 1 Jan, next 1 Jan)."""
    year = when.astimezone(tz).year
    return local_midnight(dt.date(year, 1, 1), tz), local_midnight(dt.date(year + 1, 1, 1), tz)


def clipped_hours(intervals: Iterable[Interval], lo: dt.datetime, hi: dt.datetime) -> float:
    """Real hours of `intervals` that fall inside [lo, hi) (overlaps counted twice)."""
    lo, hi = to_utc(lo), to_utc(hi)
    total = 0.0
    for iv in intervals:
        a, b = max(to_utc(iv.starts_at), lo), min(to_utc(iv.ends_at), hi)
        if b > a:
            total += (b - a).total_seconds() / 3600
    return total


def to_utc(when: dt.datetime) -> dt.datetime:
    """Aware UTC. Python subtracts and compares two datetimes that share one ZoneInfo by
    wall clock, which is wrong across DST: every rule converts to UTC before arithmetic."""
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when!r}: the rules need aware datetimes")
    return when.astimezone(dt.UTC)
