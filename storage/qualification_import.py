"""The qualification catalogue from CSV (`vikariebot import qualifications FILE`).

The file is the whole catalogue: entries are updated by id, new ones added, and an id
missing from the file is removed – unless a person holds it or a coming shift requires
it, which refuses the whole import with who and what (nothing is silently deleted).
Turning `expires` on is refused while someone holds the qualification without an end
date. Same style as `storage.imports`: nothing is written unless the whole file is right.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.importer import RowError, row_error
from bot.domain.qualification_file import QualificationRow, parse_qualifications
from bot.domain.qualifications import Catalogue
from storage import tables as t
from storage.db import Database
from storage.imports import ACTOR, ImportResult, db_reason, read_csv
from storage.qualifications import load_catalogue

_EXAMPLES = 3  # ids named in a refusal; the rest are counted


async def import_qualifications(db: Database, path: Path, now: dt.datetime) -> ImportResult:
    """Replace the catalogue with the file's; on any error nothing changes."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    read = await read_csv(path)
    if isinstance(read, RowError):
        return ImportResult(errors=[read])
    text, encoding = read
    parsed = parse_qualifications(text)
    if parsed.errors:
        return ImportResult(errors=parsed.errors, encoding=encoding)
    result = ImportResult(encoding=encoding)
    try:
        async with db.write() as conn:
            old = await load_catalogue(conn)
            wanted = {r.type.id for r in parsed.rows}
            removed = [i for i in old.ids if i not in wanted]
            errors = await _still_in_use(conn, removed, now)
            errors += await _expiry_missing(conn, parsed.rows, old)
            if errors:
                return ImportResult(errors=sorted(errors, key=lambda e: e.line))
            await _write(conn, parsed.rows, old, removed, result)
            detail = {"created": result.created, "updated": result.updated,
                      "unchanged": result.unchanged, "removed": removed}
            await conn.execute(sa.insert(t.audit_log).values(
                at=now, actor=ACTOR, action="import", object_type="qualifications",
                object_id=path.name[:64], channel="cli",
                detail=json.dumps(detail, ensure_ascii=False),
            ))
    except sa.exc.IntegrityError as exc:  # a safety net: the checks above should prevent it
        return ImportResult(errors=[row_error(0, f"databasen avvisade importen: {db_reason(exc)}")])
    result.removed = len(removed)
    return result


def _named(ids: Iterable[str]) -> str:
    items = sorted(set(ids))
    shown = ", ".join(items[:_EXAMPLES])
    return shown + (f" och {len(items) - _EXAMPLES} till" if len(items) > _EXAMPLES else "")


async def _still_in_use(
    conn: AsyncConnection, removed: Sequence[str], now: dt.datetime
) -> list[RowError]:
    if not removed:
        return []
    holders: dict[str, set[str]] = defaultdict(set)
    q = sa.select(t.qualifications.c.code, t.qualifications.c.person_id).where(
        t.qualifications.c.code.in_(removed))
    for r in (await conn.execute(q)).all():
        holders[r.code].add(r.person_id)
    # Shifts that have not ended; history keeps its codes (they are only text).
    shifts: dict[str, set[str]] = defaultdict(set)
    q2 = sa.select(t.shifts.c.id, t.shifts.c.requirements).where(
        t.shifts.c.cancelled.is_(False), t.shifts.c.ends_at > now, t.shifts.c.requirements != "")
    for r in (await conn.execute(q2)).all():
        for code in r.requirements.split(";"):
            if code in removed:
                shifts[code].add(r.id)
    errors: list[RowError] = []
    for code in removed:
        uses = []
        if holders[code]:
            uses.append(f"{len(holders[code])} personer har den ({_named(holders[code])})")
        if shifts[code]:
            uses.append(f"{len(shifts[code])} kommande pass kräver den ({_named(shifts[code])})")
        if uses:
            errors.append(row_error(0, (
                f"behörigheten {code!r} saknas i filen men kan inte tas bort: "
                f"{' och '.join(uses)}. Behåll raden, eller ta först bort behörigheten "
                "från personerna och kraven från passen.")))
    return errors


async def _expiry_missing(
    conn: AsyncConnection, rows: Sequence[QualificationRow], old: Catalogue
) -> list[RowError]:
    """Rows that turn `expires` on while someone holds the qualification without a date."""
    turned_on = {r.type.id: r.line for r in rows if r.type.requires_expiry
                 and not ((prev := old.get(r.type.id)) is not None and prev.requires_expiry)}
    if not turned_on:
        return []
    undated: dict[str, set[str]] = defaultdict(set)
    q = sa.select(t.qualifications.c.code, t.qualifications.c.person_id).where(
        t.qualifications.c.code.in_(list(turned_on)), t.qualifications.c.expires_on.is_(None))
    for r in (await conn.execute(q)).all():
        undated[r.code].add(r.person_id)
    return [row_error(turned_on[code], (
        f"{code!r} kan inte kräva slutdatum än: {len(people)} personer har den utan datum "
        f"({_named(people)}); importera dem med {code}:ÅÅÅÅ-MM-DD först"))
        for code, people in sorted(undated.items())]


async def _write(
    conn: AsyncConnection, rows: Sequence[QualificationRow], old: Catalogue,
    removed: Sequence[str], result: ImportResult,
) -> None:
    types, aliases = t.qualification_types, t.qualification_aliases
    if removed:
        await conn.execute(sa.delete(aliases).where(aliases.c.qualification_id.in_(removed)))
        await conn.execute(sa.delete(types).where(types.c.id.in_(removed)))
    changed_aliases: list[str] = []
    for row in rows:
        q, prev = row.type, old.get(row.type.id)
        values = {"name": q.name, "requires_expiry": q.requires_expiry}
        if prev is None:
            await conn.execute(sa.insert(types).values(id=q.id, **values))
            result.created += 1
        elif (prev.name, prev.requires_expiry, set(prev.aliases)) != (
                q.name, q.requires_expiry, set(q.aliases)):
            await conn.execute(sa.update(types).where(types.c.id == q.id).values(**values))
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        changed_aliases.append(q.id)
    # Aliases are replaced after every entry exists, so one may move between entries.
    if changed_aliases:
        stale = aliases.c.qualification_id.in_(changed_aliases)
        await conn.execute(sa.delete(aliases).where(stale))
        new = [{"alias": a, "qualification_id": r.type.id}
               for r in rows if r.type.id in changed_aliases for a in r.type.aliases]
        if new:
            await conn.execute(sa.insert(aliases), new)
