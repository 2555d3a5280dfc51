"""Introduction checklists: templates, items, a person's checklist, ticks, reminder state.

Every function takes the caller's connection, so a service decides the transaction.
Small per-checklist state (reminders sent, a handledare's pending note) lives in `kv`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.checklist import (
    Checklist,
    ChecklistItem,
    ItemKind,
    ReminderState,
    SupervisedShift,
    Tick,
)
from storage import kv
from storage import tables as t

DEFAULT_TEMPLATE_NAME = "Standard – introduktion av vikarie"


# ---------- templates and items ----------

async def template_id_for(conn: AsyncConnection, unit_id: str | None) -> int | None:
    """The unit's own template, else the default one (unit_id NULL)."""
    if unit_id is not None:
        own = await _template_id(conn, unit_id)
        if own is not None:
            return own
    return await _template_id(conn, None)


async def _template_id(conn: AsyncConnection, unit_id: str | None) -> int | None:
    col = t.checklist_templates.c.unit_id
    cond = col.is_(None) if unit_id is None else col == unit_id
    found = (await conn.execute(sa.select(t.checklist_templates.c.id).where(cond))).scalar()
    return int(found) if found is not None else None


async def get_or_create_template(conn: AsyncConnection, unit_id: str | None, name: str) -> int:
    found = await _template_id(conn, unit_id)
    if found is not None:
        return found
    return int(
        (
            await conn.execute(
                sa.insert(t.checklist_templates).values(unit_id=unit_id, name=name)
                .returning(t.checklist_templates.c.id)
            )
        ).scalar_one()
    )


def _item(r: Any) -> ChecklistItem:
    return ChecklistItem(id=r.id, position=r.position, text=r.text, kind=ItemKind(r.kind))


async def items_of(conn: AsyncConnection, template_id: int) -> list[ChecklistItem]:
    q = (
        sa.select(t.checklist_items)
        .where(t.checklist_items.c.template_id == template_id)
        .order_by(t.checklist_items.c.position)
    )
    return [_item(r) for r in await conn.execute(q)]


async def get_item(conn: AsyncConnection, item_id: int) -> ChecklistItem | None:
    r = (
        await conn.execute(sa.select(t.checklist_items).where(t.checklist_items.c.id == item_id))
    ).first()
    return _item(r) if r else None


async def insert_item(
    conn: AsyncConnection, template_id: int, position: int, text: str, kind: ItemKind
) -> None:
    await conn.execute(
        sa.insert(t.checklist_items).values(
            template_id=template_id, position=position, text=text, kind=kind.value
        )
    )


async def update_item(conn: AsyncConnection, item_id: int, text: str, kind: ItemKind) -> None:
    await conn.execute(
        sa.update(t.checklist_items).where(t.checklist_items.c.id == item_id)
        .values(text=text, kind=kind.value)
    )


async def delete_items(conn: AsyncConnection, item_ids: Sequence[int]) -> None:
    """Remove items and every tick on them (in open and signed checklists alike)."""
    if not item_ids:
        return
    ids = list(item_ids)
    await conn.execute(sa.delete(t.checklist_ticks).where(t.checklist_ticks.c.item_id.in_(ids)))
    await conn.execute(sa.delete(t.checklist_items).where(t.checklist_items.c.id.in_(ids)))


# ---------- checklists ----------

def _checklist(r: Any) -> Checklist:
    return Checklist(
        id=r.id, person_id=r.person_id, unit_id=r.unit_id, template_id=r.template_id,
        started_at=r.started_at, last_activity_at=r.last_activity_at,
        signed_off_at=r.signed_off_at, signed_off_by=r.signed_off_by,
    )


async def get(
    conn: AsyncConnection, checklist_id: int, *, for_update: bool = False
) -> Checklist | None:
    """One checklist; `for_update` locks its row (PostgreSQL) so concurrent presses queue."""
    q = sa.select(t.checklists).where(t.checklists.c.id == checklist_id)
    if for_update:
        q = q.with_for_update(key_share=True)
    r = (await conn.execute(q)).first()
    return _checklist(r) if r else None


async def for_person_unit(conn: AsyncConnection, person_id: str, unit_id: str) -> Checklist | None:
    r = (
        await conn.execute(
            sa.select(t.checklists).where(
                t.checklists.c.person_id == person_id, t.checklists.c.unit_id == unit_id
            )
        )
    ).first()
    return _checklist(r) if r else None


async def insert(
    conn: AsyncConnection, person_id: str, unit_id: str, template_id: int, now: dt.datetime
) -> int:
    return int(
        (
            await conn.execute(
                sa.insert(t.checklists)
                .values(person_id=person_id, unit_id=unit_id, template_id=template_id,
                        started_at=now, last_activity_at=now)
                .returning(t.checklists.c.id)
            )
        ).scalar_one()
    )


async def open_checklists(
    conn: AsyncConnection, *, unit_ids: Iterable[str] | None = None,
    person_id: str | None = None,
) -> list[Checklist]:
    """Checklists not yet signed off; `unit_ids=None` means every unit. Oldest first."""
    q = sa.select(t.checklists).where(t.checklists.c.signed_off_at.is_(None))
    if unit_ids is not None:
        q = q.where(t.checklists.c.unit_id.in_(sorted(set(unit_ids))))
    if person_id is not None:
        q = q.where(t.checklists.c.person_id == person_id)
    q = q.order_by(t.checklists.c.started_at, t.checklists.c.id)
    return [_checklist(r) for r in await conn.execute(q)]


async def idle_since(conn: AsyncConnection, before: dt.datetime) -> list[Checklist]:
    """Open checklists with no activity since `before`; rows another worker holds are
    skipped (FOR UPDATE SKIP LOCKED on PostgreSQL), so nobody is reminded twice."""
    q = (
        sa.select(t.checklists)
        .where(t.checklists.c.signed_off_at.is_(None), t.checklists.c.last_activity_at <= before)
        .order_by(t.checklists.c.id)
        .with_for_update(skip_locked=True, key_share=True)
    )
    return [_checklist(r) for r in await conn.execute(q)]


async def touch(conn: AsyncConnection, checklist_id: int, now: dt.datetime) -> None:
    await conn.execute(
        sa.update(t.checklists).where(t.checklists.c.id == checklist_id)
        .values(last_activity_at=now)
    )


async def mark_signed_off(
    conn: AsyncConnection, checklist_id: int, now: dt.datetime, by: str
) -> bool:
    """Sign off once: False when someone else signed it first."""
    res = await conn.execute(
        sa.update(t.checklists)
        .where(t.checklists.c.id == checklist_id, t.checklists.c.signed_off_at.is_(None))
        .values(signed_off_at=now, signed_off_by=by, last_activity_at=now)
    )
    return res.rowcount == 1


# ---------- ticks ----------

def _tick(r: Any) -> Tick:
    return Tick(item_id=r.item_id, done_at=r.done_at, by_person_id=r.by_person_id, note=r.note,
                confirmed_at=r.confirmed_at)


async def ticks_of(conn: AsyncConnection, checklist_id: int) -> dict[int, Tick]:
    q = sa.select(t.checklist_ticks).where(t.checklist_ticks.c.checklist_id == checklist_id)
    return {r.item_id: _tick(r) for r in await conn.execute(q)}


async def set_tick(
    conn: AsyncConnection, checklist_id: int, item_id: int, now: dt.datetime, by: str,
    note: str | None,
) -> None:
    """Tick an item (again): a new tick replaces an old one, its confirmation too."""
    await delete_tick(conn, checklist_id, item_id)
    await conn.execute(
        sa.insert(t.checklist_ticks).values(
            checklist_id=checklist_id, item_id=item_id, done_at=now, by_person_id=by, note=note
        )
    )


async def delete_tick(conn: AsyncConnection, checklist_id: int, item_id: int) -> bool:
    res = await conn.execute(
        sa.delete(t.checklist_ticks).where(
            t.checklist_ticks.c.checklist_id == checklist_id,
            t.checklist_ticks.c.item_id == item_id,
        )
    )
    return res.rowcount == 1


async def confirm_tick(
    conn: AsyncConnection, checklist_id: int, item_id: int, now: dt.datetime
) -> bool:
    """The substitute confirms a ticked item; False when there is no tick to confirm."""
    res = await conn.execute(
        sa.update(t.checklist_ticks)
        .where(t.checklist_ticks.c.checklist_id == checklist_id,
               t.checklist_ticks.c.item_id == item_id,
               t.checklist_ticks.c.confirmed_at.is_(None))
        .values(confirmed_at=now)
    )
    return res.rowcount == 1


# ---------- supervised shifts (bredvidgång) ----------

async def bookings_at_unit(
    conn: AsyncConnection, person_id: str, unit_id: str, booked_since: dt.datetime
) -> list[SupervisedShift]:
    """A person's live bookings at a unit made at or after `booked_since`, soonest first."""
    q = (
        sa.select(t.bookings.c.id, t.bookings.c.booked_at, t.shifts.c.starts_at,
                  t.shifts.c.ends_at)
        .join(t.shifts, t.shifts.c.id == t.bookings.c.shift_id)
        .where(t.bookings.c.person_id == person_id, t.shifts.c.unit_id == unit_id,
               t.bookings.c.cancelled_at.is_(None), t.bookings.c.booked_at >= booked_since)
        .order_by(t.shifts.c.starts_at, t.bookings.c.id)
    )
    return [SupervisedShift(r.id, r.booked_at, r.starts_at, r.ends_at)
            for r in await conn.execute(q)]


# ---------- small state in kv ----------

def _reminder_key(checklist_id: int) -> str:
    return f"checklist_reminders:{checklist_id}"


def _note_key(person_id: str) -> str:
    return f"checklist_note_wait:{person_id}"


async def _kv_get(conn: AsyncConnection, key: str) -> dict[str, Any] | None:
    raw = await kv.get(conn, key)
    if raw is None:
        return None
    value = json.loads(raw)
    return value if isinstance(value, dict) else None


async def _kv_put(conn: AsyncConnection, key: str, value: dict[str, Any]) -> None:
    await kv.put(conn, key, json.dumps(value))


async def _kv_delete(conn: AsyncConnection, key: str) -> None:
    await kv.delete(conn, key)


def _when(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None


async def reminder_state(conn: AsyncConnection, checklist_id: int) -> ReminderState | None:
    d = await _kv_get(conn, _reminder_key(checklist_id))
    since = _when(d.get("since")) if d else None
    if d is None or since is None:
        return None
    return ReminderState(since, _when(d.get("handledare_at")), _when(d.get("coordinator_at")))


async def save_reminder_state(conn: AsyncConnection, checklist_id: int, s: ReminderState) -> None:
    await _kv_put(conn, _reminder_key(checklist_id), {
        "since": s.since.isoformat(),
        "handledare_at": s.handledare_at.isoformat() if s.handledare_at else None,
        "coordinator_at": s.coordinator_at.isoformat() if s.coordinator_at else None,
    })


async def clear_reminder_state(conn: AsyncConnection, checklist_id: int) -> None:
    await _kv_delete(conn, _reminder_key(checklist_id))


@dataclass(frozen=True, slots=True)
class NoteWait:
    """A handledare pressed a note item: their next text message is its note."""

    checklist_id: int
    item_id: int
    message_id: int | None  # the checklist message to update afterwards
    until: dt.datetime


async def save_note_wait(conn: AsyncConnection, person_id: str, w: NoteWait) -> None:
    await _kv_put(conn, _note_key(person_id), {
        "checklist": w.checklist_id, "item": w.item_id, "message": w.message_id,
        "until": w.until.isoformat(),
    })


async def note_wait(conn: AsyncConnection, person_id: str) -> NoteWait | None:
    d = await _kv_get(conn, _note_key(person_id))
    until = _when(d.get("until")) if d else None
    if d is None or until is None:
        return None
    message = d.get("message")
    return NoteWait(int(d["checklist"]), int(d["item"]),
                    int(message) if message is not None else None, until)


async def clear_note_wait(conn: AsyncConnection, person_id: str) -> None:
    await _kv_delete(conn, _note_key(person_id))
