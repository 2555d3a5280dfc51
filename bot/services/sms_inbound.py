"""An inbound SMS (DESIGN section 7: one word, a code when several offers are open).

The webhook hands over an `InboundSms`; this use case dedupes it by MessageSid, finds the
person by number, reads the words (`bot.domain.sms_reply.parse_sms`) and calls the other
use cases: answer an offer, report absence or well, give up a booking, list bookings, opt
out or in, choose a channel. Every text is handled; answers to texts the bot cannot act on
are limited (`bot.domain.sms_limits`: per number per hour, and for unregistered numbers
together).

Replies to people travel through the outbox as SMS of kind `sms_reply`, retried and
recorded like any message, and sent even to someone opted out of SMS (they just wrote to
us). Limited replies have kinds of their own (`LIMITED_KINDS`), so the outbox rows are the
count. A text that is one of Twilio's own opt-out words (STOP, ...) gets no answer from
us: Twilio has confirmed it and refuses further messages to the number (21610).
AVBOKA [when] ("I cannot come", the reminder's answer) gives up bookings through the same
use case as Telegram's Avboka button (`answers.cancel_booking`): the vacancy searches again.
With a day it gives up every booking starting that day (a split shift is one promise to
be there: the reminder says "AVBOKA 2/12" for the day, and the reply names each shift
given up); without one, only the next booked shift. Nothing booked that day: the reply
lists the bookings there are, or says there are none. A shift that has begun is not given
up by SMS (the use case refuses it); that is a call to the coordinator.
An unregistered number is told how to join, at most once a day, and nothing else:
its reply goes back in the webhook response (TwiML) because an outbox row needs a person,
and its number is never stored (a keyed hash in `sms_unknown_replies` counts the replies).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.delivery import channel_for
from bot.domain.gsm7 import segments, to_gsm7
from bot.domain.model import AbsenceCategory, Channel, Offer, Person, Shift
from bot.domain.outgoing import OutMessage
from bot.domain.phone import InvalidPhoneNumber, mask_phone, normalise_phone
from bot.domain.sms_limits import ReplyCounts, ReplyLimits, Verdict, may_reply
from bot.domain.sms_reply import Keyword, SmsCommand, parse_sms, twilio_opted_out
from bot.i18n import LANGUAGES
from bot.services import absence, answers, availability
from bot.services.answers import Outcome
from bot.services.deps import Deps
from bot.texts import day_label, hhmm, shift_times, t
from storage import audit, callout, inbound, kv, outbox, sms_replies
from storage import people as people_repo

log = logging.getLogger(__name__)

SOURCE = "twilio"  # inbound_seen.source for Twilio MessageSids
REPLY = "sms_reply"  # outbox kind of a reply; channels.sms sends "sms_*" kinds despite STOP
STOP_CONFIRMATION = "sms_stopped"
START_CONFIRMATION = "sms_started"
FALLBACK = "sms_fallback"  # not understood, HJÄLP, KANAL without a choice, JA to nothing
LIMITED_KINDS = (FALLBACK, STOP_CONFIRMATION, START_CONFIRMATION)  # capped per hour
HOUR = dt.timedelta(hours=1)
SICK_LOOKAHEAD_DAYS = 14  # "SJUK" with no day and no shift today: the next shift this far
RECENT_OFFER = dt.timedelta(hours=24)  # "JA" to an offer closed meanwhile: say what happened
UNKNOWN_CAP_WARNED = "sms_unknown_cap_warned"  # kv: when the cap was last logged (ISO)


@dataclass(frozen=True, slots=True)
class InboundSms:
    message_sid: str
    from_: str
    body: str
    opt_out_type: str | None = None  # Twilio Advanced Opt-Out: STOP / START / HELP


@dataclass(frozen=True, slots=True)
class InboundResult:
    action: str  # what happened: a keyword, "duplicate", "unknown_sender", ...
    twiml_reply: str | None = None  # only ever for an unregistered number

    @property
    def logged(self) -> str:
        """The action as a log may say it: SJUK and FRISK are health data, both 'absence'."""
        return "absence" if self.action in (Keyword.SICK, Keyword.WELL) else self.action


async def handle_sms(deps: Deps, sms: InboundSms) -> InboundResult:
    """Handle one inbound SMS once; the same MessageSid again does nothing.

    If handling fails, the mark is taken back, so Twilio's retry of the webhook is handled
    instead of being dropped as a duplicate.
    """
    if not await first_seen(deps, SOURCE, sms.message_sid):
        return InboundResult("duplicate")
    try:
        return await _handle(deps, sms)
    except Exception:
        async with deps.db.write() as conn:
            await inbound.forget(conn, SOURCE, sms.message_sid)
        raise


async def _handle(deps: Deps, sms: InboundSms) -> InboundResult:
    try:
        phone = normalise_phone(sms.from_)
    except InvalidPhoneNumber:
        log.info("SMS %s from an invalid number %s ignored", sms.message_sid, mask_phone(sms.from_))
        return InboundResult("invalid_sender")
    async with deps.db.read() as conn:
        person = await people_repo.person_by_phone(conn, phone)
    if person is None or not person.active:
        return await _unknown_sender(deps, phone)
    wants_channel, channel = channel_choice(sms.body)
    if wants_channel:
        await _set_channel(deps, person, channel)
        return InboundResult("channel")
    wants_language, language = language_choice(sms.body)
    if wants_language:
        await _set_language(deps, person, language)
        return InboundResult("language")
    today = deps.now().astimezone(deps.tz).date()
    cmd = parse_sms(sms.body, today)
    await _HANDLERS[cmd.keyword](deps, person, cmd, sms)
    return InboundResult(cmd.keyword.value)


async def first_seen(deps: Deps, source: str, external_id: str) -> bool:
    """Record an inbound id; False when it was seen before (a webhook delivered twice)."""
    try:
        async with deps.db.write() as conn:
            return await inbound.record_first(conn, source, external_id, deps.now())
    except sa.exc.IntegrityError:  # the same id twice at the same instant (PostgreSQL)
        return False


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


def fit_sms(
    render: Callable[[str], str], items: Sequence[str], more: Callable[[int], str], sep: str = ", "
) -> str:
    """As many items as one SMS holds, then "+N till" for the rest (at least one item)."""
    for shown in range(len(items), 0, -1):
        rest = len(items) - shown
        text = render(sep.join(items[:shown])) + (more(rest) if rest else "")
        if segments(to_gsm7(text)) == 1:
            return text
    return render(items[0]) + (more(len(items) - 1) if len(items) > 1 else "")


# ---------- JA / NEJ ----------


async def _answer(deps: Deps, person: Person, cmd: SmsCommand, sms: InboundSms) -> None:
    lang = person.language
    if person.sms_opted_out and _fold(sms.body).strip() == "yes":
        # Twilio takes a bare YES as opt-in on long codes; stay in step with it.
        await _set_opt_out(deps, person, False)
    now = deps.now()
    async with deps.db.read() as conn:
        open_offers = await callout.open_offers_of(conn, person.id)
        offer_id: int | None = None
        text: str | None = None  # "which one?" when the offer is not clear
        if cmd.code is not None:
            offer_id = next((o.id for o in open_offers if o.code == cmd.code), None)
            if offer_id is None and open_offers:
                lead = t("sms_lead_bad_code", lang, code=cmd.code)
                text = await _which_offer(conn, deps, lang, lead, open_offers)
            elif offer_id is None:
                offer_id = await _recent_offer_id(conn, person.id, now, cmd.code)
        elif len(open_offers) == 1:
            offer_id = open_offers[0].id
        elif open_offers:
            lead = t("sms_lead_many", lang, count=len(open_offers))
            text = await _which_offer(conn, deps, lang, lead, open_offers)
        elif cmd.keyword is Keyword.YES:
            offer_id = await _recent_offer_id(conn, person.id, now, None)
    if offer_id is None and text is not None:
        await reply(deps, person, text)
        return
    if offer_id is None:  # JA/NEJ to nothing: an auto-responder's "OK" must not loop
        await reply_limited(deps, person, t("sms_no_open_offers", lang))
        return
    told: tuple[Outcome, ...] = ()
    if cmd.keyword is Keyword.YES:
        result = await answers.accept(deps, offer_id, person.id, "sms")
        told = (Outcome.BOOKED, Outcome.LATE, Outcome.NOT_ELIGIBLE)
    else:
        result = await answers.decline(deps, offer_id, person.id, "sms")
    if result.outcome in told and channel_for(person) is not None:
        return  # the use case has told the person (booked / someone was faster / blocked)
    if result.outcome in (*told, Outcome.DECLINED, Outcome.NOT_OPEN) and result.reply:
        await reply(deps, person, result.reply)
    else:
        await reply_limited(deps, person, t("sms_no_open_offers", lang))


async def _which_offer(
    conn: AsyncConnection, deps: Deps, lang: str, lead: str, offers: Sequence[Offer]
) -> str:
    items = []
    for offer in sorted(offers, key=lambda o: o.code):
        shift = await _shift_of_offer(conn, offer)
        items.append(
            t(
                "sms_offer_item",
                lang,
                code=offer.code,
                **shift_times(shift.starts_at, shift.ends_at, deps.tz, lang),
            )
        )
    return fit_sms(
        lambda shown: t("sms_which_offer", lang, lead=lead, offers=shown),
        items,
        lambda n: t("sms_more", lang, count=n),
    )


async def _shift_of_offer(conn: AsyncConnection, offer: Offer) -> Shift:
    vacancy = await callout.get_vacancy(conn, offer.vacancy_id)
    assert vacancy is not None
    shift = await callout.get_shift(conn, vacancy.shift_id)
    assert shift is not None
    return shift


async def _recent_offer_id(
    conn: AsyncConnection, person_id: str, now: dt.datetime, code: int | None
) -> int | None:
    """The person's latest offer of the last day (with this code): answering an offer
    that closed meanwhile gets "someone was faster" or "no longer open", not a shrug."""
    found = await callout.latest_offer_id(conn, person_id, now - RECENT_OFFER, code)
    return int(found) if found is not None else None


# ---------- SJUK / FRISK ----------


async def _sick(deps: Deps, person: Person, cmd: SmsCommand, sms: InboundSms) -> None:
    lang = person.language
    now = deps.now()
    today = now.astimezone(deps.tz).date()
    if cmd.date is None and cmd.day_offset is None:
        shifts = await _today_or_next(deps, person.id)
        missing = t("sms_sick_no_shift", lang, days=SICK_LOOKAHEAD_DAYS)
    else:
        day = cmd.date or today + dt.timedelta(days=cmd.day_offset or 0)
        shifts = await _shifts_on(deps, person.id, day)
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=deps.tz)
        missing = t("sms_sick_no_shift_day", lang, day=day_label(noon, deps.tz, lang))
    if not shifts:
        # A substitute has no schedule of their own: sick means giving up their bookings.
        booked = await _bookings_for(deps, person.id, cmd)
        for booking_id, _ in booked:
            await answers.cancel_booking(deps, booking_id, person.id, "sms")
        if booked:
            lines = ", ".join(
                f"{day_label(s.starts_at, deps.tz, lang)} {hhmm(s.starts_at, deps.tz)}"
                for _, s in booked
            )
            await reply(deps, person, t("sms_sick_booking", lang, shifts=lines))
            return
        await reply(deps, person, missing)
        return
    receipt = await absence.report_absence(
        deps, person.id, AbsenceCategory.SJUK, "sms", shift_ids=[s.id for s in shifts]
    )
    await reply(deps, person, receipt.text)


async def _bookings_for(deps: Deps, person_id: str, cmd: SmsCommand) -> list[tuple[int, Shift]]:
    """The person's bookings a sick report covers: that day's, or today's and else the next."""
    now = deps.now()
    async with deps.db.read() as conn:
        booked = [
            (b.id, s)
            for b, s in await callout.bookings_of(conn, person_id, now)
            if s.starts_at > now
        ]
    if cmd.date is not None or cmd.day_offset is not None:
        day = cmd.date or now.astimezone(deps.tz).date() + dt.timedelta(days=cmd.day_offset or 0)
        return [(b, s) for b, s in booked if s.starts_at.astimezone(deps.tz).date() == day]
    today = now.astimezone(deps.tz).date()
    todays = [(b, s) for b, s in booked if s.starts_at.astimezone(deps.tz).date() == today]
    return todays or booked[:1]


async def _today_or_next(deps: Deps, person_id: str) -> list[Shift]:
    """Today's shifts not yet over (a running night shift too), else the next one."""
    now = deps.now()
    tomorrow = now.astimezone(deps.tz).date() + dt.timedelta(days=1)
    end_of_today = dt.datetime.combine(tomorrow, dt.time(0), tzinfo=deps.tz)
    async with deps.db.read() as conn:
        own = await callout.shifts_of(
            conn,
            person_id,
            now - dt.timedelta(days=1),
            now + dt.timedelta(days=SICK_LOOKAHEAD_DAYS),
        )
    live = [s for s in own if s.ends_at > now]
    return [s for s in live if s.starts_at < end_of_today] or live[:1]


async def _shifts_on(deps: Deps, person_id: str, day: dt.date) -> list[Shift]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=deps.tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=deps.tz)
    async with deps.db.read() as conn:
        own = await callout.shifts_of(conn, person_id, start, end)
    return [s for s in own if s.ends_at > deps.now()]


async def _well(deps: Deps, person: Person, cmd: SmsCommand, sms: InboundSms) -> None:
    receipt = await absence.report_well(deps, person.id, "sms")
    await reply(deps, person, receipt.text)


# ---------- AVBOKA ----------


async def _unbook(deps: Deps, person: Person, cmd: SmsCommand, sms: InboundSms) -> None:
    lang = person.language
    day = _day_of(deps, cmd)
    upcoming = await _upcoming_bookings(deps, person.id)
    if day is None:
        chosen = upcoming[:1]
    else:
        chosen = [(b, s) for b, s in upcoming if s.starts_at.astimezone(deps.tz).date() == day]
    cancelled = [
        shift
        for booking_id, shift in chosen
        if await answers.cancel_booking(deps, booking_id, person.id, "sms")
    ]
    if cancelled:
        items = await _shift_items(deps, lang, "sms_unbooked_item", cancelled)
        await reply(deps, person, _fit_list(lang, "sms_unbooked", items))
        return
    if chosen:  # given up meanwhile (a second text, the Telegram button): read again
        upcoming = await _upcoming_bookings(deps, person.id)
    if day is None:
        await reply(deps, person, t("sms_unbook_nothing_booked", lang))
        return
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=deps.tz)
    label = day_label(noon, deps.tz, lang)
    if not upcoming:
        await reply(deps, person, t("sms_unbook_none_on_day_nothing_booked", lang, day=label))
        return
    items = await _shift_items(deps, lang, "sms_booking_item", [s for _, s in upcoming])
    await reply(deps, person, _fit_list(lang, "sms_unbook_none_on_day", items, day=label))


def _day_of(deps: Deps, cmd: SmsCommand) -> dt.date | None:
    """The local date an AVBOKA names (as SJUK reads it); None when it names none."""
    if cmd.date is not None:
        return cmd.date
    if cmd.day_offset is None:
        return None
    return deps.now().astimezone(deps.tz).date() + dt.timedelta(days=cmd.day_offset)


async def _upcoming_bookings(deps: Deps, person_id: str) -> list[tuple[int, Shift]]:
    """(booking id, shift) of the person's live bookings not yet begun, soonest first."""
    now = deps.now()
    async with deps.db.read() as conn:
        booked = await callout.bookings_of(conn, person_id, now)
    return [(b.id, s) for b, s in booked if s.starts_at > now]


async def _shift_items(deps: Deps, lang: str, key: str, shifts: Sequence[Shift]) -> list[str]:
    """One `key` text per shift: its day, times and unit."""
    async with deps.db.read() as conn:
        units = {u.id: u.name for u in await people_repo.all_units(conn)}
    return [
        t(
            key,
            lang,
            **shift_times(s.starts_at, s.ends_at, deps.tz, lang),
            unit=units.get(s.unit_id, s.unit_id),
        )
        for s in shifts
    ]


def _fit_list(lang: str, key: str, items: Sequence[str], **params: object) -> str:
    """The `key` text with as many of `items` as one SMS holds, "; " between them."""
    return fit_sms(
        lambda shown: t(key, lang, items=shown, **params),
        items,
        lambda n: t("sms_more", lang, count=n),
        sep="; ",
    )


# ---------- PASS ----------


async def _bookings(deps: Deps, person: Person, cmd: SmsCommand, sms: InboundSms) -> None:
    lang = person.language
    async with deps.db.read() as conn:
        booked = await callout.bookings_of(conn, person.id, deps.now())
        units = {u.id: u.name for u in await people_repo.all_units(conn)}
    if not booked:
        await reply(deps, person, t("sms_no_bookings", lang))
        return
    items = [
        t(
            "sms_booking_item",
            lang,
            **shift_times(s.starts_at, s.ends_at, deps.tz, lang),
            unit=units.get(s.unit_id, s.unit_id),
        )
        for _, s in booked
    ]
    await reply(
        deps,
        person,
        fit_sms(
            lambda shown: t("sms_bookings", lang, items=shown),
            items,
            lambda n: t("sms_more", lang, count=n),
            sep="; ",
        ),
    )


# ---------- STOPP / START / HJÄLP / unknown ----------


async def _stop(deps: Deps, person: Person, cmd: SmsCommand, sms: InboundSms) -> None:
    changed = await _set_opt_out(deps, person, True)
    # One confirmation: none when it changes nothing, none when Twilio confirmed already
    # (Advanced Opt-Out says so in OptOutType; its default words on a long code it always
    # confirms, and a message of ours would only fail with 21610). STOPP is ours to confirm.
    twilio_confirmed = (sms.opt_out_type or "").upper() == "STOP" or twilio_opted_out(sms.body)
    if changed and not twilio_confirmed:
        await reply_limited(deps, person, t("sms_stopped", person.language), STOP_CONFIRMATION)


async def _start(deps: Deps, person: Person, cmd: SmsCommand, sms: InboundSms) -> None:
    await _set_opt_out(deps, person, False)
    if (sms.opt_out_type or "").upper() != "START":
        await reply_limited(deps, person, t("sms_started", person.language), START_CONFIRMATION)


async def _help(deps: Deps, person: Person, cmd: SmsCommand, sms: InboundSms) -> None:
    if (sms.opt_out_type or "").upper() != "HELP":
        await reply_limited(deps, person, t("sms_help", person.language))


async def _not_understood(deps: Deps, person: Person, cmd: SmsCommand, sms: InboundSms) -> None:
    await reply_limited(deps, person, t("sms_not_understood", person.language))


async def _set_opt_out(deps: Deps, person: Person, opted_out: bool) -> bool:
    """STOPP / START. Returns whether anything changed."""
    async with deps.db.write() as conn:
        current = await people_repo.get_person(conn, person.id)
        if current is None or current.sms_opted_out == opted_out:
            return False
        await people_repo.update_person(conn, person.id, sms_opted_out=opted_out)
        await audit.record(
            conn,
            deps.now(),
            person.id,
            "sms_opted_out" if opted_out else "sms_opted_in",
            "person",
            person.id,
            "sms",
        )
    return True


_HANDLERS: dict[Keyword, Callable[[Deps, Person, SmsCommand, InboundSms], Awaitable[None]]] = {
    Keyword.YES: _answer,
    Keyword.NO: _answer,
    Keyword.SICK: _sick,
    Keyword.WELL: _well,
    Keyword.UNBOOK: _unbook,
    Keyword.BOOKINGS: _bookings,
    Keyword.STOP: _stop,
    Keyword.START: _start,
    Keyword.HELP: _help,
    Keyword.UNKNOWN: _not_understood,
}


# ---------- KANAL TELEGRAM | SMS | BÅDA ----------

_CHANNEL_WORDS = {
    "telegram": Channel.TELEGRAM,
    "tg": Channel.TELEGRAM,
    "sms": Channel.SMS,
    "text": Channel.SMS,
    "bada": Channel.BOTH,
    "both": Channel.BOTH,
    "alla": Channel.BOTH,
}
_CHANNEL_FILLERS = frozenset({"via", "till", "to", "bara", "only"})


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def channel_choice(body: str) -> tuple[bool, Channel | None]:
    """("KANAL SMS") -> (True, SMS); ("KANAL") -> (True, None); anything else (False, None)."""
    words = re.findall(r"[^\W\d_]+", _fold(body))
    if not words or words[0] not in ("kanal", "channel"):
        return False, None
    rest = [w for w in words[1:] if w not in _CHANNEL_FILLERS]
    return True, _CHANNEL_WORDS.get(rest[0]) if len(rest) == 1 else None


def language_choice(body: str) -> tuple[bool, str | None]:
    """("SPRÅK AR") -> (True, "ar"); ("SPRÅK") or an unknown code -> (True, None); anything
    else (False, None). The codes are those of bot.i18n.LANGUAGES."""
    words = re.findall(r"[^\W\d_]+", _fold(body))
    if not words or words[0] not in ("sprak", "language", "lang"):
        return False, None
    code = words[1] if len(words) == 2 else None
    return True, code if code in LANGUAGES else None


async def _set_language(deps: Deps, person: Person, language: str | None) -> None:
    if language is None:
        await reply_limited(
            deps, person, t("sms_lang_help", person.language, codes=" ".join(LANGUAGES).upper())
        )
        return
    person = await availability.set_language(deps, person.id, language)
    await reply(deps, person, t("sms_lang_set", language))


async def _set_channel(deps: Deps, person: Person, channel: Channel | None) -> None:
    lang = person.language
    if channel is None:
        await reply_limited(deps, person, t("sms_channel_help", lang))
        return
    if channel is Channel.TELEGRAM and person.telegram_chat_id is None:
        await reply(deps, person, t("sms_channel_no_telegram", lang))
        return
    values: dict[str, object] = {"channel": channel.value}
    if channel is not Channel.TELEGRAM:
        values["sms_opted_out"] = False  # asking for SMS is asking for SMS
    async with deps.db.write() as conn:
        await people_repo.update_person(conn, person.id, **values)
        await audit.record(
            conn,
            deps.now(),
            person.id,
            "channel_set",
            "person",
            person.id,
            "sms",
            chosen=channel.value,
        )
    await reply(
        deps, person, t("sms_channel_set", lang, channel=t(f"sms_channel_{channel.value}", lang))
    )


# ---------- unknown numbers ----------


async def _unknown_sender(deps: Deps, phone: str) -> InboundResult:
    """Tell an unregistered number how to join: once a local day, within the hourly caps."""
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
        return InboundResult("unknown_sender")
    log.info("SMS from an unregistered number %s: told how to join", mask_phone(phone))
    return InboundResult("unknown_sender", t("sms_unknown_sender", deps.settings.language))


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
