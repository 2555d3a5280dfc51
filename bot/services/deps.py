"""What every use case needs, passed in explicitly: database, clock, settings, rules."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.clock import Clock
from bot.config import Settings
from bot.domain.delivery import channel_for, route, sms_form
from bot.domain.model import Person, Role, Unit
from bot.domain.outgoing import OutMessage
from bot.domain.phone import mask_phone
from bot.domain.rules import RuleSettings
from storage import outbox
from storage import people as people_repo
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class Deps:
    db: Database
    clock: Clock
    settings: Settings
    rules: RuleSettings
    # Set after a transaction that wrote to the outbox, so the dispatcher wakes at once.
    outbox_wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    # Set after an inbound message was committed to the inbox, so its worker wakes at once.
    inbox_wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    def now(self) -> dt.datetime:
        return self.clock.now()

    def kick(self) -> None:
        self.outbox_wakeup.set()

    def kick_inbox(self) -> None:
        self.inbox_wakeup.set()


async def send_to_person(
    conn: AsyncConnection,
    person: Person,
    msg: OutMessage,
    now: dt.datetime,
    *,
    offer_id: int | None = None,
) -> bool:
    if offer_id is None:  # a follow-up about an offer belongs to that offer
        offer_id = msg.edit_offer_id
    channel = delivery_channel(person, msg)
    if channel is None:
        return False
    await outbox.enqueue(conn, msg, channel, now, person_id=person.id, offer_id=offer_id)
    return True


def delivery_channel(person: Person, msg: OutMessage) -> str | None:
    """The channel `msg` goes out on to `person` (`bot.domain.delivery.route`), or None
    when it is not sent at all; an unreachable person is logged."""
    if channel_for(person) is None:
        log.warning(
            "person %s (%s) unreachable for %s", person.id, mask_phone(person.phone), msg.kind
        )
    return route(person, msg)


async def send_to_coordinators(
    conn: AsyncConnection, unit: Unit, msg: OutMessage, now: dt.datetime
) -> int:
    """The unit's coordinator chat if it has one, else each coordinator of the unit."""
    if unit.coordinator_chat_id is not None:
        await outbox.enqueue(conn, msg, "telegram", now, chat_id=unit.coordinator_chat_id)
        return 1
    sent = 0
    for person in await people_repo.people_with_role(conn, Role.COORDINATOR, unit.id):
        coord_msg = dataclasses.replace(msg, sms=sms_form(msg))
        sent += await send_to_person(conn, person, coord_msg, now)
    return sent
