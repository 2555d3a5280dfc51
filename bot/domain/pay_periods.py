"""A shift's hours split into the agreement's pay periods (OB): day, evening, night, weekend.

Pure and typed. Each moment of a shift belongs to exactly one period, so the four always
add up to the shift's real length: time is measured between UTC instants, the period is
read off the local wall clock. A night shift 22:00–07:00 across the October change is
10 h, across the March change 8 h.

Precedence: weekend over night over evening over day (a Saturday night counts as weekend).
Public holidays (storhelg) are not known here: they count as whatever weekday they fall on.
The windows are settings (`VIKARIE_PAY_*`): the defaults follow the municipal agreement's
usual OB periods but must be checked against the local agreement.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DAY_SECONDS = 24 * 3600
WEEK_SECONDS = 7 * DAY_SECONDS
# Time-zone changes fall on a quarter hour (UTC) in every zone in use; cutting there keeps
# each piece of a shift on one side of a change.
_TICK = dt.timedelta(minutes=15)


class PayPeriod(enum.StrEnum):
    DAY = "day"  # dag
    EVENING = "evening"  # kväll
    NIGHT = "night"  # natt
    WEEKEND = "weekend"  # helg


@dataclass(frozen=True, slots=True)
class PayWindows:
    """Local wall-clock windows. Weekdays are ISO (1 = Monday). From `Settings.pay_windows`."""

    evening_start: dt.time = dt.time(19, 0)
    night_start: dt.time = dt.time(22, 0)
    night_end: dt.time = dt.time(6, 0)
    weekend_start_day: int = 5  # Friday ...
    weekend_start: dt.time = dt.time(19, 0)  # ... 19:00
    weekend_end_day: int = 1  # to Monday ...
    weekend_end: dt.time = dt.time(6, 0)  # ... 06:00

    def cut_times(self) -> frozenset[dt.time]:
        return frozenset(
            {
                dt.time(0),
                self.evening_start,
                self.night_start,
                self.night_end,
                self.weekend_start,
                self.weekend_end,
            }
        )


@dataclass(frozen=True, slots=True)
class PeriodSplit:
    day: dt.timedelta = dt.timedelta(0)
    evening: dt.timedelta = dt.timedelta(0)
    night: dt.timedelta = dt.timedelta(0)
    weekend: dt.timedelta = dt.timedelta(0)

    @property
    def total(self) -> dt.timedelta:
        return self.day + self.evening + self.night + self.weekend

    def of(self, period: PayPeriod) -> dt.timedelta:
        return {
            PayPeriod.DAY: self.day,
            PayPeriod.EVENING: self.evening,
            PayPeriod.NIGHT: self.night,
            PayPeriod.WEEKEND: self.weekend,
        }[period]


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _in_window(value: int, start: int, end: int, cycle: int) -> bool:
    """value in [start, end) on a cycle of `cycle` seconds; start == end is empty."""
    value, start, end = value % cycle, start % cycle, end % cycle
    if start <= end:
        return start <= value < end
    return value >= start or value < end


def period_at(wall: dt.datetime, windows: PayWindows) -> PayPeriod:
    """The period of a local wall-clock moment (naive or aware: only the wall clock counts)."""
    second = _seconds(wall.time())
    week_second = (wall.isoweekday() - 1) * DAY_SECONDS + second
    weekend_from = (windows.weekend_start_day - 1) * DAY_SECONDS + _seconds(windows.weekend_start)
    weekend_to = (windows.weekend_end_day - 1) * DAY_SECONDS + _seconds(windows.weekend_end)
    if _in_window(week_second, weekend_from, weekend_to, WEEK_SECONDS):
        return PayPeriod.WEEKEND
    night = (_seconds(windows.night_start), _seconds(windows.night_end))
    if _in_window(second, *night, DAY_SECONDS):
        return PayPeriod.NIGHT
    if _in_window(second, _seconds(windows.evening_start), night[0], DAY_SECONDS):
        return PayPeriod.EVENING
    return PayPeriod.DAY


def _cuts(
    start: dt.datetime, end: dt.datetime, tz: ZoneInfo, windows: PayWindows
) -> list[dt.datetime]:
    """Every instant in (start, end) where the period may change, sorted, with the ends."""
    cuts = {start, end}
    first = start.astimezone(tz).date() - dt.timedelta(days=1)
    last = end.astimezone(tz).date() + dt.timedelta(days=1)
    times = windows.cut_times()
    day = first
    while day <= last:
        for t in times:
            for fold in (0, 1):  # a wall time inside the repeated October hour happens twice
                instant = dt.datetime.combine(day, t, tzinfo=tz).replace(fold=fold)
                instant = instant.astimezone(dt.UTC)
                if start < instant < end:
                    cuts.add(instant)
        day += dt.timedelta(days=1)
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    tick = epoch + ((start - epoch) // _TICK + 1) * _TICK
    while tick < end:
        cuts.add(tick)
        tick += _TICK
    return sorted(cuts)


def split_hours(
    start: dt.datetime, end: dt.datetime, tz: ZoneInfo, windows: PayWindows
) -> PeriodSplit:
    """The real time between two aware instants, split into pay periods by `tz`'s clock."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("split_hours needs aware datetimes")
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    if end <= start:
        return PeriodSplit()
    totals = dict.fromkeys(PayPeriod, dt.timedelta(0))
    cuts = _cuts(start, end, tz, windows)
    for a, b in itertools.pairwise(cuts):
        middle = (a + (b - a) / 2).astimezone(tz)
        totals[period_at(middle, windows)] += b - a
    return PeriodSplit(
        day=totals[PayPeriod.DAY],
        evening=totals[PayPeriod.EVENING],
        night=totals[PayPeriod.NIGHT],
        weekend=totals[PayPeriod.WEEKEND],
    )
