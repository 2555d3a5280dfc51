"""Report-to-offers-queued latency on a large database, memory, and a profile.

`report_absence` commits the absence and vacancy, then runs the first wave in its own
transaction (offers + outbox rows committed): the wall time around it is the time from a
staff member's report to offers waiting in the outbox for the dispatcher.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import math
import pstats
import random
import re
import resource
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from bench.bigdb import BigWorld
from bench.sim import make_deps, percentile
from bench.world import TZ
from bot.clock import FakeClock
from bot.domain.model import AbsenceCategory
from bot.services import absence
from bot.services.deps import Deps
from storage import tables as t


@dataclass
class LatencyResult:
    samples_ms: list[float]
    offers_queued: int
    reports: int
    tracemalloc_peak_mb: float = 0.0
    maxrss_mb: float = 0.0
    profile_lines: list[str] = field(default_factory=list)
    sql_lines: list[str] = field(default_factory=list)
    # A short-notice report (everyone eligible at once): (label, ms, offers queued).
    short_notice: list[tuple[str, float, int]] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(sorted(self.samples_ms), 0.5)

    @property
    def p99(self) -> float:
        return percentile(sorted(self.samples_ms), 0.99)

    @property
    def max(self) -> float:
        return max(self.samples_ms)


def maxrss_mb() -> float:
    """Peak resident set of this process (Linux reports KiB, macOS bytes)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


class _Reporter:
    """Hands out the prepared (shift, person) pairs in a fixed random order, one a call,
    moving the fake clock on a little each time."""

    def __init__(self, deps: Deps, bw: BigWorld, seed: int = 99, near: bool = False) -> None:
        self.deps = deps
        clock = deps.clock
        assert isinstance(clock, FakeClock)
        self.clock = clock
        if near:  # today's 15:00 shifts from 11:30: the near band (learned waves size there)
            keep = next(s for s in bw.short_notice if s[2])  # for `_short_notice`
            self.todo = [(sid, p) for sid, p, g in bw.short_notice if (sid, p, g) != keep]
            day = bw.now.astimezone(TZ).date()
            clock.set(dt.datetime.combine(day, dt.time(11, 30), tzinfo=TZ))
        else:
            self.todo = list(bw.reportable)
        random.Random(seed).shuffle(self.todo)

    async def one(self) -> float:
        shift_id, person = self.todo.pop()
        self.clock.advance(dt.timedelta(seconds=10))
        start = time.perf_counter()
        receipt = await absence.report_absence(self.deps, person, AbsenceCategory.SJUK, "sms",
                                               shift_ids=[shift_id])
        elapsed = (time.perf_counter() - start) * 1000
        assert receipt.new_vacancy_ids, f"report of {shift_id} opened nothing"
        return elapsed


async def measure(db: Any, bw: BigWorld, progress: Callable[[str], None], *,
                  reports: int = 200, warmup: int = 5, traced: int = 5, profiled: int = 5,
                  profile: str = "auto", short_notice: bool = True,
                  profile_if: Callable[[LatencyResult], bool] = lambda r: True,
                  budget_seconds: float = math.inf,
                  settings: dict[str, object] | None = None,
                  near: bool = False) -> LatencyResult:
    """Time `reports` reports (fewer if `budget_seconds` runs out), then trace memory over
    `traced` more and, when `profile` is "always" or "auto" and `profile_if(result)`,
    profile `profiled` more; then, with `short_notice`, one short-notice report.
    `settings`: Settings fields for the engine (e.g. wave_sizing). `near`: the reports are
    of today's 15:00 shifts from 11:30 (3.5 hours ahead, the near band), not 2-36 hours
    ahead."""
    deps = make_deps(db, bw.now, **(settings or {}))
    rep = _Reporter(deps, bw, near=near)
    async with db.read() as conn:
        before = (await conn.execute(sa.select(sa.func.count()).select_from(t.outbox)
                                     .where(t.outbox.c.kind == "offer"))).scalar_one()
    for _ in range(warmup):  # connection pool, statement caches
        await rep.one()
    samples: list[float] = []
    started = time.perf_counter()
    for i in range(reports):
        samples.append(await rep.one())
        if (i + 1) % 25 == 0:
            progress(f"  {i + 1}/{reports} reports, p50 so far "
                     f"{percentile(sorted(samples), 0.5):.0f} ms")
        if time.perf_counter() - started > budget_seconds and i + 1 < reports:
            progress(f"  time budget of {budget_seconds:.0f} s used up: stopping at {i + 1} "
                     "reports")
            break
    async with db.read() as conn:
        after = (await conn.execute(sa.select(sa.func.count()).select_from(t.outbox)
                                    .where(t.outbox.c.kind == "offer"))).scalar_one()
    res = LatencyResult(samples, after - before, len(samples) + warmup)

    # Memory: the peak Python allocation of one report, traced separately (tracemalloc
    # slows everything down, so it is not on while timing).
    tracemalloc.start()
    peak = 0
    for _ in range(traced):
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        await rep.one()
        peak = max(peak, tracemalloc.get_traced_memory()[1] - base)
    tracemalloc.stop()
    res.tracemalloc_peak_mb = peak / (1024 * 1024)
    res.maxrss_mb = maxrss_mb()
    if profile == "always" or (profile == "auto" and profile_if(res)):
        res.profile_lines, res.sql_lines = await _profile(db, rep, profiled)
    if short_notice:
        res.short_notice = await _short_notice(db, deps, bw, progress)
    return res


async def _short_notice(db: Any, deps: Deps, bw: BigWorld,
                        progress: Callable[[str], None]) -> list[tuple[str, float, int]]:
    """At 14:20, a report of absence from a 15:00 shift: the first wave goes to everyone
    eligible at once. A handledare of the unit is on duty then, so substitutes not yet
    introduced at the unit are eligible too (each offer names the handledare)."""
    clock = deps.clock
    assert isinstance(clock, FakeClock)
    local_day = bw.now.astimezone(TZ).date()
    clock.set(dt.datetime.combine(local_day, dt.time(14, 20), tzinfo=TZ))
    shift_id, person, _ = next(s for s in bw.short_notice if s[2])
    progress(f"  short notice: reporting {shift_id} at 14:20 for 15:00 (everyone at once) ...")
    start = time.perf_counter()
    receipt = await absence.report_absence(deps, person, AbsenceCategory.SJUK, "sms",
                                           shift_ids=[shift_id])
    ms = (time.perf_counter() - start) * 1000
    async with db.read() as conn:
        offers = (await conn.execute(
            sa.select(sa.func.count()).select_from(t.offers)
            .where(t.offers.c.vacancy_id == receipt.new_vacancy_ids[0])
        )).scalar_one()
    progress(f"    {ms / 1000:.1f} s, {offers:,} offers queued")
    return [("40 min before start", ms, int(offers))]


async def _profile(db: Any, rep: _Reporter, n: int) -> tuple[list[str], list[str]]:
    """cProfile over `n` reports (project functions by cumulative time) and the SQL
    statements by total time spent in the driver."""
    sql_time: dict[str, float] = defaultdict(float)
    sql_count: dict[str, int] = defaultdict(int)
    engine = db.engine.sync_engine

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
               executemany: bool) -> None:
        conn.info.setdefault("bench_t0", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
              executemany: bool) -> None:
        t0 = conn.info["bench_t0"].pop()
        key = _statement_key(statement)
        sql_time[key] += time.perf_counter() - t0
        sql_count[key] += 1

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    prof = cProfile.Profile()
    wall = time.perf_counter()
    prof.enable()
    for _ in range(n):
        await rep.one()
    prof.disable()
    wall = time.perf_counter() - wall
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)

    stream = io.StringIO()
    stats = pstats.Stats(prof, stream=stream)
    lines = [f"cProfile over {n} reports: {wall * 1000 / n:.0f} ms a report under the profiler"]
    rows = []
    for (filename, lineno, name), (_cc, ncalls, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        short = _short_path(filename)
        if short is None:
            continue
        rows.append((ct, ncalls, f"{short}:{lineno}({name})"))
    rows.sort(reverse=True)
    lines.append(f"  {'cumulative':>10}  {'%':>4}  {'calls/report':>12}  function")
    for ct, ncalls, where in rows[:22]:
        lines.append(f"  {ct * 1000 / n:8.1f}ms  {ct / wall * 100:3.0f}%  {ncalls / n:12.1f}  "
                     f"{where}")
    total_sql = sum(sql_time.values())
    sql_lines = [f"SQL time in the driver: {total_sql * 1000 / n:.0f} ms a report "
                 f"({sum(sql_count.values()) / n:.0f} statements a report); the costliest:"]
    for key in sorted(sql_time, key=lambda k: -sql_time[k])[:8]:
        sql_lines.append(f"  {sql_time[key] * 1000 / n:7.1f}ms  x{sql_count[key] / n:5.1f}  {key}")
    return lines, sql_lines


def _short_path(filename: str) -> str | None:
    for marker in ("/bot/", "/storage/"):
        if marker in filename and "site-packages" not in filename:
            return marker.strip("/") + "/" + filename.split(marker, 1)[1]
    return None


def _statement_key(statement: str) -> str:
    """A statement shortened to what identifies it: verb, tables and WHERE columns."""
    s = re.sub(r"\s+", " ", statement).strip()
    s = re.sub(r"\(\?(, \?)*\)", "(?…)", s)
    s = re.sub(r"SELECT .*? FROM", "SELECT … FROM", s, count=1)
    return s[:150]
