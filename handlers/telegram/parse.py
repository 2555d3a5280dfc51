"""Reading what people type: dates, times, and free-text absence reports. Pure."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.domain.model import AbsenceCategory

_TIME = r"(\d{1,2})(?:[:.](\d{2}))?"
_RANGE = re.compile(rf"^\s*{_TIME}\s*(?:-|–|—|till|to)\s*{_TIME}\s*$", re.IGNORECASE)
_ABSENCE = re.compile(
    r"^\s*(sjuk|vab|frånvaro|franvaro|sick|absence|annat)"
    r"(?:\s+(idag|i dag|imorgon|i morgon|today|tomorrow))?\s*[.!]*\s*$",
    re.IGNORECASE,
)
_CATEGORY_WORDS = {"sjuk": AbsenceCategory.SJUK, "sick": AbsenceCategory.SJUK,
                   "vab": AbsenceCategory.VAB, "annat": AbsenceCategory.ANNAT}
_TODAY = ("idag", "i dag", "today")
_TOMORROW = ("imorgon", "i morgon", "tomorrow")
ABSENCE_PATTERN = _ABSENCE.pattern


@dataclass(frozen=True, slots=True)
class AbsenceIntent:
    category: AbsenceCategory | None  # None: ask
    day_offset: int | None  # 0 today, 1 tomorrow, None: not said


def absence_intent(text: str) -> AbsenceIntent | None:
    """'sjuk' / 'VAB imorgon' / 'Frånvaro' -> what to preselect; None if not a report."""
    m = _ABSENCE.match(text or "")
    if m is None:
        return None
    word, when = m.group(1).lower(), (m.group(2) or "").lower()
    offset = 0 if when in _TODAY else 1 if when in _TOMORROW else None
    return AbsenceIntent(_CATEGORY_WORDS.get(word), offset)


def _clock(hour: str, minute: str | None) -> dt.time | None:
    h, m = int(hour), int(minute or 0)
    if h == 24 and m == 0:
        return dt.time(0)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return dt.time(h, m)


def parse_time_range(text: str) -> tuple[dt.time, dt.time] | None:
    """'07:00-16:00', '7-16', '21.30–07' -> (start, end); the end may be past midnight."""
    m = _RANGE.match(text or "")
    if m is None:
        return None
    start, end = _clock(m.group(1), m.group(2)), _clock(m.group(3), m.group(4))
    if start is None or end is None or start == end:
        return None
    return start, end


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """'2026-12-24', '24/12', '24/12 2026', 'idag', 'imorgon' -> a date, or None when it is
    not one. Day/month without a year is never in the past: it is the next such day
    (29/2 the next leap day). Never raises."""
    s = (text or "").strip().lower()
    if s in _TODAY:
        return today
    if s in _TOMORROW:
        return today + dt.timedelta(days=1)
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        pass
    m = re.match(r"^(\d{1,2})/(\d{1,2})(?:[ /-](\d{4}))?$", s)
    if m is None:
        return None
    day, month = int(m.group(1)), int(m.group(2))
    if m.group(3):
        return _date_or_none(int(m.group(3)), month, day)
    # The next time this day and month comes round: 29/2 may be up to 8 years away.
    for year in range(today.year, today.year + 9):
        found = _date_or_none(year, month, day)
        if found is not None and found >= today:
            return found
    return None


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:  # 31/2, 29/2 outside a leap year, a year past 9999
        return None


def local_span(
    day: dt.date, start: dt.time, end: dt.time, tz: dt.tzinfo
) -> tuple[dt.datetime, dt.datetime]:
    """A shift on `day` from `start` to `end` local time; an earlier end is the next day."""
    begin = dt.datetime.combine(day, start, tzinfo=tz)
    end_day = day if end > start else day + dt.timedelta(days=1)
    return begin, dt.datetime.combine(end_day, end, tzinfo=tz)
