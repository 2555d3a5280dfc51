"""/nytt: a coordinator creates an open shift by hand, guided:
unit (their units; skipped when they have one) -> day -> start–end -> role -> confirm
-> `coordinator.create` (CreateVacancy), which starts the call-out at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from telegram import ForceReply, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import callbacks as cb
from bot.domain.grammar import local_span, parse_date, parse_time_range
from bot.domain.intents import CreateVacancy
from bot.domain.model import Person, Role, Unit
from bot.services import coordinator, coordinator_views
from bot.services.coordinator import ActOutcome
from bot.texts import ROLE_NAMES, day_label, role_name, t
from handlers.telegram.common import (
    END,
    Context,
    cancel_handlers,
    conversation,
    data_parts,
    deps_of,
    draft_bind,
    draft_get,
    draft_pop,
    draft_put,
    edit,
    inline,
    pressed_draft,
    requires,
    say,
    toast,
)

UNIT, DATE, TIME, ROLE, CONFIRM = "new:unit", "new:date", "new:time", "new:role", "new:confirm"
KEY = cb.NEW_VACANCY  # the draft's key: its buttons' callback_data prefix


@dataclass
class NewDraft:
    units: list[Unit]
    unit: Unit | None = None
    day: dt.date | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    role: str | None = None


def _cancel_row(lang: str) -> list[tuple[str, str]]:
    return [(t("tg_btn_cancel", lang), cb.encode(KEY, cb.CANCEL))]


async def _ask_date(update: Update, context: Context, lang: str) -> str:
    asked = await say(update, t("tg_new_date", lang),
                      inline([[(t("tg_btn_today", lang), cb.encode(KEY, "d", 0)),
                               (t("tg_btn_tomorrow", lang), cb.encode(KEY, "d", 1))],
                              _cancel_row(lang)]))
    draft_bind(update, context, KEY, asked)
    return DATE


@requires(Role.COORDINATOR)
async def begin(update: Update, context: Context, person: Person) -> str | None:
    lang = person.language
    units = await coordinator_views.units_of(deps_of(context), person)
    if not units:
        await say(update, t("tg_no_units", lang))
        return None
    draft = NewDraft(units)
    draft_put(update, context, KEY, draft)
    if len(units) == 1:
        draft.unit = units[0]
        return await _ask_date(update, context, lang)
    asked = await say(update, t("tg_new_unit", lang),
                      inline([*[[(u.name, cb.encode(KEY, "u", i))] for i, u in enumerate(units)],
                              _cancel_row(lang)]))
    draft_bind(update, context, KEY, asked)
    return UNIT


@requires(Role.COORDINATOR)
async def choose_unit(update: Update, context: Context, person: Person) -> str | int | None:
    draft = await pressed_draft(update, context, KEY, NewDraft, person.language)
    if draft is None:
        return None  # someone else's, or an older message: answered, nothing changes
    index = int(data_parts(update)[2])
    if not 0 <= index < len(draft.units):
        await toast(update, t("tg_stale", person.language))
        return END
    draft.unit = draft.units[index]
    await toast(update)
    await edit(update, f"→ {draft.unit.name}")
    return await _ask_date(update, context, person.language)


async def _set_day(
    update: Update, context: Context, person: Person, day: dt.date | None
) -> str | int:
    draft, lang = draft_get(update, context, KEY, NewDraft), person.language
    deps = deps_of(context)
    if draft is None:
        return END
    if day is None or day < deps.now().astimezone(deps.tz).date():
        await say(update, t("tg_new_bad_date", lang))
        return DATE
    draft.day = day
    # ForceReply: in a group with privacy mode on, only replies to the bot reach it.
    await say(update, t("tg_new_time", lang), ForceReply(selective=True))
    return TIME


@requires(Role.COORDINATOR)
async def date_button(update: Update, context: Context, person: Person) -> str | int | None:
    if await pressed_draft(update, context, KEY, NewDraft, person.language) is None:
        return None
    deps = deps_of(context)
    offset = int(data_parts(update)[2])
    await toast(update)
    day = deps.now().astimezone(deps.tz).date() + dt.timedelta(days=offset)
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=deps.tz)
    await edit(update, f"→ {day_label(noon, deps.tz, person.language)}")
    return await _set_day(update, context, person, day)


@requires(Role.COORDINATOR)
async def date_text(update: Update, context: Context, person: Person) -> str | int:
    deps = deps_of(context)
    message = update.effective_message
    text = message.text if message is not None and message.text else ""
    day = parse_date(text, deps.now().astimezone(deps.tz).date())
    return await _set_day(update, context, person, day)


@requires(Role.COORDINATOR)
async def time_text(update: Update, context: Context, person: Person) -> str | int:
    draft, lang, deps = draft_get(update, context, KEY, NewDraft), person.language, deps_of(context)
    message = update.effective_message
    if draft is None or draft.day is None or message is None:
        return END
    span = parse_time_range(message.text or "")
    if span is not None:
        start, end = local_span(draft.day, span[0], span[1], deps.tz)
        if start > deps.now():
            draft.start, draft.end = start, end
            asked = await say(update, t("tg_new_role", lang),
                              inline([[(role_name(code, lang), cb.encode(KEY, "r", code))
                                       for code in ROLE_NAMES], _cancel_row(lang)]))
            draft_bind(update, context, KEY, asked)
            return ROLE
    await say(update, t("tg_new_bad_time", lang), ForceReply(selective=True))
    return TIME


@requires(Role.COORDINATOR)
async def choose_role(update: Update, context: Context, person: Person) -> str | int | None:
    lang, deps = person.language, deps_of(context)
    draft = await pressed_draft(update, context, KEY, NewDraft, lang)
    if draft is None:
        return None
    role = data_parts(update)[2]
    if None in (draft.unit, draft.start, draft.end) or role not in ROLE_NAMES:
        await toast(update, t("tg_stale", lang))
        return END
    assert draft.unit is not None and draft.start is not None and draft.end is not None
    draft.role = role
    await toast(update)
    text = t("tg_new_confirm", lang, unit=draft.unit.name,
             day=day_label(draft.start, deps.tz, lang), start=f"{draft.start:%H:%M}",
             end=f"{draft.end:%H:%M}", role=role_name(role, lang))
    await edit(update, text, inline([[(t("tg_btn_create", lang), cb.encode(KEY, "ok"))],
                                     _cancel_row(lang)]))
    return CONFIRM


@requires(Role.COORDINATOR)
async def create(update: Update, context: Context, person: Person) -> int | None:
    lang, deps = person.language, deps_of(context)
    draft = await pressed_draft(update, context, KEY, NewDraft, lang)
    if draft is None:
        return None
    draft_pop(update, context, KEY)
    if draft.unit is None or draft.start is None or draft.end is None or draft.role is None:
        await toast(update, t("tg_stale", lang))
        return END
    await toast(update)
    intent = CreateVacancy(draft.unit.id, draft.start, draft.end, draft.role)
    acted = await coordinator.create(deps, person, intent, "telegram")
    if acted.outcome == ActOutcome.NOT_ALLOWED:  # the grant was taken away meanwhile
        await edit(update, t("tg_not_allowed", lang))
        return END
    if acted.vacancy_id is None:  # the start passed while the dialogue went on
        await edit(update, t("tg_stale", lang))
        return END
    vid = acted.vacancy_id
    info = await coordinator_views.vacancy_info(deps, vid)
    line = info.line(deps, lang) if info else ""
    await edit(update, t("tg_new_created", lang, vid=vid, line=line))
    return END


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    text = filters.TEXT & ~filters.COMMAND
    return [conversation(
        "new_vacancy",
        entry_points=[CommandHandler("nytt", begin)],
        states={
            UNIT: [CallbackQueryHandler(choose_unit, pattern=cb.pattern(KEY, "u", r"\d+"))],
            DATE: [CallbackQueryHandler(date_button, pattern=cb.pattern(KEY, "d", "[01]")),
                   MessageHandler(text, date_text)],
            TIME: [MessageHandler(text, time_text)],
            ROLE: [CallbackQueryHandler(choose_role, pattern=cb.pattern(KEY, "r", r"\w+"))],
            CONFIRM: [CallbackQueryHandler(create, pattern=cb.pattern(KEY, "ok"))],
        },
        fallbacks=cancel_handlers(KEY, cb.pattern(KEY, cb.CANCEL)),
    )]
