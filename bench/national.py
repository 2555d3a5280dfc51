"""National morning (issue 13): how many bot tokens and sending numbers does a region need?

Two halves, kept apart on purpose:

1. Demand, measured with the real engine. One region (1/`scale` of the national 20,000
   absences, 60,000 substitutes, 300 units) is written to a fresh PostgreSQL database;
   `workers` coroutines, each with its own `Database` engine on that database, report the
   absences (`absence.report_absence`), apply the substitutes' answers (`answers.accept` /
   `decline`, via `bench.sim._answer`) and run `callout.tick` concurrently on one
   FakeClock, stepping simulated time in `--step`-second quanta. Every outbox row the
   engine queues is recorded (time, kind, channel, recipient, claim order).
2. Supply, modelled. That stream goes through a one-second discrete model of sending with
   the dispatcher's order (`bot.domain.outbox_order`: priority class, then wave, rank,
   shift start) and limits: 30/s per bot token, 1/s per chat, 20/min per group chat;
   SMS at `sms_limit(mps)`. For 1, 2, 4, 8 tokens and 1, 10, 30 MPS: report -> first offer
   sent (p50, p99), the largest backlog, when it empties, and the backlog over time.

    .venv/bin/python -m bench.national [--scale 40] [--workers 4] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import heapq
import itertools
import logging
import math
import random
import sys
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from bench.bigdb import _insert
from bench.pgdb import fresh_database
from bench.sim import _answer, make_deps, percentile
from bench.world import (
    DAY,
    FIRST,
    LAST,
    Behaviour,
    Morning,
    Report,
    SimShift,
    local,
    person_row,
)
from bot.clock import FakeClock
from bot.domain.model import AbsenceCategory
from bot.domain.outbox_order import (
    TELEGRAM_PER_BOT,
    TELEGRAM_PER_CHAT,
    TELEGRAM_PER_GROUP,
    is_group_chat,
    sms_limit,
)
from bot.services import absence, callout
from storage import tables as t
from storage.db import Database
from storage.migrate import upgrade

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
NATIONAL_ABSENCES, NATIONAL_SUBS, NATIONAL_UNITS = 20_000, 60_000, 300
TOKENS = (1, 2, 4, 8)
MPS = (1, 10, 30)
TARGET_P99 = 60.0  # seconds, report -> first offer sent
START_HHMM = "05:30"
REPORT_MINUTES = 90.0


# ---------------------------------------------------------------- the region

def build_region(scale: int, seed: int = 20261313) -> Morning:
    """1/`scale` of the nation: units in areas of five, staff with one upcoming shift each,
    substitutes introduced in their area, absences 05:30-07:00 (as `bench.world`)."""
    rng = random.Random(seed)
    n_units = max(1, round(NATIONAL_UNITS / scale))
    n_subs = round(NATIONAL_SUBS / scale)
    n_abs = round(NATIONAL_ABSENCES / scale)
    w = Morning(seed)
    units = [f"u{i:03d}" for i in range(n_units)]
    area_of = {u: i // 5 for i, u in enumerate(units)}
    by_area: dict[int, list[str]] = {}
    for u in units:
        by_area.setdefault(area_of[u], []).append(u)
    counter = itertools.count(1)
    today, tomorrow, yesterday = DAY, DAY + dt.timedelta(days=1), DAY - dt.timedelta(days=1)

    def person(pid: str, tier: str | None, sms_only: bool, **extra: object) -> None:
        n = next(counter)
        w.people.append(person_row(pid, f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                                   f"+4672{n:07d}", None if sms_only else 5_000_000 + n,
                                   tier, **extra))
        if sms_only:
            w.sms_only.add(pid)

    def shift(sid: str, unit: str, pid: str | None, day: dt.date, a: str, b: str,
              role: str = "usk", reqs: tuple[str, ...] = ()) -> SimShift:
        s = SimShift(sid, unit, pid, local(day, a), local(day, b), role, reqs)
        w.shifts[sid] = s
        return s

    per_unit = math.ceil(2 * n_abs / n_units)  # twice the absences a unit will see
    bands: dict[str, list[SimShift]] = {"day": [], "eve": [], "tmw": []}
    for u in units:
        for i in range(per_unit):
            pid = f"{u}-st{i:03d}"
            person(pid, None, rng.random() < 0.3)
            w.roles.append({"person_id": pid, "role": "staff", "unit_id": u})
            if i < 4:
                w.roles.append({"person_id": pid, "role": "handledare", "unit_id": u})
            w.quals.append({"person_id": pid, "code": "usk", "expires_on": None})
            w.intros.append({"person_id": pid, "unit_id": u})
            role = "usk" if rng.random() < 0.75 else "vardbitrade"
            reqs = tuple(q for q, p in (("delegering", 0.3), ("korkort", 0.4))
                         if rng.random() < p)
            k = i % 40
            band, day, a, b = (("day", today, "07:00", "16:00") if k < 28 else
                               ("eve", today, "15:00", "22:00") if k < 35 else
                               ("tmw", tomorrow, "07:00", "16:00"))
            bands[band].append(shift(f"{u}-{band}-{i:03d}", u, pid, day, a, b, role, reqs))

    for n in range(n_subs):
        pool = n < n_subs // 8
        pid = f"{'pool' if pool else 'vik'}{n:05d}"
        home = rng.randrange(len(by_area))
        extra: dict[str, object] = {}
        x = rng.random()
        if not pool and x < 0.06:
            extra["paused_until"] = local(tomorrow, "12:00")
        elif not pool and x < 0.14:
            extra["available_from"], extra["available_to"] = dt.time(14), dt.time(23)
        elif not pool and x < 0.20:
            extra["available_days"] = "13457"
        if not pool and rng.random() < 0.10:
            extra["max_hours_week"] = 20.0
        person(pid, "pool" if pool else "substitute", rng.random() < 0.3, **extra)
        w.substitutes.add(pid)
        w.roles.append({"person_id": pid, "role": "substitute", "unit_id": None})
        if pool or rng.random() < 0.75:
            w.quals.append({"person_id": pid, "code": "usk", "expires_on": None})
            if rng.random() < 0.5:
                w.quals.append({"person_id": pid, "code": "delegering", "expires_on": None})
        if rng.random() < 0.7:
            w.quals.append({"person_id": pid, "code": "korkort", "expires_on": None})
        near = list(by_area[home])
        if pool:
            intro = near
        else:
            rng.shuffle(near)
            intro = near[:rng.choices((0, 1, 2, 3), weights=(15, 35, 30, 20))[0]]
        for u in sorted(set(intro)):
            w.intros.append({"person_id": pid, "unit_id": u})
        y = rng.random()
        where = intro[0] if intro else rng.choice(by_area[home])
        if not pool and y < 0.15:
            shift(f"{pid}-today", where, pid, today, "07:00", "16:00")
            if where not in intro:
                w.intros.append({"person_id": pid, "unit_id": where})
        elif not pool and y < 0.23:
            shift(f"{pid}-lastnight", where, pid, yesterday, "15:00", "22:00")
        w.behaviour[pid] = (Behaviour(0.92, 0.65, 3.0, 0.8) if pool else Behaviour(
            p_answer=rng.uniform(0.45, 0.9), p_accept=rng.uniform(0.08, 0.4),
            median_minutes=min(12.0, max(1.5, 4.0 * math.exp(rng.gauss(0, 0.35)))),
            sigma=0.9))

    n_eve, n_tmw = round(n_abs * 0.175), round(n_abs * 0.125)
    chosen = (rng.sample(bands["day"], n_abs - n_eve - n_tmw) + rng.sample(bands["eve"], n_eve)
              + rng.sample(bands["tmw"], n_tmw))
    first = local(today, START_HHMM)
    for s in chosen:
        minutes = (80.0 * rng.betavariate(1.6, 2.2) if s.band == "today 07:00"
                   else rng.uniform(0.0, REPORT_MINUTES))
        assert s.person is not None
        w.reports.append(Report(first + dt.timedelta(minutes=round(minutes, 2)), s.person,
                                s.id, rng.choice(("sjuk", "sjuk", "vab", "annat"))))
    w.reports.sort(key=lambda r: r.at)
    return w


async def write_region(db: Database, w: Morning) -> None:
    units = sorted({s.unit for s in w.shifts.values()})
    since = local(DAY - dt.timedelta(days=200), "08:00")
    async with db.write() as conn:
        await conn.execute(sa.insert(t.units), [
            {"id": u, "name": f"Hemtjänst {u}", "area": f"Område {i // 5}",
             "coordinator_chat_id": -1000 - i, "allow_staff_extra": False}
            for i, u in enumerate(units)])
        await _insert(conn, t.people, iter(w.people))
        await _insert(conn, t.person_roles, iter(w.roles))
        await _insert(conn, t.qualifications, iter(w.quals))
        await _insert(conn, t.introductions, ({**i, "since": since, "by_person_id": None}
                                              for i in w.intros))
        await _insert(conn, t.shifts, ({
            "id": s.id, "unit_id": s.unit, "person_id": s.person, "starts_at": s.start,
            "ends_at": s.end, "role": s.role, "requirements": ";".join(s.reqs),
            "cancelled": False} for s in w.shifts.values()))


# ---------------------------------------------------------------- demand (measured)

@dataclass(frozen=True, slots=True)
class Msg:
    at: float  # seconds after 05:30, when queued
    channel: str
    kind: str
    chat: str  # recipient key: person id or group chat id
    group: bool
    order: tuple[int, int, int, float, int]  # priority, wave, rank, sort_at, id
    vacancy: int | None  # offers only


@dataclass
class Demand:
    msgs: list[Msg] = field(default_factory=list)
    reported: dict[int, float] = field(default_factory=dict)  # vacancy -> seconds
    first_queued: dict[int, float] = field(default_factory=dict)
    busy: dict[int, float] = field(default_factory=lambda: defaultdict(float))  # minute -> s
    report_wall: list[float] = field(default_factory=list)  # report_absence wall seconds
    steps: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    wall: float = 0.0
    booked: int = 0


async def measure_demand(url: str, w: Morning, workers: int, step: float,
                         horizon_min: float) -> Demand:
    start = local(DAY, START_HHMM)
    end = start + dt.timedelta(minutes=horizon_min)
    clock = FakeClock(start)
    dbs = [Database(url) for _ in range(workers)]
    deps = []
    for db in dbs:
        d = make_deps(db, start)
        d.clock = clock
        deps.append(d)
    d0 = dbs[0]
    dem = Demand()
    reports = list(w.reports)
    ri, seen_box, seen_offer = 0, 0, 0
    answers_due: list[tuple[dt.datetime, int, int, str, bool]] = []
    seq = itertools.count()
    booked: dict[str, list[SimShift]] = {}
    wall0 = time.perf_counter()
    next_print = 0.0

    def sec(x: dt.datetime) -> float:
        return (x - start).total_seconds()

    while True:
        cands = []
        if ri < len(reports):
            cands.append(reports[ri].at)
        if answers_due:
            cands.append(answers_due[0][0])
        async with d0.read() as conn:
            due = (await conn.execute(sa.select(sa.func.min(t.vacancies.c.next_due_at))
                                      .where(t.vacancies.c.status == "searching"))).scalar()
        if due is not None:
            cands.append(due)
        if not cands:
            break
        s = max(sec(min(cands)), sec(clock.now()))
        s = math.ceil(s / step - 1e-9) * step  # the next step boundary
        t_next = start + dt.timedelta(seconds=s)
        if t_next > end:
            break
        clock.set(t_next)
        todo_r = []
        while ri < len(reports) and reports[ri].at <= t_next:
            todo_r.append(reports[ri])
            ri += 1
        todo_a = []
        while answers_due and answers_due[0][0] <= t_next:
            todo_a.append(heapq.heappop(answers_due))
        busy0 = time.perf_counter()

        async def work(i: int, todo_r: list[Report], todo_a: list[Any]) -> None:
            for r in todo_r[i::workers]:
                t0 = time.perf_counter()
                try:
                    await absence.report_absence(deps[i], r.person, AbsenceCategory(r.category),
                                                 "sms", shift_ids=[r.shift])
                except Exception as e:  # counted, not fatal: concurrency is what we test
                    dem.errors[f"report: {type(e).__name__}"] += 1
                dem.report_wall.append(time.perf_counter() - t0)
            for _, _, offer_id, pid, accepts in todo_a[i::workers]:
                try:
                    await _answer(deps[i], w, booked, offer_id, pid, accepts)
                except Exception as e:
                    dem.errors[f"answer: {type(e).__name__}"] += 1
            try:
                await callout.tick(deps[i])
            except Exception as e:
                dem.errors[f"tick: {type(e).__name__}"] += 1

        await asyncio.gather(*(work(i, todo_r, todo_a) for i in range(workers)))
        dem.busy[int(s // 60)] += time.perf_counter() - busy0
        dem.steps += 1
        async with d0.read() as conn:
            offers = list(await conn.execute(
                sa.select(t.offers.c.id, t.offers.c.person_id, t.offers.c.created_at,
                          t.offers.c.vacancy_id, t.vacancies.c.shift_id)
                .join(t.vacancies, t.vacancies.c.id == t.offers.c.vacancy_id)
                .where(t.offers.c.id > seen_offer).order_by(t.offers.c.id)))
            box = list(await conn.execute(
                sa.select(t.outbox.c.id, t.outbox.c.created_at, t.outbox.c.channel,
                          t.outbox.c.kind, t.outbox.c.person_id, t.outbox.c.chat_id,
                          t.outbox.c.priority, t.outbox.c.wave, t.outbox.c.rank,
                          t.outbox.c.sort_at, t.offers.c.vacancy_id)
                .select_from(t.outbox.outerjoin(t.offers, t.offers.c.id == t.outbox.c.offer_id))
                .where(t.outbox.c.id > seen_box).order_by(t.outbox.c.id)))
        for o in offers:
            seen_offer = o.id
            dem.first_queued.setdefault(o.vacancy_id, sec(o.created_at))
            ans = w.answer(o.person_id, o.shift_id)
            if ans.answers:
                heapq.heappush(answers_due, (o.created_at + ans.delay, next(seq), o.id,
                                             o.person_id, ans.accepts))
        for b in box:
            seen_box = b.id
            group = is_group_chat(b.chat_id)
            sort_at = sec(b.sort_at) if b.sort_at is not None else sec(b.created_at)
            dem.msgs.append(Msg(sec(b.created_at), b.channel, b.kind,
                                str(b.chat_id) if group or b.person_id is None else b.person_id,
                                group, (b.priority, b.wave, b.rank, sort_at, b.id),
                                b.vacancy_id if b.kind == "offer" else None))
        if s >= next_print:
            print(f"  {START_HHMM}+{s / 60:5.1f} min: {ri:5d} reports, {len(dem.msgs):6d} "
                  f"outbox rows, wall {time.perf_counter() - wall0:5.0f} s", flush=True)
            next_print += 600
    async with d0.read() as conn:
        for vid, created in await conn.execute(sa.select(t.vacancies.c.id,
                                                         t.vacancies.c.created_at)):
            dem.reported[vid] = sec(created)
        dem.booked = (await conn.execute(sa.select(sa.func.count()).select_from(t.bookings)
                                         .where(t.bookings.c.cancelled_at.is_(None)))).scalar_one()
    for db in dbs:
        await db.close()
    dem.wall = time.perf_counter() - wall0
    return dem


# ---------------------------------------------------------------- supply (modelled)

@dataclass
class Supply:
    tokens: int
    mps: int
    first: list[float]  # per vacancy with an offer: report -> first offer sent, seconds
    wave1: list[float]  # per vacancy: report -> the last offer of its first wave sent
    wait: list[float]  # per offer: queued -> sent
    peak: int
    peak_at: float
    empty_at: float  # seconds: the last second with a backlog
    backlog: dict[int, int]  # minute -> rows waiting (every 10 min)
    unsent: int


def _token(chat: str, tokens: int) -> int:
    return zlib.crc32(chat.encode()) % tokens


def model_sending(dem: Demand, tokens: int, mps: int, step: float,
                  cap_s: int = 6 * 3600) -> Supply:
    """One-second steps. Queues: one per bot token and one for SMS; each second a queue
    sends, in claim order, up to its budget (30/s a token, `mps` for SMS); a Telegram
    chat at most once a second, a group chat at most 20 a minute. Someone whose chat is
    at its rate waits, with the rest of their queue; the next in order goes instead."""
    bot, per_chat, group = TELEGRAM_PER_BOT, TELEGRAM_PER_CHAT, TELEGRAM_PER_GROUP
    assert per_chat.count == 1 and per_chat.seconds == 1.0
    sms = sms_limit(mps)
    queues: list[list[tuple[tuple[int, int, int, float, int], Msg]]] = [
        [] for _ in range(tokens + 1)]  # the last is SMS
    budgets = [bot.count] * tokens + [sms.count]
    msgs = sorted(dem.msgs, key=lambda m: m.at)
    mi, pending = 0, 0
    group_sent: dict[str, list[float]] = {}
    sent_first: dict[int, float] = {}
    first_wave: dict[int, int] = {}  # vacancy -> its lowest wave number
    for m in msgs:
        if m.vacancy is not None:
            first_wave[m.vacancy] = min(first_wave.get(m.vacancy, m.order[1]), m.order[1])
    wave1_done: dict[int, float] = {}
    wait: list[float] = []
    peak, peak_at, empty_at = 0, 0.0, 0.0
    backlog: dict[int, int] = {}
    s = 0
    last_in = msgs[-1].at if msgs else 0.0
    while s <= cap_s and (mi < len(msgs) or pending):
        while mi < len(msgs) and msgs[mi].at <= s:
            m = msgs[mi]
            mi += 1
            q = tokens if m.channel == "sms" else _token(m.chat, tokens)
            heapq.heappush(queues[q], (m.order, m))
            pending += 1
        for qi, heap in enumerate(queues):
            budget, used, deferred = budgets[qi], 0, []
            chats: set[str] = set()
            while heap and used < budget:
                item = heapq.heappop(heap)
                m = item[1]
                if qi < tokens:
                    if m.chat in chats:
                        deferred.append(item)
                        continue
                    if m.group:
                        times = group_sent.setdefault(m.chat, [])
                        while times and times[0] <= s - group.seconds:
                            times.pop(0)
                        if len(times) >= group.count:
                            chats.add(m.chat)  # the rest of the group's queue waits too
                            deferred.append(item)
                            continue
                        times.append(s)
                    chats.add(m.chat)
                at = s + used / budget  # spread over the second
                used += 1
                pending -= 1
                wait.append(at - m.at)
                if m.vacancy is not None:
                    sent_first.setdefault(m.vacancy, at)
                    if m.order[1] == first_wave[m.vacancy]:
                        wave1_done[m.vacancy] = at
            for item in deferred:
                heapq.heappush(heap, item)
        if pending > peak:
            peak, peak_at = pending, float(s)
        if pending:
            empty_at = float(s + 1)
        if s % 600 == 0:
            backlog[s // 60] = pending
        s += 1
    while s <= last_in + 600 and s % 600:  # close the backlog line
        s += 1
    # Sending's share: vacancies whose first offer the engine queued at once (not held for
    # quiet hours, shown apart in the demand summary), from the report; the first wave
    # from when the engine queued the vacancy's first offer.
    now_ = {v for v in sent_first
            if v in dem.reported and dem.first_queued[v] - dem.reported[v] <= step}
    first = sorted(sent_first[v] - dem.reported[v] for v in now_)
    wave1 = sorted(wave1_done[v] - dem.first_queued[v] for v in wave1_done
                   if v in dem.first_queued)
    return Supply(tokens, mps, first, wave1, sorted(wait), peak, peak_at, empty_at, backlog,
                  pending)


# ---------------------------------------------------------------- the report

def _fmt_s(x: float) -> str:
    return "   inf" if math.isinf(x) else f"{x:6.1f}"


def print_demand(w: Morning, dem: Demand, scale: int, workers: int, step: float) -> None:
    n_units = len({s.unit for s in w.shifts.values()})
    sms_people = sum(1 for p in w.substitutes if p in w.sms_only)
    print(f"\nRegion (1/{scale} of the nation): {n_units} units, {len(w.substitutes):,} "
          f"substitutes ({sms_people / len(w.substitutes):.0%} SMS-only), "
          f"{len(w.reports):,} absences {START_HHMM}-07:00; {workers} workers on PostgreSQL, "
          f"{step:g} s steps")
    by = Counter((m.kind, m.channel) for m in dem.msgs)
    print(f"  engine: {dem.steps:,} steps in {dem.wall:.0f} s wall; {len(dem.reported):,} "
          f"vacancies, {dem.booked:,} booked; {len(dem.msgs):,} outbox rows")
    print("  rows by kind/channel: " + ", ".join(
        f"{k}/{c} {n:,}" for (k, c), n in sorted(by.items(), key=lambda x: -x[1])))
    offers = Counter(m.channel for m in dem.msgs if m.kind == "offer")
    tot = sum(offers.values()) or 1
    print(f"  offers: {offers['telegram']:,} Telegram, {offers['sms']:,} SMS "
          f"({offers['sms'] / tot:.0%} SMS)")
    per_min = Counter(int(m.at // 60) for m in dem.msgs)
    peak_min = max(per_min.items(), key=lambda x: x[1]) if per_min else (0, 0)
    per_sec = Counter(int(m.at) for m in dem.msgs)
    print(f"  busiest queued minute: {START_HHMM}+{peak_min[0]} min, {peak_min[1]:,} rows "
          f"({peak_min[1] / 60:.1f}/s); busiest second {max(per_sec.values(), default=0)} rows")
    held = [dem.first_queued[v] - dem.reported[v] for v in dem.first_queued]
    print(f"  engine side, report -> first offer queued (simulated): {len(held):,} vacancies "
          f"with an offer, {sum(1 for h in held if h > step):,} later than one step "
          f"(held: quiet hours until 07:00, or waiting for a wave); "
          f"{len(dem.reported) - len(held):,} never offered")
    rw = sorted(dem.report_wall)
    print(f"  report_absence wall time: p50 {percentile(rw, .5) * 1000:.0f} ms, "
          f"p99 {percentile(rw, .99) * 1000:.0f} ms")
    mins = sorted(dem.busy)
    line = []
    for a in range(0, (mins[-1] if mins else 0) + 1, 10):
        busy = sum(dem.busy.get(m, 0.0) for m in range(a, a + 10))
        line.append(f"{a:>3}: {busy / 10:5.1f}")
    print("  engine wall seconds per simulated minute (mean over 10 min, from 05:30):")
    for i in range(0, len(line), 6):
        print("    " + "   ".join(line[i:i + 6]))
    worst = max((sum(dem.busy.get(m, 0.0) for m in range(a, a + 10)) / 10
                 for a in range(0, (mins[-1] if mins else 0) + 1, 10)), default=0.0)
    print(f"  -> at 1/{scale} load the busiest 10 minutes used {worst:.1f} s of wall time a "
          f"simulated minute; x{scale} linearly would be {worst * scale:.0f} s "
          f"({'keeps up' if worst * scale < 60 else 'would NOT keep up'} on this machine)")
    if dem.errors:
        print("  errors: " + ", ".join(f"{k} {n}" for k, n in dem.errors.items()))


def print_supply(results: list[Supply], scale: int) -> None:
    print(f"\nSending, modelled (per region; the nation = {scale} such regions). First offer:"
          f" report -> first offer sent, over the {len(results[0].first)} vacancies the engine"
          f"\n  offered at once (not held); wave 1 out: the engine's first offer queued -> "
          f"the last offer of the first wave sent, all vacancies:")
    print("  tokens  SMS MPS  first offer p50    p99    max   >60s  wave 1 out p99  "
          "offer wait p99  peak backlog (at)   empty at")
    for r in results:
        p50, p99 = percentile(r.first, .5), percentile(r.first, .99)
        late = sum(1 for x in r.first if x > TARGET_P99) / max(1, len(r.first))
        print(f"  {r.tokens:>6}  {r.mps:>7}  {_fmt_s(p50)} s  {_fmt_s(p99)} s "
              f"{_fmt_s(max(r.first, default=0.0))} s {late:5.1%}  "
              f"{_fmt_s(percentile(r.wave1, .99))} s        "
              f"{_fmt_s(percentile(r.wait, .99))} s      {r.peak:>6,} (+{r.peak_at / 60:4.0f} min)"
              f"   +{r.empty_at / 60:5.1f} min{'  UNSENT ' + str(r.unsent) if r.unsent else ''}")
    print("\n  backlog (rows waiting to be sent) every 10 simulated minutes from 05:30:")
    minutes = sorted({m for r in results for m in r.backlog})
    print("  tokens/MPS " + "".join(f"{m:>7}" for m in minutes))
    for r in results:
        print(f"  {r.tokens:>2} / {r.mps:>3}   " + "".join(
            f"{r.backlog.get(m, 0):>7,}" for m in minutes))


def recommend(results: list[Supply], scale: int) -> str:
    lines = []
    for label, both in (("first offer p99", False),
                        ("first offer p99 and wave 1 out p99", True)):
        ok = [r for r in results if not r.unsent
              and percentile(r.first, .99) <= TARGET_P99
              and (not both or percentile(r.wave1, .99) <= TARGET_P99)]
        if not ok:
            lines.append(f"No configuration tried reaches {label} <= {TARGET_P99:.0f} s.")
            continue
        best = min(ok, key=lambda r: (r.tokens, r.mps))
        lines.append(
            f"For {label} <= {TARGET_P99:.0f} s a region of "
            f"{max(1, round(NATIONAL_UNITS / scale))} units / "
            f"{round(NATIONAL_SUBS / scale):,} substitutes needs {best.tokens} bot token(s) and "
            f"{best.mps} SMS MPS (e.g. {best.mps} one-MPS numbers in a Messaging Service); "
            f"the nation: {best.tokens * scale} tokens and {best.mps * scale} MPS in "
            f"{scale} regions.")
    return "Recommendation: " + "\n  ".join(lines)


async def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=int, default=40, help="the region is 1/scale of the nation")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--postgres", default=PG_URL)
    p.add_argument("--step", type=float, default=1.0, help="simulated seconds a step")
    p.add_argument("--horizon", type=float, default=120.0,
                   help="simulated minutes after 05:30 the engine runs")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)
    wall = time.perf_counter()
    w = build_region(args.scale)
    print(f"National morning (issue 13), scale 1/{args.scale}, {args.workers} workers")
    async with fresh_database(args.postgres, "vik_national") as url:
        db = Database(url)
        await upgrade(db)
        await write_region(db, w)
        await db.close()
        print(f"  region written ({len(w.people):,} people, {len(w.shifts):,} shifts) in "
              f"{time.perf_counter() - wall:.0f} s; driving the engine", flush=True)
        dem = await measure_demand(url, w, args.workers, args.step, args.horizon)
    print_demand(w, dem, args.scale, args.workers, args.step)
    results = [model_sending(dem, k, mps, args.step) for k in TOKENS for mps in MPS]
    print_supply(results, args.scale)
    print("\n" + recommend(results, args.scale))
    print(f"\n(total {time.perf_counter() - wall:.0f} s wall)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
