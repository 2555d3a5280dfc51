"""kill -9 at random points of a scripted morning, restart, repeat: nothing acknowledged is lost,
no vacancy is booked twice, nobody gets the same offer twice, every offer is delivered."""

from __future__ import annotations

import asyncio
import random
import signal
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage import tables as t
from storage.db import Database

ROOT = Path(__file__).resolve().parent.parent


async def _run_once(db_path: Path, state: Path, kill_after: float | None) -> str | None:
    """Run the worker; kill it `kill_after` seconds after it is ready (None: let it finish)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.crash_worker",
        str(db_path),
        str(state),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    ready = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
    if ready.strip() == b"READY" and kill_after is not None:
        try:
            await asyncio.wait_for(proc.wait(), timeout=kill_after)
        except TimeoutError:
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            return None
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()[-3000:]
    return ready.decode() + out.decode()


@pytest.mark.slow
async def test_kill_9_and_restart_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261201)
    db_path = tmp_path / "crash.db"
    kills = 0
    for _ in range(60):
        out = await _run_once(db_path, tmp_path, rng.uniform(0.0, 0.8) if kills < 15 else None)
        if out is None:
            kills += 1
            continue
        assert "DONE" in out
        break
    else:
        pytest.fail("the morning never finished")
    assert kills >= 5, "the worker finished too fast to be killed mid-morning"

    db = Database(f"sqlite+aiosqlite:///{db_path}")
    try:
        async with db.read() as conn:
            acks = (tmp_path / "acks.log").read_text().splitlines()
            # Every acknowledged booking is in the database, live.
            for line in acks:
                if line.startswith("booked"):
                    _, vid, pid, bid = line.split()
                    row = (
                        await conn.execute(sa.select(t.bookings).where(t.bookings.c.id == int(bid)))
                    ).one()
                    assert (row.vacancy_id, row.person_id) == (int(vid), pid)
                    assert row.cancelled_at is None
            # Every acknowledged report is there with its vacancy.
            reported = {line.split()[2] for line in acks if line.startswith("report")}
            vacancies = (await conn.execute(sa.select(t.vacancies))).all()
            assert {v.shift_id for v in vacancies} == reported == {f"s{i}" for i in range(16)}
            absences = (await conn.execute(sa.select(t.absences))).all()
            assert len(absences) == 16, "a repeated report after a crash created a new absence"
            # At most one live booking per vacancy, never a person on overlapping shifts.
            live = (
                await conn.execute(
                    sa.select(t.bookings.c.vacancy_id, t.bookings.c.person_id).where(
                        t.bookings.c.cancelled_at.is_(None)
                    )
                )
            ).all()
            assert len({v for v, _ in live}) == len(live)
            assert len({p for _, p in live}) == len(live)  # all shifts overlap on one morning
            # Nobody got the same offer twice; every offer still open was delivered.
            offers = (await conn.execute(sa.select(t.offers))).all()
            assert len({(o.vacancy_id, o.person_id) for o in offers}) == len(offers)
            delivered: dict[int, str] = dict(
                (
                    await conn.execute(
                        sa.select(t.outbox.c.offer_id, t.outbox.c.state).where(
                            t.outbox.c.kind == "offer"
                        )
                    )
                ).all()
            )
            for o in offers:
                # Delivered, or closed (taken, withdrawn) before the message got out.
                assert delivered.get(o.id) == "sent" or (
                    delivered.get(o.id) == "skipped" and o.state != "open"
                ), (o.id, o.state, delivered.get(o.id))
            # Every vacancy ended filled, or is escalated to the coordinator.
            assert all(v.status == "filled" or v.escalated_at is not None for v in vacancies)
            assert any(v.status == "filled" for v in vacancies)
    finally:
        await db.close()
