"""What people type into Telegram, read by the one grammar in bot/domain/grammar.py."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain.grammar import (
    AbsenceWords,
    absence_words,
    local_span,
    parse_date,
    parse_time_range,
)
from bot.domain.model import AbsenceCategory
from bot.domain.sms_reply import parse_sms
from handlers.telegram.common import split_text

TODAY = dt.date(2026, 12, 1)
TZ = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(("text", "intent"), [
    ("sjuk", AbsenceWords(AbsenceCategory.SJUK, None)),
    ("Sjuk imorgon", AbsenceWords(AbsenceCategory.SJUK, 1)),
    ("sjuk i dag!", AbsenceWords(AbsenceCategory.SJUK, 0)),
    ("VAB imorgon", AbsenceWords(AbsenceCategory.VAB, 1)),
    ("Frånvaro", AbsenceWords(None, None)),
    ("sick tomorrow", AbsenceWords(AbsenceCategory.SJUK, 1)),
    ("jag är sjuk", None),
    ("sjukt bra", None),
])
def test_absence_words(text: str, intent: AbsenceWords | None) -> None:
    assert absence_words(text) == intent


@pytest.mark.parametrize(("text", "span"), [
    ("07:00-16:00", (dt.time(7), dt.time(16))),
    ("7-16", (dt.time(7), dt.time(16))),
    ("21.30 – 07", (dt.time(21, 30), dt.time(7))),
    ("15 till 24", (dt.time(15), dt.time(0))),
    ("7-7", None),
    ("25-26", None),
    ("kväll", None),
])
def test_time_ranges(text: str, span: tuple[dt.time, dt.time] | None) -> None:
    assert parse_time_range(text) == span


@pytest.mark.parametrize(("text", "day"), [
    ("idag", TODAY),
    ("imorgon", dt.date(2026, 12, 2)),
    ("2026-12-24", dt.date(2026, 12, 24)),
    ("24/12", dt.date(2026, 12, 24)),
    ("3/1", dt.date(2027, 1, 3)),  # day/month already past this year: the nearest is next year's
    ("29/11", dt.date(2026, 11, 29)),  # nearest: two days ago (callers needing a coming day refuse)
    ("24/12 2026", dt.date(2026, 12, 24)),
    ("fredag", dt.date(2026, 12, 4)),
    ("31/2", None),
    ("snart", None),
])
def test_dates(text: str, day: dt.date | None) -> None:
    assert parse_date(text, TODAY) == day


@pytest.mark.parametrize(("text", "today", "day"), [
    ("29/2", dt.date(2028, 3, 1), dt.date(2028, 2, 29)),  # the nearest: yesterday
    ("29/2", dt.date(2027, 12, 1), dt.date(2028, 2, 29)),
    ("29/2", dt.date(2026, 12, 1), None),  # no leap year next to today: no date
    ("29/2", dt.date(2028, 2, 29), dt.date(2028, 2, 29)),
    ("29/2", dt.date(2096, 3, 1), dt.date(2096, 2, 29)),
    ("29/2 2027", TODAY, None),
    ("1/1", dt.date(9999, 12, 31), dt.date(9999, 1, 1)),  # no next year: this year's
    ("31/12", dt.date(1, 1, 1), dt.date(1, 12, 31)),  # no year before: this year's
])
def test_leap_days_and_the_edge_of_the_calendar(
    text: str, today: dt.date, day: dt.date | None
) -> None:
    assert parse_date(text, today) == day


_DAY_MONTH = st.builds(
    lambda d, m, sep, year: f"{d}{sep}{m}{year}",
    st.integers(0, 99), st.integers(0, 99), st.sampled_from(["/", "-", "."]),
    st.sampled_from(["", " 2028", "/2027", "-0000", "/9999", "/26", "/00"]),
)


@given(text=_DAY_MONTH | st.text(max_size=20), today=st.dates())
@example(text="29/2", today=dt.date(2028, 3, 1))
@example(text="1/1", today=dt.date(9999, 12, 31))
def test_reading_a_date_never_raises(text: str, today: dt.date) -> None:
    """For any d/m text and any today: a valid date or None (Telegram), a command (SMS)."""
    day = parse_date(text, today)
    assert day is None or isinstance(day, dt.date)
    if day is not None and "/" in text and text.count("/") == 1 and " " not in text:
        assert abs((day - today).days) <= 366  # day/month without a year: the nearest
    command = parse_sms(f"sjuk {text}", today)
    assert command.date is None or isinstance(command.date, dt.date)


def test_a_night_shift_ends_the_next_day_across_dst() -> None:
    start, end = local_span(dt.date(2026, 3, 28), dt.time(21), dt.time(7), TZ)
    assert end.date() == dt.date(2026, 3, 29)
    # 21:00-07:00 on the night clocks go forward is 9 real hours (the engine counts in UTC).
    assert (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)) == dt.timedelta(hours=9)


def test_long_texts_are_split_on_lines() -> None:
    text = "\n".join(f"rad {i} " + "x" * 90 for i in range(100))
    parts = split_text(text, limit=1000)
    assert all(len(p) <= 1000 for p in parts)
    assert "\n".join(parts) == text
