"""A large municipality for the latency benchmark: 5,000 people (mostly substitutes),
100,000 past shifts, 7 days of scheduled shifts ahead and 90 days of call-out history
(vacancies, offers, bookings, outbox rows), written with executemany in big batches.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bench.world import TZ
from storage import tables as t
from storage.db import Database

BATCH = 20_000


def _is_handledare(person_id: str, n_units: int = 40) -> bool:
    """The first two staff of each unit (staff i works at unit i % n_units)."""
    return int(person_id[2:]) < 2 * n_units


@dataclass
class BigWorld:
    now: dt.datetime
    n_people: int = 0
    n_substitutes: int = 0
    n_past_shifts: int = 0
    n_future_shifts: int = 0
    n_vacancies: int = 0
    n_offers: int = 0
    # (shift id, scheduled person) of future staff shifts 2-36 hours ahead, for reports
    # (so the first wave is a sized wave, never "everyone at once", while the clock moves).
    reportable: list[tuple[str, str]] = field(default_factory=list)
    # Today's 15:00 shifts for short-notice reports: (shift id, person, a handledare of
    # the unit works 15:00 too, so un-introduced substitutes are eligible as well).
    short_notice: list[tuple[str, str, bool]] = field(default_factory=list)


async def _insert(conn: AsyncConnection, table: sa.Table, rows: Iterator[dict[str, Any]]) -> int:
    n = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            await conn.execute(sa.insert(table), batch)
            n += len(batch)
            batch = []
    if batch:
        await conn.execute(sa.insert(table), batch)
        n += len(batch)
    return n


async def build_big(db: Database, now: dt.datetime, progress: Callable[[str], None], *,
                    seed: int = 5000, n_people: int = 5000, n_staff: int = 1000,
                    n_units: int = 40, n_past_shifts: int = 100_000,
                    past_days: int = 180, n_past_vacancies: int = 3000) -> BigWorld:
    rng = random.Random(seed)
    bw = BigWorld(now=now)
    units = [(f"u{i:02d}", f"Hemtjänst {i:02d}", f"Område {i // 5}") for i in range(n_units)]
    staff = [f"st{i:04d}" for i in range(n_staff)]
    subs = [f"vik{i:04d}" for i in range(n_people - n_staff)]
    home_unit = {p: units[i % n_units][0] for i, p in enumerate(staff)}
    sub_units: dict[str, list[str]] = {}
    for p in subs:
        area = rng.randrange(n_units // 5)
        k = rng.choices((0, 1, 2, 3), weights=(15, 35, 30, 20))[0]
        sub_units[p] = rng.sample([u[0] for u in units[area * 5: area * 5 + 5]], k)
    day0 = now.astimezone(TZ).date()

    def at(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ).astimezone(dt.UTC)

    async with db.write() as conn:
        await conn.execute(sa.insert(t.units), [
            {"id": u, "name": n, "area": a, "coordinator_chat_id": -1000 - i,
             "allow_staff_extra": False} for i, (u, n, a) in enumerate(units)])

        def people() -> Iterator[dict[str, Any]]:
            for i, p in enumerate(staff + subs):
                sms_only = rng.random() < 0.3
                tier = None if p in home_unit else ("pool" if i % 10 == 0 else "substitute")
                yield {"id": p, "name": f"Person {p}", "phone": f"+4673{i:07d}",
                       "telegram_user_id": None if sms_only else 9_000_000 + i,
                       "telegram_chat_id": None if sms_only else 9_000_000 + i,
                       "channel": "sms" if sms_only else "both", "tier": tier,
                       "language": "sv", "active": rng.random() > 0.03,
                       "sms_opted_out": False, "available_days": "1234567",
                       "paused_until": None, "available_from": None, "available_to": None,
                       "max_hours_week": None}
        bw.n_people = await _insert(conn, t.people, people())
        bw.n_substitutes = len(subs)

        def roles() -> Iterator[dict[str, Any]]:
            for p in staff:
                yield {"person_id": p, "role": "staff", "unit_id": home_unit[p]}
                if _is_handledare(p, n_units):
                    yield {"person_id": p, "role": "handledare", "unit_id": home_unit[p]}
            for p in subs:
                yield {"person_id": p, "role": "substitute", "unit_id": None}
        await _insert(conn, t.person_roles, roles())

        def quals() -> Iterator[dict[str, Any]]:
            for p in staff + subs:
                if p in home_unit or rng.random() < 0.75:
                    yield {"person_id": p, "code": "usk", "expires_on": None}
                if rng.random() < 0.4:
                    yield {"person_id": p, "code": "delegering", "expires_on": None}
                if rng.random() < 0.7:
                    yield {"person_id": p, "code": "korkort", "expires_on": None}
        await _insert(conn, t.qualifications, quals())
        since = now - dt.timedelta(days=400)

        def intros() -> Iterator[dict[str, Any]]:
            for p in staff:
                yield {"person_id": p, "unit_id": home_unit[p], "since": since}
            for p, us in sub_units.items():
                for u in us:
                    yield {"person_id": p, "unit_id": u, "since": since}
        await _insert(conn, t.introductions, intros())
        progress(f"  {bw.n_people:,} people ({bw.n_substitutes:,} substitutes), "
                 f"{len(units)} units")

        # Past shifts: 80 % by regular staff, 20 % worked by substitutes.
        past: list[tuple[str, str, str, dt.datetime, dt.datetime]] = []

        def past_shifts() -> Iterator[dict[str, Any]]:
            for i in range(n_past_shifts):
                day = day0 - dt.timedelta(days=1 + rng.randrange(past_days))
                if rng.random() < 0.8:
                    p = rng.choice(staff)
                    u = home_unit[p]
                else:
                    p = rng.choice(subs)
                    u = rng.choice(sub_units[p]) if sub_units[p] else rng.choice(units)[0]
                hour = rng.choice((7, 7, 7, 15))
                s, e = at(day, hour), at(day, hour + (9 if hour == 7 else 7))
                sid = f"p{i:06d}"
                past.append((sid, u, p, s, e))
                yield {"id": sid, "unit_id": u, "person_id": p, "starts_at": s, "ends_at": e,
                       "role": "usk", "requirements": "", "cancelled": False}
        bw.n_past_shifts = await _insert(conn, t.shifts, past_shifts())
        progress(f"  {bw.n_past_shifts:,} past shifts")

        def future_shifts() -> Iterator[dict[str, Any]]:
            for d in range(8):
                day = day0 + dt.timedelta(days=d)
                for i, p in enumerate(staff):
                    if (i + d) % 7 in (5, 6):
                        continue  # two days off a week
                    hour = 7 if i % 3 else 15
                    s, e = at(day, hour), at(day, hour + (9 if hour == 7 else 7))
                    sid = f"f{d}-{p}"
                    lead = s - now
                    if dt.timedelta(hours=2) <= lead <= dt.timedelta(hours=36):
                        bw.reportable.append((sid, p))
                    if d == 0 and hour == 15 and not _is_handledare(p, n_units):
                        late_today.append((sid, p, home_unit[p]))
                    if d == 0 and hour == 15 and _is_handledare(p, n_units):
                        guided.add(home_unit[p])
                    reqs = ";".join(q for q, pr in (("delegering", 0.25), ("korkort", 0.35))
                                    if rng.random() < pr)
                    yield {"id": sid, "unit_id": home_unit[p], "person_id": p,
                           "starts_at": s, "ends_at": e, "role": "usk" if i % 4 else "",
                           "requirements": reqs, "cancelled": False}
        late_today: list[tuple[str, str, str]] = []
        guided: set[str] = set()
        bw.n_future_shifts = await _insert(conn, t.shifts, future_shifts())
        bw.short_notice = [(sid, p, u in guided) for sid, p, u in late_today]
        progress(f"  {bw.n_future_shifts:,} scheduled shifts in the next 8 days")

        # 90 days of call-out history on past staff shifts.
        recent = [s for s in past if s[2] in home_unit and s[3] > now - dt.timedelta(days=90)]
        history = rng.sample(recent, min(n_past_vacancies, len(recent)))
        vac_rows, offer_rows, booking_rows, outbox_rows = [], [], [], []
        offer_id = 0
        for vid, (sid, _u, _p, s, _e) in enumerate(history, start=1):
            created = s - dt.timedelta(minutes=rng.randint(40, 600))
            filled = rng.random() < 0.85
            vac_rows.append({"id": vid, "shift_id": sid, "absence_id": None,
                             "status": "filled" if filled else "expired", "wave": 2,
                             "next_due_at": None, "created_at": created, "updated_at": created,
                             "widened": False})
            asked = rng.sample(subs, 8)
            for rank, p in enumerate(asked, start=1):
                offer_id += 1
                won = filled and rank == 1
                state = "accepted" if won else rng.choice(("declined", "taken", "taken"))
                offer_rows.append({"id": offer_id, "vacancy_id": vid, "person_id": p,
                                   "wave": 1, "rank": rank, "code": 1, "created_at": created,
                                   "state": state, "answered_at": created})
                outbox_rows.append({"person_id": p, "channel": "telegram", "kind": "offer",
                                    "payload": '{"text": "", "buttons": []}',
                                    "offer_id": offer_id, "state": "sent", "attempts": 1,
                                    "next_attempt_at": created, "created_at": created,
                                    "sent_at": created})
                if won:
                    booking_rows.append({"vacancy_id": vid, "shift_id": sid, "person_id": p,
                                         "booked_at": created, "channel": "telegram"})
        bw.n_vacancies = await _insert(conn, t.vacancies, iter(vac_rows))
        bw.n_offers = await _insert(conn, t.offers, iter(offer_rows))
        await _insert(conn, t.bookings, iter(booking_rows))
        await _insert(conn, t.outbox, iter(outbox_rows))
        progress(f"  call-out history: {bw.n_vacancies:,} vacancies, {bw.n_offers:,} offers, "
                 f"{len(booking_rows):,} bookings, {len(outbox_rows):,} outbox rows")
    return bw
