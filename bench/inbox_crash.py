"""kill -9 while people talk to the bot: nothing they send is lost (issue 13, the inbox).

The real bot runs in a child process (`bench/inbox_crash_worker.py`, started as
`vikariebot run` starts it) against local fake Telegram and Twilio servers that live here
and survive every kill. Staff report sick by SMS (SJUK): a webhook that got no 2xx is sent
again with the same MessageSid, as Twilio does. Substitutes press "Ta passet" or "Nej tack"
on the offers they get on Telegram: an update stays at the fake until the bot's next
getUpdates confirms it, as Telegram's do. The child is killed with SIGKILL at random
moments, `kills` times, and started again each time; then it runs until all is settled.

    .venv/bin/python -m bench.inbox_crash               # 50 kills (docs/benchmarks.md)
    .venv/bin/python -m bench.inbox_crash --kills 10 --seed 3
    .venv/bin/python -m bench.inbox_crash --workers 3 --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test

With --workers N (PostgreSQL): N bot processes in Telegram webhook mode behind one URL (a
round-robin proxy here, as a load balancer would be), sharing inbox, outbox, ticks and the
send budget; each kill hits one of them while the others go on.

Counted from the database and the fakes at the end: reports lost or doubled, receipts
missing, answers (presses) lost, booking confirmations missing, double bookings, inbox
rows set aside. The seeding reuses the tests' builder (tests/builders.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.inbox_crash_worker import TOKEN, TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN
from bench.pgdb import fresh_database
from bot.asgi import LocalAsgiServer
from bot.demo.stage import free_port
from bot.domain import callbacks as cb
from bot.domain.model import OfferState
from bot.fakes import driving
from bot.fakes.telegram_server import FakeTelegram
from bot.fakes.twilio_server import FakeTwilio
from storage import tables as t
from storage.db import Database
from storage.migrate import upgrade
from tests.builders import World

ROOT = Path(__file__).resolve().parent.parent
STAFF = [f"staff{i}" for i in range(8)]
SUBS = [f"sub{i:02d}" for i in range(12)]
READY_SECONDS = 60
SETTLE_SECONDS = 180


def wants(person_id: str, offer_id: int) -> bool:
    """Deterministic answer: about one press in three is Ta passet."""
    return hashlib.sha256(f"{person_id}:{offer_id}".encode()).digest()[0] % 3 == 0


@dataclass
class Report:
    workers: int = 1
    database: str = "SQLite"
    kills: int = 0
    seconds: float = 0.0
    sms_posts: int = 0  # webhook posts, resends included
    sms_resent: int = 0
    presses: int = 0
    reports_lost: list[str] = field(default_factory=list)
    reports_doubled: list[str] = field(default_factory=list)
    receipts_missing: list[str] = field(default_factory=list)
    answers_lost: list[int] = field(default_factory=list)  # pressed offers still open
    confirmations_missing: list[int] = field(default_factory=list)  # accepted, never told
    double_bookings: list[int] = field(default_factory=list)
    inbox_failed: int = 0
    toasts_missing: int = 0  # presses never answered (allowed: the toast carries nothing)
    settled: bool = False

    @property
    def lost(self) -> int:
        return (len(self.reports_lost) + len(self.reports_doubled) + len(self.receipts_missing)
                + len(self.answers_lost) + len(self.confirmations_missing)
                + len(self.double_bookings) + self.inbox_failed)

    def lines(self) -> list[str]:
        return [
            f"kill -9: {self.kills} times in {self.seconds:.0f} s ({self.workers} worker"
            f"{'s' if self.workers > 1 else ''}, {self.database}); settled: {self.settled}",
            f"SMS reports: {len(STAFF)} staff, {self.sms_posts} webhook posts "
            f"({self.sms_resent} sent again after no 2xx)",
            f"  lost {len(self.reports_lost)}, doubled {len(self.reports_doubled)}, "
            f"receipt missing {len(self.receipts_missing)}",
            f"Telegram presses: {self.presses}; answers lost {len(self.answers_lost)}, "
            f"booking confirmations missing {len(self.confirmations_missing)}, "
            f"presses never toasted {self.toasts_missing}",
            f"double bookings {len(self.double_bookings)}; inbox rows set aside "
            f"{self.inbox_failed}",
        ]


async def _seed(db: Database, today: dt.date) -> tuple[dict[str, str], dict[str, int]]:
    """A unit, staff on SMS with a shift tomorrow each, substitutes on Telegram."""
    w = World(db)
    await w.unit("norr")
    tomorrow = today + dt.timedelta(days=1)
    for i, pid in enumerate(STAFF):
        await w.staff(pid, "norr", telegram=False, channel="sms")
        start = f"{tomorrow} {7 + i % 4:02d}:00"
        await w.shift(f"s{i}", "norr", pid, start, f"{tomorrow} {15 + i % 4:02d}:00")
    for pid in SUBS:
        await w.sub(pid, sms=False, channel="telegram")
    async with db.read() as conn:
        rows = (await conn.execute(sa.select(t.people))).all()
    phones = {r.id: r.phone for r in rows if r.id in STAFF}
    uids = {r.id: r.telegram_user_id for r in rows if r.id in SUBS}
    return phones, uids


class Child:
    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.inbox_crash_worker", *self.args, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), READY_SECONDS)
        if line.strip() != b"READY":
            raise RuntimeError(f"the bot did not start: {line!r}")

    async def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(sig)
            await self.proc.wait()


class Proxy:
    """One public URL in front of several workers, round robin; a worker that does not
    answer (killed) is skipped, as a load balancer's health check would."""

    def __init__(self, ports: list[int]) -> None:
        self.ports, self._next = ports, 0
        self._http = httpx.AsyncClient(timeout=30.0)
        self.app = Starlette(routes=[Route("/{path:path}", self._forward, methods=["POST"])])

    async def _forward(self, request: Request) -> Response:
        body = await request.body()
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() not in ("host", "content-length")}
        for i in range(len(self.ports)):
            port = self.ports[(self._next + i) % len(self.ports)]
            url = f"http://127.0.0.1:{port}{request.url.path}"
            if request.url.query:
                url += "?" + request.url.query
            try:
                r = await self._http.post(url, content=body, headers=headers)
            except httpx.TransportError:
                continue
            self._next = (self._next + i + 1) % len(self.ports)
            return Response(r.content, status_code=r.status_code,
                            media_type=r.headers.get("content-type"))
        return Response(status_code=503)

    async def close(self) -> None:
        await self._http.aclose()


@contextlib.asynccontextmanager
async def _database(work: Path, postgres_url: str | None) -> Any:
    """A fresh database: a SQLite file, or a new database on the PostgreSQL server."""
    if postgres_url is None:
        yield f"sqlite+aiosqlite:///{work / 'crash.db'}"
        return
    async with fresh_database(postgres_url, "vik_crash") as url:
        yield url


async def run(kills: int = 50, seed: int = 20261202, work: Path | None = None,
              progress: bool = False, workers: int = 1,
              postgres_url: str | None = None) -> Report:
    """`workers` > 1 needs `postgres_url` (several processes on one SQLite file would work
    too, but PostgreSQL is the path for several workers)."""
    report = Report(workers=workers, database="PostgreSQL" if postgres_url else "SQLite")
    rng = random.Random(seed)
    began = time.monotonic()
    with contextlib.ExitStack() as files:
        work = work or Path(files.enter_context(tempfile.TemporaryDirectory()))
        async with contextlib.AsyncExitStack() as stack:
            tg = FakeTelegram(TOKEN)
            await tg.start()
            stack.push_async_callback(tg.stop)
            tw = FakeTwilio(TWILIO_SID, TWILIO_TOKEN, number=TWILIO_NUMBER)
            await tw.start()
            stack.push_async_callback(tw.stop)
            url = await stack.enter_async_context(_database(work, postgres_url))
            db = Database(url)
            stack.push_async_callback(db.close)
            await upgrade(db)
            phones, uids = await _seed(db, dt.date.today())
            ports = [free_port() for _ in range(workers)]
            public: str | None = None
            if workers > 1:
                proxy = Proxy(ports)
                server = LocalAsgiServer(proxy.app, "127.0.0.1", 0)
                await server.start()
                stack.push_async_callback(server.stop)
                stack.push_async_callback(proxy.close)
                public = server.url
            inbound = f"{public or f'http://127.0.0.1:{ports[0]}'}/sms/inbound"
            children = [Child([url, tg.base_url, tw.base_url, str(port),
                               *([public] if public else [])]) for port in ports]
            for child in children:
                stack.push_async_callback(child.kill)
            for uid in uids.values():  # each substitute opens the chat (Telegram needs it)
                tg.user_sends_text(uid, "/start")
            sids = {pid: f"SM{hashlib.sha256(pid.encode()).hexdigest()[:32]}" for pid in STAFF}
            unacked: list[str] = []
            to_report = list(STAFF)
            pressed: dict[int, tuple[str, bool]] = {}  # offer id -> (person, accept)

            async def post(pid: str) -> None:
                report.sms_posts += 1
                try:
                    r = await tw.deliver_inbound(inbound, phones[pid], "SJUK",
                                                 message_sid=sids[pid])
                except httpx.HTTPError:
                    return
                if r.status_code == 200 and pid in unacked:
                    unacked.remove(pid)

            def press_new_offers() -> None:
                """One press per offer message a round: on a single offer Ta passet or Nej
                tack; on a bundled offer the first shift wanted, else Nej tack till alla."""
                for pid, uid in uids.items():
                    for m in driving.offers(tg, uid):
                        ids = [int(str(b["callback_data"]).split(":")[1]) for b in m.buttons
                               if str(b.get("callback_data", "")).startswith("acc:")]
                        fresh = [i for i in ids if i not in pressed]
                        if not fresh:
                            continue
                        wanted = next((i for i in fresh if wants(pid, i)), None)
                        if wanted is not None:
                            tg.user_presses_button(uid, m.message_id, cb.encode(cb.ACCEPT, wanted))
                            pressed[wanted] = (pid, True)
                        elif len(ids) == 1:
                            tg.user_presses_button(uid, m.message_id, cb.encode(cb.DECLINE, ids[0]))
                            pressed[ids[0]] = (pid, False)
                        else:
                            tg.user_presses_button(
                                uid, m.message_id, cb.encode(cb.DECLINE_ALL, ids[0]))
                            pressed.update((i, (pid, False)) for i in fresh)
                        report.presses += 1

            async def talk(seconds: float) -> None:
                """People act for `seconds`: new and unanswered reports, new offers."""
                end = time.monotonic() + seconds
                if to_report:
                    unacked.append(to_report.pop(0))
                while True:
                    posts = [asyncio.create_task(post(p)) for p in list(unacked)]
                    press_new_offers()
                    left = end - time.monotonic()
                    if left <= 0:
                        for task in posts:
                            task.cancel()
                        await asyncio.gather(*posts, return_exceptions=True)
                        return
                    await asyncio.wait(posts, timeout=left) if posts else None
                    await asyncio.sleep(min(0.05, max(0.0, end - time.monotonic())))

            for child in children:
                await child.start()
            for k in range(kills):
                await talk(rng.uniform(0.0, 0.8))
                victim = children[rng.randrange(len(children))]
                await victim.kill()
                report.kills += 1
                if progress:
                    print(f"  kill {k + 1}/{kills}", file=sys.stderr, flush=True)
                await victim.start()
            unacked.extend(to_report)
            to_report.clear()
            deadline = time.monotonic() + SETTLE_SECONDS
            while time.monotonic() < deadline:
                await talk(0.3)
                if not unacked and await _settled(db, tg, pressed):
                    report.settled = True
                    break
            for child in children:
                await child.kill(signal.SIGTERM)
            report.sms_resent = report.sms_posts - len(STAFF)
            await _count(db, tg, tw, phones, pressed, report)
    report.seconds = time.monotonic() - began
    return report


async def _settled(db: Database, tg: FakeTelegram, pressed: dict[int, tuple[str, bool]]) -> bool:
    if tg.pending_updates:
        return False
    async with db.read() as conn:
        inbox_pending = (await conn.execute(
            sa.select(sa.func.count()).select_from(t.inbox).where(t.inbox.c.state == "pending")
        )).scalar_one()
        outbox_pending = (await conn.execute(
            sa.select(sa.func.count()).select_from(t.outbox).where(t.outbox.c.state == "pending")
        )).scalar_one()
        absences = (await conn.execute(sa.select(sa.func.count()).select_from(t.absences))
                    ).scalar_one()
        still_open = (await conn.execute(
            sa.select(sa.func.count()).select_from(t.offers).where(
                t.offers.c.id.in_(list(pressed)), t.offers.c.state == OfferState.OPEN.value)
        )).scalar_one()
    return not inbox_pending and not outbox_pending and absences >= len(STAFF) and not still_open


async def _count(db: Database, tg: FakeTelegram, tw: FakeTwilio, phones: dict[str, str],
                 pressed: dict[int, tuple[str, bool]], report: Report) -> None:
    async with db.read() as conn:
        absences = (await conn.execute(sa.select(t.absences.c.person_id))).all()
        offers = {r.id: r for r in (await conn.execute(sa.select(t.offers))).all()}
        bookings = (await conn.execute(
            sa.select(t.bookings).where(t.bookings.c.cancelled_at.is_(None)))).all()
        told = {(r.person_id, r.offer_id) for r in (await conn.execute(
            sa.select(t.outbox.c.person_id, t.outbox.c.offer_id).where(
                t.outbox.c.kind == "booked", t.outbox.c.state.in_(("sent", "delivered"))))).all()}
        report.inbox_failed = int((await conn.execute(
            sa.select(sa.func.count()).select_from(t.inbox).where(t.inbox.c.state == "failed")
        )).scalar_one())
    per_person = {pid: sum(1 for a in absences if a.person_id == pid) for pid in STAFF}
    report.reports_lost = [p for p, n in per_person.items() if n == 0]
    report.reports_doubled = [p for p, n in per_person.items() if n > 1]
    report.receipts_missing = [
        p for p in STAFF
        if not any(s.body.startswith("Frånvaro registrerad") for s in tw.messages_to(phones[p]))
    ]
    report.answers_lost = [o for o in pressed if offers[o].state == OfferState.OPEN.value]
    report.confirmations_missing = [
        o for o, (pid, _) in pressed.items()
        if offers[o].state == OfferState.ACCEPTED.value and (pid, o) not in told
    ]
    per_vacancy: dict[int, int] = {}
    for b in bookings:
        per_vacancy[b.vacancy_id] = per_vacancy.get(b.vacancy_id, 0) + 1
    report.double_bookings = [v for v, n in per_vacancy.items() if n > 1]
    report.toasts_missing = report.presses - len(tg.callback_answers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL (workers > 1)")
    args = parser.parse_args()
    if args.workers > 1 and not args.postgres:
        parser.error("--workers > 1 needs --postgres")
    report = asyncio.run(run(args.kills, args.seed, progress=True, workers=args.workers,
                             postgres_url=args.postgres))
    print("\n".join(report.lines()))
    print(f"lost or doubled: {report.lost}")
    return 0 if report.lost == 0 and report.settled else 1


if __name__ == "__main__":
    sys.exit(main())
