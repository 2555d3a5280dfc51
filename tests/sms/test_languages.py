"""SMS in every language (bot.i18n.LANGUAGES): an offer fits two segments, GSM-7 or UCS-2,
at its longest realistic values; the keyword SPRÅK picks a language."""

from __future__ import annotations

import datetime as dt
import string
from zoneinfo import ZoneInfo

import pytest

from bot.domain.grammar import language_choice
from bot.domain.gsm7 import is_gsm7, segments, to_gsm7
from bot.i18n import LANGUAGES, for_coordinators, is_rtl
from bot.texts import CATALOG, day_label, requirement_names, role_name, t

TZ = ZoneInfo("Europe/Stockholm")
UNIT = "Hemtjänst Söder"
FIRST_NAME = "Anna-Karin"
# Texts that substitutes and staff get by SMS in their own language (coordinators' and
# handledare's texts stay Swedish and English: tests/sms/test_templates.py).
SMS_KEYS = sorted(
    k for k in CATALOG if (k.endswith("_sms") or k.startswith("sms_")) and not for_coordinators(k)
)


def _longest_day(lang: str) -> str:
    """The longest day label of a week in December (two-digit day)."""
    days = (dt.datetime(2026, 12, 21 + i, 12, tzinfo=TZ) for i in range(7))
    return max((day_label(d, TZ, lang) for d in days), key=len)


def longest(lang: str) -> dict[str, object]:
    day = _longest_day(lang)
    item = t("sms_offer_item", lang, code=99, day=day, start="07:00", end="16:00")
    booking = t("sms_booking_item", lang, day=day, start="07:00", end="16:00", unit=UNIT)
    return {
        "unit": UNIT,
        "day": day,
        "date": "30/12",
        "start": "07:00",
        "end": "16:00",
        "role": max((role_name(r, lang, sms=True) for r in ("usk", "vardbitrade")), key=len),
        "reqs": ", " + requirement_names(("korkort", "delegering"), lang),
        "intro": t("offer_intro_sms", lang, name=FIRST_NAME),
        "code": 99,
        "others": t("late_others_sms", lang),
        "shifts": f"{day} 07:00-12:00, {day} 16:00-22:00",
        "name": "Anna-Karin Lindqvist",
        "phone": "070-***4567",
        "address": "Götgatan 12",
        "contact": "",
        "count": 99,
        "days": 14,
        "channel": t("sms_channel_both", lang),
        "codes": " ".join(LANGUAGES).upper(),
        "lead": t("sms_lead_many", lang, count=99),
        "offers": item + t("sms_more", lang, count=9),
        "items": booking + t("sms_more", lang, count=9),
    }


def _render(key: str, lang: str) -> str:
    values = longest(lang)
    template = CATALOG[key]["sv"]
    fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    return to_gsm7(t(key, lang, **{f: values.get(f, "x" * 12) for f in fields}))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_offer_fits_two_segments(lang: str) -> None:
    text = _render("offer_sms", lang)
    assert segments(text) <= 2, f"{lang}: {segments(text)} segments: {text!r}"
    assert "99" in text


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", SMS_KEYS)
def test_every_sms_text_fits_two_segments(key: str, lang: str) -> None:
    text = _render(key, lang)
    assert segments(text) <= 2, f"{key}/{lang}: {segments(text)} segments: {text!r}"


@pytest.mark.parametrize("lang", ["sv", "en", "so"])
def test_latin_script_offers_stay_gsm7(lang: str) -> None:
    assert is_gsm7(_render("offer_sms", lang))


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if is_rtl(lang)])
def test_rtl_offer_isolates_times_and_names(lang: str) -> None:
    text = _render("offer_sms", lang)
    assert "\u206807:00\u2069" in text and f"\u2068{UNIT}\u2069" in text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("SPRÅK AR", (True, "ar")),
        ("språk so", (True, "so")),
        ("Language en", (True, "en")),
        ("SPRAK", (True, None)),
        ("SPRÅK xx", (True, None)),
        ("JA 12", (False, None)),
    ],
)
def test_language_keyword(body: str, expected: tuple[bool, str | None]) -> None:
    assert language_choice(body) == expected
