"""Driving the real bot through the local fakes, for the demo's stage and the e2e tests:
press a button by (part of) its label, find the offers in a chat, and settle until the
outbox has delivered what is due.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa

from bot.channels.dispatcher import LEASE
from bot.fakes.telegram_server import FakeTelegram, SentMessage
from bot.fakes.twilio_server import FakeTwilio
from bot.services.deps import Deps
from storage import tables as t

LOOK_EVERY = 0.02  # seconds between two looks while settling
QUIET_LOOKS = 3  # looks in a row with nothing new before the fakes count as quiet


async def press_button(
    telegram: FakeTelegram,
    user_id: int,
    label: str,
    *,
    chat_id: int | None = None,
    wait: float = 5.0,
) -> str:
    """Press the newest visible button whose label contains `label`, in the chat `chat_id`
    (default: the user's private chat); waits for it. Returns the button's whole label."""
    chat = user_id if chat_id is None else chat_id

    def find() -> tuple[int, str, str] | None:
        for msg in reversed(telegram.messages(chat)):
            for b in [] if msg.deleted else msg.buttons:
                if label in str(b.get("text", "")) and "callback_data" in b:
                    return msg.message_id, str(b["callback_data"]), str(b["text"])
        return None

    try:
        message_id, data, text = await telegram.wait_for(find, wait)
    except TimeoutError:
        shown = [(m.text, m.buttons) for m in telegram.messages(chat)]
        raise TimeoutError(f"no button {label!r} in chat {chat}: {shown}") from None
    telegram.user_presses_button(user_id, message_id, data, chat_id=chat)
    return text


def offers(telegram: FakeTelegram, chat_id: int) -> list[SentMessage]:
    """The visible offers (erbjudanden) in the chat: bot messages with an accept button."""
    return [
        m
        for m in telegram.messages(chat_id)
        if not m.deleted
        and any(str(b.get("callback_data", "")).startswith("acc:") for b in m.buttons)
    ]


async def outbox_busy(deps: Deps) -> int:
    """Outbox rows the dispatcher still has to deliver now: pending and due, or claimed and in
    flight (a claim pushes next_attempt_at a LEASE ahead). Rows waiting for a later retry
    are not counted."""
    now = deps.now()
    in_flight_after = now + LEASE - dt.timedelta(seconds=1)
    async with deps.db.read() as conn:
        count = (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(t.outbox)
                .where(
                    t.outbox.c.state == "pending",
                    sa.or_(
                        t.outbox.c.next_attempt_at <= now,
                        t.outbox.c.next_attempt_at >= in_flight_after,
                    ),
                )
            )
        ).scalar_one()
    return int(count)


async def inbox_busy(deps: Deps) -> int:
    """Inbox rows still to handle now (pending and due; rows waiting for a retry later are
    not counted)."""
    async with deps.db.read() as conn:
        count = (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(t.inbox)
                .where(t.inbox.c.state == "pending", t.inbox.c.next_attempt_at <= deps.now())
            )
        ).scalar_one()
    return int(count)


async def all_handled(telegram: FakeTelegram, deps: Deps) -> bool:
    """Every update sent so far has been fetched and handled: none waits at the fake (an
    update leaves it only once the next getUpdates confirms it, i.e. after the poller
    committed it to the inbox), and none waits in the inbox."""
    if telegram.pending_updates:
        return False
    return await inbox_busy(deps) == 0


async def settle(
    deps: Deps,
    *,
    telegram: FakeTelegram | None = None,
    twilio: FakeTwilio | None = None,
    looks: int = 250,
) -> bool:
    """Wait until the dispatcher has delivered everything due now (see `outbox_busy`).

    Given the fakes, also wait until they are quiet: no Telegram update is waiting to be
    fetched or waiting in the inbox, and neither fake has received a
    request for QUIET_LOOKS looks in a row. Looks every LOOK_EVERY seconds; False when it
    has not settled after `looks` looks.
    """
    deps.kick()
    deps.kick_inbox()
    quiet_for, last_seen = 0, -1
    for _ in range(looks):
        busy = await outbox_busy(deps) + await inbox_busy(deps)
        if telegram is None and twilio is None:
            if not busy:
                return True
        else:
            seen = (len(telegram.requests) if telegram else 0) + (len(twilio.sent) if twilio else 0)
            pending = telegram is not None and not await all_handled(telegram, deps)
            quiet_for = quiet_for + 1 if not busy and not pending and seen == last_seen else 0
            last_seen = seen
            if quiet_for >= QUIET_LOOKS:
                return True
        await asyncio.sleep(LOOK_EVERY)
    return False
