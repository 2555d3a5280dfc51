"""`vikariebot demo`: the whole system on one machine with no accounts.

Creates a fresh SQLite database, imports the sample municipality and prints a summary.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from bot.config import Settings
from bot.runtime import open_deps
from storage import tables as t
from storage.imports import import_csv

SAMPLE = Path(__file__).parent / "data" / "sample"
DEMO_DB = Path("data") / "demo.db"


def demo_settings(settings: Settings, db_path: Path = DEMO_DB) -> Settings:
    return settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{db_path}"})


def fresh_database(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


async def load_sample(settings: Settings, now: dt.datetime) -> list[str]:
    """Import the sample municipality; returns one line per file."""
    lines = []
    async with open_deps(settings) as deps:
        for kind in ("units", "people", "shifts"):
            path = SAMPLE / f"{kind}.csv"
            result = await import_csv(deps.db, kind, path, settings.tz, now)  # type: ignore[arg-type]
            if result.errors:
                raise RuntimeError("\n".join(e.message for e in result.errors))
            lines.append(f"  {kind:7} {result.created:4} nya, {result.updated} ändrade")
    return lines


async def summary(settings: Settings) -> list[str]:
    async with open_deps(settings) as deps, deps.db.read() as conn:
        units = (await conn.execute(sa.select(t.units).order_by(t.units.c.id))).all()
        roles = Counter(
            r.role for r in await conn.execute(sa.select(t.person_roles.c.role))
        )
        tiers = Counter(r.tier for r in await conn.execute(sa.select(t.people.c.tier)) if r.tier)
        shifts = (await conn.execute(sa.select(t.shifts))).all()
    tz = settings.tz
    first = min(s.starts_at for s in shifts).astimezone(tz)
    last = max(s.ends_at for s in shifts).astimezone(tz)
    return [
        "Enheter: " + ", ".join(f"{u.name} ({u.area})" for u in units),
        "Personer: "
        + ", ".join(f"{n} {role}" for role, n in sorted(roles.items()))
        + " · vikarier per nivå: "
        + ", ".join(f"{n} {tier}" for tier, n in sorted(tiers.items())),
        f"Pass: {len(shifts)} från {first:%Y-%m-%d} till {last:%Y-%m-%d}, "
        f"{sum(s.person_id is None for s in shifts)} obemannade",
    ]


async def run_demo(settings: Settings, *, interactive: bool = False, fresh: bool = True) -> int:
    settings = demo_settings(settings)
    fresh_database(DEMO_DB)
    print(f"Vikariebot demo – databas {DEMO_DB} (SQLite)")
    print("Importerar exempelkommunen:")
    for line in await load_sample(settings, dt.datetime.now(dt.UTC)):
        print(line)
    for line in await summary(settings):
        print(line)
    return 0
