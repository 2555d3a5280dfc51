"""Inbound SMS -> a typed command. Pure: no I/O, no twilio.

Staff answer with one word (DESIGN section 7), typed however a phone lets them:
any case, with or without accents, with punctuation, emoji, "tack" or a greeting.

    YES       JA, J, JAA, JAPP, JEPP, OK, OKEJ, YES, Y, OKAY
    NO        NEJ, N, NÄ, NÄÄ, NO, NOPE
    SICK      SJUK, SICK          + optional when (see below)
    VAB       VAB                 + optional when (care of a sick child; as SICK otherwise)
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
- SICK / WELL / UNBOOK take an optional "when", read by `bot.domain.grammar.read_when`
  (the one grammar Telegram uses too): idag / imorgon / i övermorgon / a weekday ->
  day_offset, a date (3/12, 2026-12-03, "3 dec", ...) -> `date`. Without a year the date
  nearest to `today` is meant ("2/1" on 30 December is next year's). Nothing given ->
  both None: the service decides (from the next shift). An impossible date (31/2) makes
  the message UNKNOWN rather than "today".
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
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from bot.domain import grammar, intents
from bot.domain.model import AbsenceCategory


class Keyword(StrEnum):
    YES = "yes"  # JA
    NO = "no"  # NEJ
    SICK = "sick"  # SJUK
    VAB = "vab"  # VAB: the same report, category vab
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
        "vab": Keyword.VAB,
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


def parse_sms(body: str, today: dt.date) -> SmsCommand:
    """Read one inbound SMS. `today` is the local (Europe/Stockholm) date it arrived."""
    raw = body.strip()
    if twilio_opted_out(body):  # "STOP ALL": Twilio has opted the sender out
        return SmsCommand(Keyword.STOP, raw=raw)
    tokens = grammar.tokens(grammar.fold(body))
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
    if keyword in (Keyword.SICK, Keyword.VAB, Keyword.WELL, Keyword.UNBOOK):
        when = grammar.read_when([t for t in rest if t.text not in _WHEN_FILLERS], today)
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
    tokens = grammar.tokens(grammar.fold(body))
    if not tokens or any(t.kind != "word" for t in tokens):
        return False
    return "".join(t.text for t in tokens) in TWILIO_OPT_OUT_WORDS


def intent_of(command: SmsCommand, today: dt.date) -> intents.PersonIntent:
    """The use case an SMS asks for, as the same intent a Telegram button gives.
    A day is a local date (`today` plus the offset said); FRISK is about now."""
    day = command.date
    if day is None and command.day_offset is not None:
        day = today + dt.timedelta(days=command.day_offset)
    match command.keyword:
        case Keyword.YES:
            return intents.Accept(code=command.code)
        case Keyword.NO:
            return intents.Decline(code=command.code)
        case Keyword.SICK:
            return intents.ReportAbsence(AbsenceCategory.SJUK, day=day)
        case Keyword.VAB:
            return intents.ReportAbsence(AbsenceCategory.VAB, day=day)
        case Keyword.WELL:
            return intents.ReportWell()
        case Keyword.UNBOOK:
            return intents.CancelBooking(day=day)
        case Keyword.BOOKINGS:
            return intents.ListBookings()
        case Keyword.STOP:
            return intents.OptOut()
        case Keyword.START:
            return intents.OptIn()
        case Keyword.HELP:
            return intents.Help()
    return intents.NotUnderstood()
