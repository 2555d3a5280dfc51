"""Spreadsheet cells: formulas defused, hours with a decimal comma."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.spreadsheet import hours_cell, safe_cell


@pytest.mark.parametrize(
    ("given", "cell"),
    [
        ('=HYPERLINK("http://x","klick")', '\'=HYPERLINK("http://x","klick")'),
        ("+46701234567", "'+46701234567"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        ("Anna Andersson", "Anna Andersson"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (7, "7"),
    ],
)
def test_safe_cell(given: object, cell: str) -> None:
    assert safe_cell(given) == cell


@pytest.mark.parametrize(
    ("minutes", "cell"), [(450, "7,5"), (480, "8"), (15, "0,25"), (0, "0"), (20, "0,33")]
)
def test_hours_cell(minutes: int, cell: str) -> None:
    assert hours_cell(dt.timedelta(minutes=minutes)) == cell
