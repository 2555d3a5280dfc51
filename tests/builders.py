"""Readable set-up for engine tests: units, people and shifts written straight to the DB."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.clock import FakeClock
from bot.config import Settings
from bot.domain.model import AbsenceCategory, Person
from bot.services import absence
from bot.services.deps import Deps
from storage import people as people_repo
from storage import tables as t
from storage.db import Database
from storage.migrate import upgrade

TZ = ZoneInfo("Europe/Stockholm")


def local(text: str) -> dt.datetime:
    """'2026-12-01 07:00' in Stockholm time, as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def make_deps(db: Database, now: str, **settings: object) -> Deps:
    s = Settings(_env_file=None, database_url="sqlite+aiosqlite:///unused.db", **settings)  # type: ignore[call-arg]
    return Deps(db=db, clock=FakeClock(local(now)), settings=s, rules=s.rule_settings())


async def report_absent(
    deps: Deps,
    who: str,
    shift_id: str,
    channel: str,
    category: AbsenceCategory = AbsenceCategory.SJUK,
) -> int:
    """`who` reports being away from the shift (by `channel`); the id of the vacancy it opens."""
    receipt = await absence.report_absence(deps, who, category, channel, shift_ids=[shift_id])
    return receipt.new_vacancy_ids[0]


async def person_of(deps: Deps, pid: str) -> Person:
    """The person as stored: the actor an intent is done by (`coordinator.fill(deps, actor,
    ...)`), so a test acts with the roles that person really has."""
    async with deps.db.read() as conn:
        person = await people_repo.get_person(conn, pid)
    assert person is not None, pid
    return person


class World:
    """Writes a small municipality: `await w.unit(...)`, `w.sub(...)`, `w.shift(...)`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._phone = 1740000
        self._tg = 5000

    async def unit(
        self,
        uid: str,
        area: str = "Centrum",
        allow_staff_extra: bool = False,
        coordinator_chat_id: int | None = None,
    ) -> str:
        async with self.db.write() as conn:
            await conn.execute(
                sa.insert(t.units).values(
                    id=uid,
                    name=f"Hemtjänst {uid.title()}",
                    area=area,
                    allow_staff_extra=allow_staff_extra,
                    coordinator_chat_id=coordinator_chat_id,
                )
            )
        return uid

    async def person(
        self,
        pid: str,
        *,
        roles: Iterable[tuple[str, str | None]],
        tier: str | None = None,
        quals: Iterable[str] = ("usk",),
        introduced: Iterable[str] = (),
        telegram: bool = True,
        sms: bool = True,
        channel: str = "both",
        language: str = "sv",
        name: str | None = None,
    ) -> str:
        self._phone += 1
        self._tg += 1
        async with self.db.write() as conn:
            await conn.execute(
                sa.insert(t.people).values(
                    id=pid,
                    name=name or f"{pid.title()} Testsson",
                    phone=f"+4670{self._phone:07d}" if sms else None,
                    telegram_user_id=self._tg if telegram else None,
                    telegram_chat_id=self._tg if telegram else None,
                    channel=channel,
                    tier=tier,
                    language=language,
                )
            )
            for role, unit in roles:
                await conn.execute(
                    sa.insert(t.person_roles).values(person_id=pid, role=role, unit_id=unit)
                )
            for q in quals:
                code, _, exp = q.partition(":")
                await conn.execute(
                    sa.insert(t.qualifications).values(
                        person_id=pid,
                        code=code,
                        expires_on=dt.date.fromisoformat(exp) if exp else None,
                    )
                )
            for u in introduced:
                await conn.execute(
                    sa.insert(t.introductions).values(
                        person_id=pid, unit_id=u, since=local("2026-01-01 00:00")
                    )
                )
        return pid

    async def sub(
        self,
        pid: str,
        *,
        introduced: Iterable[str] = ("norr",),
        tier: str = "substitute",
        **kw: object,
    ) -> str:
        return await self.person(
            pid, roles=[("substitute", None)], tier=tier, introduced=introduced, **kw
        )  # type: ignore[arg-type]

    async def staff(self, pid: str, unit: str, **kw: object) -> str:
        return await self.person(pid, roles=[("staff", unit)], introduced=[unit], **kw)  # type: ignore[arg-type]

    async def shift(
        self,
        sid: str,
        unit: str,
        person: str | None,
        start: str,
        end: str,
        role: str = "usk",
        reqs: Iterable[str] = (),
    ) -> str:
        s, e = local(start), local(end)
        if e <= s:
            e += dt.timedelta(days=1)
        async with self.db.write() as conn:
            await conn.execute(
                sa.insert(t.shifts).values(
                    id=sid,
                    unit_id=unit,
                    person_id=person,
                    starts_at=s,
                    ends_at=e,
                    role=role,
                    requirements=";".join(reqs),
                )
            )
        return sid


def cli_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fill: Callable[[Database], Awaitable[None]]
) -> Path:
    """A migrated SQLite file in `tmp_path`, filled by `fill`, which `vikariebot` commands
    run in the test then use (VIKARIE_DATABASE_URL; the working directory is `tmp_path`)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'v.db'}"

    async def setup() -> None:
        db = Database(url)
        await upgrade(db)
        await fill(db)
        await db.close()

    asyncio.run(setup())
    monkeypatch.setenv("VIKARIE_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return tmp_path
