"""Staff (ordinarie personal): report absence (frånvaroanmälan) and report well (friskanmälan).

The absence report is a short dialogue kept per chat and user by a ConversationHandler:
pick shifts (toggle buttons) -> category (Sjuk / VAB / Annat, unless already said) ->
confirm -> the service's receipt. A day without a scheduled shift can be chosen too: the
absence is then recorded for the whole day and the coordinator is told.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import callbacks as cb
from bot.domain.grammar import ABSENCE_PATTERN, absence_words
from bot.domain.messages import shift_line
from bot.domain.model import AbsenceCategory, Person, Role, Shift
from bot.i18n import LANGUAGES
from bot.services import absence, bookings
from bot.services.deps import Deps
from bot.texts import category_name, day_label, hhmm, t
from handlers.telegram.common import (
    END,
    Context,
    cancel_handlers,
    conversation,
    data_parts,
    deps_of,
    draft_bind,
    draft_pop,
    draft_put,
    edit,
    inline,
    pressed_draft,
    requires,
    say,
    toast,
)

PICK, CATEGORY, CONFIRM = "absence:pick", "absence:category", "absence:confirm"
KEY = cb.ABSENCE  # the draft's key: its buttons' callback_data prefix
MAX_SHIFTS = 10
MAX_GIVE_UP = 6  # booking ids in one button's data (64 bytes)


@dataclass
class Draft:
    """One absence report being put together (a dialogue draft, see common.draft_put)."""

    shifts: list[tuple[str, str]]  # (shift id, label)
    days: list[tuple[dt.date, str]]  # whole days without a shift: (local date, label)
    picked: set[int] = field(default_factory=set)
    picked_days: set[int] = field(default_factory=set)
    category: AbsenceCategory | None = None

    def chosen_labels(self) -> list[str]:
        return ([self.shifts[i][1] for i in sorted(self.picked)]
                + [self.days[i][1] for i in sorted(self.picked_days)])


def _label(shift: Shift, tz: ZoneInfo, lang: str) -> str:
    return (f"{day_label(shift.starts_at, tz, lang)} "
            f"{hhmm(shift.starts_at, tz)}–{hhmm(shift.ends_at, tz)}")


def _pick_keyboard(draft: Draft, lang: str) -> InlineKeyboardMarkup:
    rows: list[list[tuple[str, str]]] = []
    for i, (_, label) in enumerate(draft.shifts):
        rows.append([(("☑ " if i in draft.picked else "☐ ") + label, cb.encode(KEY, "s", i))])
    for i, (_, label) in enumerate(draft.days):
        rows.append([(("☑ " if i in draft.picked_days else "☐ ") + label, cb.encode(KEY, "d", i))])
    rows.append([(t("tg_btn_next", lang), cb.encode(KEY, "next")),
                 (t("tg_btn_cancel", lang), cb.encode(KEY, cb.CANCEL))])
    return inline(rows)


@requires()
async def begin(update: Update, context: Context, person: Person) -> str | int:
    """/sjuk, the Frånvaro button, or free text such as 'sjuk imorgon'. With no own shift
    the report covers, a booked substitute is shown the bookings it gives up (as SMS
    SJUK gives them up); anyone else without a staff role is told there is nothing to
    report, in SMS's words."""
    deps = deps_of(context)
    lang, tz, now = person.language, deps.tz, deps.now()
    message = update.effective_message
    intent = absence_words(message.text or "") if message and message.text else None
    day = None
    if intent is not None and intent.day_offset is not None:
        day = now.astimezone(tz).date() + dt.timedelta(days=intent.day_offset)
    is_staff = person.has_role(Role.STAFF)
    if not is_staff or not await absence.shifts_covered(deps, person.id, day):
        booked = await bookings.covered_by_sick_report(deps, person.id, day)
        if booked:
            await _ask_give_up(update, deps, lang, booked)
            return END
        if not is_staff:
            await say(update, _nothing_to_report(deps, lang, day))
            return END
    choices = await absence.absence_choices(deps, person.id, MAX_SHIFTS)
    shifts, today = choices.shifts, now.astimezone(tz).date()
    days = [(d, _day_choice_label(d, today, tz, lang)) for d in choices.whole_days]
    draft = Draft([(s.id, _label(s, tz, lang)) for s in shifts], days)
    if intent is not None:
        draft.category = intent.category
        wanted = today + dt.timedelta(days=intent.day_offset or 0)
        if intent.day_offset is not None or intent.category is not None:
            # The shifts a report for that day covers: the same rule as SMS's SJUK.
            covered = {s.id for s in await absence.shifts_covered(deps, person.id, wanted)}
            draft.picked = {i for i, s in enumerate(shifts) if s.id in covered}
            if not draft.picked:
                draft.picked_days = {i for i, (d, _) in enumerate(days) if d == wanted}
    draft_put(update, context, KEY, draft)
    head = t("tg_abs_pick" if shifts else "tg_abs_pick_noshift", lang)
    draft_bind(update, context, KEY, await say(update, head, _pick_keyboard(draft, lang)))
    return PICK


def _day_choice_label(day: dt.date, today: dt.date, tz: ZoneInfo, lang: str) -> str:
    when = t("tg_btn_today" if day == today else "tg_btn_tomorrow", lang)
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=tz)
    return t("tg_abs_day", lang, when=when, day=day_label(noon, tz, lang))


@requires(Role.STAFF)
async def toggle(update: Update, context: Context, person: Person) -> str | int | None:
    draft = await pressed_draft(update, context, KEY, Draft, person.language)
    if draft is None:
        return None  # someone else's, or an older message: answered, nothing changes
    _, kind, raw = data_parts(update)
    index = int(raw)
    chosen, size = (draft.picked, len(draft.shifts)) if kind == "s" else (
        draft.picked_days, len(draft.days))
    if 0 <= index < size:
        chosen ^= {index}
    await toast(update)
    await edit(update, t("tg_abs_pick" if draft.shifts else "tg_abs_pick_noshift",
                         person.language), _pick_keyboard(draft, person.language))
    return PICK


def _category_keyboard(lang: str) -> InlineKeyboardMarkup:
    return inline([[(category_name(c.value, lang).capitalize() if c != AbsenceCategory.VAB
                     else "VAB", cb.encode(KEY, "c", c.value)) for c in AbsenceCategory],
                   [(t("tg_btn_cancel", lang), cb.encode(KEY, cb.CANCEL))]])


async def _confirm(update: Update, draft: Draft, lang: str) -> str:
    assert draft.category is not None
    items = "\n".join(f"• {x}" for x in draft.chosen_labels())
    category = category_name(draft.category.value, lang)
    await edit(update, t("tg_abs_confirm", lang, category=category, items=items),
               inline([[(t("tg_btn_send", lang), cb.encode(KEY, "ok")),
                        (t("tg_btn_cancel", lang), cb.encode(KEY, cb.CANCEL))]]))
    return CONFIRM


@requires(Role.STAFF)
async def next_step(update: Update, context: Context, person: Person) -> str | int | None:
    lang = person.language
    draft = await pressed_draft(update, context, KEY, Draft, lang)
    if draft is None:
        return None
    if not draft.picked and not draft.picked_days:
        await toast(update, t("tg_abs_pick_one", lang), alert=True)
        return PICK
    await toast(update)
    if draft.category is None:
        await edit(update, t("tg_abs_category", lang), _category_keyboard(lang))
        return CATEGORY
    return await _confirm(update, draft, lang)


@requires(Role.STAFF)
async def choose_category(update: Update, context: Context, person: Person) -> str | int | None:
    lang = person.language
    draft = await pressed_draft(update, context, KEY, Draft, lang)
    if draft is None:
        return None
    draft.category = AbsenceCategory(data_parts(update)[2])
    await toast(update)
    return await _confirm(update, draft, lang)


@requires(Role.STAFF)
async def send(update: Update, context: Context, person: Person) -> int | None:
    """Confirmed: the service records the absence and opens the vacancies."""
    lang = person.language
    draft = await pressed_draft(update, context, KEY, Draft, lang)
    if draft is None:
        return None
    draft_pop(update, context, KEY)
    if draft.category is None:
        await toast(update, t("tg_stale", lang))
        return END
    await toast(update)
    deps = deps_of(context)
    receipts: list[str] = []
    try:
        if draft.picked:
            shift_ids = [draft.shifts[i][0] for i in sorted(draft.picked)]
            receipt = await absence.report_absence(deps, person.id, draft.category, "telegram",
                                                   shift_ids=shift_ids)
            receipts.append(receipt.text)
        for i in sorted(draft.picked_days):
            period = absence.whole_day(deps, draft.days[i][0])
            receipt = await absence.report_absence(deps, person.id, draft.category, "telegram",
                                                   period=period)
            receipts.append(receipt.text)
    except absence.AbsenceError:
        await edit(update, t("tg_abs_failed", lang))
        return END
    await edit(update, "\n\n".join(receipts))
    return END


async def _ask_give_up(
    update: Update, deps: Deps, lang: str, covered: list[bookings.BookingView]
) -> None:
    """The bookings a sick report covers, with the Avboka confirmation's words and buttons."""
    covered = covered[:MAX_GIVE_UP]
    line = ", ".join(shift_line(v.shift, v.unit, deps.tz, lang) for v in covered)
    ids = [v.booking.id for v in covered]
    await say(update, t("tg_unbook_confirm", lang, line=line),
              inline([[(t("tg_btn_unbook_yes", lang),
                        cb.encode(cb.BOOKING, "s", ".".join(map(str, ids)))),
                       (t("tg_btn_no", lang), cb.encode(cb.BOOKING, "n", ids[0]))]]))


def _nothing_to_report(deps: Deps, lang: str, day: dt.date | None) -> str:
    """Neither an own shift nor a booking: SMS SJUK's answer."""
    if day is None:
        return t("sms_sick_no_shift", lang, days=absence.SICK_LOOKAHEAD_DAYS)
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=deps.tz)
    return t("sms_sick_no_shift_day", lang, day=day_label(noon, deps.tz, lang))


@requires()
async def give_up_sick(update: Update, context: Context, person: Person) -> None:
    """bk:s:<booking>.<booking>: the sick substitute confirmed; each booking shown is
    given up through the one cancel use case."""
    deps, lang = deps_of(context), person.language
    ids = [int(raw) for raw in data_parts(update)[2].split(".")]
    given_up = await bookings.give_up_each(deps, person, ids, "telegram")
    if not given_up:
        await toast(update, t("tg_unbook_failed", lang), alert=True)
        return
    await toast(update)
    line = ", ".join(f"{day_label(s.starts_at, deps.tz, lang)} {hhmm(s.starts_at, deps.tz)}"
                     for s in given_up)
    await edit(update, t("tg_unbook_done", lang, line=line))


@requires(Role.STAFF)
async def well(update: Update, context: Context, person: Person) -> None:
    """/frisk, the Frisk igen button, or the word 'frisk'."""
    receipt = await absence.report_well(deps_of(context), person.id, "telegram")
    await say(update, receipt.text)


def _labels(key: str) -> str:
    return "|".join(re.escape(t(key, lang)) for lang in LANGUAGES)


WELL_PATTERN = rf"(?i)^\s*(frisk|{_labels('tg_btn_well')})\s*[.!]*\s*$"


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE
    dialogue = conversation(
        "absence",
        entry_points=[
            CommandHandler("sjuk", begin, filters=filters.ChatType.PRIVATE),
            MessageHandler(text & filters.Regex(re.compile(ABSENCE_PATTERN, re.IGNORECASE)),
                           begin),
        ],
        states={
            PICK: [CallbackQueryHandler(toggle, pattern=cb.pattern(KEY, "[sd]", r"\d+")),
                   CallbackQueryHandler(next_step, pattern=cb.pattern(KEY, "next"))],
            CATEGORY: [CallbackQueryHandler(choose_category,
                                            pattern=cb.pattern(KEY, "c", "(sjuk|vab|annat)"))],
            CONFIRM: [CallbackQueryHandler(send, pattern=cb.pattern(KEY, "ok"))],
        },
        fallbacks=cancel_handlers(KEY, cb.pattern(KEY, cb.CANCEL)),
    )
    return [
        dialogue,
        CallbackQueryHandler(give_up_sick, pattern=cb.pattern(cb.BOOKING, "s", r"\d+(\.\d+)*")),
        CommandHandler("frisk", well),
        MessageHandler(text & filters.Regex(WELL_PATTERN), well),
    ]
