"""The demo's stage: the real bot against the local Telegram and Twilio servers, the sample
municipality in a fresh SQLite file, a fast clock, and people who can act on their phones.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from bot.app import VikarieBot
from bot.clock import FakeClock
from bot.config import Settings
from bot.demo.transcript import Transcript
from bot.domain.importer import ImportKind
from bot.domain.model import Person
from bot.fakes import driving
from bot.fakes.telegram_server import FakeTelegram, SentMessage
from bot.fakes.twilio_server import FakeTwilio
from bot.runtime import open_deps
from bot.services.deps import Deps
from storage import people as people_repo
from storage.imports import import_csv

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
TOKEN = "424242:DEMO-TOKEN"  # noqa: S105 - the local fake accepts any token
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "demo-auth-token"  # noqa: S105 - the local fake's
TWILIO_NUMBER = "+46701740605"
FIRST_USER_ID = 7000


LINK_WAIT_SECONDS = 60.0  # for everyone's contact share to be linked


def remove_database(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stage:
    """Everything running for the demo; `act_*` methods are what people do on their phones."""

    settings: Settings
    deps: Deps
    clock: FakeClock
    telegram: FakeTelegram
    twilio: FakeTwilio
    bot: VikarieBot
    people: dict[str, Person]
    user_ids: dict[str, int]  # person id -> Telegram user id (linked people only)
    _stack: contextlib.AsyncExitStack = field(repr=False)
    _sms_count: int = 0

    # ---------- who is who ----------
    def name_of_chat(self, chat_id: int) -> str:
        for pid, uid in self.user_ids.items():
            if uid == chat_id:
                return self.label(pid)
        return f"chat {chat_id}"

    def name_of_phone(self, phone: str) -> str:
        for p in self.people.values():
            if p.phone == phone:
                return self.label(p.id)
        return phone

    def label(self, person_id: str) -> str:
        p = self.people[person_id]
        role = (
            "vikarie"
            if p.tier in ("pool", "substitute")
            else ("samordnare" if any(g.role == "coordinator" for g in p.roles) else "ordinarie")
        )
        return f"{p.name} ({role})"

    def transcript(self, out: Callable[[str], None] = print) -> Transcript:
        """A transcript of what the local servers receive from now on, names filled in."""
        return Transcript(
            self.telegram,
            self.twilio,
            self.clock,
            self.settings.tz,
            self.name_of_chat,
            self.name_of_phone,
            out=out,
        )

    def uses_telegram(self, person_id: str) -> bool:
        return person_id in self.user_ids and self.people[person_id].channel != "sms"

    # ---------- what people do ----------
    def act_telegram(self, person_id: str, text: str) -> None:
        self.telegram.user_sends_text(self.user_ids[person_id], text)

    async def act_press(self, person_id: str, label: str, *, wait: float = 5.0) -> str:
        """Press the newest button in the person's chat whose label contains `label`."""
        return await driving.press_button(self.telegram, self.user_ids[person_id], label, wait=wait)

    async def act_sms(self, person_id: str, body: str) -> None:
        phone = self.people[person_id].phone
        assert phone is not None
        self._sms_count += 1
        await self.twilio.deliver_inbound(
            self._public_url + "/sms/inbound",
            phone,
            body,
            message_sid=f"SMdemo{self._sms_count:026d}",
        )

    @property
    def _public_url(self) -> str:
        return (self.settings.public_url or "").rstrip("/")

    def offers_in_chat(self, person_id: str) -> list[SentMessage]:
        return driving.offers(self.telegram, self.user_ids[person_id])

    # ---------- time ----------
    async def settle(self, rounds: int = 400) -> None:
        """Wait until updates are handled and everything due in the outbox is delivered."""
        await driving.settle(self.deps, telegram=self.telegram, twilio=self.twilio,
                             looks=rounds)

    async def stop(self) -> None:
        await self._stack.aclose()


async def open_stage(
    db_path: Path,
    start: dt.datetime,
    *,
    http_port: int | None = None,
    ticker: bool = False,
    base: Settings | None = None,
) -> Stage:
    """Fresh database, sample municipality, local servers, the bot, and everyone linked."""
    remove_database(db_path)
    stack = contextlib.AsyncExitStack()
    try:
        telegram = FakeTelegram(TOKEN)
        await telegram.start()
        stack.push_async_callback(telegram.stop)
        twilio = FakeTwilio(TWILIO_SID, TWILIO_TOKEN, number=TWILIO_NUMBER)
        await twilio.start()
        stack.push_async_callback(twilio.stop)
        port = http_port or free_port()
        defaults = base or Settings(_env_file=None)  # type: ignore[call-arg]
        settings = defaults.model_copy(
            update={
                "database_url": f"sqlite+aiosqlite:///{db_path}",
                "telegram_token": SecretStr(TOKEN),
                "telegram_api_url": telegram.base_url,
                "telegram_mode": "polling",
                "twilio_account_sid": TWILIO_SID,
                "twilio_auth_token": SecretStr(TWILIO_TOKEN),
                "twilio_from": TWILIO_NUMBER,
                "twilio_api_url": twilio.base_url,
                "public_url": f"http://127.0.0.1:{port}",
                "http_host": "127.0.0.1",
                "http_port": port,
                "outbox_poll_seconds": 0.05,
                "tick_seconds": 1.0,
            }
        )
        twilio.inbound_webhook_url = f"http://127.0.0.1:{port}/sms/inbound"
        clock = FakeClock(start)
        deps = await stack.enter_async_context(open_deps(settings, clock))
        kinds: tuple[ImportKind, ...] = ("units", "people", "shifts")
        for kind in kinds:
            result = await import_csv(
                deps.db, kind, SAMPLE / f"{kind}.csv", settings.tz, clock.now()
            )
            if result.errors:
                raise RuntimeError("\n".join(e.message for e in result.errors))
        bot = VikarieBot(deps, web=True, ticker=ticker)
        await bot.start()
        stack.push_async_callback(bot.stop)
        async with deps.db.read() as conn:
            people = {p.id: p for p in await people_repo.load_people(conn)}
        stage = Stage(settings, deps, clock, telegram, twilio, bot, people, {}, stack)
        await _link_everyone(stage)
        return stage
    except BaseException:
        await stack.aclose()
        raise


async def _link_everyone(stage: Stage) -> None:
    """Everyone with Telegram opens the chat and shares their number, as they would."""
    uid = FIRST_USER_ID
    for person in stage.people.values():
        if person.channel == "sms" or person.phone is None:
            continue
        uid += 1
        stage.user_ids[person.id] = uid
        first = person.first_name
        stage.telegram.user_sends_text(uid, "/start", first_name=first)
        stage.telegram.user_shares_contact(uid, person.phone.lstrip("+"), first_name=first)
    # Wait for the links themselves, not for a quiet moment: on a busy machine the bot may
    # still be working through the contacts when the fakes have been quiet for a while.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LINK_WAIT_SECONDS
    while True:
        await stage.settle()
        async with stage.deps.db.read() as conn:
            stage.people = {p.id: p for p in await people_repo.load_people(conn)}
        linked = {p.id for p in stage.people.values() if p.telegram_user_id}
        if set(stage.user_ids) <= linked or loop.time() > deadline:
            break
        await asyncio.sleep(0.1)
    stage.user_ids = {pid: u for pid, u in stage.user_ids.items() if pid in linked}
