"""How staff's one-word SMS replies are read: (what they type -> what the bot understands)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.intents import ReportAbsence
from bot.domain.model import AbsenceCategory
from bot.domain.sms_reply import Keyword, SmsCommand, intent_of, parse_sms

TODAY = dt.date(2026, 11, 24)  # a Tuesday

YES, NO = Keyword.YES, Keyword.NO


@pytest.mark.parametrize(
    ("body", "keyword", "code"),
    [
        ("ja", YES, None),
        ("Ja!", YES, None),
        ("JA", YES, None),
        ("  ja.  ", YES, None),
        ("j", YES, None),
        ("J", YES, None),
        ("yes", YES, None),
        ("Y", YES, None),
        ("ok", YES, None),
        ("Okej!", YES, None),
        ("Japp", YES, None),
        ("Ja tack!", YES, None),
        ("ja ja", YES, None),
        ("Ja 👍", YES, None),
        ("👍 JA 😊", YES, None),
        ("ＪＡ", YES, None),  # full-width, from some keyboards
        ("JA 47", YES, 47),
        ("JA47", YES, 47),
        ("Ja, 47", YES, 47),
        ("47 ja", YES, 47),
        ("47, JA!", YES, 47),
        ("ja tack 47", YES, 47),
        ("ja nr 47", YES, 47),
        ("ja #47", YES, 47),
        ("Hej! Ja 8", YES, 8),
        ("nej", NO, None),
        ("Nej.", NO, None),
        ("NEJ", NO, None),
        ("NO", NO, None),
        ("n", NO, None),
        ("nä", NO, None),
        ("NÄ", NO, None),
        ("Nej tack", NO, None),
        ("nej tyvärr", NO, None),
        ("nej 12", NO, 12),
        ("NEJ12", NO, 12),
        ("12 nej", NO, 12),
        ("Nej, 12.", NO, 12),
    ],
)
def test_yes_and_no(body: str, keyword: Keyword, code: int | None) -> None:
    assert parse_sms(body, TODAY) == SmsCommand(keyword, code=code, raw=body.strip())


@pytest.mark.parametrize(
    ("body", "day_offset", "date"),
    [
        ("sjuk", None, None),  # the service decides: from the next shift
        ("SJUK", None, None),
        ("Sjuk.", None, None),
        ("sjuk idag", 0, None),
        ("Sjuk i dag", 0, None),
        ("Sjuk imorgon", 1, None),
        ("SJUK I MORGON", 1, None),
        ("sjuk från imorgon", 1, None),
        ("sjuk i övermorgon", 2, None),
        ("sick tomorrow", 1, None),
        ("sjuk tisdag", 0, None),  # today is a Tuesday
        ("sjuk fre", 3, None),
        ("sjuk måndag", 6, None),
        ("SJUK 3/12", None, dt.date(2026, 12, 3)),
        ("sjuk den 3/12", None, dt.date(2026, 12, 3)),
        ("sjuk 3/12/2026", None, dt.date(2026, 12, 3)),
        ("sjuk 3/12/26", None, dt.date(2026, 12, 3)),
        ("sjuk 2026-12-03", None, dt.date(2026, 12, 3)),
        ("sjuk 3 dec", None, dt.date(2026, 12, 3)),
        ("Sjuk 3:e december", None, dt.date(2026, 12, 3)),
        ("sjuk 3 dec 2026", None, dt.date(2026, 12, 3)),
        ("sjuk 2/1", None, dt.date(2027, 1, 2)),  # the nearest 2 January is next year's
        ("sjuk 20/11", None, dt.date(2026, 11, 20)),  # four days ago, not next year
    ],
)
def test_sick(body: str, day_offset: int | None, date: dt.date | None) -> None:
    expected = SmsCommand(Keyword.SICK, day_offset=day_offset, date=date, raw=body.strip())
    assert parse_sms(body, TODAY) == expected


@pytest.mark.parametrize(
    ("body", "day_offset", "date"),
    [("vab", None, None), ("VAB imorgon", 1, None), ("vab 3/12", None, dt.date(2026, 12, 3))],
)
def test_vab_is_an_absence_of_its_own_category(
    body: str, day_offset: int | None, date: dt.date | None
) -> None:
    command = parse_sms(body, TODAY)
    expected = SmsCommand(Keyword.VAB, day_offset=day_offset, date=date, raw=body.strip())
    assert command == expected
    intent = intent_of(command, TODAY)
    assert isinstance(intent, ReportAbsence) and intent.category == AbsenceCategory.VAB


@pytest.mark.parametrize(
    ("body", "day_offset"),
    [("frisk", None), ("FRISK!", None), ("frisk igen", None), ("Frisk imorgon", 1)],
)
def test_well(body: str, day_offset: int | None) -> None:
    assert parse_sms(body, TODAY) == SmsCommand(Keyword.WELL, day_offset=day_offset, raw=body)


@pytest.mark.parametrize(
    ("body", "day_offset", "date"),
    [
        ("avboka", None, None),  # the service takes the next booked shift
        ("AVBOKA", None, None),
        ("Avboka!", None, None),
        ("AVBOKA 2/12", None, dt.date(2026, 12, 2)),
        ("avboka den 2/12", None, dt.date(2026, 12, 2)),
        ("Avboka 2 dec", None, dt.date(2026, 12, 2)),
        ("avboka 2026-12-02", None, dt.date(2026, 12, 2)),
        ("AVBOKA imorgon", 1, None),
        ("avboka i morgon tack", 1, None),
        ("Avboka fredag", 3, None),
        ("avboka mitt pass 2/12", None, dt.date(2026, 12, 2)),  # PASS names the booking
        ("AVBOKA passet imorgon", 1, None),
        ("avboka pass", None, None),
        ("unbook", None, None),
        ("UNBOOK tomorrow", 1, None),
        ("unbook my shift on friday", 3, None),
    ],
)
def test_unbook(body: str, day_offset: int | None, date: dt.date | None) -> None:
    expected = SmsCommand(Keyword.UNBOOK, day_offset=day_offset, date=date, raw=body.strip())
    assert parse_sms(body, TODAY) == expected


@pytest.mark.parametrize("body", ["CANCEL", "cancel", "Cancel.", "CANCEL!"])
def test_cancel_stays_twilios_opt_out(body: str) -> None:
    """Twilio has opted the number out on CANCEL: it can never mean AVBOKA."""
    assert parse_sms(body, TODAY) == SmsCommand(Keyword.STOP, raw=body.strip())


@pytest.mark.parametrize(
    ("body", "keyword"),
    [
        ("pass", Keyword.BOOKINGS),
        ("PASSEN", Keyword.BOOKINGS),
        ("mina pass", Keyword.BOOKINGS),
        ("Mina pass?", Keyword.BOOKINGS),
        ("schema", Keyword.BOOKINGS),
        ("stopp", Keyword.STOP),
        ("STOPP!", Keyword.STOP),
        ("STOP", Keyword.STOP),
        ("unsubscribe", Keyword.STOP),  # Twilio opted them out already: so do we
        ("start", Keyword.START),
        ("START", Keyword.START),
        ("hjälp", Keyword.HELP),
        ("HJÄLP", Keyword.HELP),
        ("HJALP", Keyword.HELP),
        ("Hjälp?", Keyword.HELP),
        ("help", Keyword.HELP),
        ("?", Keyword.HELP),
        (" ?? ", Keyword.HELP),
        ("？", Keyword.HELP),  # full-width question mark
        ("info", Keyword.HELP),
    ],
)
def test_other_keywords(body: str, keyword: Keyword) -> None:
    assert parse_sms(body, TODAY) == SmsCommand(keyword, raw=body.strip())


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   ",
        "👍",
        "hej hur mår du",
        "Vad betyder det här?",
        "ja men bara till 14",  # a conditional yes is not a yes
        "ja nej",
        "ja 47 och 48",
        "ja 12345",  # not an offer code (a phone number?)
        "47",
        "jag kan",
        "sjuk 31/2",  # no such date: ask again rather than guess
        "sjuk 3",
        "sjuk idag och imorgon",
        "avboka 31/2",  # no such date: ask again rather than cancel the next shift
        "avboka 3",
        "avboka ja",
        "avboka sjuk",
        "cancel 2/12",  # not Twilio's opt-out, and not AVBOKA either
        "cancel my shift",
        "mina pass imorgon",
        "stoppa inte",
        "søk",  # one word, not "s" + "k"
        'Gillade "Kan du jobba ons?"',  # an iPhone reaction
    ],
)
def test_unknown(body: str) -> None:
    assert parse_sms(body, TODAY) == SmsCommand(Keyword.UNKNOWN, raw=body.strip())


def test_raw_keeps_the_original_text() -> None:
    assert parse_sms("  Ja, 47 👍\n", TODAY).raw == "Ja, 47 👍"


def test_keyword_values_are_stable_strings() -> None:
    assert [k.value for k in Keyword] == [
        "yes", "no", "sick", "vab", "well", "unbook", "bookings", "stop", "start", "help",
        "unknown",
    ]  # fmt: skip
