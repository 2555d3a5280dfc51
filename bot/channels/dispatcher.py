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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from bot.channels.base import PermanentFailure, Sender, TemporaryFailure
from bot.clock import Clock
from bot.domain.delivery import offer_closed
from bot.domain.messages import BUNDLE_MAX
from bot.domain.model import Person
from bot.domain.outbox_order import (
    TELEGRAM_PER_BOT,
    TELEGRAM_PER_CHAT,
    TELEGRAM_PER_GROUP,
    Limit,
    is_group_chat,
    sms_limit,
)
from bot.domain.outgoing import REDRAW, OutMessage
from bot.domain.phone import mask_phone
from bot.services import alerts, bundles
from bot.services.deps import Deps
from bot.services.fallback import fall_back
from storage import audit, outbox, send_budget, vacancies
from storage import people as people_repo
from storage import tables as t

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=60)
BATCH = 50
PARALLEL = 8  # recipients served at once; the rate limiters bound the total


def backoff(attempts: int) -> dt.timedelta:
    """2, 4, 8 ... seconds, at most five minutes."""
    return dt.timedelta(seconds=min(300, 2 ** max(1, attempts)))


@dataclass(frozen=True, slots=True)
class Pacing:
    """Keep to the send budget (`storage.send_budget`), measured by `clock`: the system
    clock in production, a fake one in tests, whatever clock the rest of the bot runs on.
    `sleep` waits for room in the budget."""

    clock: Clock
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


class Dispatcher:
    def __init__(
        self, deps: Deps, senders: Mapping[str, Sender], *, pacing: Pacing | None = None
    ) -> None:
        self.deps = deps
        self.senders = dict(senders)
        self.pacing = pacing  # None: send as fast as the senders go (scripted tests, demo)
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
        # Recipients are served most urgent first (the claim's order); a recipient whose
        # chat is at its own rate is put back, the rest of its queue with it, in order.
        by_recipient: dict[tuple[str, str | None, int | None], list[outbox.OutboxItem]] = {}
        for item in items:
            by_recipient.setdefault((item.channel, item.person_id, item.chat_id), []).append(item)
        limit = asyncio.Semaphore(PARALLEL)
        # Rows this round holds, and those already sent as part of a bundled offer.
        leased = {i.id for i in items}
        done: set[int] = set()

        async def serve(queue: list[outbox.OutboxItem]) -> None:
            async with limit:
                for n, item in enumerate(queue):
                    if item.id in done:
                        continue
                    later = await self._deliver(item, leased, done)
                    if later is not None:
                        await self._put_back([i for i in queue[n:] if i.id not in done], later)
                        return

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

    async def _put_back(self, items: list[outbox.OutboxItem], at: dt.datetime) -> None:
        """Not sent yet, no attempt spent: due again at `at`."""
        async with self.deps.db.write() as conn:
            await outbox.postpone(conn, [i.id for i in items], at)

    def _limits(self, item: outbox.OutboxItem, chat: int | None) -> list[tuple[Limit, int | None]]:
        """The recipient's own limit first (waiting for it lets others go), then the budget's."""
        if item.channel == "sms":
            return [(sms_limit(self.deps.settings.twilio_mps), None)]
        own: list[tuple[Limit, int | None]] = []
        if chat is not None:  # (without a chat the sender refuses it anyway)
            own.append((TELEGRAM_PER_CHAT, chat))
            if is_group_chat(chat):
                own.append((TELEGRAM_PER_GROUP, chat))
        return [*own, (TELEGRAM_PER_BOT, None)]

    async def _take_slot(
        self, item: outbox.OutboxItem, person: Person | None
    ) -> dt.datetime | None:
        """Wait for room in the channel's send budget (shared by every worker, in the
        database). Returns when to try again if the recipient's own chat is at its rate."""
        if self.pacing is None:
            return None
        chat = item.chat_id
        if chat is None and item.channel == "telegram" and person is not None:
            chat = person.telegram_chat_id
        limits = self._limits(item, chat)
        while True:
            now = self.pacing.clock.now()
            async with self.deps.db.write() as conn:
                wait = await send_budget.take(conn, item.channel, now, limits, chat)
            if wait is None:
                return None
            if wait.chat:
                return self.deps.now() + (wait.until - now)
            await self.pacing.sleep(max(0.0, (wait.until - now).total_seconds()))

    async def _deliver(
        self,
        item: outbox.OutboxItem,
        leased: set[int],
        done: set[int],
    ) -> dt.datetime | None:
        """Send one row and record the outcome; or return when to try it again, unsent and
        no attempt spent: its recipient's chat is at its rate, or the channel said 429.

        An offer takes the person's other waiting offers with it as one bundled message
        (`bot.services.bundles`); the rows it carried go into `done`. A follow-up to an
        offer in a bundle redraws the bundle (or, for a booking, comes as a new message).
        """
        deps = self.deps
        sender = self.senders.get(item.channel)
        person: Person | None = None
        edit_id: int | None = None
        message = item.message
        beside_bundle = False  # news about a bundled offer, sent as a message of its own
        redrawn_on: int | None = None  # the bundle's message this row redraws
        async with deps.db.read() as conn:
            if item.person_id:
                person = await people_repo.get_person(conn, item.person_id)
            stale = False
            skip: str | None = None
            if item.message.edit_offer_id is not None and item.channel == "telegram":
                offer = await vacancies.get_offer(conn, item.message.edit_offer_id)
                edit_id = offer.telegram_message_id if offer else None
                if offer is not None and person is not None and await vacancies.in_bundle(
                    conn, offer
                ):
                    if item.kind in bundles.NEW_MESSAGE_KINDS:
                        edit_id = None  # the bundle itself is redrawn by its own row
                        beside_bundle = True
                    else:
                        drawn = await bundles.redraw(conn, person, offer.id)
                        if drawn is not None:
                            message, redrawn_on = drawn, edit_id
                elif item.kind == REDRAW:
                    skip = "not in a bundle"  # its message carries it alone: nothing to redraw
            elif item.kind == REDRAW:
                skip = "not in a bundle"
            if item.kind == "offer" and item.offer_id is not None:
                offer = await vacancies.get_offer(conn, item.offer_id)
                stale = offer_closed(offer.state if offer else None)
            elif item.offer_id is not None and item.kind != "booked":
                # "Tillsatt" about an offer never shown. A booking's confirmation always
                # goes: whoever accepted saw the offer, even if a copy of it sent again
                # after a crash mid-send was skipped.
                stale = stale or await outbox.offer_was_skipped(conn, item.offer_id)
        if stale:  # filled or withdrawn before we got to it (a retry, a slow channel)
            skip = "offer closed before delivery"
        if skip is not None:
            async with deps.db.write() as conn:
                await outbox.set_state(conn, item.id, "skipped", skip)
            return None
        if sender is None:
            await self._failed(
                item, person, f"no {item.channel} channel configured", permanent=True
            )
            return None
        later = await self._take_slot(item, person)
        if later is not None:
            return later
        carried = [item]
        if item.kind == "offer" and person is not None and item.message.bundle is not None:
            bundled, carried = await self._bundle(item, person, leased)
            if bundled is None:  # its offer closed while we waited for the budget
                async with deps.db.write() as conn:
                    await outbox.set_state(
                        conn, item.id, "skipped", "offer closed before delivery"
                    )
                return None
            message = bundled
            done.update(r.id for r in carried if r.id != item.id)
        mates = [r for r in carried if r.id != item.id]
        try:
            delivery = await sender.send(person, item.chat_id, message, edit_id)
        except TemporaryFailure as exc:
            if exc.retry_after is not None:  # 429: the channel's own "not yet", no attempt
                log.info("outbox %s: rate limited, again in %ss", item.id, exc.retry_after)
                later = deps.now() + dt.timedelta(seconds=exc.retry_after)
                if mates:
                    await self._put_back(mates, later)
                return later
            for row in carried:
                await self._failed(row, person, str(exc))
            return None
        except PermanentFailure as exc:
            for row in carried:
                await self._failed(row, person, str(exc), permanent=True, code=exc.code)
            return None
        except Exception as exc:  # a bug or an unexpected library error: retry, keep looping
            log.exception("outbox %s: unexpected error", item.id)
            for row in carried:
                await self._failed(row, person, f"{type(exc).__name__}: {exc}")
            return None
        async with deps.db.write() as conn:
            for row in carried:
                await outbox.mark_sent(conn, row.id, deps.now(), delivery.external_id)
                if (
                    row.offer_id is not None
                    and delivery.telegram_message_id is not None
                    and not beside_bundle  # the offer stays on its bundle's message
                ):
                    await vacancies.set_offer_message(
                        conn, row.offer_id, delivery.telegram_message_id
                    )
            if (
                redrawn_on is not None
                and person is not None
                and delivery.telegram_message_id not in (None, redrawn_on)
            ):  # too old to edit, so drawn as a new message: the whole bundle moves to it
                await vacancies.move_offers_message(
                    conn, person.id, redrawn_on, delivery.telegram_message_id
                )
            alert_chat = (
                item.chat_id
                if item.chat_id is not None
                else (person.telegram_chat_id if person else None)
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
        return None

    async def _bundle(
        self, item: outbox.OutboxItem, person: Person, leased: set[int]
    ) -> tuple[OutMessage | None, list[outbox.OutboxItem]]:
        """The offer `item` with the person's other offers waiting on its channel, as one
        message (`bundles.compose`), and the rows it carries; None if `item`'s offer has
        closed. Rows not claimed by this round are claimed here first (another worker may
        hold one), `item`'s lease renewed with theirs (after a crash mid-send they come
        due together); those taken but not carried are due again at once."""
        now = self.deps.now()
        async with self.deps.db.write() as conn:
            waiting = await outbox.pending_offers_of(
                conn, person.id, item.channel, now,
                leased_by_us=leased, besides=item.id, limit=2 * BUNDLE_MAX,
            )
            taken = await outbox.lease(
                conn, [item.id, *(w.id for w in waiting)], now, now + LEASE,
                leased_by_us=leased | {item.id},
            )
            waiting = [w for w in waiting if w.id in taken]
            message, carried = await bundles.compose(conn, person, item.channel, item, waiting)
            ids = {r.id for r in carried}
            back = [w.id for w in waiting if w.id not in ids and w.id not in leased]
            if back:
                await outbox.postpone(conn, back, now)
        return message, carried

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
