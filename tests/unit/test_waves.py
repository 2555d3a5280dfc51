"""Wave policy (utskick i vågor): far / mid / near / all at once, quiet hours, same day."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.waves import WaveStep, in_quiet_hours, plan_wave
from tests.unit.builders import RULES, TZ, at


def step(size: int | None, next_due: str | None, hold: str | None = None) -> WaveStep:
    return WaveStep(
        size=size,
        next_due_at=None if next_due is None else at(next_due),
        hold_until=None if hold is None else at(hold),
    )


# 2026-06-08 is a Monday.
@pytest.mark.parametrize(
    ("now", "start", "expected"),
    [
        # --- bands by lead time ---
        pytest.param("2026-06-08 10:00", "2026-06-10 10:00", step(3, "2026-06-08 11:00"), id="far"),
        pytest.param(
            "2026-06-08 10:00",
            "2026-06-09 10:00",
            step(5, "2026-06-08 10:20"),
            id="exactly-24h-is-mid",
        ),
        pytest.param("2026-06-08 10:00", "2026-06-08 20:00", step(5, "2026-06-08 10:20"), id="mid"),
        pytest.param(
            "2026-06-08 10:00",
            "2026-06-08 14:00",
            step(8, "2026-06-08 10:07"),
            id="exactly-4h-is-near",
        ),
        pytest.param(
            "2026-06-08 10:00", "2026-06-08 13:00", step(8, "2026-06-08 10:07"), id="near"
        ),
        pytest.param(
            "2026-06-08 10:00",
            "2026-06-08 10:50",
            step(8, "2026-06-08 10:05"),
            id="near-wait-clamped-to-last-call",
        ),
        pytest.param(
            "2026-06-08 10:00",
            "2026-06-08 10:45",
            step(None, None),
            id="exactly-45-min-all-at-once",
        ),
        pytest.param("2026-06-08 10:00", "2026-06-08 10:20", step(None, None), id="all-at-once"),
        pytest.param(
            "2026-06-08 10:00", "2026-06-08 09:00", step(None, None), id="already-started"
        ),
        # --- quiet hours (tysta timmar) hold later days ---
        pytest.param(
            "2026-06-08 23:00",
            "2026-06-09 21:00",
            step(0, "2026-06-09 07:00", "2026-06-09 07:00"),
            id="night-patrol-tomorrow-held",
        ),
        pytest.param(
            "2026-06-09 02:00",
            "2026-06-10 15:00",
            step(0, "2026-06-09 07:00", "2026-06-09 07:00"),
            id="after-midnight-held",
        ),
        pytest.param(
            "2026-06-08 21:00",
            "2026-06-09 09:00",
            step(0, "2026-06-09 07:00", "2026-06-09 07:00"),
            id="held-with-2h-margin",
        ),
        pytest.param(
            "2026-06-09 06:30",
            "2026-06-10 12:00",
            step(0, "2026-06-09 07:00", "2026-06-09 07:00"),
            id="held-half-an-hour",
        ),
        pytest.param(
            "2026-06-08 23:00",
            "2026-06-09 08:00",
            step(5, "2026-06-08 23:20"),
            id="tomorrow-0800-too-close-to-hold",
        ),
        pytest.param(
            "2026-06-08 20:59",
            "2026-06-10 12:00",
            step(3, "2026-06-09 07:00"),
            id="before-quiet-wait-moves-to-morning",
        ),
        pytest.param(
            "2026-06-08 20:50",
            "2026-06-09 12:00",
            step(5, "2026-06-09 07:00"),
            id="mid-wait-into-quiet-moves-to-morning",
        ),
        pytest.param(
            "2026-06-08 20:30",
            "2026-06-08 23:30",
            step(8, "2026-06-08 20:37"),
            id="same-evening-not-held",
        ),
        pytest.param(
            "2026-06-09 07:00",
            "2026-06-10 12:00",
            step(3, "2026-06-09 08:00"),
            id="07-is-not-quiet",
        ),
        # --- same day goes out at once ---
        pytest.param(
            "2026-06-09 05:40",
            "2026-06-09 07:00",
            step(8, "2026-06-09 05:47"),
            id="same-day-0700-at-0540",
        ),
        pytest.param(
            "2026-06-09 05:40",
            "2026-06-09 15:00",
            step(5, "2026-06-09 06:00"),
            id="same-day-1500-at-0540",
        ),
        pytest.param(
            "2026-06-09 01:00",
            "2026-06-09 21:00",
            step(5, "2026-06-09 01:20"),
            id="same-date-at-0100",
        ),
        pytest.param(
            "2026-06-09 06:50", "2026-06-09 07:30", step(None, None), id="same-day-all-at-once"
        ),
        # --- across DST: the hold ends at local 07:00 ---
        pytest.param(
            "2026-03-28 23:00",
            "2026-03-29 21:00",
            step(0, "2026-03-29 07:00", "2026-03-29 07:00"),
            id="dst-spring-hold",
        ),
        pytest.param(
            "2026-10-24 23:00",
            "2026-10-25 21:00",
            step(0, "2026-10-25 07:00", "2026-10-25 07:00"),
            id="dst-autumn-hold",
        ),
    ],
)
def test_wave_policy(now: str, start: str, expected: WaveStep) -> None:
    assert plan_wave(at(now), at(start), RULES) == expected


def test_results_are_utc() -> None:
    got = plan_wave(at("2026-06-08 23:00"), at("2026-06-09 21:00"), RULES)
    assert got.hold_until is not None and got.hold_until.tzinfo == dt.UTC
    assert got.hold_until == dt.datetime(2026, 6, 9, 5, 0, tzinfo=dt.UTC)


def test_no_quiet_hours_when_start_equals_end() -> None:
    rules = dataclasses.replace(RULES, quiet_hours_start=0, quiet_hours_end=0)
    assert not in_quiet_hours(at("2026-06-08 03:00"), rules)
    assert plan_wave(at("2026-06-08 23:00"), at("2026-06-09 21:00"), rules).hold_until is None


def test_a_whole_call_out_ends_with_everyone_at_once() -> None:
    """Follow next_due_at from a report the evening before a day shift."""
    now, start = at("2026-06-08 18:00"), at("2026-06-09 13:00")
    trail: list[tuple[str, int | None]] = []
    for _ in range(200):
        s = plan_wave(now, start, RULES)
        trail.append((now.astimezone(TZ).strftime("%H:%M"), s.size))
        if s.next_due_at is None:
            break
        now = s.next_due_at
    assert trail[:4] == [("18:00", 5), ("18:20", 5), ("18:40", 5), ("19:00", 5)]
    assert ("21:00", 0) not in trail and ("20:40", 5) in trail  # 20:40 + 20 min → 07:00
    assert ("07:00", 5) in trail and ("09:00", 8) in trail
    assert trail[-2:] == [("12:09", 8), ("12:15", None)]  # 12:16 clamped to 12:15


UTC_BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
minutes = st.integers(min_value=0, max_value=366 * 24 * 60)


@settings(max_examples=200, deadline=None, database=None)
@given(now_min=minutes, lead_min=st.integers(min_value=-120, max_value=4 * 24 * 60))
def test_wave_properties(now_min: int, lead_min: int) -> None:
    now = UTC_BASE + dt.timedelta(minutes=now_min)
    start = now + dt.timedelta(minutes=lead_min)
    s = plan_wave(now, start, RULES)
    last_call = start - dt.timedelta(minutes=RULES.wave_all_at_once_minutes)
    if now >= last_call:
        assert s == WaveStep(None, None, None)
        return
    assert s.next_due_at is not None and now < s.next_due_at <= last_call
    if s.hold_until is not None:
        assert s.size == 0 and s.next_due_at == s.hold_until
        assert in_quiet_hours(now, RULES) and not in_quiet_hours(s.hold_until, RULES)
        assert s.hold_until.astimezone(TZ).hour == RULES.quiet_hours_end
        assert start.astimezone(TZ).date() > now.astimezone(TZ).date()
    else:
        assert s.size in (RULES.wave_far_size, RULES.wave_mid_size, RULES.wave_near_size)
