"""Substitutes (vikarier): answer offers, see and cancel bookings, set availability.

Offer buttons (acc:<offer id> / dec:<offer id>, and dca:<offer id> under a bundled offer)
are stateless: the truth is in the database,
the services decide (first accept wins, NOT_YOURS ...) and enqueue the edited offer message;
the handler only answers the button press with a short toast.
"""

from __future__ import annotations

import datetime as dt
import re

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import callbacks as cb
from bot.domain.grammar import parse_date, parse_time_range
from bot.domain.intents import Accept, CancelBooking, Decline, Pause, SetTimes, ToggleDay
from bot.domain.messages import shift_line
from bot.domain.model import Person, Role
from bot.i18n import LANGUAGES
from bot.services import answers, availability, calendar
from bot.services import bookings as bookings_service
from bot.texts import day_label, hhmm, t, weekday_names
from handlers.telegram.common import (
    Context,
    data_parts,
    deps_of,
    edit,
    inline,
    is_private,
    requires,
    say,
    toast,
)

TOASTS = {
    answers.Outcome.BOOKED: "tg_toast_booked",
    answers.Outcome.LATE: "tg_toast_late",
    answers.Outcome.DECLINED: "tg_toast_declined",
    answers.Outcome.NOT_OPEN: "tg_toast_not_open",
    answers.Outcome.NOT_ELIGIBLE: "tg_toast_not_eligible",
    answers.Outcome.NOT_YOURS: "tg_toast_not_yours",
    answers.Outcome.UNKNOWN: "tg_toast_unknown",
}


@requires()
async def answer_offer(update: Update, context: Context, person: Person) -> None:
    """Ta passet / Nej tack. Anyone linked may press; the service refuses what is not theirs."""
    kind, raw = data_parts(update)[:2]
    deps = deps_of(context)
    if kind == cb.ACCEPT:
        result = await answers.accept(deps, person.id, Accept(int(raw)), "telegram")
    elif kind == cb.DECLINE_ALL:
        result = await answers.decline_all(deps, person.id, Decline(int(raw)), "telegram")
    else:
        result = await answers.decline(deps, person.id, Decline(int(raw)), "telegram")
    alert = result.outcome in (answers.Outcome.NOT_YOURS, answers.Outcome.NOT_ELIGIBLE)
    await toast(update, t(TOASTS[result.outcome], person.language), alert=alert)


# ---------- /pass: bookings, and cancelling one (avboka) ----------

@requires()
async def bookings(update: Update, context: Context, person: Person) -> None:
    deps, lang = deps_of(context), person.language
    if not is_private(update):  # one's bookings and calendar link are not for a group
        await say(update, t("tg_private_only", lang))
        return
    views = await bookings_service.bookings(deps, person.id)
    parts: list[str] = []
    if person.has_role(Role.STAFF):
        own = await availability.scheduled_shifts(deps, person.id)
        if own:
            parts.append(t("tg_shifts_head", lang) + "\n" + "\n".join(
                f"• {shift_line(s, u, deps.tz, lang)}" for s, u in own))
    if not views:
        parts.append(t("tg_bookings_none", lang))
    else:
        parts.append(t("tg_bookings_head", lang) + "\n" + "\n".join(
            f"• {shift_line(v.shift, v.unit, deps.tz, lang)}" for v in views))
    buttons = [[(t("tg_btn_unbook", lang, day=day_label(v.shift.starts_at, deps.tz, lang),
                   start=hhmm(v.shift.starts_at, deps.tz)),
                 cb.encode(cb.BOOKING, "c", v.booking.id))]
               for v in views if v.can_give_up]
    buttons.append([(t("tg_btn_calendar", lang), cb.encode(cb.CALENDAR, "l"))])
    await say(update, "\n\n".join(parts), inline(buttons))


@requires()
async def unbook(update: Update, context: Context, person: Person) -> None:
    """bk:c:<id> asks "Är du säker?"; bk:y:<id> cancels; bk:n:<id> keeps it."""
    step, raw = data_parts(update)[1:3]
    deps, lang = deps_of(context), person.language
    view = await bookings_service.booking_of(deps, person.id, int(raw))
    if view is None:
        await toast(update, t("tg_unbook_failed", lang), alert=True)
        return
    line = shift_line(view.shift, view.unit, deps.tz, lang)
    if step == "c":
        bid = view.booking.id
        await toast(update)
        await say(update, t("tg_unbook_confirm", lang, line=line),
                  inline([[(t("tg_btn_unbook_yes", lang), cb.encode(cb.BOOKING, "y", bid)),
                           (t("tg_btn_no", lang), cb.encode(cb.BOOKING, "n", bid))]]))
    elif step == "n":
        await toast(update)
        await edit(update, t("tg_unbook_kept", lang))
    elif (await bookings_service.give_up(
        deps, person, CancelBooking(booking_id=view.booking.id), "telegram"
    )).cancelled:  # the use case SMS AVBOKA calls, with the same intent
        await toast(update)
        await edit(update, t("tg_unbook_done", lang, line=line))
    else:
        await toast(update, t("tg_unbook_failed", lang), alert=True)


# ---------- Kalender-länk: the private calendar address ----------

@requires()
async def calendar_link(update: Update, context: Context, person: Person) -> None:
    """cal:l asks for the link (a new one, or a choice when one exists: it is stored hashed
    and cannot be shown again); cal:n replaces it; cal:r switches it off."""
    step = data_parts(update)[1]
    deps, lang = deps_of(context), person.language
    if not is_private(update):  # the link is a secret: never into a group
        await toast(update, t("tg_private_only", lang), alert=True)
        return
    await toast(update)
    if step == "r":
        gone = await calendar.revoke(deps, person.id, person.id, "telegram")
        await say(update, t("tg_calendar_off" if gone else "tg_calendar_none", lang))
        return
    if deps.settings.public_url is None:
        await say(update, t("tg_calendar_unavailable", lang))
        return
    if step == "l" and await calendar.has_link(deps, person.id):
        await say(update, t("tg_calendar_exists", lang),
                  inline([[(t("tg_btn_calendar_new", lang), cb.encode(cb.CALENDAR, "n")),
                           (t("tg_btn_calendar_off", lang), cb.encode(cb.CALENDAR, "r"))]]))
        return
    link = await calendar.new_link(deps, person.id, "telegram")
    assert link is not None
    await say(update, t("tg_calendar_link", lang, url=link.url))


# ---------- /ledig: days, times, pause ----------

def _availability_text(person: Person, context: Context) -> tuple[str, InlineKeyboardMarkup]:
    deps, lang = deps_of(context), person.language
    names = weekday_names(lang)
    days = ", ".join(names[int(d) - 1] for d in person.available_days) or t(
        "tg_avail_no_days", lang)
    if person.available_from is None and person.available_to is None:
        times = t("tg_avail_all_times", lang)
    else:
        start = person.available_from or dt.time(0)
        end = "24:00" if person.available_to is None else f"{person.available_to:%H:%M}"
        times = f"{start:%H:%M}–{end}"
    if availability.is_paused(person, deps.now()):
        assert person.paused_until is not None
        until = (f"{day_label(person.paused_until, deps.tz, lang)} "
                 f"{hhmm(person.paused_until, deps.tz)}")
        pause = t("tg_avail_paused", lang, until=until)
    else:
        pause = t("tg_avail_active", lang)
    day_row = [(("✓" if str(i + 1) in person.available_days else "·") + names[i],
                cb.encode(cb.AVAILABILITY, "d", i + 1))
               for i in range(7)]
    keyboard = inline([
        day_row[:4], day_row[4:],
        [(t("tg_btn_pause_day", lang), cb.encode(cb.AVAILABILITY, "p", 1)),
         (t("tg_btn_pause_week", lang), cb.encode(cb.AVAILABILITY, "p", 7))],
        [(t("tg_btn_unpause", lang), cb.encode(cb.AVAILABILITY, "p", 0)),
         (t("tg_btn_all_times", lang), cb.encode(cb.AVAILABILITY, "t", 0))],
    ])
    return t("tg_avail", lang, days=days, times=times, pause=pause), keyboard


@requires(Role.SUBSTITUTE, Role.STAFF)
async def ledig(update: Update, context: Context, person: Person) -> None:
    """/ledig; /ledig 07:00-16:00; /ledig alla; /ledig paus 2026-12-24; /ledig paus bort."""
    deps, lang, args = deps_of(context), person.language, [a.lower() for a in context.args or []]
    if args and args[0] in ("paus", "pause"):
        rest = " ".join(args[1:])
        if rest in ("bort", "av", "slut", "off", "end"):
            intent: Pause | SetTimes = Pause()
        elif (day := parse_date(rest, today := deps.now().astimezone(deps.tz).date())) is not None:
            if day < today:  # the nearest 29/11 on 1 December has passed: say so, pause nothing
                await say(update, t("tg_avail_past_date", lang))
                return
            intent = Pause(through=day)
        else:
            await say(update, t("tg_avail_bad", lang))
            return
        person = await availability.set_availability(deps, person, intent, "telegram")
    elif args and args[0] in ("alla", "all", "any"):
        person = await availability.set_availability(deps, person, SetTimes(None, None), "telegram")
    elif args:
        text = " ".join(a for a in args if a not in ("tider", "times"))
        span = parse_time_range(text)
        if span is None:
            await say(update, t("tg_avail_bad", lang))
            return
        person = await availability.set_availability(deps, person, SetTimes(*span), "telegram")
    text, keyboard = _availability_text(person, context)
    await say(update, text, keyboard)


@requires(Role.SUBSTITUTE, Role.STAFF)
async def availability_button(update: Update, context: Context, person: Person) -> None:
    """av:d:<1-7> toggles a weekday, av:p:<days> pauses (0 ends it), av:t:0 any time."""
    _, kind, raw = data_parts(update)
    deps, value = deps_of(context), int(raw)
    intent: ToggleDay | Pause | SetTimes | None = None
    if kind == "d" and 1 <= value <= 7:
        intent = ToggleDay(value)
    elif kind == "p":
        intent = Pause(days=value)  # 0 ends the pause
    elif kind == "t":
        intent = SetTimes(None, None)
    if intent is not None:
        person = await availability.set_availability(deps, person, intent, "telegram")
    await toast(update)
    text, keyboard = _availability_text(person, context)
    await edit(update, text, keyboard)


def _labels(key: str) -> str:
    return "|".join(re.escape(t(key, lang)) for lang in LANGUAGES)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    private_text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE
    return [
        CallbackQueryHandler(
            answer_offer, pattern=cb.pattern((cb.ACCEPT, cb.DECLINE, cb.DECLINE_ALL), r"\d+")
        ),
        CallbackQueryHandler(unbook, pattern=cb.pattern(cb.BOOKING, "[cyn]", r"\d+")),
        CallbackQueryHandler(availability_button,
                             pattern=cb.pattern(cb.AVAILABILITY, "[dpt]", r"\d+")),
        CallbackQueryHandler(calendar_link, pattern=cb.pattern(cb.CALENDAR, "[lnr]")),
        CommandHandler("pass", bookings),
        MessageHandler(private_text & filters.Regex(
            rf"(?i)^\s*({_labels('tg_btn_bookings')}|pass)\s*$"), bookings),
        CommandHandler("ledig", ledig),
        MessageHandler(private_text & filters.Regex(
            rf"(?i)^\s*({_labels('tg_btn_availability')})\s*$"), ledig),
    ]
