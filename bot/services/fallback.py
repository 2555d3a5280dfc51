"""A message that could not be delivered: the I/O for `bot.domain.delivery.after_failure`.

Called by the dispatcher when a send fails for good and by Twilio's delivery reports when
an SMS is undelivered, inside their write transaction.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.delivery import CountAsUnreachable, FallBack, after_failure
from bot.domain.model import OfferState, Person
from storage import audit, outbox, vacancies


async def fall_back(
    conn: AsyncConnection,
    item: outbox.OutboxItem,
    person: Person | None,
    now: dt.datetime,
) -> bool:
    """Try the person's other channel; if there is none, an offer counts as unanswered.
    Returns whether the message was queued again."""
    decision = after_failure(
        item.channel, person, item.message, about_offer=item.offer_id is not None
    )
    if isinstance(decision, FallBack):
        assert person is not None  # after_failure gives up on messages to nobody
        await outbox.enqueue(
            conn,
            decision.message,
            decision.channel,
            now,
            person_id=person.id,
            offer_id=item.offer_id,
        )
        return True
    if isinstance(decision, CountAsUnreachable) and item.offer_id is not None:
        await _unreachable(conn, item, now)
    return False


async def _unreachable(conn: AsyncConnection, item: outbox.OutboxItem, now: dt.datetime) -> None:
    """A silent "no" so the call-out moves on at once."""
    assert item.offer_id is not None
    offer = await vacancies.get_offer(conn, item.offer_id)
    if offer and await vacancies.answer_offer(conn, offer.id, OfferState.UNREACHABLE, now, None):
        await vacancies.update_vacancy(conn, offer.vacancy_id, now, next_due_at=now)
        await audit.record(
            conn, now, audit.SYSTEM, "offer_unreachable", "offer", offer.id, item.channel
        )
