"""Pay periods (OB): the split of a shift into day, evening, night and weekend hours, in
local time across the DST changes; the periods always add up to the shift's real hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.domain.pay_periods import PayPeriod, PayWindows, period_at, split_hours

TZ = ZoneInfo("Europe/Stockholm")
W = PayWindows()
H = dt.timedelta(hours=1)


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def hours(start: str, end: str, windows: PayWindows = W) -> dict[str, float]:
    split = split_hours(local(start), local(end), TZ, windows)
    return {p.value: split.of(p) / H for p in PayPeriod if split.of(p)}


def test_a_weekday_day_shift_is_day() -> None:  # Tuesday
    assert hours("2026-12-01 07:00", "2026-12-01 16:00") == {"day": 9}


def test_a_weekday_evening_shift_runs_into_the_night() -> None:
    assert hours("2026-12-01 15:00", "2026-12-01 23:00") == {"day": 4, "evening": 3, "night": 1}


def test_a_night_patrol_on_a_weekday() -> None:
    assert hours("2026-12-01 21:00", "2026-12-02 07:00") == {"evening": 1, "night": 8, "day": 1}


def test_friday_evening_is_weekend_from_19() -> None:  # 2026-12-04 is a Friday
    assert hours("2026-12-04 15:00", "2026-12-04 23:00") == {"day": 4, "weekend": 4}


def test_the_weekend_ends_monday_at_06() -> None:  # 2026-12-07 is a Monday
    assert hours("2026-12-06 22:00", "2026-12-07 07:00") == {"weekend": 8, "day": 1}


def test_the_october_change_makes_a_night_one_hour_longer() -> None:
    # The change is on a Sunday (2026-10-25): 22:00-07:00 is 9 h on the clock, 10 h worked.
    split = split_hours(local("2026-10-24 22:00"), local("2026-10-25 07:00"), TZ, W)
    assert split.total == 10 * H and split.weekend == 10 * H
    no_weekend = PayWindows(weekend_start_day=6, weekend_start=dt.time(0),
                                 weekend_end_day=6, weekend_end=dt.time(0))  # none
    split = split_hours(local("2026-10-24 22:00"), local("2026-10-25 07:00"), TZ, no_weekend)
    assert (split.night, split.day, split.total) == (9 * H, 1 * H, 10 * H)


def test_the_march_change_makes_a_night_one_hour_shorter() -> None:
    split = split_hours(local("2026-03-28 22:00"), local("2026-03-29 07:00"), TZ, W)
    assert split.total == 8 * H


def test_an_empty_or_backwards_shift_has_no_hours() -> None:
    for start, end in (("07:00", "07:00"), ("08:00", "07:00")):
        split = split_hours(local(f"2026-12-01 {start}"), local(f"2026-12-01 {end}"), TZ, W)
        assert split.total == dt.timedelta(0)


def test_period_at_the_edges() -> None:
    assert period_at(dt.datetime(2026, 12, 1, 18, 59), W) == PayPeriod.DAY
    assert period_at(dt.datetime(2026, 12, 1, 19, 0), W) == PayPeriod.EVENING
    assert period_at(dt.datetime(2026, 12, 1, 22, 0), W) == PayPeriod.NIGHT
    assert period_at(dt.datetime(2026, 12, 2, 6, 0), W) == PayPeriod.DAY
    assert period_at(dt.datetime(2026, 12, 4, 19, 0), W) == PayPeriod.WEEKEND
    assert period_at(dt.datetime(2026, 12, 7, 5, 59), W) == PayPeriod.WEEKEND


def test_windows_come_from_settings() -> None:
    s = Settings(_env_file=None, pay_evening_start="18:30", pay_weekend_end="07:00")  # type: ignore[call-arg]
    w = s.pay_windows()
    assert w.evening_start == dt.time(18, 30) and w.weekend_end == dt.time(7)
    assert Settings(_env_file=None).pay_windows() == PayWindows()  # type: ignore[call-arg]


_windows = st.builds(
    PayWindows,
    evening_start=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    night_start=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    night_end=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    weekend_start_day=st.integers(1, 7),
    weekend_start=st.times().map(lambda t: t.replace(microsecond=0)),
    weekend_end_day=st.integers(1, 7),
    weekend_end=st.times().map(lambda t: t.replace(microsecond=0)),
)
# Instants around both 2026 changes and ordinary weeks, to the minute.
_start = st.datetimes(
    min_value=dt.datetime(2026, 3, 20), max_value=dt.datetime(2026, 11, 5)
).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=dt.UTC))


@settings(max_examples=300, deadline=None)
@given(start=_start, minutes=st.integers(0, 30 * 60), windows=_windows)
def test_the_periods_add_up_to_the_real_hours(
    start: dt.datetime, minutes: int, windows: PayWindows
) -> None:
    end = start + dt.timedelta(minutes=minutes)
    split = split_hours(start, end, TZ, windows)
    assert split.total == end - start
    assert all(split.of(p) >= dt.timedelta(0) for p in PayPeriod)


@settings(max_examples=200, deadline=None)
@given(start=_start, minutes=st.integers(1, 24 * 60))
def test_each_piece_is_the_period_of_its_wall_clock(start: dt.datetime, minutes: int) -> None:
    """Cross-check against a minute-by-minute count (default windows, whole minutes)."""
    end = start + dt.timedelta(minutes=minutes)
    expected = dict.fromkeys(PayPeriod, dt.timedelta(0))
    moment = start
    while moment < end:
        expected[period_at(moment.astimezone(TZ), W)] += dt.timedelta(minutes=1)
        moment += dt.timedelta(minutes=1)
    split = split_hours(start, end, TZ, W)
    assert {p: split.of(p) for p in PayPeriod} == expected
