"""An inbound SMS (DESIGN section 7: one word, a code when several offers are open), as
thin as a Telegram handler: read the words into an intent (`bot.domain.sms_reply`,
`bot.domain.grammar`), call the same use case Telegram calls, render the outcome as a
reply. Every text is handled once (MessageSid); answers to texts the bot cannot act on
are limited (`bot.services.sms_replies`).

A text that is one of Twilio's own opt-out words (STOP, ...) gets no answer from us:
Twilio has confirmed it and refuses further messages to the number (21610).
AVBOKA [when] gives up bookings through the same use case as Telegram's Avboka button
(`bookings.give_up` -> `answers.cancel_booking`); nothing booked that day: the reply lists
the bookings there are, or says there are none.
An unregistered number is told how to join, at most once a day, and nothing else: its
reply goes back in the webhook response (TwiML).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain import grammar, intents
from bot.domain.delivery import channel_for
from bot.domain.gsm7 import segments, to_gsm7
from bot.domain.model import Offer, Person, Shift
from bot.domain.phone import InvalidPhoneNumber, mask_phone, normalise_phone
from bot.domain.sms_reply import Keyword, SmsCommand, intent_of, parse_sms, twilio_opted_out
from bot.i18n import LANGUAGES
from bot.services import absence, answers, bookings, preferences, sms_replies
from bot.services.answers import Outcome
from bot.services.deps import Deps
from bot.services.sms_replies import START_CONFIRMATION, STOP_CONFIRMATION, reply, reply_limited
from bot.texts import day_label, hhmm, shift_times, t
from storage import people as people_repo

log = logging.getLogger(__name__)

VIA = "sms"


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
        """The action as a log may say it: SJUK, VAB and FRISK are health data: "absence"."""
        health = (Keyword.SICK, Keyword.VAB, Keyword.WELL)
        return "absence" if self.action in health else self.action


async def handle_sms(deps: Deps, sms: InboundSms) -> InboundResult:
    """Handle one inbound SMS once; the same MessageSid again does nothing.

    If handling fails, the mark is taken back, so Twilio's retry of the webhook is handled
    instead of being dropped as a duplicate.
    """
    if not await sms_replies.first_seen(deps, sms_replies.SOURCE, sms.message_sid):
        return InboundResult("duplicate")
    try:
        return await _handle(deps, sms)
    except Exception:
        await sms_replies.forget(deps, sms_replies.SOURCE, sms.message_sid)
        raise


async def handle_stored(deps: Deps, sms: InboundSms) -> InboundResult:
    """Handle a text the inbox committed (`handlers.inbox`): the inbox handles it once."""
    return await _handle(deps, sms)


async def _handle(deps: Deps, sms: InboundSms) -> InboundResult:
    try:
        phone = normalise_phone(sms.from_)
    except InvalidPhoneNumber:
        log.info("SMS %s from an invalid number %s ignored", sms.message_sid, mask_phone(sms.from_))
        return InboundResult("invalid_sender")
    async with deps.db.read() as conn:
        person = await people_repo.person_by_phone(conn, phone)
    if person is None or not person.active:
        return InboundResult("unknown_sender", await sms_replies.unknown_sender(deps, phone))
    wants_channel, channel = grammar.channel_choice(sms.body)
    if wants_channel:
        await _set_channel(deps, person, intents.SetChannel(channel))
        return InboundResult("channel")
    wants_language, language = grammar.language_choice(sms.body)
    if wants_language:
        await _set_language(deps, person, language)
        return InboundResult("language")
    today = deps.now().astimezone(deps.tz).date()
    command = parse_sms(sms.body, today)
    intent = intent_of(command, today)
    await _HANDLERS[type(intent)](deps, person, intent, command, sms)
    return InboundResult(command.keyword.value)


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


async def _answer(
    deps: Deps,
    person: Person,
    intent: intents.Accept | intents.Decline,
    command: SmsCommand,
    sms: InboundSms,
) -> None:
    lang = person.language
    if person.sms_opted_out and grammar.fold(sms.body).strip() == "yes":
        # Twilio takes a bare YES as opt-in on long codes; stay in step with it.
        await preferences.set_sms_opt_out(deps, person, False, VIA)
    choice = await bookings.offer_meant(deps, person, intent)
    if choice.ask:
        if choice.bad_code:
            lead = t("sms_lead_bad_code", lang, code=intent.code)
        else:
            lead = t("sms_lead_many", lang, count=len(choice.ask))
        await reply(deps, person, _which_offer(deps, lang, lead, choice.ask))
        return
    if choice.offer_id is None:  # JA/NEJ to nothing: an auto-responder's "OK" must not loop
        await reply_limited(deps, person, t("sms_no_open_offers", lang))
        return
    told: tuple[Outcome, ...] = ()
    if isinstance(intent, intents.Accept):
        result = await answers.accept(deps, person.id, intents.Accept(choice.offer_id), VIA)
        told = (Outcome.BOOKED, Outcome.LATE, Outcome.NOT_ELIGIBLE)
    else:
        result = await answers.decline(deps, person.id, intents.Decline(choice.offer_id), VIA)
    if result.outcome in told and channel_for(person) is not None:
        return  # the use case has told the person (booked / someone was faster / blocked)
    if result.outcome in (*told, Outcome.DECLINED, Outcome.NOT_OPEN) and result.reply:
        await reply(deps, person, result.reply)
    else:
        await reply_limited(deps, person, t("sms_no_open_offers", lang))


def _which_offer(deps: Deps, lang: str, lead: str, offers: Sequence[tuple[Offer, Shift]]) -> str:
    items = [
        t(
            "sms_offer_item",
            lang,
            code=offer.code,
            **shift_times(shift.starts_at, shift.ends_at, deps.tz, lang),
        )
        for offer, shift in offers
    ]
    return fit_sms(
        lambda shown: t("sms_which_offer", lang, lead=lead, offers=shown),
        items,
        lambda n: t("sms_more", lang, count=n),
    )


# ---------- SJUK / FRISK ----------


async def _sick(
    deps: Deps, person: Person, intent: intents.ReportAbsence, command: SmsCommand, sms: InboundSms
) -> None:
    lang = person.language
    outcome = await absence.report_sick(deps, person, intent, VIA)
    if outcome.receipt is not None:
        await reply(deps, person, outcome.receipt.text)
    elif outcome.given_up:
        lines = ", ".join(
            f"{day_label(s.starts_at, deps.tz, lang)} {hhmm(s.starts_at, deps.tz)}"
            for s in outcome.given_up
        )
        await reply(deps, person, t("sms_sick_booking", lang, shifts=lines))
    elif intent.day is None:
        await reply(deps, person, t("sms_sick_no_shift", lang, days=absence.SICK_LOOKAHEAD_DAYS))
    else:
        await reply(
            deps, person, t("sms_sick_no_shift_day", lang, day=_day_label(deps, intent.day, lang))
        )


async def _well(
    deps: Deps, person: Person, intent: intents.ReportWell, command: SmsCommand, sms: InboundSms
) -> None:
    receipt = await absence.report_well(deps, person.id, VIA)
    await reply(deps, person, receipt.text)


def _day_label(deps: Deps, day: dt.date, lang: str) -> str:
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=deps.tz)
    return day_label(noon, deps.tz, lang)


# ---------- AVBOKA ----------


async def _unbook(
    deps: Deps, person: Person, intent: intents.CancelBooking, command: SmsCommand, sms: InboundSms
) -> None:
    lang = person.language
    outcome = await bookings.give_up(deps, person, intent, VIA)
    if outcome.cancelled:
        items = await _shift_items(deps, lang, "sms_unbooked_item", outcome.cancelled)
        await reply(deps, person, _fit_list(lang, "sms_unbooked", items))
        return
    if intent.day is None:
        await reply(deps, person, t("sms_unbook_nothing_booked", lang))
        return
    label = _day_label(deps, intent.day, lang)
    if not outcome.remaining:
        await reply(deps, person, t("sms_unbook_none_on_day_nothing_booked", lang, day=label))
        return
    items = await _shift_items(deps, lang, "sms_booking_item", outcome.remaining)
    await reply(deps, person, _fit_list(lang, "sms_unbook_none_on_day", items, day=label))


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


async def _bookings(
    deps: Deps, person: Person, intent: intents.ListBookings, command: SmsCommand, sms: InboundSms
) -> None:
    lang = person.language
    views = await bookings.bookings(deps, person.id)
    if not views:
        await reply(deps, person, t("sms_no_bookings", lang))
        return
    items = [
        t(
            "sms_booking_item",
            lang,
            **shift_times(v.shift.starts_at, v.shift.ends_at, deps.tz, lang),
            unit=v.unit.name,
        )
        for v in views
    ]
    await reply(deps, person, _fit_list(lang, "sms_bookings", items))


# ---------- STOPP / START / HJÄLP / unknown ----------


async def _stop(
    deps: Deps, person: Person, intent: intents.OptOut, command: SmsCommand, sms: InboundSms
) -> None:
    changed = await preferences.set_sms_opt_out(deps, person, True, VIA)
    # One confirmation: none when it changes nothing, none when Twilio confirmed already
    # (Advanced Opt-Out says so in OptOutType; its default words on a long code it always
    # confirms, and a message of ours would only fail with 21610). STOPP is ours to confirm.
    twilio_confirmed = (sms.opt_out_type or "").upper() == "STOP" or twilio_opted_out(sms.body)
    if changed and not twilio_confirmed:
        await reply_limited(deps, person, t("sms_stopped", person.language), STOP_CONFIRMATION)


async def _start(
    deps: Deps, person: Person, intent: intents.OptIn, command: SmsCommand, sms: InboundSms
) -> None:
    await preferences.set_sms_opt_out(deps, person, False, VIA)
    if (sms.opt_out_type or "").upper() != "START":
        await reply_limited(deps, person, t("sms_started", person.language), START_CONFIRMATION)


async def _help(
    deps: Deps, person: Person, intent: intents.Help, command: SmsCommand, sms: InboundSms
) -> None:
    if (sms.opt_out_type or "").upper() != "HELP":
        await reply_limited(deps, person, t("sms_help", person.language))


async def _not_understood(
    deps: Deps, person: Person, intent: intents.NotUnderstood, command: SmsCommand, sms: InboundSms
) -> None:
    await reply_limited(deps, person, t("sms_not_understood", person.language))


# ---------- KANAL TELEGRAM | SMS | BÅDA ----------


async def _set_channel(deps: Deps, person: Person, intent: intents.SetChannel) -> None:
    lang = person.language
    outcome = await preferences.choose_channel(deps, person, intent, VIA)
    if outcome is preferences.ChannelOutcome.NOT_SAID:
        await reply_limited(deps, person, t("sms_channel_help", lang))
    elif outcome is preferences.ChannelOutcome.NO_TELEGRAM:
        await reply(deps, person, t("sms_channel_no_telegram", lang))
    elif outcome is preferences.ChannelOutcome.SET and intent.channel is not None:
        name = t(f"sms_channel_{intent.channel.value}", lang)
        await reply(deps, person, t("sms_channel_set", lang, channel=name))


# ---------- SPRÅK <code> ----------


async def _set_language(deps: Deps, person: Person, language: str | None) -> None:
    if language is None:
        codes = " ".join(LANGUAGES).upper()
        await reply_limited(deps, person, t("sms_lang_help", person.language, codes=codes))
        return
    person = await preferences.set_language(deps, person, intents.SetLanguage(language), VIA)
    await reply(deps, person, t("sms_lang_set", person.language))


_Handler = Callable[[Deps, Person, Any, SmsCommand, InboundSms], Awaitable[None]]
_HANDLERS: dict[type, _Handler] = {
    intents.Accept: _answer,
    intents.Decline: _answer,
    intents.ReportAbsence: _sick,
    intents.ReportWell: _well,
    intents.CancelBooking: _unbook,
    intents.ListBookings: _bookings,
    intents.OptOut: _stop,
    intents.OptIn: _start,
    intents.Help: _help,
    intents.NotUnderstood: _not_understood,
}
