"""Wave settings against the targets over several seeds (slower than `make bench`).

    .venv/bin/python -m bench.sweep [--seeds 6] [--jobs 2] [--defaults | --learned]

`--defaults` runs (a), today's engine (`wave_sizing=fixed`) and the learned waves only.
Before each morning, `write_history` puts 20 past mornings of offers, drawn from the same
response model, in the database for the learned waves to learn from (every run has them).

For each seed it builds the morning, runs baseline (a) and every candidate setting, and
prints, per setting, the engine's median time to fill as a multiple of (a)'s and its
messages per filled vacancy as a share of (a)'s: pooled over all seeds, then per seed;
beside them the share of vacancies filled within 1.10x (a)'s pooled median ("quick", a
steadier figure than a ratio of medians) and the fairness spread (Gini within a tier).
One seed has only ~40 vacancies, so a single morning's median moves by a minute with luck;
the pooled figures are what the recommendations in docs/benchmarks.md rest on. The last
line is the defaults' pooled figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from bench.morning import ALL_AT_ONCE, SEED, TARGET_MSG_SHARE, TARGET_VS_ALL
from bench.sim import percentile, run_engine
from bench.world import build_morning, write_history, write_world
from bot.config import Settings
from storage.db import Database
from storage.migrate import upgrade

FIXED: dict[str, object] = {"wave_sizing": "fixed"}
LEARNED: dict[str, object] = {"wave_sizing": "learned"}
DEFAULTS: list[dict[str, object]] = [{}, FIXED, LEARNED]
LEARNED_VARIANTS: list[dict[str, object]] = [
    {"wave_sizing": "learned", "wave_slowdown": 1.05},
    {"wave_sizing": "learned", "wave_slowdown": 1.25},
    {"wave_sizing": "learned", "wave_max_size": 30},
]
CANDIDATES: list[dict[str, object]] = [
    *DEFAULTS,
    *LEARNED_VARIANTS,
    {"wave_near_size": 6, "wave_near_wait_minutes": 3},
    {"wave_near_size": 10, "wave_near_wait_minutes": 3},
    {"wave_near_size": 12},
    {"wave_near_size": 16, "wave_near_wait_minutes": 5},
    {"wave_near_size": 20, "wave_near_wait_minutes": 5},
    {"wave_near_size": 30, "wave_near_wait_minutes": 5},
    {"wave_all_at_once_minutes": 60},
    {"wave_all_at_once_minutes": 90},
    {"wave_near_size": 12, "wave_near_wait_minutes": 3, "wave_all_at_once_minutes": 60},
]


def _one_seed(seed: int, candidates: list[dict[str, object]]) -> list[dict[str, Any]]:
    async def go() -> list[dict[str, Any]]:
        tmp = tempfile.mkdtemp(prefix="vikarie-sweep-")
        try:
            world = build_morning(seed)
            template = os.path.join(tmp, "t.db")
            db = Database(f"sqlite+aiosqlite:///{template}")
            await upgrade(db)
            await write_world(db, world)
            await write_history(db, world)
            await db.close()
            out = []
            for i, ov in enumerate([ALL_AT_ONCE, *candidates]):
                path = os.path.join(tmp, f"{i}.db")
                shutil.copyfile(template, path)
                r = await run_engine(path, world, str(i), **ov)
                out.append({"seed": seed, "settings": ov, "times": r.times,
                            "messages": r.messages, "filled": r.filled, "gini": r.gini})
            return out
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return asyncio.run(go())


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__)
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--defaults", action="store_true",
                    help="(a), today's engine and the learned waves only, not the whole sweep")
    ap.add_argument("--learned", action="store_true",
                    help="the defaults and the learned-wave variants only")
    args = ap.parse_args(argv)
    seeds = [SEED, *range(1, args.seeds)]
    candidates = (DEFAULTS if args.defaults else [*DEFAULTS, *LEARNED_VARIANTS] if args.learned
                  else CANDIDATES)
    with ProcessPoolExecutor(args.jobs) as pool:
        per_seed = list(pool.map(_one_seed, seeds, [candidates] * len(seeds)))
    base = {recs[0]["seed"]: recs[0] for recs in per_seed}
    # How many vacancies each fills within the target's time: TARGET_VS_ALL x (a)'s pooled
    # median (a steadier figure than a ratio of medians; (a) itself has about half).
    quick = TARGET_VS_ALL * percentile(sorted(t for r in base.values() for t in r["times"]), 0.5)
    print("Gini: of hours offered / hours booked this morning within a tier (pool, substitute),")
    print("mean over the seeds; 0 = everyone the same.")
    print(f"'quick': filled within {TARGET_VS_ALL}x (a)'s pooled median ({quick:.2f} min).")
    print(f"{'settings':<64} {'median vs (a)':>13} {'msgs vs (a)':>11} {'quick':>6} "
          f"{'Gini pool':>11} {'Gini subst.':>11}   per seed")
    pooled_default = ""
    for i, ov in enumerate([ALL_AT_ONCE, *candidates]):
        if i == 0:
            label = "(a) everyone at once"
            g = _mean_gini([recs[0]["gini"] for recs in per_seed])
            q = _quick([recs[0]["times"] for recs in per_seed], quick)
            print(f"{label:<64} {1:>12.2f}x {1:>11.0%} {q:>6.0%} {g}")
            continue
        times: list[float] = []
        btimes: list[float] = []
        msgs = filled = bmsgs = bfilled = 0
        cells = []
        for recs in per_seed:
            r, b = recs[i], base[recs[i]["seed"]]
            times += r["times"]
            btimes += b["times"]
            msgs, filled = msgs + r["messages"], filled + r["filled"]
            bmsgs, bfilled = bmsgs + b["messages"], bfilled + b["filled"]
            ratio = percentile(sorted(r["times"]), 0.5) / percentile(sorted(b["times"]), 0.5)
            share = (r["messages"] / r["filled"]) / (b["messages"] / b["filled"])
            cells.append(f"{ratio:.2f}x/{share:.0%}")
        ratio = percentile(sorted(times), 0.5) / percentile(sorted(btimes), 0.5)
        share = (msgs / filled) / (bmsgs / bfilled)
        ok = ratio <= TARGET_VS_ALL and share <= TARGET_MSG_SHARE
        label = json.dumps(ov) if ov else "defaults"
        g = _mean_gini([recs[i]["gini"] for recs in per_seed])
        q = _quick([recs[i]["times"] for recs in per_seed], quick)
        print(f"{label:<64} {ratio:>12.2f}x {share:>11.0%} {q:>6.0%} {g}   {' '.join(cells)}"
              f"{'   <- meets both' if ok else ''}")
        if not ov:
            pooled_default = (f"pooled over {len(seeds)} seeds: median {ratio:.2f}x (a), "
                              f"messages {share:.0%} of (a)")
    if pooled_default:
        print(f"defaults: wave_sizing={Settings.model_fields['wave_sizing'].default}")
        print(pooled_default)
    return 0


def _quick(per_seed: list[list[float]], within: float) -> float:
    times = [t for ts in per_seed for t in ts]
    return sum(t <= within for t in times) / len(times)


def _mean_gini(per_seed: list[dict[str, tuple[float, float]]]) -> str:
    cells = []
    for tier in ("pool", "substitute"):
        off = [g[tier][0] for g in per_seed if tier in g]
        book = [g[tier][1] for g in per_seed if tier in g]
        cells.append(f"{sum(off) / len(off):.2f}/{sum(book) / len(book):.2f}" if off else "-")
    return " ".join(f"{c:>11}" for c in cells)


if __name__ == "__main__":
    raise SystemExit(main())
