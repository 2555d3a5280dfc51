"""Cells for spreadsheets opened in Swedish Excel: formula injection defused, hours with a
decimal comma. The file format itself (`;`, UTF-8 with BOM) is in bot/services/exports.py."""

from __future__ import annotations

import datetime as dt

# A cell starting with one of these is read as a formula (or starts one after a tab/CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The text of a cell, with a leading `'` when a spreadsheet would run it as a formula:
    a name like `=HYPERLINK("http://evil", "klicka")` stays text (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def hours_cell(span: dt.timedelta) -> str:
    """Hours with a decimal comma and at most two decimals: 7,5 · 8 · 0,25 · 0."""
    hours = round(span.total_seconds() / 3600, 2)
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
