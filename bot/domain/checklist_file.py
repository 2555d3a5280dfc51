"""Checklist templates from CSV, parsed (pure): `vikariebot import checklist FILE`.

Columns `unit,position,text,kind`; an empty unit is the default template. The same reader
as the other imports (`bot.domain.importer.read_records`: what Excel saves, Swedish column
names, line-numbered Swedish errors). Only `position` and `text` are required: without
`unit` every item is the default template's, without `kind` every item is a tick.
`storage.checklist_import` writes a file that parsed without an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.checklist import ItemKind
from bot.domain.codes import fold
from bot.domain.importer import RowError, check_header, read_records, row_error

COLUMNS = ("unit", "position", "text", "kind")
REQUIRED = ("position", "text")
COLUMN_ALIASES = {"enhet": "unit", "punkt": "position", "typ": "kind"}
KIND_ALIASES = {  # in fold() form
    "": ItemKind.TICK, "tick": ItemKind.TICK, "bock": ItemKind.TICK,
    "note": ItemKind.NOTE, "anteckning": ItemKind.NOTE,
    "confirm": ItemKind.CONFIRM, "bekrafta": ItemKind.CONFIRM,
}
MAX_TEXT = 300
MAX_POSITION = 999
_ID = re.compile(r"[\w.:-]{1,64}")


@dataclass(frozen=True, slots=True)
class ItemRow:
    line: int
    unit_id: str | None  # None: the default template
    position: int
    text: str
    kind: ItemKind


@dataclass(slots=True)
class ParsedChecklist:
    rows: list[ItemRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_checklist(text: str) -> ParsedChecklist:
    """Pure: CSV text in, item rows or line-numbered errors out."""
    out = ParsedChecklist()
    header, records = read_records(text, lambda fields: _header(fields, out.errors), out.errors)
    seen: dict[tuple[str | None, int], int] = {}
    for rec in records:
        values = {c: "" for c in COLUMNS} | rec.values
        line = rec.line
        row = _row(line, values, out.errors)
        if row is None:
            continue
        key = (row.unit_id, row.position)
        if key in seen:
            where = f"enhet {row.unit_id!r}" if row.unit_id else "standardmallen"
            out.errors.append(row_error(
                line, f"punkt {row.position} för {where} finns redan på rad {seen[key]}"))
            continue
        seen[key] = line
        out.rows.append(row)
    if header is not None and not out.rows and not out.errors:
        out.errors.append(row_error(0, "filen har inga punkter (minst en rad krävs)"))
    out.errors.sort(key=lambda e: e.line)
    return out


def _header(fields: list[str], errors: list[RowError]) -> list[str] | None:
    return check_header(fields, COLUMNS, errors, required=REQUIRED, aliases=COLUMN_ALIASES)


def _row(line: int, v: dict[str, str], errors: list[RowError]) -> ItemRow | None:
    problems: list[str] = []
    unit = v["unit"] or None
    if unit is not None and not _ID.fullmatch(unit):
        problems.append(f"ogiltigt enhets-id {unit!r} "
                        "(bokstäver, siffror, . _ - :, högst 64 tecken)")
    position = 0
    if not v["position"].isdigit() or not 1 <= int(v["position"]) <= MAX_POSITION:
        problems.append(f"ogiltig position {v['position']!r} (ett heltal 1–{MAX_POSITION})")
    else:
        position = int(v["position"])
    text = v["text"]
    if not text:
        problems.append("text saknas")
    elif len(text) > MAX_TEXT:
        problems.append(f"text är längre än {MAX_TEXT} tecken")
    kind = KIND_ALIASES.get(fold(v["kind"]))
    if kind is None:
        problems.append(f"okänd typ {v['kind']!r} (tillåtna: tick, note, confirm)")
    errors.extend(row_error(line, p) for p in problems)
    if problems or kind is None:
        return None
    return ItemRow(line, unit, position, text, kind)
