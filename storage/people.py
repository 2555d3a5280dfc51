"""People, units and what they may do: typed reads and the few writes the bot makes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Channel, Person, Qualification, Role, RoleGrant, Tier, Unit
from storage import tables as t


def _unit(row: Any) -> Unit:
    return Unit(
        id=row.id,
        name=row.name,
        area=row.area,
        coordinator_chat_id=row.coordinator_chat_id,
        allow_staff_extra=bool(row.allow_staff_extra),
        address=row.address,
        phone=row.phone,
    )


async def get_unit(conn: AsyncConnection, unit_id: str) -> Unit | None:
    row = (await conn.execute(sa.select(t.units).where(t.units.c.id == unit_id))).first()
    return _unit(row) if row else None


async def all_units(conn: AsyncConnection) -> list[Unit]:
    return [_unit(r) for r in await conn.execute(sa.select(t.units).order_by(t.units.c.id))]


async def set_coordinator_chat(conn: AsyncConnection, unit_id: str, chat_id: int | None) -> None:
    await conn.execute(
        sa.update(t.units).where(t.units.c.id == unit_id).values(coordinator_chat_id=chat_id)
    )


async def load_people(
    conn: AsyncConnection, where: sa.ColumnElement[bool] | None = None
) -> list[Person]:
    """People with their roles, qualifications and introductions, in three queries."""
    q = sa.select(t.people)
    if where is not None:
        q = q.where(where)
    rows = list(await conn.execute(q.order_by(t.people.c.id)))
    if not rows:
        return []
    ids = [r.id for r in rows]
    roles: dict[str, list[RoleGrant]] = defaultdict(list)
    quals: dict[str, list[Qualification]] = defaultdict(list)
    intros: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks(ids, 900):
        for r in await conn.execute(
            sa.select(t.person_roles)
            .where(t.person_roles.c.person_id.in_(chunk))
            .order_by(t.person_roles.c.id)
        ):
            roles[r.person_id].append(RoleGrant(Role(r.role), r.unit_id))
        for r in await conn.execute(
            sa.select(t.qualifications).where(t.qualifications.c.person_id.in_(chunk))
        ):
            quals[r.person_id].append(Qualification(r.code, r.expires_on))
        for r in await conn.execute(
            sa.select(t.introductions).where(t.introductions.c.person_id.in_(chunk))
        ):
            intros[r.person_id].add(r.unit_id)
    return [
        Person(
            id=r.id,
            name=r.name,
            phone=r.phone,
            telegram_user_id=r.telegram_user_id,
            telegram_chat_id=r.telegram_chat_id,
            language=r.language,
            channel=Channel(r.channel),
            tier=Tier(r.tier) if r.tier else None,
            active=bool(r.active),
            paused_until=r.paused_until,
            sms_opted_out=bool(r.sms_opted_out),
            available_days=r.available_days,
            available_from=r.available_from,
            available_to=r.available_to,
            max_hours_week=r.max_hours_week,
            roles=tuple(roles[r.id]),
            qualifications=tuple(quals[r.id]),
            introduced_units=frozenset(intros[r.id]),
        )
        for r in rows
    ]


async def ids_where(conn: AsyncConnection, where: sa.ColumnElement[bool]) -> list[str]:
    """Ids of the people matching `where` (a `candidate_groups` clause), sorted."""
    q = sa.select(t.people.c.id).where(where).order_by(t.people.c.id)
    return [r[0] for r in await conn.execute(q)]


def chunks(items: Sequence[str], size: int = 900) -> Iterable[Sequence[str]]:
    """Slices of at most `size` (SQLite's budget of bound parameters is 999)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


async def get_person(conn: AsyncConnection, person_id: str) -> Person | None:
    found = await load_people(conn, t.people.c.id == person_id)
    return found[0] if found else None


async def get_people(conn: AsyncConnection, person_ids: Iterable[str]) -> dict[str, Person]:
    ids = sorted(set(person_ids))
    out: dict[str, Person] = {}
    for chunk in chunks(ids, 900):
        for p in await load_people(conn, t.people.c.id.in_(chunk)):
            out[p.id] = p
    return out


async def person_by_phone(conn: AsyncConnection, e164: str) -> Person | None:
    found = await load_people(conn, t.people.c.phone == e164)
    return found[0] if found else None


async def person_by_telegram(conn: AsyncConnection, telegram_user_id: int) -> Person | None:
    found = await load_people(conn, t.people.c.telegram_user_id == telegram_user_id)
    return found[0] if found else None


async def candidate_pool(conn: AsyncConnection, include_staff: bool) -> list[Person]:
    """Active people who could ever be offered a shift: substitutes, and staff if asked."""
    wanted = ["substitute", "staff"] if include_staff else ["substitute"]
    has_role = sa.exists().where(
        t.person_roles.c.person_id == t.people.c.id, t.person_roles.c.role.in_(wanted)
    )
    return await load_people(conn, sa.and_(t.people.c.active.is_(True), has_role))


def candidate_groups(
    *,
    unit_id: str,
    area_unit_ids: Sequence[str],
    include_staff: bool,
    introduced_only: bool,
    required_codes: Sequence[str],
    on_day: dt.date,
) -> list[tuple[sa.ColumnElement[bool], bool]]:
    """`candidate_pool` for one vacancy, split in the ranking's tier order, as WHERE
    clauses for `load_people` / `ids_where`: pool staff; substitutes introduced at the
    unit; introduced elsewhere in the area; other substitutes; regular staff (only with
    `include_staff`). Each clause comes with whether everyone it matches shares one tier
    (true for the four substitute groups; regular staff split into extra time and
    overtime by their week's hours).

    What SQL can rule out is left out: people missing a required qualification on the
    day, and, with `introduced_only` (no handledare on duty, or the one slot for an
    un-introduced person taken), everyone not introduced at the unit. Nobody left out
    could have been eligible; the groups do not overlap.
    """
    P, R, Intro, Q = t.people, t.person_roles, t.introductions, t.qualifications

    def has_role(roles: Sequence[str], unit: str | None = None) -> sa.ColumnElement[bool]:
        cond = sa.and_(R.c.person_id == P.c.id, R.c.role.in_(list(roles)))
        if unit is not None:
            cond = sa.and_(cond, R.c.unit_id == unit)
        return sa.exists().where(cond)

    # coalesce: NOT (... OR NULL IN (...)) would be NULL, dropping people with no tier.
    tier = sa.func.coalesce(P.c.tier, "")
    substitute_kind = sa.or_(has_role(["substitute"]), tier.in_(["pool", "substitute"]))
    introduced_here = sa.or_(
        sa.exists().where(Intro.c.person_id == P.c.id, Intro.c.unit_id == unit_id),
        has_role(["staff", "handledare"], unit_id),
    )
    in_area = sa.exists().where(
        Intro.c.person_id == P.c.id, Intro.c.unit_id.in_(list(area_unit_ids))
    )
    base: list[sa.ColumnElement[bool]] = [
        P.c.active.is_(True),
        has_role(["substitute", "staff"]),  # as candidate_pool
    ]
    for code in required_codes:
        base.append(
            sa.exists().where(
                Q.c.person_id == P.c.id,
                Q.c.code == code,
                sa.or_(Q.c.expires_on.is_(None), Q.c.expires_on >= on_day),
            )
        )
    if introduced_only:
        base.append(introduced_here)
    pool = tier == "pool"
    not_pool = tier != "pool"
    groups = [
        pool,
        sa.and_(not_pool, substitute_kind, introduced_here),
        sa.and_(not_pool, substitute_kind, ~introduced_here, in_area),
        sa.and_(not_pool, substitute_kind, ~introduced_here, ~in_area),
    ]
    out = [(sa.and_(*base, g), True) for g in groups]
    if include_staff:
        out.append((sa.and_(*base, not_pool, ~substitute_kind), False))
    return out


async def people_with_role(
    conn: AsyncConnection, role: Role, unit_id: str | None = None
) -> list[Person]:
    cond = sa.and_(t.person_roles.c.person_id == t.people.c.id, t.person_roles.c.role == role)
    if unit_id is not None:
        cond = sa.and_(cond, t.person_roles.c.unit_id == unit_id)
    return await load_people(conn, sa.and_(t.people.c.active.is_(True), sa.exists().where(cond)))


async def link_telegram(
    conn: AsyncConnection, person_id: str, telegram_user_id: int, chat_id: int
) -> None:
    # A Telegram account belongs to one person: unlink it from anyone else first.
    await conn.execute(
        sa.update(t.people)
        .where(t.people.c.telegram_user_id == telegram_user_id, t.people.c.id != person_id)
        .values(telegram_user_id=None, telegram_chat_id=None)
    )
    await conn.execute(
        sa.update(t.people)
        .where(t.people.c.id == person_id)
        .values(telegram_user_id=telegram_user_id, telegram_chat_id=chat_id)
    )


async def update_person(conn: AsyncConnection, person_id: str, **values: Any) -> None:
    await conn.execute(sa.update(t.people).where(t.people.c.id == person_id).values(**values))


async def add_introduction(
    conn: AsyncConnection, person_id: str, unit_id: str, since: dt.datetime, by: str | None
) -> bool:
    exists = (
        await conn.execute(
            sa.select(t.introductions.c.person_id).where(
                t.introductions.c.person_id == person_id, t.introductions.c.unit_id == unit_id
            )
        )
    ).first()
    if exists:
        return False
    await conn.execute(
        sa.insert(t.introductions).values(
            person_id=person_id, unit_id=unit_id, since=since, by_person_id=by
        )
    )
    return True


async def lock_people(
    conn: AsyncConnection, person_ids: Iterable[str], *, skip_locked: bool = False
) -> set[str]:
    """`lock_person` for several people, in id order (so two callers cannot deadlock each
    other); with `skip_locked`, people another transaction holds are left out rather than
    waited for. Returns the ids locked."""
    locked: set[str] = set()
    for chunk in chunks(sorted(set(person_ids))):
        q = (
            sa.select(t.people.c.id)
            .where(t.people.c.id.in_(chunk))
            .order_by(t.people.c.id)
            .with_for_update(key_share=True, skip_locked=skip_locked)
        )
        locked.update(r[0] for r in await conn.execute(q))
    return locked


async def lock_person(conn: AsyncConnection, person_id: str) -> None:
    """Serialise bookings of one person (PostgreSQL row lock; SQLite has one writer anyway),
    so two bookings of the same person on different vacancies cannot both pass the rules.

    FOR NO KEY UPDATE: it does not block other transactions inserting rows that reference
    the person (offers, outbox), which take FOR KEY SHARE on this row for the foreign key.
    """
    await conn.execute(
        sa.select(t.people.c.id).where(t.people.c.id == person_id).with_for_update(key_share=True)
    )
