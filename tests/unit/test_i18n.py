"""Translation catalogues (bot.i18n, bot/locale): current, complete where they must be,
plural forms, right-to-left isolates and the one list of languages."""

from __future__ import annotations

import datetime as dt
import string
from zoneinfo import ZoneInfo

import pytest

from bot import i18n
from bot.cli import main
from bot.i18n_catalogues import coverage, sources, stale
from bot.texts import CATALOG, shift_times, t, tn

TZ = ZoneInfo("Europe/Stockholm")
TRANSLATED = [lang for lang in i18n.LANGUAGES if lang not in i18n.AUTHORED_LANGUAGES]


def test_catalogues_are_current() -> None:
    """messages.pot, en.po and every .po match bot/texts.py (else: python -m
    bot.i18n_catalogues update)."""
    assert stale() == []


def test_languages_come_from_the_catalogues() -> None:
    assert i18n.LANGUAGES[:2] == ("sv", "en")
    for lang in i18n.LANGUAGES[1:]:
        assert i18n.catalogue_path(lang).exists()


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_use_the_sources_parameters(lang: str) -> None:
    catalogue = i18n.translations(lang)
    assert catalogue is not None
    by_key = {src.key: src.sv for src in sources()}
    for key, entry in catalogue.entries.items():
        sv = by_key[key]
        wanted = _fields(sv[1] if isinstance(sv, tuple) else sv)
        for form in entry.forms:
            assert _fields(form) <= wanted, (lang, key, form)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_header_says_who_translated(lang: str) -> None:
    catalogue = i18n.translations(lang)
    assert catalogue is not None and "native speaker" in catalogue.header_comment


def test_a_missing_translation_falls_back_to_swedish() -> None:
    assert t("desk_title" if "desk_title" in CATALOG else "explain_none", "xx") == t(
        "desk_title" if "desk_title" in CATALOG else "explain_none", "sv"
    )


def test_plural_forms_sv_en() -> None:
    assert tn("well_receipt", 1, "en", count=1).endswith("1 shift.")
    assert tn("well_receipt", 3, "en", count=3).endswith("3 shifts.")
    assert tn("well_receipt", 3, "sv", count=3).endswith("3 pass.")


def test_languages_command_lists_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["languages"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == list(i18n.LANGUAGES)
    assert out[0].split()[2] == "100.0%"


def test_coverage_of_the_authored_languages_is_whole() -> None:
    assert coverage("sv").share == coverage("en").share == 1.0


def test_shift_times_unchanged_in_sv_en() -> None:
    start = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
    assert shift_times(start, start + dt.timedelta(hours=8), TZ, "sv") == {
        "day": "tis 1/12",
        "start": "07:00",
        "end": "15:00",
    }
    assert shift_times(start, start, TZ, "en")["day"] == "Tue 1/12"


# What a substitute or a staff member reads most: these must be translated in every
# language (`vikariebot languages` counts the rest that falls back to Swedish).
CORE = (
    "offer",
    "offer_sms",
    "btn_accept",
    "btn_decline",
    "booked",
    "booked_sms",
    "reminder",
    "reminder_sms",
    "btn_cannot_come",
    "taken",
    "late",
    "absence_receipt",
    "absence_receipt_sms",
    "well_receipt",
    "tg_help_head",
    "tg_can_staff",
    "tg_can_substitute",
    "tg_can_common",
    "tg_btn_absence",
    "tg_abs_pick",
    "tg_abs_confirm",
    "tg_avail",
    "tg_channel_ask",
    "tg_lang_set",
    "sms_help",
    "sms_not_understood",
    "sms_lang_set",
    "role_name:usk",
    "requirement:korkort",
)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_core_texts_are_translated(lang: str) -> None:
    catalogue = i18n.translations(lang)
    assert catalogue is not None
    assert [key for key in CORE if key not in catalogue.entries] == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_coordinator_texts_fall_back_to_swedish_and_are_counted(lang: str) -> None:
    assert t("explain_none", lang) == t("explain_none", "sv")
    assert coverage(lang).coordinator_fallback > 0


def _offer(lang: str) -> str:
    start = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
    return t(
        "offer",
        lang,
        unit="Hemtjänst Söder",
        role="usk",
        reqs="",
        intro="",
        **shift_times(start, start + dt.timedelta(hours=8), TZ, lang),
    )


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_rtl_parameters_are_isolated(lang: str) -> None:
    assert i18n.is_rtl(lang)
    text = _offer(lang)
    for value in ("07:00", "15:00", "Hemtjänst Söder"):
        assert f"{i18n.FSI}{value}{i18n.PDI}" in text
    assert text.count(i18n.FSI) == text.count(i18n.PDI)


@pytest.mark.parametrize("lang", ["sv", "en", "so", "ti"])
def test_ltr_texts_have_no_isolates(lang: str) -> None:
    assert i18n.FSI not in _offer(lang)


def test_arabic_offer_and_day_from_babel() -> None:
    text = _offer("ar")
    assert "الثلاثاء 1/12" in text and "وردية" in text


def test_arabic_plural_forms() -> None:
    forms = {n: tn("well_receipt", n, "ar", count=n) for n in (1, 2, 3, 11, 100)}
    assert "وردية واحدة" in forms[1] and "ورديتين" in forms[2]
    assert "3 ورديات" in forms[3] and "11 وردية" in forms[11]
    assert len(set(forms.values())) == 5


def test_languages_include_the_substitutes_languages() -> None:
    assert {"ar", "so", "fa", "ti"} <= set(i18n.LANGUAGES)
    assert i18n.native_name("ar") == "العربية"


def test_the_default_language_setting_accepts_the_catalogues_languages() -> None:
    from pydantic import ValidationError

    from bot.config import Settings

    assert Settings(language="ar").language == "ar"
    with pytest.raises(ValidationError):
        Settings(language="xx")


def test_texts_and_i18n_sit_at_the_bottom() -> None:
    """bot.i18n imports nothing of the bot's own, bot.texts only bot.i18n (texts < domain)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "bot"
    for name, allowed in (("i18n", set()), ("texts", {"bot.i18n"})):
        tree = ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))
        ours = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith(("bot", "storage"))
        }
        assert ours <= allowed, (name, ours)
