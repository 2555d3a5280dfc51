"""Checklist templates from CSV (`vikariebot import checklist FILE`).

Columns `unit,position,text,kind`; an empty unit is the default template. Every unit in
the file gets exactly the file's items: an item keeps its id when its position stays
(so ticks in running introductions stay on it), positions missing from the file are
removed with their ticks. Same style as `storage.imports`: what Excel saves (UTF-8 or
Windows-1252, comma or semicolon), Swedish column names (enhet, position, text, typ),
line-numbered Swedish errors, and nothing is written unless the whole file is right. Only
`position` and `text` are required: without `unit` every item is the default template's,
without `kind` every item is a tick.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bot.domain.checklist import ItemKind
from bot.domain.codes import fold
from bot.domain.importer import RowError, check_header, read_records, row_error
from storage import checklists
from storage import tables as t
from storage.db import Database
from storage.imports import ACTOR, ImportResult, db_reason, read_csv

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


async def import_checklist(db: Database, path: Path, now: dt.datetime) -> ImportResult:
    """Replace the items of every template named in the file; on any error nothing changes."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    read = await read_csv(path)
    if isinstance(read, RowError):
        return ImportResult(errors=[read])
    text, encoding = read
    parsed = parse_checklist(text)
    by_unit: dict[str | None, list[ItemRow]] = defaultdict(list)
    for row in parsed.rows:
        by_unit[row.unit_id].append(row)
    result = ImportResult(encoding=encoding)
    removed = 0
    try:
        async with db.write() as conn:
            errors = list(parsed.errors)
            wanted = sorted(u for u in by_unit if u is not None)
            known: dict[str, str] = {r.id: r.name for r in await conn.execute(
                sa.select(t.units.c.id, t.units.c.name).where(t.units.c.id.in_(wanted)))}
            for unit in wanted:
                if unit not in known:
                    first = min(r.line for r in by_unit[unit])
                    errors.append(row_error(first, f"okänd enhet {unit!r} (importera enheterna "
                                                   "först, eller lämna unit tom för standard)"))
            if errors:
                return ImportResult(errors=sorted(errors, key=lambda e: e.line))
            for unit_id, rows in by_unit.items():
                name = (f"Introduktion – {known[unit_id]}" if unit_id is not None
                        else checklists.DEFAULT_TEMPLATE_NAME)
                template_id = await checklists.get_or_create_template(conn, unit_id, name)
                old = {i.position: i for i in await checklists.items_of(conn, template_id)}
                for row in sorted(rows, key=lambda r: r.position):
                    prev = old.pop(row.position, None)
                    if prev is None:
                        await checklists.insert_item(conn, template_id, row.position, row.text,
                                               row.kind)
                        result.created += 1
                    elif (prev.text, prev.kind) != (row.text, row.kind):
                        await checklists.update_item(conn, prev.id, row.text, row.kind)
                        result.updated += 1
                    else:
                        result.unchanged += 1
                await checklists.delete_items(conn, [i.id for i in old.values()])
                removed += len(old)
            detail = {"created": result.created, "updated": result.updated,
                      "unchanged": result.unchanged, "removed": removed,
                      "templates": sorted(u or "" for u in by_unit)}
            await conn.execute(sa.insert(t.audit_log).values(
                at=now, actor=ACTOR, action="import", object_type="checklist",
                object_id=path.name[:64], channel="cli",
                detail=json.dumps(detail, ensure_ascii=False),
            ))
    except sa.exc.IntegrityError as exc:  # a safety net: the checks above should prevent it
        return ImportResult(errors=[row_error(0, f"databasen avvisade importen: {db_reason(exc)}")])
    return result
