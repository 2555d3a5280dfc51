"""End to end: the real python-telegram-bot Application, wired by `VikarieBot`, polling a
local Bot API fake over real HTTP, on a real migrated SQLite file, with a FakeClock.

Tests read like the conversation: `await h.dialog([(who, says_or_does, bot_answers), ...])`
where `says_or_does` is a text, `press("label")` or `contact("+4670...")`, and the answer is
a substring of a new or edited bot message in that person's chat, or of the button toast.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from bot.app import VikarieBot
from bot.clock import FakeClock
from bot.config import Settings
from bot.fakes import driving
from bot.fakes.telegram_server import FakeTelegram, SentMessage
from bot.runtime import open_deps
from bot.services.deps import Deps
from handlers.telegram import on_startup
from handlers.telegram.coordinator import refresh_boards
from storage import tables as t
from tests.builders import World, local

TOKEN = "123:TEST"
WAIT = 20.0  # seconds to wait for what must come: generous, for a busy machine


@dataclass(frozen=True)
class Press:
    label: str  # part of the button's text
    chat: str | None = None  # a group chat name, else the person's private chat


@dataclass(frozen=True)
class Contact:
    phone: str
    of_user: int | None = None  # someone else's contact


def press(label: str, chat: str | None = None) -> Press:
    return Press(label, chat)


def contact(phone: str, of_user: int | None = None) -> Contact:
    return Contact(phone, of_user)


def shown(m: SentMessage) -> str:
    """What a person sees of a message: its text and the labels of its buttons."""
    return "\n".join([m.text or "", *(str(b.get("text", "")) for b in m.buttons)])


Step = tuple[str, str | Press | Contact, str | None]


@dataclass
class Harness:
    fake: FakeTelegram
    deps: Deps
    clock: FakeClock
    bot: VikarieBot
    users: dict[str, int]  # person id (or a made-up name) -> Telegram user id
    groups: dict[str, int] = field(default_factory=dict)
    toasts: list[str] = field(default_factory=list)

    @property
    def app(self) -> Any:
        assert self.bot.telegram is not None
        return self.bot.telegram

    def uid(self, who: str) -> int:
        return self.users[who]

    def chat_of(self, who: str, chat: str | None = None) -> int:
        return self.groups[chat] if chat else self.users[who]

    # ---- what people do ----
    async def dialog(self, steps: list[Step]) -> None:
        for who, action, expected in steps:
            await self.step(who, action, expected)

    async def step(self, who: str, action: str | Press | Contact, expected: str | None,
                   chat: str | None = None) -> SentMessage | str | None:
        if isinstance(action, Press):
            chat = action.chat
        chat_id = self.chat_of(who, chat)
        before = self.snapshot(chat_id)
        answered = len(self.fake.callback_answers)
        if isinstance(action, Press):
            await driving.press_button(self.fake, self.uid(who), action.label, chat_id=chat_id,
                                       wait=WAIT)
        elif isinstance(action, Contact):
            self.fake.user_shares_contact(self.uid(who), action.phone,
                                          contact_user_id=action.of_user)
        else:
            self.fake.user_sends_text(self.uid(who), action,
                                      chat_id=chat_id if chat_id != self.uid(who) else None)
        if isinstance(action, Press):
            await self.fake.wait_for(lambda: len(self.fake.callback_answers) > answered, WAIT)
            self.toasts.append(str(self.fake.callback_answers[-1].get("text") or ""))
        if expected is None:
            return None
        return await self.expect(chat_id, expected, before, toast_from=answered)

    async def handled(self) -> None:
        """Wait until every update sent so far has been fetched and handled, and the
        replies it queued have been sent."""
        async with asyncio.timeout(WAIT):
            while not await driving.all_handled(self.fake, self.deps) or await (  # noqa: ASYNC110
                driving.outbox_busy(self.deps)
            ):
                await asyncio.sleep(0.01)

    async def say(self, who: str, text: str, chat: str | None = None) -> None:
        await self.step(who, text, None, chat)

    # ---- what the bot answers ----
    def snapshot(self, chat_id: int) -> dict[int, str]:
        return {m.message_id: shown(m) for m in self.fake.messages(chat_id)}

    async def expect(self, chat_id: int, text: str, before: dict[int, str] | None = None,
                     toast_from: int | None = None, wait: float = WAIT) -> SentMessage | str:
        """A bot message (text or button labels) that is new or changed since `before` and
        contains `text`, or a toast since `toast_from` that does."""
        before = before or {}

        def found() -> SentMessage | str | None:
            if toast_from is not None:
                for answer in self.fake.callback_answers[toast_from:]:
                    if text in str(answer.get("text") or ""):
                        return str(answer["text"])
            for m in self.fake.messages(chat_id):
                now_shown = shown(m)
                if m.deleted or text not in now_shown:
                    continue
                if before.get(m.message_id) != now_shown:
                    return m
            return None

        try:
            return await self.fake.wait_for(found, wait)
        except TimeoutError:
            seen = [m.text for m in self.fake.messages(chat_id)]
            toasts = [a.get("text") for a in self.fake.callback_answers]
            raise AssertionError(f"no {text!r} in chat {chat_id}; messages {seen!r}; "
                                 f"toasts {toasts!r}") from None

    async def message_with(self, who: str, text: str, wait: float = WAIT) -> SentMessage:
        """The visible bot message in `who`'s private chat containing `text` (waits)."""
        return await self.fake.wait_for_message(self.uid(who), text, wait)

    def texts(self, who: str) -> list[str]:
        return [m.text or "" for m in self.fake.messages(self.uid(who)) if not m.deleted]

    async def hello(self, *who: str) -> None:
        """Each person opens the chat (Telegram lets a bot write only after that)."""
        for name in who:
            before = self.snapshot(self.uid(name))
            self.fake.user_sends_text(self.uid(name), "/start")
            await self.expect(self.uid(name), "/hjalp", before)

    async def board(self) -> int:
        """Redraw the live boards now (the job does it every few seconds)."""
        return int(await refresh_boards(self.app))

    async def offers(self, who: str) -> list[SentMessage]:
        return driving.offers(self.fake, self.uid(who))

    async def settle(self) -> None:
        """Wait until the dispatcher has delivered everything due now (nothing pending is
        due, nothing claimed is in flight; rows waiting for a retry later are left)."""
        if not await driving.settle(self.deps):
            raise AssertionError("the outbox did not drain")


Launch = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def launch(tmp_path: Path) -> AsyncIterator[Launch]:
    """`h = await launch(build_world, now="2026-12-01 05:45", **settings)`."""
    stack = contextlib.AsyncExitStack()

    async def _launch(build: Callable[[World], Awaitable[None]], now: str = "2026-12-01 05:45",
                      **overrides: Any) -> Harness:
        fake = FakeTelegram(TOKEN)
        await fake.start()
        stack.push_async_callback(fake.stop)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}",
            telegram_token=SecretStr(TOKEN), telegram_api_url=fake.base_url,
            outbox_poll_seconds=0.05, **overrides)
        clock = FakeClock(local(now))
        deps = await stack.enter_async_context(open_deps(settings, clock))
        await build(World(deps.db))
        async with deps.db.read() as conn:
            users = {r.id: r.telegram_user_id for r in await conn.execute(
                sa.select(t.people.c.id, t.people.c.telegram_user_id)) if r.telegram_user_id}
        bot = VikarieBot(deps, web=False, ticker=False)
        await bot.start()
        stack.push_async_callback(bot.stop)
        assert bot.telegram is not None
        await on_startup(bot.telegram)
        return Harness(fake, deps, clock, bot, users)

    try:
        yield _launch
    finally:
        await stack.aclose()


def at(text: str) -> dt.datetime:
    return local(text)
