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
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa

from bot.domain.checklist_file import ItemRow, parse_checklist
from bot.domain.importer import RowError, row_error
from storage import checklists
from storage import tables as t
from storage.db import Database
from storage.imports import ACTOR, ImportResult, db_reason, read_csv


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
