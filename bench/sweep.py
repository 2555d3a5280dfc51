"""Wave settings against the targets over several seeds (slower than `make bench`).

    .venv/bin/python -m bench.sweep [--seeds 6] [--jobs 2]

For each seed it builds the morning, runs baseline (a) and every candidate setting, and
prints, per setting, the engine's median time to fill as a multiple of (a)'s and its
messages per filled vacancy as a share of (a)'s: pooled over all seeds, then per seed.
One seed has only ~40 vacancies, so a single morning's median moves by a minute with luck;
the pooled figures are what the recommendations in docs/benchmarks.md rest on.
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
from bench.world import build_morning, write_world
from storage.db import Database
from storage.migrate import upgrade

CANDIDATES: list[dict[str, object]] = [
    {},
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


def _one_seed(seed: int) -> list[dict[str, Any]]:
    async def go() -> list[dict[str, Any]]:
        tmp = tempfile.mkdtemp(prefix="vikarie-sweep-")
        try:
            world = build_morning(seed)
            template = os.path.join(tmp, "t.db")
            db = Database(f"sqlite+aiosqlite:///{template}")
            await upgrade(db)
            await write_world(db, world)
            await db.close()
            out = []
            for i, ov in enumerate([ALL_AT_ONCE, *CANDIDATES]):
                path = os.path.join(tmp, f"{i}.db")
                shutil.copyfile(template, path)
                r = await run_engine(path, world, str(i), **ov)
                out.append({"seed": seed, "settings": ov, "times": r.times,
                            "messages": r.messages, "filled": r.filled})
            return out
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return asyncio.run(go())


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__)
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = ap.parse_args(argv)
    seeds = [SEED, *range(1, args.seeds)]
    with ProcessPoolExecutor(args.jobs) as pool:
        per_seed = list(pool.map(_one_seed, seeds))
    base = {recs[0]["seed"]: recs[0] for recs in per_seed}
    print(f"{'settings':<84} {'median vs (a)':>13} {'msgs vs (a)':>11}   per seed")
    for i, ov in enumerate(CANDIDATES, start=1):
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
        print(f"{label:<84} {ratio:>12.2f}x {share:>11.0%}   {' '.join(cells)}"
              f"{'   <- meets both' if ok else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
