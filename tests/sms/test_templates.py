"""Every SMS text is GSM-7 and one segment at its longest realistic values."""

from __future__ import annotations

import string

import pytest

from bot.domain.grammar import channel_choice
from bot.domain.gsm7 import GSM7_SINGLE, is_gsm7, segments, to_gsm7
from bot.domain.model import Channel
from bot.domain.phone import mask_phone
from bot.texts import CATALOG, PLURALS, requirement_names, t, tn
from handlers.sms.conversation import fit_sms

LANGS = ("sv", "en")  # the catalogue in bot/texts.py; the translations: tests/unit/test_i18n.py
# Longest realistic values. A unit name like "Hemtjänst Söder"; a shift on the longest
# day label at two-digit hours; the longest SMS role name with two requirements (a
# vårdbiträde needing a licence and delegation); codes, counts and days of two digits.
ROLE_SMS = {"sv": "vårdbitr.", "en": "nurse asst"}
DAY = {"sv": "mån 30/12", "en": "Wed 30/12"}
NAME = "Anna-Karin Lindqvist"
FIRST_NAME = "Anna-Karin"


def longest(lang: str) -> dict[str, object]:
    day = DAY[lang]
    item = t("sms_offer_item", lang, code=99, day=day, start="07:00", end="16:00")
    booking = t(
        "sms_booking_item", lang, day=day, start="07:00", end="16:00", unit="Hemtjänst Söder"
    )
    return {
        "unit": "Hemtjänst Söder",
        "day": day,
        "start": "07:00",
        "end": "16:00",
        "role": ROLE_SMS[lang],
        "reqs": ", " + requirement_names(("korkort", "delegering"), lang),
        "intro": t("offer_intro_sms", lang, name=FIRST_NAME),
        "code": 99,
        "others": t("late_others_sms", lang),
        "shifts": f"{day} 07:00-12:00, {day} 16:00-22:00",  # a split shift
        "name": NAME,
        "person": NAME,
        "sub": NAME,
        "phone": mask_phone("+46701234567"),
        "error": 21614,
        "count": 99,
        "days": 14,
        "progress": "12/15",
        "n": 2,
        "of": 3,
        "channel": t("sms_channel_both", lang),
        "lead": max(
            (t("sms_lead_bad_code", lang, code=99), t("sms_lead_many", lang, count=99)), key=len
        ),
        "offers": item + t("sms_more", lang, count=9),
        "items": booking + t("sms_more", lang, count=9),
    }


FALLBACK = "x" * 12  # a field this test does not know yet: give it to `longest`


def _render(key: str, lang: str) -> str:
    values = longest(lang)
    if key in PLURALS:  # the longer of the two forms
        forms = PLURALS[key].get(lang) or PLURALS[key]["sv"]
        fields = {f for form in forms for _, f, _, _ in string.Formatter().parse(form) if f}
        params = {f: values.get(f, FALLBACK) for f in fields}
        return max((tn(key, n, lang, **params) for n in (1, 99)), key=len)
    template = CATALOG[key].get(lang) or CATALOG[key]["sv"]
    fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    return t(key, lang, **{f: values.get(f, FALLBACK) for f in fields})


SMS_KEYS = sorted(k for k in CATALOG if k.endswith("_sms") or k.startswith("sms_"))
# Texts of other use cases that the SMS channel sends as they are (through to_gsm7).
SENT_AS_SMS = ("declined", "offer_expired", "well_receipt", "well_nothing")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", SMS_KEYS)
def test_sms_template_is_gsm7_and_one_segment(key: str, lang: str) -> None:
    text = _render(key, lang)
    assert is_gsm7(text), f"{key}/{lang} is not GSM-7: {text!r}"
    assert segments(text) == 1, f"{key}/{lang} is {len(text)} > {GSM7_SINGLE}: {text!r}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", SENT_AS_SMS)
def test_other_texts_sent_by_sms_fit_after_to_gsm7(key: str, lang: str) -> None:
    text = to_gsm7(_render(key, lang))
    assert is_gsm7(text) and segments(text) == 1, text


def test_the_catalog_has_the_sms_texts() -> None:
    assert {"offer_sms", "booked_sms", "sms_help", "sms_stopped", "sms_unknown_sender"} <= set(
        SMS_KEYS
    )


def test_fit_sms_keeps_one_segment() -> None:
    items = [f"{n}: mån 30/12 07:00-16:00" for n in range(1, 15)]
    text = fit_sms(
        lambda shown: f"Du har 14 öppna förfrågningar. Svara JA eller NEJ + kod: {shown}",
        items,
        lambda n: f" +{n} till",
    )
    assert segments(text) == 1 and text.endswith(" till")
    assert fit_sms(lambda shown: f"Dina pass: {shown}", ["a", "b"], lambda n: "") == (
        "Dina pass: a, b"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("KANAL SMS", (True, Channel.SMS)),
        ("kanal telegram", (True, Channel.TELEGRAM)),
        ("Kanal Båda", (True, Channel.BOTH)),
        ("KANAL bada", (True, Channel.BOTH)),
        ("channel both", (True, Channel.BOTH)),
        ("kanal: via sms", (True, Channel.SMS)),
        ("KANAL", (True, None)),
        ("kanal sms telegram", (True, None)),
        ("ja 1", (False, None)),
        ("", (False, None)),
        ("kanalen", (False, None)),
    ],
)
def test_channel_choice(body: str, expected: tuple[bool, Channel | None]) -> None:
    assert channel_choice(body) == expected


@pytest.mark.parametrize("lang", LANGS)
def test_booked_sms_with_contact_fits_two_segments(lang: str) -> None:
    """A confirmation may cost two segments with the unit's address, phone and handledare;
    a longer address is shortened, never a third segment."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from bot.domain.messages import booked_message
    from bot.domain.model import Person, Shift, Unit

    tz = ZoneInfo("Europe/Stockholm")
    start = dt.datetime(2026, 12, 30, 7, 0, tzinfo=tz)
    shift = Shift("s", "u", start, start + dt.timedelta(hours=9), "vardbitrade")
    person = Person("p", NAME, language=lang)
    for address in ("Norra Storgatan 12, Vikby", "Gamla Landsvägen 123 B, " * 12):
        unit = Unit("u", "Hemtjänst Söder", "C", address=address, phone="+46846500410")
        sms = booked_message(shift, unit, person, tz, handledare=FIRST_NAME).sms
        assert sms is not None and is_gsm7(to_gsm7(sms)) and segments(to_gsm7(sms)) <= 2, sms
        assert "08-465 004 10" in sms and FIRST_NAME in sms and "Gamla Landsvägen" not in (
            sms if address.startswith("Norra") else "")
