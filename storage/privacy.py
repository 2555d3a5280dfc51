"""Privacy queries: retention of health data, and one person's data (GDPR access, Art. 15,
and erasure, Art. 17, as far as the law lets an employer erase). Whether a person may be
erased and what identifies someone is decided in `bot.domain.privacy`.

Retention: absence records older than the retention period are deleted.

Erasure removes what identifies or concerns the person and is not work history: name,
phone, Telegram ids, roles, qualifications, introductions, availability, invites,
introduction checklists, absences (health data; their vacancies stay, unlinked) and every
message addressed to them. It keeps, under the person's id only, the shifts they worked,
the offers they were sent and the bookings they held, and the audit log: working-time and
staffing records the employer must keep (Art. 17(3)(b)).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.privacy import (
    ERASED_NAME,
    OTHER_PERSON,
    ErasureFacts,
    other_names,
    scrubs,
)
from storage import people as people_repo
from storage import shifts as shifts_repo
from storage import tables as t
from storage import vacancies


async def purge_absences_before(conn: AsyncConnection, cutoff: dt.datetime) -> int:
    """Delete absences that ended (or were reported well) before `cutoff`. Their vacancies
    stay, unlinked: who covered a shift is work history, why someone was away is not."""
    ended = sa.func.coalesce(t.absences.c.ended_at, t.absences.c.ends_at)
    return await _delete_absences(conn, ended < cutoff)


async def _delete_absences(conn: AsyncConnection, where: sa.ColumnElement[bool]) -> int:
    doomed = sa.select(t.absences.c.id).where(where)
    await conn.execute(
        sa.update(t.vacancies).where(t.vacancies.c.absence_id.in_(doomed)).values(absence_id=None)
    )
    return int((await conn.execute(sa.delete(t.absences).where(where))).rowcount)


# Rows that are the person's own, exported as they are and deleted on erasure.
OWN_ROWS = (
    ("roles", t.person_roles),
    ("qualifications", t.qualifications),
    ("introductions", t.introductions),
    ("unavailability", t.unavailability),
    ("invites", t.invites),
    ("calendar_links", t.ical_tokens),
    ("desk_logins", t.desk_logins),
    ("desk_sessions", t.desk_sessions),
)


@dataclass(frozen=True, slots=True)
class Erasure:
    person_id: str
    deleted: dict[str, int]  # table -> rows deleted
    kept: dict[str, int]  # table -> rows kept under the id only (work history)
    vacancies_asked: tuple[int, ...] = ()  # waited only for the person's answer: move on


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


async def _rows(conn: AsyncConnection, q: sa.Select[Any]) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in r._mapping.items()} for r in await conn.execute(q)]


async def export_person(conn: AsyncConnection, person_id: str) -> dict[str, Any] | None:
    """Everything stored about the person, JSON-ready; None for an unknown id. Shifts,
    offers and bookings carry their unit and times; messages their text as sent."""
    person = await _rows(conn, sa.select(t.people).where(t.people.c.id == person_id))
    if not person:
        return None
    s, o, b, v = t.shifts.c, t.offers.c, t.bookings.c, t.vacancies.c
    mine = sa.literal(person_id)
    offers = await _rows(
        conn,
        sa.select(
            o.id,
            o.created_at,
            o.state,
            o.answered_at,
            o.answer_channel,
            o.wave,
            o.rank,
            s.unit_id,
            s.starts_at,
            s.ends_at,
            s.role,
        )
        .join(t.vacancies, v.id == o.vacancy_id)
        .join(t.shifts, s.id == v.shift_id)
        .where(o.person_id == mine)
        .order_by(o.id),
    )
    bookings = await _rows(
        conn,
        sa.select(
            b.id,
            b.booked_at,
            b.channel,
            b.cancelled_at,
            b.cancel_kind,
            b.override_reason,
            s.unit_id,
            s.starts_at,
            s.ends_at,
            s.role,
        )
        .join(t.shifts, s.id == b.shift_id)
        .where(b.person_id == mine)
        .order_by(b.id),
    )
    others = other_names(
        [(r.id, r.name) for r in await conn.execute(sa.select(t.people.c.id, t.people.c.name))],
        person_id,
    )
    messages = []
    for row in await _rows(
        conn,
        sa.select(
            t.outbox.c.id,
            t.outbox.c.created_at,
            t.outbox.c.channel,
            t.outbox.c.kind,
            t.outbox.c.state,
            t.outbox.c.payload,
        )
        .where(t.outbox.c.person_id == mine)
        .order_by(t.outbox.c.id),
    ):
        payload = json.loads(row.pop("payload"))
        sms = payload.get("sms") if row["channel"] == "sms" else None
        # Messages to a coordinator name colleagues (who reported sick, who cancelled):
        # their data, not this person's (GDPR Art. 15(4)).
        row["text"] = others.sub(OTHER_PERSON, sms or payload.get("text", ""))
        messages.append(row)
    checklists = await _rows(conn, sa.select(t.checklists).where(t.checklists.c.person_id == mine))
    ticks = await _rows(
        conn,
        sa.select(t.checklist_ticks, t.checklist_items.c.text)
        .join(t.checklist_items, t.checklist_items.c.id == t.checklist_ticks.c.item_id)
        .where(t.checklist_ticks.c.checklist_id.in_([c["id"] for c in checklists]))
        .order_by(t.checklist_ticks.c.checklist_id, t.checklist_ticks.c.item_id),
    )
    offer_ids = [str(r["id"]) for r in offers]
    booking_ids = [str(r["id"]) for r in bookings]
    a = t.audit_log.c
    audit = await _rows(
        conn,
        sa.select(t.audit_log)
        .where(
            sa.or_(
                a.actor == mine,
                sa.and_(a.object_type == "person", a.object_id == mine),
                sa.and_(a.object_type == "offer", a.object_id.in_(offer_ids)),
                sa.and_(a.object_type == "booking", a.object_id.in_(booking_ids)),
            )
        )
        .order_by(a.id),
    )
    for row in audit:
        row["detail"] = json.loads(row["detail"])
    out: dict[str, Any] = {"person": person[0]}
    for name, table in OWN_ROWS:
        out[name] = await _rows(conn, sa.select(table).where(table.c.person_id == mine))
    out["shifts"] = await _rows(
        conn, sa.select(t.shifts).where(s.person_id == mine).order_by(s.starts_at)
    )
    out["absences"] = await _rows(
        conn,
        sa.select(t.absences).where(t.absences.c.person_id == mine).order_by(t.absences.c.id),
    )
    out |= {
        "offers": offers,
        "bookings": bookings,
        "introduction_checklists": checklists,
        "introduction_ticks": ticks,
        "messages": messages,
        "audit": audit,
    }
    return out


async def erasure_facts(conn: AsyncConnection, person_id: str, now: dt.datetime) -> ErasureFacts:
    """Whether the person exists, and their shifts and bookings still ahead."""
    found = (await conn.execute(sa.select(t.people.c.id).where(t.people.c.id == person_id))).first()
    if found is None:
        return ErasureFacts(person_id, known=False)
    s, b = t.shifts.c, t.bookings.c
    ahead = (
        await conn.execute(
            sa.select(sa.func.count())
            .select_from(t.shifts)
            .where(
                s.person_id == person_id,
                s.cancelled.is_(False),
                s.ends_at > now,
                shifts_repo.not_vacated(),  # reported away: nobody expects them
            )
        )
    ).scalar_one()
    booked = (
        await conn.execute(
            sa.select(sa.func.count())
            .select_from(t.bookings.join(t.shifts, s.id == b.shift_id))
            .where(b.person_id == person_id, b.cancelled_at.is_(None), s.ends_at > now)
        )
    ).scalar_one()
    return ErasureFacts(person_id, True, int(ahead), int(booked))


async def erase_person(conn: AsyncConnection, person_id: str, now: dt.datetime) -> Erasure:
    """Erase the person (see the module's docstring for what stays). The caller has made
    sure, in the same transaction, that they may be (`bot.domain.privacy.refuse_erasure`)."""
    # The person's row first, as a booking takes it (person, then offers): no deadlock.
    await people_repo.lock_person(conn, person_id)
    name, phone = (
        await conn.execute(
            sa.select(t.people.c.name, t.people.c.phone).where(t.people.c.id == person_id)
        )
    ).one()
    deleted: dict[str, int] = {}
    deleted["names_in_other_messages"] = await _scrub_messages(conn, person_id, name, phone)
    deleted["kv"] = int(
        (
            await conn.execute(
                sa.delete(t.kv).where(
                    sa.or_(*(t.kv.c.key == f"{prefix}{person_id}" for prefix in PERSON_KV))
                )
            )
        ).rowcount
    )

    async def delete(name: str, stmt: Any) -> None:
        deleted[name] = int((await conn.execute(stmt)).rowcount)

    deleted["absences"] = await _delete_absences(conn, t.absences.c.person_id == person_id)
    checklists = sa.select(t.checklists.c.id).where(t.checklists.c.person_id == person_id)
    await delete(
        "introduction_ticks",
        sa.delete(t.checklist_ticks).where(t.checklist_ticks.c.checklist_id.in_(checklists)),
    )
    await delete(
        "introduction_checklists",
        sa.delete(t.checklists).where(t.checklists.c.person_id == person_id),
    )
    await delete("messages", sa.delete(t.outbox).where(t.outbox.c.person_id == person_id))
    for name, table in OWN_ROWS:
        await delete(name, sa.delete(table).where(table.c.person_id == person_id))
    # Open offers are closed, so nobody can answer for them any more; their vacancies'
    # next step is made due by the caller.
    asked = tuple(
        r[0]
        for r in await conn.execute(
            sa.select(t.offers.c.vacancy_id).where(
                t.offers.c.person_id == person_id, t.offers.c.state == "open"
            )
        )
    )
    await conn.execute(
        sa.update(t.offers)
        .where(t.offers.c.person_id == person_id, t.offers.c.state == "open")
        .values(state="withdrawn", answered_at=now, answer_channel="erased")
    )
    await conn.execute(
        sa.update(t.people)
        .where(t.people.c.id == person_id)
        .values(
            name=ERASED_NAME,
            phone=None,
            telegram_user_id=None,
            telegram_chat_id=None,
            tier=None,
            active=False,
            paused_until=None,
            sms_opted_out=True,
            available_days="",
            available_from=None,
            available_to=None,
            max_hours_week=None,
        )
    )
    kept: dict[str, int] = {}
    for name, table in [("shifts", t.shifts), ("offers", t.offers), ("bookings", t.bookings)]:
        kept[name] = int(
            (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(table)
                    .where(table.c.person_id == person_id)
                )
            ).scalar_one()
        )
    waiting = [v for v in dict.fromkeys(asked) if not await vacancies.has_open_offers(conn, v)]
    return Erasure(person_id, deleted, kept, tuple(waiting))


# kv keys that end with a person's id: a pending checklist note, an invalid number flagged.
PERSON_KV = ("checklist_note_wait:", "sms_invalid:")


async def _scrub_messages(
    conn: AsyncConnection, person_id: str, name: str, phone: str | None
) -> int:
    """Other people's messages that name the person (a coordinator told who reported
    sick, who cancelled, whose number is invalid) keep their sense but lose the name and
    the number (`bot.domain.privacy.scrubs`). Returns how many rows were rewritten."""
    payload = t.outbox.c.payload
    changed = 0
    for needle, instead in scrubs(name, phone):
        for form in {needle, json.dumps(needle)[1:-1]}:  # as stored, and JSON-escaped
            res = await conn.execute(
                sa.update(t.outbox)
                .where(t.outbox.c.person_id.is_distinct_from(person_id))
                .where(payload.contains(form, autoescape=True))
                .values(payload=sa.func.replace(payload, form, instead))
            )
            changed += int(res.rowcount)
    return changed
