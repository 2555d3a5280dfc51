"""The bookkeeping around an inbound SMS, whatever it asks: seen once (MessageSid),
replies through the outbox, limits on replies to texts the bot cannot act on
(`bot.domain.sms_limits`: per number per hour, and for unregistered numbers together).

Replies to people travel through the outbox as SMS of kind `sms_reply`, retried and
recorded like any message, and sent even to someone opted out of SMS (they just wrote to
us). Limited replies have kinds of their own (`LIMITED_KINDS`), so the outbox rows are the
count. An unregistered number is told how to join, at most once a day, and nothing else:
its reply goes back in the webhook response (TwiML) because an outbox row needs a person,
and its number is never stored (a keyed hash in `sms_unknown_replies` counts the replies).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Person
from bot.domain.outgoing import OutMessage
from bot.domain.phone import mask_phone
from bot.domain.sms_limits import ReplyCounts, ReplyLimits, Verdict, may_reply
from bot.services.deps import Deps
from bot.texts import t
from storage import inbound, kv, outbox, sms_replies

log = logging.getLogger(__name__)

SOURCE = "twilio"  # inbound_seen.source for Twilio MessageSids
REPLY = "sms_reply"  # outbox kind of a reply; channels.sms sends "sms_*" kinds despite STOP
STOP_CONFIRMATION = "sms_stopped"
START_CONFIRMATION = "sms_started"
FALLBACK = "sms_fallback"  # not understood, HJÄLP, KANAL without a choice, JA to nothing
LIMITED_KINDS = (FALLBACK, STOP_CONFIRMATION, START_CONFIRMATION)  # capped per hour
HOUR = dt.timedelta(hours=1)
UNKNOWN_CAP_WARNED = "sms_unknown_cap_warned"  # kv: when the cap was last logged (ISO)


async def first_seen(deps: Deps, source: str, external_id: str) -> bool:
    """Record an inbound id; False when it was seen before (a webhook delivered twice)."""
    try:
        async with deps.db.write() as conn:
            return await inbound.record_first(conn, source, external_id, deps.now())
    except sa.exc.IntegrityError:  # the same id twice at the same instant (PostgreSQL)
        return False


async def forget(deps: Deps, source: str, external_id: str) -> None:
    """Take back a mark: handling failed, so the webhook's retry must be handled."""
    async with deps.db.write() as conn:
        await inbound.forget(conn, source, external_id)


async def reply(deps: Deps, person: Person, text: str, kind: str = REPLY) -> None:
    """Answer a person by SMS through the outbox."""
    async with deps.db.write() as conn:
        await outbox.enqueue(
            conn, OutMessage(kind, text, text), "sms", deps.now(), person_id=person.id
        )
    deps.kick()


async def reply_limited(deps: Deps, person: Person, text: str, kind: str = FALLBACK) -> bool:
    """Answer a text the bot cannot act on, within the hourly cap; whether it was sent.

    Over the cap the answer is left out and logged (number masked); the text itself has
    been handled by then.
    """
    now = deps.now()
    async with deps.db.write() as conn:
        await sms_replies.lock_person(conn, person.id)
        count = await outbox.count_for_person(conn, person.id, LIMITED_KINDS, now - HOUR)
        decision = may_reply(ReplyCounts(number_last_hour=count), _limits(deps), registered=True)
        if decision.reply:
            await outbox.enqueue(
                conn, OutMessage(kind, text, text), "sms", now, person_id=person.id
            )
    if not decision.reply:
        log.info(
            "SMS reply to %s left out: %d replies this hour to texts we cannot act on",
            mask_phone(person.phone),
            count,
        )
        return False
    deps.kick()
    return True


def _limits(deps: Deps) -> ReplyLimits:
    return deps.settings.reply_limits()


async def unknown_sender(deps: Deps, phone: str) -> str | None:
    """The text telling an unregistered number how to join: once a local day, within the
    hourly caps; None when it gets no answer."""
    now = deps.now()
    midnight = dt.datetime.combine(now.astimezone(deps.tz).date(), dt.time(0), tzinfo=deps.tz)
    number = _number_hash(deps, phone)
    warn = False
    async with deps.db.write() as conn:
        await sms_replies.lock_unknown(conn)
        counts = ReplyCounts(
            number_last_hour=await sms_replies.count_unknown(conn, now - HOUR, number),
            unknown_last_hour=await sms_replies.count_unknown(conn, now - HOUR),
            number_today=await sms_replies.count_unknown(conn, midnight, number),
        )
        decision = may_reply(counts, _limits(deps), registered=False)
        if decision.reply:
            await sms_replies.record_unknown(conn, number, now)
        elif decision.verdict is Verdict.UNKNOWN_CAP:
            warn = await _first_warning_this_hour(conn, now)
    if decision.verdict is Verdict.UNKNOWN_CAP:
        if warn:
            log.warning(
                "SMS replies to unregistered numbers reached the cap of %d an hour: "
                "they get no answer until the hour has passed",
                deps.settings.sms_unknown_replies_per_hour,
            )
        log.debug("SMS from an unregistered number %s: no answer (cap)", mask_phone(phone))
    elif decision.verdict is Verdict.NUMBER_CAP:
        log.info("SMS reply to %s left out: the number had its replies", mask_phone(phone))
    if not decision.reply:
        return None
    log.info("SMS from an unregistered number %s: told how to join", mask_phone(phone))
    return t("sms_unknown_sender", deps.settings.language)


async def _first_warning_this_hour(conn: AsyncConnection, now: dt.datetime) -> bool:
    """Whether no worker has warned about the unknown-number cap in the last hour."""
    last = await kv.get(conn, UNKNOWN_CAP_WARNED)
    if last is not None and dt.datetime.fromisoformat(last) > now - HOUR:
        return False
    await kv.put(conn, UNKNOWN_CAP_WARNED, now.isoformat())
    return True


def _number_hash(deps: Deps, phone: str) -> str:
    token = deps.settings.twilio_auth_token
    secret = token.get_secret_value().encode() if token else b"vikariebot"
    return hmac.new(secret, phone.encode(), hashlib.sha256).hexdigest()[:40]
