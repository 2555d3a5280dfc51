"""The one grammar for what people type, in any channel: days, dates, times, time ranges,
absence words and channel words. Pure: no I/O. Telegram's handlers and the SMS
conversation (through `bot.domain.sms_reply`) read text with these functions only.

Text is matched after NFKC, casefolding and removing accents ("ÖVERMORGON" ->
"overmorgon"); punctuation and emoji fall away between tokens.

A day is one of: idag / i dag / today (0 days from today), imorgon / i morgon / tomorrow
(1), i övermorgon (2), a weekday (mån, måndag, monday ...: days until its next
occurrence, 0 when it is today), or a date: 2026-12-03, 3/12, 3/12/26, 3/12/2026,
3/12 2026, "3 dec", "3:e december 2026". Day/month order is Swedish.

Decision, one rule for a day and month without a year: the date NEAREST to today is
meant (last, this or next year: "2/1" on 30 December is next year's, "29/11" on
1 December is two days ago). No grammar guesses a year away. A caller that needs a
coming day (a pause, a new vacancy) refuses a past one with a reply of its own saying
so; a caller that may look back (SJUK for yesterday's shift) gets what was written.
29/2 with no leap year next to today is no date. An impossible date (31/2) is no date.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.domain.model import AbsenceCategory, Channel
from bot.i18n import LANGUAGES

RELATIVE_DAYS: Mapping[str, int] = MappingProxyType(
    {"idag": 0, "today": 0, "imorgon": 1, "tomorrow": 1, "iovermorgon": 2, "overmorgon": 2}
)
WEEKDAYS: Mapping[str, int] = MappingProxyType(
    {
        **dict.fromkeys(("man", "mandag", "mon", "monday"), 0),
        **dict.fromkeys(("tis", "tisdag", "tue", "tues", "tuesday"), 1),
        **dict.fromkeys(("ons", "onsdag", "wed", "wednesday"), 2),
        **dict.fromkeys(("tor", "tors", "torsdag", "thu", "thur", "thurs", "thursday"), 3),
        **dict.fromkeys(("fre", "fredag", "fri", "friday"), 4),
        **dict.fromkeys(("lor", "lordag", "sat", "saturday"), 5),
        **dict.fromkeys(("son", "sondag", "sun", "sunday"), 6),
    }
)
MONTHS: Mapping[str, int] = MappingProxyType(
    {
        **dict.fromkeys(("jan", "januari", "january"), 1),
        **dict.fromkeys(("feb", "februari", "february"), 2),
        **dict.fromkeys(("mar", "mars", "march"), 3),
        **dict.fromkeys(("apr", "april"), 4),
        **dict.fromkeys(("maj", "may"), 5),
        **dict.fromkeys(("jun", "juni", "june"), 6),
        **dict.fromkeys(("jul", "juli", "july"), 7),
        **dict.fromkeys(("aug", "augusti", "august"), 8),
        **dict.fromkeys(("sep", "sept", "september"), 9),
        **dict.fromkeys(("okt", "oktober", "oct", "october"), 10),
        **dict.fromkeys(("nov", "november"), 11),
        **dict.fromkeys(("dec", "december"), 12),
    }
)
_ORDINAL_SUFFIXES = frozenset(("e", "a"))  # "3:e dec", "1:a maj"

_TOKEN = re.compile(
    r"(?P<iso>\d{4}-\d{1,2}-\d{1,2})"
    r"|(?P<dm>\d{1,2}/\d{1,2}(?:/\d{2}(?:\d{2})?)?)"
    r"|(?P<num>\d+)"
    r"|(?P<word>[^\W\d_]+)"
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "iso", "dm", "num" or "word"
    text: str


def fold(text: str) -> str:
    """NFKC, casefold, then drop accents: 'ＨＪÄＬＰ' -> 'hjalp', 'Nä' -> 'na'."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(folded: str) -> list[Token]:
    """Words, numbers and dates; punctuation, emoji and spaces fall away."""
    found = [Token(m.lastgroup or "word", m.group()) for m in _TOKEN.finditer(folded)]
    # Join the two-word forms "i morgon", "i dag", "i övermorgon".
    joined: list[Token] = []
    for token in found:
        if joined and joined[-1] == Token("word", "i") and "i" + token.text in RELATIVE_DAYS:
            joined[-1] = Token("word", "i" + token.text)
        else:
            joined.append(token)
    return joined


# (days from today, date): one of them, or both None when nothing was said.
When = tuple[int | None, dt.date | None]


def read_when(found: list[Token], today: dt.date) -> When | None:
    """(day_offset, date) for the tokens naming a day; (None, None) if there are none;
    None if they do not name a day."""
    texts = [t.text for t in found]
    kinds = [t.kind for t in found]
    if not found:
        return None, None
    if len(found) == 1:
        word = texts[0]
        if word in RELATIVE_DAYS:
            return RELATIVE_DAYS[word], None
        if word in WEEKDAYS:
            return (WEEKDAYS[word] - today.weekday()) % 7, None
        if kinds[0] == "iso":
            year, month, day = (int(p) for p in word.split("-"))
            return _when(dated(year, month, day))
        if kinds[0] == "dm":
            parts = [int(p) for p in word.split("/")]
            if len(parts) == 3:
                year = parts[2] + 2000 if parts[2] < 100 else parts[2]
                return _when(dated(year, parts[1], parts[0]))
            return _when(nearest_date(today, parts[1], parts[0]))
    # "3/12 2026"
    if kinds == ["dm", "num"] and texts[0].count("/") == 1 and len(texts[1]) == 4:
        day, month = (int(p) for p in texts[0].split("/"))
        return _when(dated(int(texts[1]), month, day))
    # "3 dec", "3 e dec", "3 december 2026"
    if kinds[0] == "num" and len(texts[0]) <= 2:
        words = texts[1:]
        if words and words[0] in _ORDINAL_SUFFIXES:
            words = words[1:]
        if words and words[0] in MONTHS:
            month = MONTHS[words[0]]
            if len(words) == 1:
                return _when(nearest_date(today, month, int(texts[0])))
            if len(words) == 2 and len(words[1]) == 4 and words[1].isdigit():
                return _when(dated(int(words[1]), month, int(texts[0])))
    return None


def _when(day: dt.date | None) -> When | None:
    return None if day is None else (None, day)


def parse_date(text: str, today: dt.date) -> dt.date | None:
    """'2026-12-24', '24/12', '24/12 2026', 'idag', 'imorgon', 'fredag', '3 dec' -> a date,
    or None when the text is not (only) a day. Without a year: the nearest such date,
    which may be past (see the module's decision). Never raises."""
    when = read_when(tokens(fold(text or "")), today)
    if when is None:
        return None
    offset, day = when
    if day is not None:
        return day
    if offset is None:
        return None
    try:
        return today + dt.timedelta(days=offset)
    except OverflowError:  # tomorrow of 9999-12-31
        return None


# A date written with its year is one the bot can talk about: far years are not read (a
# shift, a pause or a sick day in year 1 or 9999 would overflow the calendar downstream).
YEARS = range(2000, 2100)


def dated(year: int, month: int, day: int) -> dt.date | None:
    """A date written with its year, or None (no such day, or a year outside YEARS)."""
    return date_or_none(year, month, day) if year in YEARS else None


def date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:  # 31/2, 29/2 outside a leap year, year 0 or past 9999
        return None


def nearest_date(today: dt.date, month: int, day: int) -> dt.date | None:
    """The date with this day and month closest to today (last, this or next year)."""
    candidates = [
        d
        for year in (today.year - 1, today.year, today.year + 1)
        if (d := date_or_none(year, month, day)) is not None
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda d: abs((d - today).days))


# ---------- times ----------

_TIME = r"(\d{1,2})(?:[:.](\d{2}))?"
_RANGE = re.compile(rf"^\s*{_TIME}\s*(?:-|–|—|till|to)\s*{_TIME}\s*$", re.IGNORECASE)


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


def local_span(
    day: dt.date, start: dt.time, end: dt.time, tz: dt.tzinfo
) -> tuple[dt.datetime, dt.datetime]:
    """A shift on `day` from `start` to `end` local time; an earlier end is the next day."""
    begin = dt.datetime.combine(day, start, tzinfo=tz)
    end_day = day if end > start else day + dt.timedelta(days=1)
    return begin, dt.datetime.combine(end_day, end, tzinfo=tz)


# ---------- absence words (Telegram's free text; SMS reads SJUK in sms_reply) ----------

_ABSENCE = re.compile(
    r"^\s*(sjuk|vab|frånvaro|franvaro|sick|absence|annat)"
    r"(?:\s+(idag|i dag|imorgon|i morgon|today|tomorrow))?\s*[.!]*\s*$",
    re.IGNORECASE,
)
_CATEGORY_WORDS = {
    "sjuk": AbsenceCategory.SJUK,
    "sick": AbsenceCategory.SJUK,
    "vab": AbsenceCategory.VAB,
    "annat": AbsenceCategory.ANNAT,
}
ABSENCE_PATTERN = _ABSENCE.pattern


@dataclass(frozen=True, slots=True)
class AbsenceWords:
    category: AbsenceCategory | None  # None: ask
    day_offset: int | None  # 0 today, 1 tomorrow, None: not said


def absence_words(text: str) -> AbsenceWords | None:
    """'sjuk' / 'VAB imorgon' / 'Frånvaro' -> what to preselect; None if not a report."""
    m = _ABSENCE.match(text or "")
    if m is None:
        return None
    word = m.group(1).lower()
    when = fold(m.group(2) or "").replace(" ", "")
    return AbsenceWords(_CATEGORY_WORDS.get(word), RELATIVE_DAYS.get(when))


# ---------- channel words: KANAL TELEGRAM | SMS | BÅDA ----------

_CHANNEL_WORDS: Mapping[str, Channel] = MappingProxyType(
    {
        "telegram": Channel.TELEGRAM,
        "tg": Channel.TELEGRAM,
        "sms": Channel.SMS,
        "text": Channel.SMS,
        "bada": Channel.BOTH,
        "both": Channel.BOTH,
        "alla": Channel.BOTH,
    }
)
_CHANNEL_FILLERS = frozenset({"via", "till", "to", "bara", "only"})


def channel_choice(body: str) -> tuple[bool, Channel | None]:
    """("KANAL SMS") -> (True, SMS); ("KANAL") -> (True, None); anything else (False, None)."""
    words = re.findall(r"[^\W\d_]+", fold(body))
    if not words or words[0] not in ("kanal", "channel"):
        return False, None
    rest = [w for w in words[1:] if w not in _CHANNEL_FILLERS]
    return True, _CHANNEL_WORDS.get(rest[0]) if len(rest) == 1 else None


# ---------- language words: SPRÅK AR ----------


def language_choice(body: str) -> tuple[bool, str | None]:
    """("SPRÅK AR") -> (True, "ar"); ("SPRÅK") or an unknown code -> (True, None); anything
    else (False, None). The codes are those of bot.i18n.LANGUAGES."""
    words = re.findall(r"[^\W\d_]+", fold(body))
    if not words or words[0] not in ("sprak", "language", "lang"):
        return False, None
    code = words[1] if len(words) == 2 else None
    return True, code if code in LANGUAGES else None
