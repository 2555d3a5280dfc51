"""The SMS channel end to end: the real twilio library against FakeTwilio over real HTTP.

`rig` runs `VikarieBot(deps, web=True, ticker=False)` on a free port with Twilio pointed
at the fake; the fake posts signed webhooks to `<public_url>/sms/inbound` and to the
status callback. Telegram is a RecordingSender, so fallbacks to it can be read.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest
import sqlalchemy as sa

from bot.app import VikarieBot
from bot.channels.base import RecordingSender
from bot.channels.sms import INBOUND_PATH
from bot.clock import FakeClock
from bot.fakes import driving
from bot.fakes.twilio_server import FICTIONAL_NUMBER, FakeTwilio, SentSms
from bot.services.deps import Deps
from storage import outbox
from storage import tables as tb
from storage.db import Database
from tests.builders import World, make_deps

SID = "AC" + "5" * 32
TOKEN = "sms-test-token"
OUR_NUMBER = FICTIONAL_NUMBER
NOW = "2026-12-01 05:45"  # a Tuesday morning, Stockholm time


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def phone_of(world_index: int) -> str:
    """The number tests.builders.World gives its n-th person (1-based)."""
    return f"+4670{1740000 + world_index:07d}"


@dataclass
class Rig:
    deps: Deps
    db: Database
    world: World
    fake: FakeTwilio
    bot: VikarieBot
    telegram: RecordingSender
    public_url: str

    @property
    def clock(self) -> FakeClock:
        assert isinstance(self.deps.clock, FakeClock)
        return self.deps.clock

    @property
    def inbound_url(self) -> str:
        return self.public_url + INBOUND_PATH

    async def text(self, from_: str, body: str, **kw: object) -> httpx.Response:
        """`from_` sends us `body`, signed like Twilio (kw: message_sid, sign, ...); returns
        once the inbox worker has handled what the webhook stored."""
        response = await self.fake.deliver_inbound(self.inbound_url, from_, body, **kw)  # type: ignore[arg-type]
        await self.inbox_handled()
        return response

    async def status(self, sid: str, status: str, **kw: int | None) -> httpx.Response:
        """Twilio reports on message `sid`; returns once the inbox worker has handled it."""
        response = await self.fake.send_status(sid, status, **kw)
        await self.inbox_handled()
        return response

    async def texts_taken(self) -> int:
        """Texts taken in: committed to the inbox (registered numbers) or marked as seen
        (unregistered numbers, answered in the webhook's response)."""
        async with self.db.read() as conn:
            stored = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(tb.inbox)
                    .where(tb.inbox.c.source == "sms")
                )
            ).scalar_one()
            seen = (
                await conn.execute(sa.select(sa.func.count()).select_from(tb.inbound_seen))
            ).scalar_one()
        return int(stored) + int(seen)

    async def inbox_handled(self) -> None:
        """Wait until no inbox row is pending (handled, or set aside as failed)."""
        for _ in range(2000):  # up to ~20 s on a busy machine
            if not await driving.inbox_busy(self.deps):
                return
            await asyncio.sleep(0.01)
        raise TimeoutError("the inbox did not drain")

    async def sms_to(
        self, number: str, predicate: Callable[[SentSms], bool] | None = None
    ) -> SentSms:
        """The first SMS to `number` (matching), once the outbox has recorded it as sent."""
        sms = await self.fake.wait_for_sms(number, predicate, timeout=20.0)
        await self.idle()
        return sms

    async def idle(self) -> None:
        """Wait until every inbox row is handled and every outbox row tried at least once."""
        await self.inbox_handled()
        for _ in range(2000):
            async with self.db.read() as conn:
                waiting = (
                    await conn.execute(
                        sa.select(sa.func.count())
                        .select_from(tb.outbox)
                        .where(tb.outbox.c.state == "pending", tb.outbox.c.attempts == 0)
                    )
                ).scalar_one()
            if not waiting:
                await asyncio.sleep(0.02)  # let an in-flight HTTP call land
                return
            await asyncio.sleep(0.01)
        raise TimeoutError("the outbox did not drain")

    async def bodies_to(self, number: str) -> list[str]:
        await self.idle()
        return [s.body for s in self.fake.messages_to(number)]

    async def outbox_items(self) -> list[outbox.OutboxItem]:
        async with self.db.read() as conn:
            return await outbox.all_items(conn)


@pytest.fixture
def rig_settings() -> dict[str, object]:
    """More settings for `rig`; a test changes them with
    `@pytest.mark.parametrize("rig_settings", [{...}])`."""
    return {}


@pytest.fixture
async def rig(db: Database, rig_settings: dict[str, object]) -> AsyncIterator[Rig]:
    fake = FakeTwilio(SID, TOKEN)
    await fake.start()
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    deps = make_deps(
        db,
        NOW,
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        twilio_from=OUR_NUMBER,
        twilio_api_url=fake.base_url,
        http_port=port,
        public_url=public_url,
        outbox_poll_seconds=0.05,
        **rig_settings,
    )
    bot = VikarieBot(deps, web=True, ticker=False)
    try:
        await bot.start()
        telegram = RecordingSender("telegram")
        assert bot.dispatcher is not None
        bot.dispatcher.senders["telegram"] = telegram
        yield Rig(deps, db, World(db), fake, bot, telegram, public_url)
    finally:
        await asyncio.gather(bot.stop(), fake.stop())  # side by side: each waits for uvicorn
