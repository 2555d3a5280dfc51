"""Delivers the outbox: claims due rows, sends them, records the outcome, retries, falls back.

A row is claimed by pushing its next attempt a lease into the future in a short
transaction; sending happens outside any transaction; the outcome is written after.
If the process dies mid-send the lease runs out and the row is sent again: delivery is
at least once, never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Mapping

import sqlalchemy as sa

from bot.channels.base import PermanentFailure, Sender, TemporaryFailure
from bot.domain.delivery import offer_closed
from bot.domain.model import Person
from bot.domain.phone import mask_phone
from bot.services import alerts
from bot.services.deps import Deps
from bot.services.fallback import fall_back
from storage import audit, outbox, vacancies
from storage import people as people_repo
from storage import tables as t

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=60)
BATCH = 50
PARALLEL = 8  # recipients served at once; the rate limiters bound the total


def backoff(attempts: int) -> dt.timedelta:
    """2, 4, 8 ... seconds, at most five minutes."""
    return dt.timedelta(seconds=min(300, 2 ** max(1, attempts)))


class Dispatcher:
    def __init__(self, deps: Deps, senders: Mapping[str, Sender]) -> None:
        self.deps = deps
        self.senders = dict(senders)
        self._stopping = asyncio.Event()

    async def run_once(self) -> int:
        """Deliver everything due now. Returns how many rows were handled."""
        now = self.deps.now()
        async with self.deps.db.write() as conn:
            items = await outbox.claim_due(conn, now, BATCH)
            if items:
                await conn.execute(
                    sa.update(t.outbox)
                    .where(t.outbox.c.id.in_([i.id for i in items]))
                    .values(next_attempt_at=now + LEASE)
                )
        # One recipient's messages go in order (an offer before its "Tillsatt" edit);
        # different recipients are served side by side.
        by_recipient: dict[tuple[str, str | None, int | None], list[outbox.OutboxItem]] = {}
        for item in items:
            by_recipient.setdefault((item.channel, item.person_id, item.chat_id), []).append(item)
        limit = asyncio.Semaphore(PARALLEL)

        async def serve(queue: list[outbox.OutboxItem]) -> None:
            async with limit:
                for item in queue:
                    await self._deliver(item)

        await asyncio.gather(*(serve(q) for q in by_recipient.values()))
        return len(items)

    async def drain(self, max_rounds: int = 100) -> int:
        """Deliver until nothing is due (tests and the scripted demo)."""
        total = 0
        for _ in range(max_rounds):
            n = await self.run_once()
            total += n
            if n == 0:
                break
        return total

    async def _deliver(self, item: outbox.OutboxItem) -> None:
        deps = self.deps
        sender = self.senders.get(item.channel)
        person: Person | None = None
        edit_id: int | None = None
        async with deps.db.read() as conn:
            if item.person_id:
                person = await people_repo.get_person(conn, item.person_id)
            if item.message.edit_offer_id is not None and item.channel == "telegram":
                offer = await vacancies.get_offer(conn, item.message.edit_offer_id)
                edit_id = offer.telegram_message_id if offer else None
            stale = False
            if item.kind == "offer" and item.offer_id is not None:
                offer = await vacancies.get_offer(conn, item.offer_id)
                stale = offer_closed(offer.state if offer else None)
            elif item.offer_id is not None and item.kind != "booked":
                # "Tillsatt" about an offer never shown. A booking's confirmation always
                # goes: whoever accepted saw the offer, even if a copy of it sent again
                # after a crash mid-send was skipped.
                stale = await outbox.offer_was_skipped(conn, item.offer_id)
        if stale:  # filled or withdrawn before we got to it (a retry, a slow channel)
            async with deps.db.write() as conn:
                await outbox.set_state(conn, item.id, "skipped", "offer closed before delivery")
            return
        if sender is None:
            await self._failed(
                item, person, f"no {item.channel} channel configured", permanent=True
            )
            return
        try:
            delivery = await sender.send(person, item.chat_id, item.message, edit_id)
        except TemporaryFailure as exc:
            await self._failed(item, person, str(exc), retry_after=exc.retry_after)
            return
        except PermanentFailure as exc:
            await self._failed(item, person, str(exc), permanent=True, code=exc.code)
            return
        except Exception as exc:  # a bug or an unexpected library error: retry, keep looping
            log.exception("outbox %s: unexpected error", item.id)
            await self._failed(item, person, f"{type(exc).__name__}: {exc}")
            return
        async with deps.db.write() as conn:
            await outbox.mark_sent(conn, item.id, deps.now(), delivery.external_id)
            if item.offer_id is not None and delivery.telegram_message_id is not None:
                await vacancies.set_offer_message(conn, item.offer_id, delivery.telegram_message_id)
            alert_chat = item.chat_id if item.chat_id is not None else (
                person.telegram_chat_id if person else None
            )
            if (
                item.channel == "telegram"
                and item.message.vacancy_id is not None
                and alert_chat is not None
                and delivery.telegram_message_id is not None
            ):  # a coordinator's alert: edited later as its vacancy changes
                await alerts.remember_sent(
                    conn,
                    item.message.vacancy_id,
                    alert_chat,
                    delivery.telegram_message_id,
                    item.message,
                )

    async def _failed(
        self,
        item: outbox.OutboxItem,
        person: Person | None,
        error: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        code: int | None = None,
    ) -> None:
        deps = self.deps
        now = deps.now()
        last_try = item.attempts + 1 >= deps.settings.outbox_max_attempts
        who = mask_phone(person.phone) if person else f"chat {item.chat_id}"
        async with deps.db.write() as conn:
            if not permanent and not last_try:
                wait = dt.timedelta(seconds=retry_after) if retry_after else backoff(item.attempts)
                await outbox.mark_retry(conn, item.id, now + wait, error)
                log.info(
                    "outbox %s to %s: retry in %ss (%s)", item.id, who, wait.total_seconds(), error
                )
                return
            await outbox.mark_dead(conn, item.id, error)
            log.warning("outbox %s to %s on %s failed: %s", item.id, who, item.channel, error)
            await audit.record(
                conn,
                now,
                audit.SYSTEM,
                "delivery_failed",
                "outbox",
                item.id,
                item.channel,
                code=code,
            )
            await fall_back(conn, item, person, now)
        deps.kick()

    async def run_forever(self) -> None:
        """The background loop: wakes on new rows or every poll interval; never dies."""
        poll = self.deps.settings.outbox_poll_seconds
        while not self._stopping.is_set():
            # Clear before the round: a wake-up during the round starts the next at once.
            self.deps.outbox_wakeup.clear()
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("outbox dispatcher round failed; continuing")
                handled = 0
            if handled:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.deps.outbox_wakeup.wait(), timeout=poll)

    def stop(self) -> None:
        self._stopping.set()
        self.deps.outbox_wakeup.set()

