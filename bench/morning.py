"""`make bench`: the call-out benchmark. See docs/benchmarks.md for how to read it.

Part 1 simulates one morning (fixed seed) through the real engine and two baselines and
prints time to fill and messages. Part 2 measures report-to-offers-queued latency and
memory on a large SQLite database, and profiles it when it misses its target.

    .venv/bin/python -m bench.morning [--seed N] [--reports N] [--skip-sim] [--skip-latency]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import logging
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence

from bench.bigdb import build_big
from bench.latency import LatencyResult, maxrss_mb, measure
from bench.sim import RunResult, engine_rankings, percentile, run_coordinators, run_engine
from bench.world import (
    DAY,
    TZ,
    UNITS,
    Morning,
    build_morning,
    local,
    write_history,
    write_world,
)
from storage.db import Database
from storage.migrate import upgrade

SEED = 20261117
# Baseline (a): every wave is "everyone eligible", under the same quiet hours as the engine
# (offers for a later day wait for 07:00; the issue asks the engine to hold them, so a
# strategy that wakes people for them is not one the product may use). (a') is the same
# but also at night: the bare lower bound, printed for reference.
EVERYONE = 1_000_000
ALL_AT_ONCE = {"wave_near_size": EVERYONE, "wave_mid_size": EVERYONE, "wave_far_size": EVERYONE}
ALL_AT_ONCE_AT_NIGHT = {"wave_all_at_once_minutes": EVERYONE}
A_NIGHT_LABEL = "(a') everyone at once, at night too"
# Settings runs printed beside the defaults: the trade-off the wave settings offer
# (see docs/benchmarks.md). Each is a dict of Settings fields.
# near_size=10/near_wait=3 is the cheapest gain found; all_at_once=90 is what it takes to
# come near 1.25x of (a) with waves alone (`python -m bench.sweep` over several seeds).
ALTERNATIVES: list[dict[str, object]] = [
    {"wave_sizing": "learned"},  # waves sized by expected yeses (bot/domain/response_model.py)
    {"wave_near_size": 10, "wave_near_wait_minutes": 3},
    {"wave_all_at_once_minutes": 90},
]
TARGET_VS_ALL = 1.10  # engine median at most this times baseline (a)
TARGET_MSG_SHARE = 0.25  # engine messages per filled vacancy at most this share of (a)
TARGET_VS_PHONE = 10.0  # engine median at least this many times faster than (b)
TARGET_P99_MS = 100.0
LATENCY_BUDGET_S = 90.0  # stop measuring earlier than `--reports` if this runs out


def say(line: str = "") -> None:
    print(line, flush=True)


def fmt_min(x: float) -> str:
    return "never" if math.isinf(x) else f"{x:.1f}"


def _settings_label(ov: dict[str, object]) -> str:
    short = {"wave_near_size": "near_size", "wave_near_wait_minutes": "near_wait",
             "wave_all_at_once_minutes": "all_at_once", "wave_mid_size": "mid_size",
             "wave_mid_wait_minutes": "mid_wait", "wave_far_size": "far_size",
             "wave_far_wait_minutes": "far_wait"}
    return "engine " + ",".join(f"{short.get(k, k)}={v}" for k, v in ov.items())


async def _template(path: str, seed: int) -> Morning:
    world = build_morning(seed)
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db)
    await write_world(db, world)
    await write_history(db, world)  # 20 past mornings of offers for the response model
    await db.close()  # the last close checkpoints the WAL: the file is complete
    return world


def _copy(template: str, tmp: str, name: str) -> str:
    dest = os.path.join(tmp, f"{name}.db")
    shutil.copyfile(template, dest)
    return dest


async def part1(tmp: str, seed: int) -> list[RunResult]:
    say(f"== Part 1: one simulated morning ({DAY:%A %Y-%m-%d}, seed {seed}) ==")
    template = os.path.join(tmp, "morning.db")
    world = await _template(template, seed)
    bands: dict[str, int] = {}
    for r in world.reports:
        b = world.shifts[r.shift].band
        bands[b] = bands.get(b, 0) + 1
    tiers = sum(1 for p in world.people if p["tier"] == "pool")
    say(f"  world: {len(UNITS)} units in 2 areas, {len(world.people) - len(world.substitutes)} "
        f"regular staff, {len(world.substitutes)} substitutes ({tiers} pool), "
        f"{len(world.shifts)} shifts")
    first, last = world.reports[0].at, world.reports[-1].at
    say(f"  {len(world.reports)} absences reported {_hm(first)}–{_hm(last)} local time: "
        + ", ".join(f"{n} for {b}" for b, n in bands.items()))
    results: list[RunResult] = []
    runs: list[tuple[str, dict[str, object]]] = [
        ("engine (defaults)", {}),
        ("(a) everyone at once", dict(ALL_AT_ONCE)),
        (A_NIGHT_LABEL, dict(ALL_AT_ONCE_AT_NIGHT)),
    ]
    runs += [(_settings_label(ov), ov) for ov in ALTERNATIVES]
    for label, ov in runs:
        say(f"  running {label} ...")
        res = await run_engine(_copy(template, tmp, f"run{len(results)}"), world, label, **ov)
        say(f"    done in {res.wall_seconds:.1f} s: {res.filled}/{len(res.outcomes)} filled, "
            f"{res.messages} messages ({_kinds(res)})")
        results.append(res)
    say("  running (b) coordinator phoning: the engine's ranking at each report ...")
    rankings = await engine_rankings(_copy(template, tmp, "ranking"), world)
    phone = run_coordinators(world, rankings)
    say(f"    done: {phone.filled}/{len(phone.outcomes)} filled, {phone.messages} calls")
    results.insert(2, phone)
    return results


def _hm(when: dt.datetime) -> str:
    return when.astimezone(TZ).strftime("%H:%M")


def _kinds(res: RunResult) -> str:
    return ", ".join(f"{k} {n}" for k, n in sorted(res.by_kind.items(), key=lambda kv: -kv[1]))


def print_part1(results: Sequence[RunResult]) -> None:
    engine, all_at_once, phone = results[0], results[1], results[2]
    say()
    say("Time to fill = report -> booking, minutes of simulated time; a vacancy not filled "
        "before its start counts as 'never' (p90 filled: over the filled ones only).")
    say("Messages = outbox rows to substitutes, every kind (offer, taken, late, booked, ...); "
        "for (b), phone calls.")
    head = (f"  {'strategy':<40} {'filled':>7} {'before start':>12} {'median':>7} "
            f"{'p90':>7} {'p90 filled':>10} {'msgs/filled':>11} {'messages':>8}")
    say(head)
    say("  " + "-" * (len(head) - 2))
    for r in results:
        ts = r.times
        filled = [x for x in ts if math.isfinite(x)]
        say(f"  {r.label:<40} {r.filled:>3}/{len(ts):<3} {r.filled / len(ts):>12.0%} "
            f"{fmt_min(percentile(ts, 0.5)):>7} {fmt_min(percentile(ts, 0.9)):>7} "
            f"{fmt_min(percentile(filled, 0.9)):>10} {r.per_filled:>11.1f} {r.messages:>8}")
    say()
    say("  fairness: Gini of hours offered / hours booked this morning within each tier "
        "(0 = everyone the same):")
    say(f"  {'strategy':<40} {'pool':>11} {'substitute':>11}")
    for r in results:
        if r.gini:
            say(f"  {r.label:<40} " + " ".join(
                f"{r.gini[k][0]:.2f}/{r.gini[k][1]:.2f}".rjust(11) for k in sorted(r.gini)))
    say()
    bands = sorted({o.shift.band for o in engine.outcomes},
                   key=lambda b: ("today 07:00", "today 15:00", "tomorrow 07:00").index(b))
    say("  median time to fill by shift (filled/vacancies):")
    say(f"  {'strategy':<40} " + " ".join(f"{b:>20}" for b in bands))
    for r in results:
        cells = []
        for b in bands:
            ts = sorted(o.minutes for o in r.outcomes if o.shift.band == b)
            filled = sum(math.isfinite(x) for x in ts)
            cells.append(f"{fmt_min(percentile(ts, 0.5)):>8} min ({filled}/{len(ts)})")
        say(f"  {r.label:<40} " + " ".join(f"{c:>20}" for c in cells))
    say()
    a_med = percentile(all_at_once.times, 0.5)
    b_med = percentile(phone.times, 0.5)
    night = next(r for r in results if r.label == A_NIGHT_LABEL)
    for r in [engine, *(r for r in results[3:] if r is not night)]:
        med = percentile(r.times, 0.5)
        vs_all = med / a_med
        share = r.per_filled / all_at_once.per_filled
        vs_phone = b_med / med if math.isfinite(b_med) else math.inf
        say(f"  targets, {r.label}:")
        say(f"    median at most {TARGET_VS_ALL}x (a)'s:     {fmt_min(med)} vs "
            f"{fmt_min(a_med)} min = {vs_all:.2f}x   {_verdict(vs_all <= TARGET_VS_ALL)}")
        say(f"    messages at most {TARGET_MSG_SHARE:.0%} of (a)'s:   {r.per_filled:.1f} vs "
            f"{all_at_once.per_filled:.1f} a filled vacancy = {share:.0%}   "
            f"{_verdict(share <= TARGET_MSG_SHARE)}")
        n_med = percentile(night.times, 0.5)
        say(f"    (for reference: {med / n_med:.2f}x (a')'s {fmt_min(n_med)} min, which "
            "also offers tomorrow's shifts before 07:00)")
        speed = "never fills" if math.isinf(vs_phone) else f"{vs_phone:.1f}x faster"
        say(f"    at least {TARGET_VS_PHONE:.0f}x faster than (b): {fmt_min(med)} vs "
            f"{fmt_min(b_med)} min = {speed}   {_verdict(vs_phone >= TARGET_VS_PHONE)}")


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


async def part2(tmp: str, reports: int, profile: str, short_notice: bool,
                wave_sizing: str = "fixed", near: bool = False) -> LatencyResult:
    say()
    say(f"== Part 2: report -> offers queued, on a large database (wave_sizing={wave_sizing}"
        f"{', shifts 3.5 h ahead' if near else ''}) ==")
    path = os.path.join(tmp, "big.db")
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db)
    started = time.perf_counter()
    say("  building (bulk inserts) ...")
    bw = await build_big(db, local(DAY, "07:30"), lambda line: say(line))
    say(f"  built in {time.perf_counter() - started:.1f} s, {_megabytes(path):.0f} MB on disk")
    say(f"  measuring {reports} reports (wall time around report_absence) ...")
    res = await measure(db, bw, say, reports=reports, profile=profile,
                        profile_if=lambda r: r.p99 >= TARGET_P99_MS, short_notice=short_notice,
                        budget_seconds=LATENCY_BUDGET_S,
                        settings={"wave_sizing": wave_sizing}, near=near)
    await db.close()
    return res


def _megabytes(path: str) -> float:
    files = [path, path + "-wal"]
    return sum(os.path.getsize(f) for f in files if os.path.exists(f)) / 1e6


def print_part2(res: LatencyResult) -> None:
    say()
    n = len(res.samples_ms)
    head = f"  {'report -> offers queued':<34} {'p50':>8} {'p99':>8} {'max':>8}  target p99"
    say(head)
    say("  " + "-" * (len(head) - 2))
    say(f"  {f'{n} reports, 5,000 people':<34} {res.p50:>6.0f}ms {res.p99:>6.0f}ms "
        f"{res.max:>6.0f}ms  < {TARGET_P99_MS:.0f} ms: {_verdict(res.p99 < TARGET_P99_MS)}")
    say(f"  offers queued by these reports: {res.offers_queued} "
        f"({res.offers_queued / res.reports:.1f} a report)")
    for label, ms, offers in res.short_notice:
        say(f"  {f'short notice, {label}':<34} {ms:>6.0f}ms  ({offers:,} offers at once, "
            "in one write transaction)")
    say(f"  memory: tracemalloc peak of one report {res.tracemalloc_peak_mb:.1f} MB; "
        f"process peak RSS {maxrss_mb():.0f} MB (ru_maxrss, whole benchmark)")
    if res.profile_lines:
        say()
        say("  where the time goes (profiled after timing; cProfile slows Python ~2x; "
            "a coroutine's calls count each resumption):")
        for line in res.profile_lines + res.sql_lines:
            say("  " + line)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.morning", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--reports", type=int, default=200, help="reports timed in part 2")
    ap.add_argument("--skip-sim", action="store_true")
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--skip-short-notice", action="store_true",
                    help="skip the 'everyone at once' report on the large database")
    ap.add_argument("--profile", choices=("auto", "always", "never"), default="auto")
    ap.add_argument("--wave-sizing", choices=("fixed", "learned"), default="fixed",
                    help="the engine's wave sizing in part 2")
    ap.add_argument("--near", action="store_true",
                    help="part 2 reports today's 15:00 shifts from 11:30 (the near band, where "
                         "learned waves are sized) instead of shifts 2-36 hours ahead")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)  # the engine logs unreachable people etc.
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vikarie-bench-") as tmp:
        if not args.skip_sim:
            print_part1(asyncio.run(part1(tmp, args.seed)))
        if not args.skip_latency:
            # What Part 1 left behind is no part of a report's latency: collect it, and
            # move what survives out of the collector's way, as a long-running bot's
            # start-up objects would be (gc.freeze).
            gc.collect()
            gc.freeze()
            print_part2(asyncio.run(part2(tmp, args.reports, args.profile,
                                          not args.skip_short_notice, args.wave_sizing,
                                          args.near)))
    say()
    say(f"bench finished in {time.perf_counter() - started:.0f} s "
        f"(python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
