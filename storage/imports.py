"""CSV import, the storage half: read the file, check it against the database, write it.

`bot.domain.importer` parses and validates the text; here we add the checks that need the
database (unknown units and people, phone numbers held by someone else, overlaps with a
person's existing shifts) and, only when there is no error at all, upsert every row by id
in ONE write transaction with one audit row. Rows not in the file are never touched; for
a person in the file roles and qualifications are replaced, introductions only added, an
empty phone cell keeps the number already stored, a column the file leaves out keeps what
is stored in it, and what the bot itself records (Telegram ids, pause, opt-out,
availability, active) is left alone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.csvfile import UndecodableCsv, decode_csv
from bot.domain.importer import (
    ImportKind,
    PersonRow,
    RowError,
    ShiftRow,
    UnitRow,
    existing_overlap_errors,
    parse_people,
    parse_shifts,
    parse_units,
    row_error,
    sms_refusal,
)
from bot.domain.model import Channel, Shift
from bot.domain.qualifications import Catalogue
from storage import tables as t
from storage.db import Database
from storage.qualifications import load_catalogue

ACTOR = "import"
_CHUNK = 500  # ids per IN (...) list, well under every driver's parameter limit


@dataclass(slots=True)
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    encoding: str = ""  # the file's, as decode_csv named it: "Windows-1252"
    removed: int = 0  # the qualification catalogue only: the file is the whole catalogue

    @property
    def ok(self) -> bool:
        return not self.errors


class _Count:
    def __init__(self) -> None:
        self.created = self.updated = self.unchanged = 0

    def add(self, *, new: bool, changed: bool) -> None:
        if new:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1


async def import_csv(
    db: Database, kind: ImportKind, path: Path, tz: ZoneInfo, now: dt.datetime
) -> ImportResult:
    """Import one CSV file of ``kind``; on any error nothing is written."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    read = await read_csv(path)
    if isinstance(read, RowError):
        return ImportResult(errors=[read])
    text, encoding = read
    # Parse before taking the write lock; check against the database inside it.
    async with db.read() as conn:
        catalogue = await load_catalogue(conn)  # the codes people and shifts may name
    errors, check, write = _plan(kind, text, tz, now, catalogue)
    count = _Count()
    try:
        async with db.write() as conn:
            errors = errors + await check(conn)
            if await load_catalogue(conn) != catalogue:
                errors.append(row_error(0, "behörigheterna ändrades under importen; "
                                           "försök igen"))
            if errors:
                return ImportResult(errors=sorted(errors, key=lambda e: e.line))
            await write(conn, count)
            detail = {"created": count.created, "updated": count.updated,
                      "unchanged": count.unchanged}
            await conn.execute(sa.insert(t.audit_log).values(
                at=now, actor=ACTOR, action="import", object_type=kind,
                object_id=path.name[:64], channel="cli", detail=json.dumps(detail),
            ))
    except sa.exc.IntegrityError as exc:  # a safety net: the checks above should prevent it
        return ImportResult(errors=[row_error(0, f"databasen avvisade importen: {db_reason(exc)}")])
    return ImportResult(created=count.created, updated=count.updated, unchanged=count.unchanged,
                        encoding=encoding)


def db_reason(exc: sa.exc.DBAPIError) -> str:
    """The driver's reason without the row's data: its first line only (PostgreSQL's DETAIL
    line says "Key (phone)=(+4670...) already exists", SQLAlchemy's adds [parameters: ...]),
    and not the value asyncpg quotes after "invalid input for query argument $2:"."""
    first = str(exc.orig).strip().split("\n", 1)[0]
    return re.sub(r"(query argument \$\d+):.*", r"\1", first)


_Check = Callable[[AsyncConnection], Awaitable[list[RowError]]]
_Write = Callable[[AsyncConnection, _Count], Awaitable[None]]


def _plan(
    kind: ImportKind, text: str, tz: ZoneInfo, now: dt.datetime, catalogue: Catalogue
) -> tuple[list[RowError], _Check, _Write]:
    """Parse the text; return its errors, the database checks and the writer for its rows."""
    if kind == "units":
        units = parse_units(text)
        return (units.errors, _no_check,
                lambda conn, count: _write_units(conn, units.rows, units.columns, count))
    if kind == "people":
        people = parse_people(text, catalogue)
        return (people.errors, lambda conn: _check_people(conn, people.rows, people.columns),
                lambda conn, count: _write_people(conn, people.rows, people.columns, now, count))
    if kind != "shifts":
        raise ValueError(f"unknown import kind {kind!r}")
    shifts = parse_shifts(text, tz, catalogue)
    return (shifts.errors, lambda conn: _check_shifts(conn, shifts.rows, tz),
            lambda conn, count: _write_shifts(conn, shifts.rows, shifts.columns, count))


async def _no_check(conn: AsyncConnection) -> list[RowError]:
    return []


async def read_csv(path: Path) -> tuple[str, str] | RowError:
    """The file's text and the name of its encoding (`bot.domain.csvfile.decode_csv`)."""
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        return row_error(0, f"filen {path} finns inte")
    except IsADirectoryError:
        return row_error(0, f"{path} är en katalog, inte en fil")
    except OSError as exc:
        return row_error(0, f"kan inte läsa {path}: {exc.strerror or exc}")
    try:
        return decode_csv(data)
    except UndecodableCsv as exc:
        return row_error(exc.line, exc.reason)


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(set(values))
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


async def _rows_by_id(
    conn: AsyncConnection, table: sa.Table, ids: Iterable[str], column: str = "id"
) -> list[sa.Row[Any]]:
    out: list[sa.Row[Any]] = []
    col = table.c[column]
    for chunk in _chunks(ids):
        out.extend((await conn.execute(sa.select(table).where(col.in_(chunk)))).all())
    return out


async def _existing_ids(conn: AsyncConnection, table: sa.Table, ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(ids):
        q = sa.select(table.c.id).where(table.c.id.in_(chunk))
        found.update((await conn.execute(q)).scalars())
    return found


# --- units -------------------------------------------------------------------------------


def _in_file(values: dict[str, Any], columns: frozenset[str]) -> dict[str, Any]:
    """The values of a known row to write: a column the file leaves out keeps what is stored."""
    return {k: v for k, v in values.items() if k in columns}


async def _write_units(
    conn: AsyncConnection, rows: Sequence[UnitRow], columns: frozenset[str], count: _Count
) -> None:
    old = {r.id: r for r in await _rows_by_id(conn, t.units, (u.id for u in rows))}
    new: list[dict[str, Any]] = []
    for u in rows:
        values: dict[str, Any] = {"name": u.name, "area": u.area}
        # A column the file leaves out (None) keeps what the database has; empty clears it.
        values |= {k: v or None for k, v in (("address", u.address), ("phone", u.phone))
                   if v is not None}
        prev = old.get(u.id)
        if prev is not None:
            values = _in_file(values, columns)
        changed = prev is not None and any(getattr(prev, k) != v for k, v in values.items())
        if prev is None:
            new.append({"id": u.id, **values})
        elif changed:
            await conn.execute(sa.update(t.units).where(t.units.c.id == u.id).values(**values))
        count.add(new=prev is None, changed=changed)
    if new:
        await conn.execute(sa.insert(t.units), new)


# --- people ------------------------------------------------------------------------------


async def _check_people(
    conn: AsyncConnection, rows: Sequence[PersonRow], columns: frozenset[str]
) -> list[RowError]:
    errors = await _check_sms(conn, rows, columns)
    known_units = await _existing_ids(conn, t.units, (u for p in rows for u in p.unit_ids))
    for p in rows:
        for unit in sorted(p.unit_ids - known_units):
            errors.append(row_error(p.line, f"okänd enhet {unit!r} (importera enheterna först)"))
    # A holder in the file with a number of its own gives this one up in the same import.
    releasing = {p.id for p in rows if p.phone}
    phones = [p.phone for p in rows if p.phone]
    holders = {r.phone: r.id for r in await _rows_by_id(conn, t.people, phones, "phone")}
    for p in rows:
        holder = holders.get(p.phone) if p.phone else None
        if holder is not None and holder != p.id and holder not in releasing:
            errors.append(row_error(
                p.line, f"telefonnumret {p.phone} tillhör redan en annan person ({holder})"))
    return errors


async def _check_sms(
    conn: AsyncConnection, rows: Sequence[PersonRow], columns: frozenset[str]
) -> list[RowError]:
    """Fixed lines with SMS that the parser could not judge: the number (an empty cell) or
    the channel (no such column) is the one stored."""
    undecided = [p for p in rows if not p.phone or "channel" not in columns]
    stored = {r.id: r for r in await _rows_by_id(conn, t.people, (p.id for p in undecided))}
    errors: list[RowError] = []
    for p in undecided:
        prev = stored.get(p.id)
        phone = p.phone or (prev.phone if prev is not None else None)
        channel = p.channel if "channel" in columns or prev is None else Channel(prev.channel)
        if phone and (no_sms := sms_refusal(phone, phone, channel,
                                             given="channel" in columns or prev is not None)):
            errors.append(row_error(p.line, no_sms))
    return errors


async def _write_people(
    conn: AsyncConnection, rows: Sequence[PersonRow], columns: frozenset[str],
    now: dt.datetime, count: _Count,
) -> None:
    ids = [p.id for p in rows]
    old = {r.id: r for r in await _rows_by_id(conn, t.people, ids)}
    roles: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
    for r in await _rows_by_id(conn, t.person_roles, ids, "person_id"):
        roles[r.person_id].add((r.role, r.unit_id))
    quals: dict[str, set[tuple[str, dt.date | None]]] = defaultdict(set)
    for r in await _rows_by_id(conn, t.qualifications, ids, "person_id"):
        quals[r.person_id].add((r.code, r.expires_on))
    intros: dict[str, set[str]] = defaultdict(set)
    for r in await _rows_by_id(conn, t.introductions, ids, "person_id"):
        intros[r.person_id].add(r.unit_id)

    # Free the numbers that move first, so two people may swap numbers in one file.
    moving = [p.id for p in rows if p.phone and p.id in old and old[p.id].phone != p.phone]
    for chunk in _chunks(moving):
        await conn.execute(sa.update(t.people).where(t.people.c.id.in_(chunk)).values(phone=None))

    new_people: list[dict[str, Any]] = []
    replace_roles: list[str] = []
    replace_quals: list[str] = []
    role_rows: list[dict[str, Any]] = []
    qual_rows: list[dict[str, Any]] = []
    intro_rows: list[dict[str, Any]] = []
    for p in rows:
        prev = old.get(p.id)
        values = {"name": p.name, "phone": p.phone, "language": p.language,
                  "channel": p.channel.value, "tier": p.tier.value if p.tier else None}
        if prev is not None:
            values = _in_file(values, columns)
        if p.phone is None and prev is not None:
            del values["phone"]  # an empty cell never erases a number we already have
        changed = False
        if prev is None:
            new_people.append({"id": p.id, **values})
        elif p.id in moving or any(getattr(prev, k) != v for k, v in values.items()):
            await conn.execute(sa.update(t.people).where(t.people.c.id == p.id).values(**values))
            changed = True
        want_roles = {(g.role.value, g.unit_id) for g in p.roles}
        if want_roles != roles[p.id]:
            replace_roles.append(p.id)
            role_rows.extend({"person_id": p.id, "role": role, "unit_id": unit}
                             for role, unit in sorted(want_roles, key=lambda x: (x[0], x[1] or "")))
            changed = True
        want_quals = {(q.code, q.expires_on) for q in p.qualifications}
        if "qualifications" in columns and want_quals != quals[p.id]:
            replace_quals.append(p.id)
            qual_rows.extend({"person_id": p.id, "code": c, "expires_on": e}
                             for c, e in sorted(want_quals, key=lambda x: x[0]))
            changed = True
        new_intros = [u for u in p.introduced_units if u not in intros[p.id]]
        if new_intros:  # added, never removed: the bot records introductions itself
            intro_rows.extend({"person_id": p.id, "unit_id": u, "since": now} for u in new_intros)
            changed = True
        count.add(new=prev is None, changed=changed)

    if new_people:
        await conn.execute(sa.insert(t.people), new_people)
    for table, ids, new in ((t.person_roles, replace_roles, role_rows),
                            (t.qualifications, replace_quals, qual_rows)):
        for chunk in _chunks(ids):
            await conn.execute(sa.delete(table).where(table.c.person_id.in_(chunk)))
        if new:
            await conn.execute(sa.insert(table), new)
    if intro_rows:
        await conn.execute(sa.insert(t.introductions), intro_rows)


# --- shifts ------------------------------------------------------------------------------


async def _check_shifts(
    conn: AsyncConnection, rows: Sequence[ShiftRow], tz: ZoneInfo
) -> list[RowError]:
    errors: list[RowError] = []
    units = await _existing_ids(conn, t.units, (s.unit_id for s in rows))
    people = await _existing_ids(conn, t.people, (s.person_id for s in rows if s.person_id))
    for s in rows:
        if s.unit_id not in units:
            errors.append(row_error(s.line, f"okänd enhet {s.unit_id!r}"))
        if s.person_id is not None and s.person_id not in people:
            errors.append(row_error(
                s.line, f"okänd person {s.person_id!r} (importera personerna först)"))
    staffed = [s for s in rows if s.person_id is not None]
    if not staffed:
        return errors
    first = min(s.starts_at for s in staffed)
    last = max(s.ends_at for s in staffed)
    in_file = {s.id for s in rows}
    existing: list[Shift] = []
    for chunk in _chunks(s.person_id for s in staffed if s.person_id):
        q = sa.select(t.shifts).where(
            t.shifts.c.person_id.in_(chunk),
            t.shifts.c.cancelled.is_(False),
            t.shifts.c.starts_at < last,
            t.shifts.c.ends_at > first,
        )
        existing.extend(
            Shift(id=r.id, unit_id=r.unit_id, starts_at=r.starts_at, ends_at=r.ends_at,
                  role=r.role, person_id=r.person_id)
            for r in (await conn.execute(q)).all()
            if r.id not in in_file  # replaced by the file's version, checked there
        )
    return errors + existing_overlap_errors(rows, existing, tz)


async def _write_shifts(
    conn: AsyncConnection, rows: Sequence[ShiftRow], columns: frozenset[str], count: _Count
) -> None:
    old = {r.id: r for r in await _rows_by_id(conn, t.shifts, (s.id for s in rows))}
    new: list[dict[str, Any]] = []
    for s in rows:
        values = {"unit_id": s.unit_id, "person_id": s.person_id, "starts_at": s.starts_at,
                  "ends_at": s.ends_at, "role": s.role, "requirements": ";".join(s.requirements)}
        prev = old.get(s.id)
        if prev is not None and "requirements" not in columns:
            del values["requirements"]  # left out of the file: the stored ones stay
        changed = prev is not None and any(getattr(prev, k) != v for k, v in values.items())
        if prev is None:
            new.append({"id": s.id, **values})
        elif changed:
            await conn.execute(sa.update(t.shifts).where(t.shifts.c.id == s.id).values(**values))
        count.add(new=prev is None, changed=changed)
    if new:
        await conn.execute(sa.insert(t.shifts), new)
