"""Inbound SMS -> a typed command. Pure: no I/O, no twilio.

Staff answer with one word (DESIGN section 7), typed however a phone lets them:
any case, with or without accents, with punctuation, emoji, "tack" or a greeting.

    YES       JA, J, JAA, JAPP, JEPP, OK, OKEJ, YES, Y, OKAY
    NO        NEJ, N, NÄ, NÄÄ, NO, NOPE
    SICK      SJUK, SICK          + optional when (see below)
    WELL      FRISK, WELL         + optional when
    UNBOOK    AVBOKA, UNBOOK      + optional when (not CANCEL: that is Twilio's opt-out)
    BOOKINGS  PASS, PASSEN, MINA PASS, SCHEMA, SHIFTS, BOOKINGS
    STOP      STOPP, STOP and Twilio's own opt-out words (STOPALL, UNSUBSCRIBE,
              CANCEL, END, QUIT, REVOKE, OPTOUT): Twilio has already opted the sender
              out, so we must too (`twilio_opted_out` tells which texts Twilio took)
    START     START, STARTA, UNSTOP
    HELP      HJÄLP, HJALP, HELP, INFO, or just "?"

Decisions:
- OK counts as YES. Asked "Kan du jobba ons 07-15? Svara JA eller NEJ", people answer "Ok"
  and mean yes; the accept is confirmed by a reply naming the shift, and an "ok" with no
  open offer gets a helpful answer, not a booking.
- YES and NO take an optional offer code of 1-4 digits, before or after:
  "ja 47", "JA47", "Ja, 47", "47 ja", "nej tack 12".
- Polite words (tack, gärna, tyvärr, snälla, hej, ...) are ignored; any other word makes
  the message UNKNOWN. "Ja men bara till 14" is a conditional yes, not a yes: the bot
  must ask again rather than book.
- SICK / WELL / UNBOOK take an optional "when": idag / i dag / today -> day_offset 0, imorgon /
  i morgon / tomorrow -> 1, i övermorgon -> 2, a weekday (mån, måndag, monday ...) ->
  days until its next occurrence (0 when it is today), or a date -> `date`: 3/12,
  3/12/2026, 3/12/26, 2026-12-03, "3 dec", "3:e december 2026". Day/month order is
  Swedish. Without a year the date nearest to `today` is meant ("2/1" on 30 December is
  next year's). Nothing given -> both None: the service decides (from the next shift).
  An impossible date (31/2) makes the message UNKNOWN rather than "today".
- "PASS" means "my shifts" (Swedish), not the English "I'll pass".
- After AVBOKA, words naming what is cancelled are ignored: "avboka mitt pass 2/12",
  "AVBOKA passet imorgon". CANCEL is never UNBOOK: alone it is one of Twilio's opt-out
  words (Twilio has already stopped the number), and "cancel 2/12" is UNKNOWN, not a
  cancellation nobody can confirm by SMS any more.
- A YES from someone opted out is still YES here; Twilio treats YES as opt-in, so the
  service should too.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Keyword(StrEnum):
    YES = "yes"  # JA
    NO = "no"  # NEJ
    SICK = "sick"  # SJUK
    WELL = "well"  # FRISK
    UNBOOK = "unbook"  # AVBOKA: give up a booking ("I cannot come")
    BOOKINGS = "bookings"  # PASS
    STOP = "stop"  # STOPP
    START = "start"  # START
    HELP = "help"  # HJÄLP
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class SmsCommand:
    keyword: Keyword
    code: int | None = None  # the offer's short code, "JA 47"
    day_offset: int | None = None  # SICK/WELL/UNBOOK: days from today (0 = today)
    date: dt.date | None = None  # SICK/WELL/UNBOOK: an explicit date
    raw: str = ""  # the message as received, stripped


# Twilio's default opt-out words on a long code (no Advanced Opt-Out needed). A text that
# is just one of them never reaches us unanswered: Twilio has sent its own confirmation and
# refuses every further message to the number (error 21610) until it sends START.
TWILIO_OPT_OUT_WORDS = frozenset(
    ("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout")
)

# Words are matched after NFKC, casefolding and removing accents: "HJÄLP" -> "hjalp".
_KEYWORDS: Mapping[str, Keyword] = MappingProxyType(
    {
        **dict.fromkeys(
            ("ja", "j", "jaa", "japp", "jepp", "ok", "okej", "okey", "okay", "yes", "y"),
            Keyword.YES,
        ),
        **dict.fromkeys(("nej", "n", "na", "naa", "no", "nope"), Keyword.NO),
        **dict.fromkeys(("sjuk", "sick"), Keyword.SICK),
        **dict.fromkeys(("frisk", "well"), Keyword.WELL),
        **dict.fromkeys(("avboka", "unbook"), Keyword.UNBOOK),
        **dict.fromkeys(("pass", "passen", "schema", "shifts", "bookings"), Keyword.BOOKINGS),
        **dict.fromkeys(("stopp", "stop", *TWILIO_OPT_OUT_WORDS), Keyword.STOP),
        **dict.fromkeys(("start", "starta", "unstop"), Keyword.START),
        **dict.fromkeys(("hjalp", "help", "info"), Keyword.HELP),
    }
)
_POLITE = frozenset(
    {
        *("tack", "garna", "tyvarr", "snalla", "hej", "hejsan", "hallo", "halla"),
        *("hi", "hello", "thanks", "thank", "you", "please"),
    }
)
_CODE_WORDS = frozenset(("kod", "code", "nr"))  # "ja kod 47", "ja nr 47"
_POSSESSIVES = frozenset(("mina", "mitt", "min", "my"))  # "mina pass", "my shifts"
_WHEN_FILLERS = frozenset(("fran", "from", "pa", "on", "den", "igen", "again"))
# What AVBOKA may name: "avboka mitt pass", "unbook my shift" (PASS is not a second keyword).
_BOOKING_WORDS = frozenset(
    {
        *_POSSESSIVES,
        *("pass", "passet", "passen", "bokning", "bokningen", "bokningar"),
        *("shift", "shifts", "booking", "bookings"),
    }
)
_RELATIVE_DAYS: Mapping[str, int] = MappingProxyType(
    {"idag": 0, "today": 0, "imorgon": 1, "tomorrow": 1, "iovermorgon": 2, "overmorgon": 2}
)
_WEEKDAYS: Mapping[str, int] = MappingProxyType(
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
_MONTHS: Mapping[str, int] = MappingProxyType(
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
class _Token:
    kind: str  # "iso", "dm", "num" or "word"
    text: str


def _fold(text: str) -> str:
    """NFKC, casefold, then drop accents: 'ＨＪÄＬＰ' -> 'hjalp', 'Nä' -> 'na'."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _tokens(folded: str) -> list[_Token]:
    """Words, numbers and dates; punctuation, emoji and spaces fall away."""
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(folded):
        kind = match.lastgroup or "word"
        tokens.append(_Token(kind, match.group()))
    # Join the two-word forms "i morgon", "i dag", "i övermorgon".
    joined: list[_Token] = []
    for token in tokens:
        if joined and joined[-1] == _Token("word", "i") and "i" + token.text in _RELATIVE_DAYS:
            joined[-1] = _Token("word", "i" + token.text)
        else:
            joined.append(token)
    return joined


def parse_sms(body: str, today: dt.date) -> SmsCommand:
    """Read one inbound SMS. `today` is the local (Europe/Stockholm) date it arrived."""
    raw = body.strip()
    if twilio_opted_out(body):  # "STOP ALL": Twilio has opted the sender out
        return SmsCommand(Keyword.STOP, raw=raw)
    tokens = _tokens(_fold(body))
    if not tokens:
        is_question = "?" in unicodedata.normalize("NFKC", body)
        return SmsCommand(Keyword.HELP if is_question else Keyword.UNKNOWN, raw=raw)

    hits = {i for i, t in enumerate(tokens) if t.kind == "word" and t.text in _KEYWORDS}
    found = {_KEYWORDS[tokens[i].text] for i in hits}
    if Keyword.UNBOOK in found:  # "avboka mitt pass": PASS names the booking, not a keyword
        hits = {i for i in hits if _KEYWORDS[tokens[i].text] is not Keyword.BOOKINGS}
        found.discard(Keyword.BOOKINGS)
    if len(found) != 1:  # none, or "ja nej": ask again
        return SmsCommand(Keyword.UNKNOWN, raw=raw)
    keyword = found.pop()  # "ja ja!" and "ok ja" are one YES
    rest = [t for i, t in enumerate(tokens) if i not in hits and t.text not in _POLITE]

    if keyword in (Keyword.YES, Keyword.NO):
        rest = [t for t in rest if t.text not in _CODE_WORDS]
        if not rest:
            return SmsCommand(keyword, raw=raw)
        if len(rest) == 1 and rest[0].kind == "num" and len(rest[0].text) <= 4:
            return SmsCommand(keyword, code=int(rest[0].text), raw=raw)
        return SmsCommand(Keyword.UNKNOWN, raw=raw)

    if keyword is Keyword.UNBOOK:
        rest = [t for t in rest if t.text not in _BOOKING_WORDS]
    if keyword in (Keyword.SICK, Keyword.WELL, Keyword.UNBOOK):
        when = _parse_when([t for t in rest if t.text not in _WHEN_FILLERS], today)
        if when is None:
            return SmsCommand(Keyword.UNKNOWN, raw=raw)
        day_offset, date = when
        return SmsCommand(keyword, day_offset=day_offset, date=date, raw=raw)

    if keyword is Keyword.BOOKINGS:
        rest = [t for t in rest if t.text not in _POSSESSIVES]
    if rest:
        return SmsCommand(Keyword.UNKNOWN, raw=raw)
    return SmsCommand(keyword, raw=raw)


def twilio_opted_out(body: str) -> bool:
    """Whether Twilio itself took this text as an opt-out: the text is one of its words,
    in any case, with spaces or punctuation around it ("Stop.", "STOP ALL")."""
    tokens = _tokens(_fold(body))
    if not tokens or any(t.kind != "word" for t in tokens):
        return False
    return "".join(t.text for t in tokens) in TWILIO_OPT_OUT_WORDS


_When = tuple[int | None, dt.date | None]


def _parse_when(tokens: list[_Token], today: dt.date) -> _When | None:
    """(day_offset, date) for what follows SJUK/FRISK/AVBOKA; (None, None) if nothing;
    None if garbled."""
    texts = [t.text for t in tokens]
    kinds = [t.kind for t in tokens]
    if not tokens:
        return None, None
    if len(tokens) == 1:
        word = texts[0]
        if word in _RELATIVE_DAYS:
            return _RELATIVE_DAYS[word], None
        if word in _WEEKDAYS:
            return (_WEEKDAYS[word] - today.weekday()) % 7, None
        if kinds[0] == "iso":
            year, month, day = (int(p) for p in word.split("-"))
            return _date_or_none(year, month, day)
        if kinds[0] == "dm":
            parts = [int(p) for p in word.split("/")]
            if len(parts) == 3:
                year = parts[2] + 2000 if parts[2] < 100 else parts[2]
                return _date_or_none(year, parts[1], parts[0])
            return _nearest(today, parts[1], parts[0])
    # "3 dec", "3 e dec", "3 december 2026"
    if kinds[0] == "num" and len(texts[0]) <= 2:
        words = texts[1:]
        if words and words[0] in _ORDINAL_SUFFIXES:
            words = words[1:]
        if words and words[0] in _MONTHS:
            month = _MONTHS[words[0]]
            if len(words) == 1:
                return _nearest(today, month, int(texts[0]))
            if len(words) == 2 and len(words[1]) == 4 and words[1].isdigit():
                return _date_or_none(int(words[1]), month, int(texts[0]))
    return None


def _date_or_none(year: int, month: int, day: int) -> _When | None:
    try:
        return None, dt.date(year, month, day)
    except ValueError:
        return None


def _nearest(today: dt.date, month: int, day: int) -> _When | None:
    """The date with this day and month closest to today (last, this or next year)."""
    candidates: list[dt.date] = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    return None, min(candidates, key=lambda d: abs((d - today).days))
