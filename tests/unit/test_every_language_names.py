"""Every name a message may hold (absence categories, roles, weekdays, requirements) exists
in every language of bot.i18n.LANGUAGES: the tables in bot/texts.py hold sv and en only,
the other languages come from their catalogues through the lookup functions."""

from __future__ import annotations

import pathlib
import re

import pytest

from bot.domain.model import AbsenceCategory
from bot.i18n import LANGUAGES
from bot.texts import (
    CATEGORY_NAMES,
    REQUIREMENT_NAMES,
    ROLE_NAMES,
    category_name,
    requirement_names,
    role_name,
    weekday_names,
)
from handlers.telegram.staff import _category_keyboard

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_names_exist_in_every_language(lang: str) -> None:
    assert {category_name(c, lang) for c in CATEGORY_NAMES} and all(
        category_name(c, lang) for c in CATEGORY_NAMES
    )
    assert all(role_name(r, lang) and role_name(r, lang, sms=True) for r in ROLE_NAMES)
    assert requirement_names(tuple(REQUIREMENT_NAMES), lang)
    days = weekday_names(lang)
    assert len(days) == 7 and len(set(days)) == 7


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_absence_category_buttons_in_every_language(lang: str) -> None:
    """A staff member who reads Arabic reaches the category step of /sjuk."""
    keyboard = _category_keyboard(lang)
    labels = [b.text for row in keyboard.inline_keyboard for b in row]
    assert len(labels) == len(AbsenceCategory) + 1 and all(labels)


def test_no_code_indexes_a_two_language_table_by_language() -> None:
    """`ROLE_NAMES[code][lang]` is a KeyError for ar/fa/so/ti: use the lookup functions."""
    pattern = re.compile(
        r"\b(CATEGORY_NAMES|ROLE_NAMES|ROLE_NAMES_SMS|REQUIREMENT_NAMES|WEEKDAYS)\[[^\]]+\]\[|"
        r"\bWEEKDAYS\[lang\]|\bn\[lang\]"
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("bot", "handlers", "storage")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "texts.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
