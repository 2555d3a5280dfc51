"""Eligibility: one table row per blocking and warning rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.domain.eligibility import (
    VacancyContext,
    check_eligibility,
    is_candidate_kind,
)
from bot.domain.model import (
    Channel,
    Interval,
    Person,
    PersonLoad,
    Qualification,
    Role,
    RoleGrant,
    Tier,
)
from bot.domain.rules import RuleSettings
from bot.texts import format_hours, reason_text
from tests.unit.builders import RULES, UNIT, at, ctx, person, staff


def iv(day: str, start: str, end: str, end_day: str | None = None) -> Interval:
    return Interval(at(day, start), at(end_day or day, end))


def weekdays_of_april(skip: str) -> tuple[Interval, ...]:
    days = [dt.date(2026, 4, d) for d in range(1, 31)]
    return tuple(
        iv(d.isoformat(), "07:00", "15:00")
        for d in days
        if d.isoweekday() <= 5 and d.isoformat() != skip
    )


def daily(first: int, last: int, start: str = "07:00", end: str = "11:00") -> tuple[Interval, ...]:
    return tuple(iv(f"2026-04-{d:02d}", start, end) for d in range(first, last + 1))


def busy(*commitments: Interval) -> PersonLoad:
    return PersonLoad(commitments=commitments)


def case(
    case_id: str,
    who: Person | None = None,
    load: PersonLoad | None = None,
    context: VacancyContext | None = None,
    blocks: frozenset[str] | set[str] = frozenset(),
    warns: frozenset[str] | set[str] = frozenset(),
    **shift_kw: Any,
) -> Any:
    return pytest.param(
        who or person(),
        load or PersonLoad(),
        context or ctx(),
        shift_kw,
        set(blocks),
        set(warns),
        id=case_id,
    )


NIGHT = {"starts_at": at("2026-04-15", "21:00"), "ends_at": at("2026-04-16", "07:00")}
EXTRA_36H = tuple(iv(f"2026-04-0{d}", "07:00", "16:00") for d in (1, 2, 3, 6))
EXTRA_45H = (*EXTRA_36H, iv("2026-04-07", "07:00", "16:00"))
DELEGERING_UNTIL_14 = (Qualification("usk"), Qualification("delegering", dt.date(2026, 4, 14)))
DELEGERING_UNTIL_15 = (Qualification("usk"), Qualification("delegering", dt.date(2026, 4, 15)))
INSULIN_UNTIL_14 = (Qualification("usk"), Qualification("insulin", dt.date(2026, 4, 14)))
INSULIN_UNTIL_15 = (Qualification("usk"), Qualification("insulin", dt.date(2026, 4, 15)))
WEEK_48H = (
    iv("2026-04-13", "07:00", "17:30"),
    iv("2026-04-14", "07:00", "17:00"),
    iv("2026-04-16", "07:00", "17:30"),
    iv("2026-04-17", "07:00", "16:00"),
)
WEEK_49H = (*WEEK_48H[:3], iv("2026-04-17", "07:00", "17:00"))
NO_INTRO = person(introduced_units=frozenset())

CASES = [
    case("ok"),
    # --- role and qualifications ---
    case("usk-missing", person(qualifications=()), blocks={"role"}),
    case("vardbitrade-anyone", person(qualifications=()), role="vardbitrade"),
    case("requirement-missing", blocks={"qualification"}, requirements=("delegering",)),
    case(
        "requirement-expired",
        person(qualifications=DELEGERING_UNTIL_14),
        blocks={"qualification_expired"},
        requirements=("delegering",),
    ),
    case(
        "requirement-expires-on-the-day",
        person(qualifications=DELEGERING_UNTIL_15),
        requirements=("delegering",),
    ),
    # a municipality's own catalogue id is compared like any other
    case("own-requirement-held", person(qualifications=INSULIN_UNTIL_15),
         requirements=("insulin",)),
    case("own-requirement-missing", blocks={"qualification"}, requirements=("insulin",)),
    case(
        "own-requirement-expired",
        person(qualifications=INSULIN_UNTIL_14),
        blocks={"qualification_expired"},
        requirements=("insulin",),
    ),
    # --- introduction ---
    case("not-introduced-no-handledare", NO_INTRO, blocks={"not_introduced"}),
    case("not-introduced-handledare-on-duty", NO_INTRO, context=ctx(handledare_on_duty=True)),
    case(
        "not-introduced-slot-taken",
        NO_INTRO,
        context=ctx(handledare_on_duty=True, intro_slot_taken=True),
        blocks={"not_introduced"},
    ),
    case(
        "own-unit-staff-counts-as-introduced",
        staff(unit="u1", introduced_units=frozenset()),
        context=ctx(widened=True),
    ),
    # --- overlap and daily rest (dygnsvila) ---
    case("overlap", load=busy(iv("2026-04-15", "14:00", "22:00")), blocks={"overlap"}),
    case("rest-before-9h", load=busy(iv("2026-04-14", "15:00", "22:00")), blocks={"rest_before"}),
    case("rest-before-exactly-11h", load=busy(iv("2026-04-14", "14:00", "20:00"))),
    case(
        "rest-after-night-patrol-same-day",
        load=busy(iv("2026-04-15", "21:00", "07:00", "2026-04-16")),
        blocks={"rest_after"},
    ),
    case(
        "touching-split-shift", load=busy(iv("2026-04-15", "15:00", "22:00")), blocks={"rest_after"}
    ),
    case(
        "rest-both-sides",
        load=busy(iv("2026-04-14", "15:00", "22:00"), iv("2026-04-15", "16:00", "20:00")),
        blocks={"rest_before", "rest_after"},
    ),
    # --- weekly rest, veckovila (Mon 13 – Sun 19 April) ---
    case(
        "weekly-rest-every-day", load=busy(*daily(13, 14), *daily(16, 19)), blocks={"weekly_rest"}
    ),
    case("weekly-rest-37h-may-include-daily", load=busy(*daily(13, 14), *daily(16, 18))),
    # --- length and hours ---
    case(
        "shift-14h",
        blocks={"shift_too_long"},
        starts_at=at("2026-04-15", "06:00"),
        ends_at=at("2026-04-15", "20:00"),
    ),
    case("week-48h-warns", load=busy(*WEEK_48H), warns={"week_hours"}),
    case("week-49h-blocks", load=busy(*WEEK_49H), blocks={"week_hours"}),
    case(
        "own-week-cap",
        person(max_hours_week=20.0),
        load=busy(iv("2026-04-13", "07:00", "15:00"), iv("2026-04-14", "07:00", "15:00")),
        blocks={"max_hours_week"},
    ),
    case("month-176h-warns", load=busy(*weekdays_of_april("2026-04-15")), warns={"month_hours"}),
    case("13-days-in-a-row-warns", load=busy(*daily(3, 14)), warns={"consecutive_days"}),
    case("11-days-in-a-row-ok", load=busy(*daily(5, 14))),
    # --- timing ---
    case("short-notice-20-min", context=ctx(now=at("2026-04-15", "06:40")), warns={"short_notice"}),
    case("already-started", context=ctx(now=at("2026-04-15", "07:01")), blocks={"started"}),
    # --- availability ---
    case("paused-past-start", person(paused_until=at("2026-04-15", "12:00")), blocks={"paused"}),
    case("paused-until-start-ok", person(paused_until=at("2026-04-15", "07:00"))),
    case(
        "unavailable",
        load=PersonLoad(unavailable=(iv("2026-04-15", "00:00", "23:59"),)),
        blocks={"unavailable"},
    ),
    case("not-on-wednesdays", person(available_days="12"), blocks={"weekday"}),
    case(
        "window-08-16",
        person(available_from=dt.time(8), available_to=dt.time(16)),
        blocks={"time_window"},
    ),
    case("window-06-16", person(available_from=dt.time(6), available_to=dt.time(16))),
    case("window-from-06-open-end", person(available_from=dt.time(6))),
    case(
        "night-window-20-08",
        person(available_from=dt.time(20), available_to=dt.time(8)),
        warns={"night_work"},  # a 10-hour night shift
        **NIGHT,
    ),
    case(
        "night-window-22-08",
        person(available_from=dt.time(22), available_to=dt.time(8)),
        blocks={"time_window"},
        warns={"night_work"},
        **NIGHT,
    ),
    case("unreachable", person(phone=None), blocks={"unreachable"}),
    case("sms-opted-out", person(sms_opted_out=True), blocks={"unreachable"}),
    case("telegram-only", person(phone=None, telegram_chat_id=42, channel=Channel.TELEGRAM)),
    # --- who is considered ---
    case("inactive", person(active=False), blocks={"inactive"}),
    case("absent-person", context=ctx(absent_person_id="p1"), blocks={"absent"}),
    case("scheduled-person", blocks={"absent"}, person_id="p1"),
    # Night work: a night worker (3+ h between 22 and 06) over 8 h in 24 warns.
    case("night-10h-warns", **NIGHT, warns={"night_work"}),
    case(
        "night-8h-ok",
        starts_at=at("2026-04-15", "22:00"),
        ends_at=at("2026-04-16", "06:00"),
    ),
    case(
        "evening-9h-is-not-night-work",
        starts_at=at("2026-04-15", "14:00"),
        ends_at=at("2026-04-15", "23:00"),
    ),
    # Regular staff's extra time (their bookings): month cap 50 h, year cap 200 h, warn at 80 %.
    case(
        "overtime-month-44h-warns",
        staff(unit="u2"),
        PersonLoad(extra=EXTRA_36H),
        ctx(widened=True),
        warns={"overtime_month"},
    ),
    case(
        "overtime-month-53h-blocks",
        staff(unit="u2"),
        PersonLoad(extra=EXTRA_45H),
        ctx(widened=True),
        blocks={"overtime_month"},
    ),
    case(
        "overtime-year-198h-warns",
        staff(unit="u2"),
        PersonLoad(extra_hours_year=190),
        ctx(widened=True),
        warns={"overtime_year"},
    ),
    case(
        "overtime-year-203h-blocks",
        staff(unit="u2"),
        PersonLoad(extra_hours_year=195),
        ctx(widened=True),
        blocks={"overtime_year"},
    ),
    case(
        "substitutes-have-no-overtime-cap", load=PersonLoad(extra=EXTRA_45H, extra_hours_year=195)
    ),
    case("staff-not-widened", staff(unit="u2"), blocks={"not_callable"}),
    case("staff-widened", staff(unit="u2"), context=ctx(widened=True)),
    # --- everything at once: the explanation is complete ---
    case(
        "collects-all",
        person(qualifications=(), introduced_units=frozenset(), phone=None, available_days="67"),
        load=busy(iv("2026-04-14", "15:00", "22:00")),
        blocks={"role", "qualification", "not_introduced", "rest_before", "weekday", "unreachable"},
        requirements=("korkort",),
    ),
]


@pytest.mark.parametrize(("who", "load", "context", "shift_kw", "blocks", "warnings"), CASES)
def test_rule_table(
    who: Person,
    load: PersonLoad,
    context: VacancyContext,
    shift_kw: dict[str, Any],
    blocks: set[str],
    warnings: set[str],
) -> None:
    context = dataclasses.replace(context, shift=dataclasses.replace(context.shift, **shift_kw))
    v = check_eligibility(context, who, load, RULES)
    assert {r.code for r in v.blocks} == blocks
    assert {r.code for r in v.warnings} == warnings
    assert v.eligible == (not blocks)
    assert all(r.blocking for r in v.blocks) and not any(r.blocking for r in v.warnings)


def test_needs_introduction_flag() -> None:
    v = check_eligibility(
        ctx(handledare_on_duty=True), person(introduced_units=frozenset()), PersonLoad(), RULES
    )
    assert v.eligible and v.needs_introduction
    assert not check_eligibility(ctx(), person(), PersonLoad(), RULES).needs_introduction


def test_weekly_rest_not_including_daily_needs_47h() -> None:
    rules = dataclasses.replace(RULES, rest_weekly_may_include_daily=False)
    load = PersonLoad(commitments=daily(13, 14) + daily(16, 18))
    v = check_eligibility(ctx(), person(), load, rules)
    assert [reason_text(r) for r in v.blocks] == ["veckovila högst 37 h < 47 h (vecka 16)"]


@pytest.mark.parametrize(
    ("load", "text"),
    [
        pytest.param(
            PersonLoad(commitments=(iv("2026-04-14", "15:00", "22:00"),)),
            "vila före passet 9 h < 11 h",
            id="rest-before",
        ),
        pytest.param(
            PersonLoad(commitments=(iv("2026-04-14", "15:00", "21:30"),)),
            "vila före passet 9,5 h < 11 h",
            id="rest-before-half-hour",
        ),
        pytest.param(
            PersonLoad(commitments=(iv("2026-04-15", "15:00", "22:00"),)),
            "vila efter passet 0 h < 11 h",
            id="split",
        ),
        pytest.param(
            PersonLoad(commitments=(iv("2026-04-15", "14:00", "22:00"),)),
            "krockar med pass 2026-04-15 14:00–22:00",
            id="overlap",
        ),
        pytest.param(
            PersonLoad(unavailable=(iv("2026-04-15", "06:00", "09:00"),)),
            "markerad otillgänglig 2026-04-15 06:00–09:00",
            id="unavailable",
        ),
    ],
)
def test_reason_texts(load: PersonLoad, text: str) -> None:
    v = check_eligibility(ctx(), person(), load, RULES)
    assert [reason_text(r) for r in v.blocks] == [text]


def test_short_notice_text() -> None:
    v = check_eligibility(ctx(now=at("2026-04-15", "06:40")), person(), PersonLoad(), RULES)
    assert [reason_text(r) for r in v.warnings] == ["kort varsel: passet börjar om 20 min"]


@pytest.mark.parametrize(
    ("who", "context", "expected"),
    [
        pytest.param(person(), ctx(), True, id="substitute"),
        pytest.param(person(roles=(), tier=Tier.POOL), ctx(), True, id="pool-tier"),
        pytest.param(person(active=False), ctx(), False, id="inactive"),
        pytest.param(person(), ctx(absent_person_id="p1"), False, id="absent"),
        pytest.param(staff(unit="u2"), ctx(), False, id="staff"),
        pytest.param(staff(unit="u2"), ctx(widened=True), True, id="staff-widened"),
        pytest.param(
            staff(unit="u2", tier=Tier.STAFF_EXTRA),
            ctx(unit=dataclasses.replace(UNIT, allow_staff_extra=True)),
            True,
            id="staff-extra-allowed",
        ),
        pytest.param(
            staff(unit="u2"),
            ctx(unit=dataclasses.replace(UNIT, allow_staff_extra=True)),
            False,
            id="staff-untiered-extra-allowed",
        ),
        pytest.param(
            staff(unit="u2", tier=Tier.STAFF_EXTRA), ctx(), False, id="staff-extra-not-allowed"
        ),
        pytest.param(
            person(roles=(RoleGrant(Role.COORDINATOR),), tier=None), ctx(), False, id="coordinator"
        ),
    ],
)
def test_is_candidate_kind(who: Person, context: VacancyContext, expected: bool) -> None:
    assert is_candidate_kind(context, who) is expected


@pytest.mark.parametrize(
    ("hours", "text"),
    [(9.5, "9,5 h"), (11.0, "11 h"), (38.25, "38,25 h"), (0.0, "0 h"), (10.333333, "10,33 h")],
)
def test_format_hours(hours: float, text: str) -> None:
    assert format_hours(hours) == text


def test_rule_defaults_equal_settings_defaults() -> None:
    names = {f.name for f in dataclasses.fields(RuleSettings)} & set(Settings.model_fields)
    assert len(names) >= 19
    for name in names:
        assert getattr(RuleSettings(), name) == Settings.model_fields[name].default, name
    assert RuleSettings().tz == ZoneInfo(Settings.model_fields["timezone"].default)


def test_from_settings_copies_every_number() -> None:
    s = Settings(_env_file=None, rest_daily_hours=10.0, wave_far_size=2, timezone="Europe/Oslo")
    r = s.rule_settings()
    assert (r.rest_daily_hours, r.wave_far_size, r.tz) == (10.0, 2, ZoneInfo("Europe/Oslo"))
    names = {f.name for f in dataclasses.fields(RuleSettings)} & set(Settings.model_fields)
    for name in names:
        assert getattr(r, name) == getattr(s, name), name
