"""Rest and length rules across the Swedish DST changes, in real elapsed hours.

2026-03-29 02:00 → 03:00 (the night is one hour shorter);
2026-10-25 03:00 → 02:00 (the night is one hour longer).
Every datetime is built from local wall time with ZoneInfo("Europe/Stockholm").
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.domain.eligibility import check_eligibility
from bot.domain.model import Interval, PersonLoad, Shift
from bot.domain.rules import elapsed_hours, local_week, local_year, night_hours
from bot.texts import reason_text
from tests.unit.builders import RULES, TZ, at, ctx, person

PERSON = person(tier=None)


def verdict_codes(
    shift: tuple[str, str], commitments: tuple[tuple[str, str], ...] = ()
) -> tuple[set[str], list[str]]:
    s = Shift("s1", "u1", at(shift[0]), at(shift[1]), "usk")
    context = ctx(shift=s, now=at(shift[0]) - dt.timedelta(days=3), unit_areas={})
    load = PersonLoad(commitments=tuple(Interval(at(a), at(b)) for a, b in commitments))
    v = check_eligibility(context, PERSON, load, RULES)
    return {r.code for r in v.blocks}, [reason_text(r) for r in v.blocks]


@pytest.mark.parametrize(
    ("evening", "morning", "blocks", "texts"),
    [
        # spring: 22:00 → 09:00 is 11 h on the wall clock, 10 h in real time
        pytest.param(
            ("2026-03-28 15:00", "2026-03-28 22:00"),
            ("2026-03-29 09:00", "2026-03-29 15:00"),
            {"rest_before"},
            ["vila före passet 10 h < 11 h"],
            id="spring-0900-blocks",
        ),
        pytest.param(
            ("2026-03-28 15:00", "2026-03-28 22:00"),
            ("2026-03-29 10:00", "2026-03-29 16:00"),
            set(),
            [],
            id="spring-1000-ok",
        ),
        # autumn: 22:00 → 09:00 is 12 h real; 22:00 → 08:00 is 10 h on the wall but 11 h real
        pytest.param(
            ("2026-10-24 15:00", "2026-10-24 22:00"),
            ("2026-10-25 09:00", "2026-10-25 15:00"),
            set(),
            [],
            id="autumn-0900-12h-ok",
        ),
        pytest.param(
            ("2026-10-24 15:00", "2026-10-24 22:00"),
            ("2026-10-25 08:00", "2026-10-25 15:00"),
            set(),
            [],
            id="autumn-0800-11h-ok",
        ),
        pytest.param(
            ("2026-10-24 15:00", "2026-10-24 22:00"),
            ("2026-10-25 07:00", "2026-10-25 15:00"),
            {"rest_before"},
            ["vila före passet 10 h < 11 h"],
            id="autumn-0700-blocks",
        ),
    ],
)
def test_rest_before_morning_after_dst_night(
    evening: tuple[str, str], morning: tuple[str, str], blocks: set[str], texts: list[str]
) -> None:
    assert verdict_codes(morning, (evening,)) == (blocks, texts)


@pytest.mark.parametrize(
    ("vacancy", "next_shift", "blocks"),
    [
        pytest.param(
            ("2026-03-28 15:00", "2026-03-28 22:00"),
            ("2026-03-29 09:00", "2026-03-29 15:00"),
            {"rest_after"},
            id="spring-evening-vacancy-blocks",
        ),
        pytest.param(
            ("2026-10-24 15:00", "2026-10-24 22:00"),
            ("2026-10-25 08:00", "2026-10-25 15:00"),
            set(),
            id="autumn-evening-vacancy-ok",
        ),
    ],
)
def test_rest_after_evening_vacancy(
    vacancy: tuple[str, str], next_shift: tuple[str, str], blocks: set[str]
) -> None:
    assert verdict_codes(vacancy, (next_shift,))[0] == blocks


@pytest.mark.parametrize(
    ("shift", "real_hours", "blocks"),
    [
        # night patrol 19:00 → 08:00: 13 h on the wall clock
        pytest.param(("2026-03-28 19:00", "2026-03-29 08:00"), 12.0, set(), id="spring-night-12h"),
        pytest.param(
            ("2026-10-24 19:00", "2026-10-25 08:00"),
            14.0,
            {"shift_too_long"},
            id="autumn-night-14h",
        ),
        pytest.param(("2026-10-24 21:00", "2026-10-25 07:00"), 11.0, set(), id="autumn-patrol-11h"),
    ],
)
def test_shift_length_in_real_hours(
    shift: tuple[str, str], real_hours: float, blocks: set[str]
) -> None:
    assert elapsed_hours(at(shift[0]), at(shift[1])) == real_hours
    assert verdict_codes(shift)[0] == blocks


def _week_ending_with_saturday(monday: int, month: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (f"2026-{month}-{d:02d} 07:00", f"2026-{month}-{d:02d} 11:00")
        for d in range(monday, monday + 5)
    )


@pytest.mark.parametrize(
    ("monday", "month", "saturday", "blocks", "texts"),
    [
        # Saturday 12:00 → Monday 00:00 is 36 h on the wall clock: 35 h real in spring
        pytest.param(
            23,
            "03",
            "2026-03-28",
            {"weekly_rest"},
            ["veckovila högst 35 h < 36 h (vecka 13)"],
            id="spring-35h-blocks",
        ),
        pytest.param(19, "10", "2026-10-24", set(), [], id="autumn-37h-ok"),
    ],
)
def test_weekly_rest_over_dst_weekend(
    monday: int, month: str, saturday: str, blocks: set[str], texts: list[str]
) -> None:
    vacancy = (f"{saturday} 07:00", f"{saturday} 12:00")
    assert verdict_codes(vacancy, _week_ending_with_saturday(monday, month)) == (blocks, texts)


@pytest.mark.parametrize(
    ("day", "hours"),
    [("2026-03-25", 167.0), ("2026-10-21", 169.0), ("2026-06-10", 168.0)],
)
def test_local_week_length(day: str, hours: float) -> None:
    lo, hi = local_week(at(f"{day} 12:00"), TZ)
    assert lo.astimezone(TZ).strftime("%a %H:%M") == "Mon 00:00"
    assert elapsed_hours(lo, hi) == hours


def test_utc_and_local_inputs_agree() -> None:
    """The same instants given as UTC or as Stockholm wall time give the same verdict."""
    evening = Interval(at("2026-03-28 15:00"), at("2026-03-28 22:00"))
    s = Shift("s1", "u1", at("2026-03-29 09:00"), at("2026-03-29 15:00"), "usk")
    context = ctx(shift=s, now=at("2026-03-27 12:00"), unit_areas={})
    local = check_eligibility(context, PERSON, PersonLoad(commitments=(evening,)), RULES)
    utc_shift = dataclasses.replace(
        s, starts_at=s.starts_at.astimezone(dt.UTC), ends_at=s.ends_at.astimezone(dt.UTC)
    )
    utc_evening = Interval(evening.starts_at.astimezone(dt.UTC), evening.ends_at.astimezone(dt.UTC))
    utc = check_eligibility(
        dataclasses.replace(context, shift=utc_shift),
        PERSON,
        PersonLoad(commitments=(utc_evening,)),
        RULES,
    )
    assert local.blocks == utc.blocks and [r.code for r in local.blocks] == ["rest_before"]


@pytest.mark.parametrize(
    ("start", "end", "night"),
    [
        ("2026-03-28 21:00", "2026-03-29 07:00", 7.0),  # spring forward: a 7-hour night
        ("2026-10-24 21:00", "2026-10-25 07:00", 9.0),  # fall back: a 9-hour night
        ("2026-11-17 21:00", "2026-11-18 07:00", 8.0),
        ("2026-11-17 07:00", "2026-11-17 16:00", 0.0),
        ("2026-11-17 05:00", "2026-11-17 23:00", 2.0),  # 05-06 and 22-23
    ],
)
def test_night_hours_are_real_hours(start: str, end: str, night: float) -> None:
    assert night_hours(at(start), at(end), TZ) == pytest.approx(night)


def test_night_work_warning_counts_real_hours_on_the_long_night() -> None:
    """21:00-05:00 is 8 hours on a normal night (no warning) but 9 on the night the clocks
    go back (a warning), and 7 when they go forward."""

    def warnings(start: str, end: str) -> list[str]:
        s = Shift("s1", "u1", at(start), at(end), "usk")
        context = ctx(shift=s, now=at(start) - dt.timedelta(days=3), unit_areas={})
        return [r.code for r in check_eligibility(context, PERSON, PersonLoad(), RULES).warnings]

    assert warnings("2026-11-17 21:00", "2026-11-18 05:00") == []
    assert warnings("2026-10-24 21:00", "2026-10-25 05:00") == ["night_work"]
    assert warnings("2026-03-28 21:00", "2026-03-29 05:00") == []


def test_local_year_is_local_midnight_to_local_midnight() -> None:
    lo, hi = local_year(at("2026-12-31 23:30"), TZ)
    assert (lo, hi) == (at("2026-01-01 00:00"), at("2027-01-01 00:00"))
    assert local_year(at("2027-01-01 00:30"), TZ)[0] == at("2027-01-01 00:00")
