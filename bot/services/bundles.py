"""Bundled offers: one message for several offers to one person.

When the dispatcher comes to send someone an offer and more of their offers are waiting
on the same channel (a burst of reports, one staff member off for several days), it sends
them as one message (`bot.domain.messages.bundle_message`): one line and one accept
button per shift. Nothing waits to be bundled: offers already sent stay as they are, so
bundling never delays the first offer. A Telegram bundle is redrawn from the offers'
states whenever one of them changes (taken, booked, declined, withdrawn), so a shift no
longer open loses its button; an SMS bundle carries each offer's own code.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.messages import BUNDLE_MAX, bundle_fits_sms, bundle_message
from bot.domain.model import Offer, OfferState, Person
from bot.domain.outgoing import REDRAW, BundleLine, OutMessage
from bot.services.deps import send_to_person
from storage import outbox, vacancies

# A follow-up to a bundled offer that the person must see as a new message (it says
# something new: the booking's address, why they cannot take it). Every other follow-up
# ("Tillsatt", withdrawn, no longer needed) only redraws the bundle.
NEW_MESSAGE_KINDS = frozenset({"booked", "not_eligible_now"})


def redraw_message(offer_id: int) -> OutMessage:
    """Telegram only: the bundle holding this offer, drawn again as it stands."""
    return OutMessage(REDRAW, "", None, (), edit_offer_id=offer_id)


async def redraw_later(
    conn: AsyncConnection, person: Person, offer_id: int, now: dt.datetime
) -> None:
    """After a change to an offer that sends no edit of its own (a decline, a cancelled
    booking) or sends its news as a new message (booked): queue a redraw of the bundle
    holding the offer. Whether there is one is decided when the row is sent, not now: the
    bundle may be on its way this very moment, its message id not yet recorded."""
    await send_to_person(conn, person, redraw_message(offer_id), now)


async def _entries(
    conn: AsyncConnection, offers: list[Offer]
) -> list[tuple[Offer, BundleLine]]:
    lines = await outbox.bundle_lines(conn, [o.id for o in offers])
    starts = await vacancies.offer_starts(conn, [o.id for o in offers])
    listed = [o for o in offers if o.id in lines and o.id in starts]
    listed.sort(key=lambda o: (starts[o.id], o.id))
    return [(o, lines[o.id]) for o in listed]


async def compose(
    conn: AsyncConnection,
    person: Person,
    channel: str,
    first: outbox.OutboxItem,
    waiting: list[outbox.OutboxItem],
) -> tuple[OutMessage | None, list[outbox.OutboxItem]]:
    """The message that carries `first` and as many of `waiting` (the person's other
    offers queued on `channel`, in send order) as fit: at most BUNDLE_MAX, and by SMS
    within two segments. Returns it with the rows it carries (`first` alone: send as is;
    None and no rows: `first`'s offer has closed, so nothing is to be sent)."""
    rows = [first, *waiting][:BUNDLE_MAX]
    offers = {}
    for row in rows:
        offer = await vacancies.get_offer(conn, row.offer_id) if row.offer_id else None
        if offer is not None and offer.state == OfferState.OPEN and row.message.bundle:
            offers[row.id] = offer
    if first.id not in offers:
        return None, []  # closed meanwhile (the send budget can make us wait): not sent
    rows = [r for r in rows if r.id in offers]
    if len(rows) < 2:
        return first.message, [first]
    lang = person.language
    by_offer = {offers[r.id].id: r for r in rows}
    entries = await _entries(conn, [offers[r.id] for r in rows])
    if channel == "sms":
        # The offers first in the send order are kept; the rest go in a later text.
        order = [offers[r.id].id for r in rows]
        while len(entries) > 1 and not bundle_fits_sms(entries, lang):
            drop = max(entries, key=lambda e: order.index(e[0].id))
            entries.remove(drop)
        if len(entries) < 2:
            return first.message, [first]
    carried = [by_offer[o.id] for o, _ in entries]
    return bundle_message(entries, lang), carried


async def redraw(conn: AsyncConnection, person: Person, offer_id: int) -> OutMessage | None:
    """The bundle holding this offer drawn as it stands now, or None if the offer's
    message carries it alone."""
    offer = await vacancies.get_offer(conn, offer_id)
    if offer is None or offer.telegram_message_id is None:
        return None
    offers = await vacancies.offers_on_message(conn, person.id, offer.telegram_message_id)
    if len(offers) < 2:
        return None
    booked = await vacancies.booked_offers(conn, person.id, [o.id for o in offers])
    return bundle_message(await _entries(conn, offers), person.language, booked=booked)
