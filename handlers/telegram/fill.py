"""Filling a vacancy by hand (tillsätt manuellt): the esc:f:<vid> button or /tillsatt <vid>.

A short dialogue per coordinator: the eligible people in call-out order as buttons, their
recent declines and cancellations (if any) listed in the message above, where a phone does
not cut them off (or type a name or id) -> `coordinator.fill` (FillByHand). If rules block the
person, the blocking reasons are shown and the next text message is taken as the override
reason (recorded).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import ForceReply, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import callbacks as cb
from bot.domain.intents import FillByHand
from bot.domain.model import Person, Role
from bot.services import coordinator, coordinator_views
from bot.services.coordinator import FillOutcome
from bot.texts import reason_text, t
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
    int_arg,
    pressed_draft,
    requires,
    say,
    toast,
)

PICK, REASON = "fill:pick", "fill:reason"
KEY = cb.FILL  # the draft's key: its buttons' callback_data prefix
MIN_REASON = 3


@dataclass
class FillDraft:
    vacancy_id: int
    choices: list[tuple[str, str]] = field(default_factory=list)  # (person id, name)
    person_id: str | None = None  # chosen, waiting for an override reason


def _with_answers(text: str, draft: FillDraft, answers: dict[str, str]) -> str:
    """`text`, then a line per choice whose person has recent declines or cancellations
    (`answers`, by person id), labelled as the button: shown, never acted on."""
    lines = [f"• {label}: {answers[pid]}" for pid, label in draft.choices if answers.get(pid)]
    return "\n".join([text, *lines])


def _choice_rows(draft: FillDraft, lang: str) -> list[list[tuple[str, str]]]:
    rows = [[(name, cb.encode(KEY, i))] for i, (_, name) in enumerate(draft.choices)]
    return [*rows, [(t("tg_btn_cancel", lang), cb.encode(KEY, cb.CANCEL))]]


@requires(Role.COORDINATOR)
async def begin(update: Update, context: Context, person: Person) -> str | int | None:
    """esc:f:<vid> or /tillsatt <vid>."""
    lang = person.language
    if update.callback_query is not None:
        vid: int | None = int(data_parts(update)[2])
    else:
        vid = int_arg(context.args)
        if vid is None:
            await say(update, t("tg_vacancy_usage", lang, cmd="tillsatt"))
            return None
    deps = deps_of(context)
    info = await coordinator_views.vacancy_for(deps, person, vid) if vid is not None else None
    if info is None:
        text = t("tg_vacancy_unknown", lang, vid=vid)
        await (toast(update, text, alert=True) if update.callback_query else say(update, text))
        return None
    assert vid is not None
    if info.vacancy.status != "searching":
        text = t("tg_not_searching", lang, vid=vid)
        await (toast(update, text, alert=True) if update.callback_query else say(update, text))
        return None
    await toast(update)
    candidates = await coordinator_views.fill_candidates(deps, vid, lang=lang)
    draft = FillDraft(vid, [(c.person_id, f"{c.name} ({c.tier_name})") for c in candidates])
    draft_put(update, context, KEY, draft)
    line = info.line(deps, lang)
    if draft.choices:
        text = t("tg_fill_pick", lang, vid=vid, line=line)
        answers = {c.person_id: " · ".join(x for x in (c.response, c.answers) if x)
                   for c in candidates}
        listed = await say(update, _with_answers(text, draft, answers),
                           inline(_choice_rows(draft, lang)))
        draft_bind(update, context, KEY, listed)
    else:
        await say(update, t("tg_fill_none", lang, vid=vid, line=line),
                  ForceReply(selective=True))
    return PICK


async def _fill(
    update: Update, context: Context, person: Person, draft: FillDraft, person_id: str,
    reason: str | None = None,
) -> str | int:
    deps, lang = deps_of(context), person.language
    result = await coordinator.fill(deps, person, FillByHand(draft.vacancy_id, person_id, reason),
                                    "telegram")
    name = dict(draft.choices).get(person_id, person_id).split(" (")[0]
    if result.outcome == FillOutcome.NEEDS_OVERRIDE:
        draft.person_id = person_id
        blocks = "\n".join(f"• {reason_text(b, lang)}" for b in result.blocks)
        await say(update, t("tg_fill_blocked", lang, name=name, blocks=blocks),
                  ForceReply(selective=True))
        return REASON
    if result.outcome == FillOutcome.FORBIDDEN:
        blocks = "\n".join(f"• {reason_text(b, lang)}" for b in result.blocks)
        await say(update, t("tg_fill_forbidden", lang, name=name, blocks=blocks))
        return PICK  # the list is still there: pick someone else
    draft_pop(update, context, KEY)
    if result.outcome == FillOutcome.BOOKED:
        key = "tg_fill_done_override" if reason and result.blocks else "tg_fill_done"
        await say(update, t(key, lang, name=name, vid=draft.vacancy_id, reason=reason or ""))
    elif result.outcome == FillOutcome.NOT_SEARCHING:
        await say(update, t("tg_not_searching", lang, vid=draft.vacancy_id))
    elif result.outcome == FillOutcome.NOT_ALLOWED:  # the grant was taken away meanwhile
        await say(update, t("tg_vacancy_unknown", lang, vid=draft.vacancy_id))
    else:
        await say(update, t("tg_fill_no_match", lang))
    return END


@requires(Role.COORDINATOR)
async def pick(update: Update, context: Context, person: Person) -> str | int | None:
    """fill:<i>: a person from the list (only the list's own, newest message counts)."""
    draft = await pressed_draft(update, context, KEY, FillDraft, person.language)
    if draft is None:
        return None  # someone else's list, or an older one: answered, nothing changes
    index = int(data_parts(update)[1])
    if not 0 <= index < len(draft.choices):
        await toast(update, t("tg_stale", person.language))
        return PICK
    await toast(update)
    person_id, name = draft.choices[index]
    await edit(update, f"→ {name}")
    return await _fill(update, context, person, draft, person_id)


@requires(Role.COORDINATOR)
async def search(update: Update, context: Context, person: Person) -> str | int:
    """A typed name or id: one match books, several are listed, none asks again."""
    draft = draft_get(update, context, KEY, FillDraft)
    message = update.effective_message
    if draft is None or message is None:
        return END
    deps, lang = deps_of(context), person.language
    found = await coordinator_views.find_people(deps, person, message.text or "")
    if not found:
        await say(update, t("tg_fill_no_match", lang))
        return PICK
    notes = await coordinator_views.answer_notes(deps, [p.id for p in found], lang)
    draft.choices = [(p.id, f"{p.name} ({p.id})") for p in found]
    if len(found) > 1:
        text = _with_answers(t("tg_fill_many", lang), draft, notes)
        draft_bind(update, context, KEY, await say(update, text, inline(_choice_rows(draft, lang))))
        return PICK
    return await _fill(update, context, person, draft, found[0].id)


@requires(Role.COORDINATOR)
async def reason(update: Update, context: Context, person: Person) -> str | int:
    """The override reason (motivering) for a person the rules block."""
    draft = draft_get(update, context, KEY, FillDraft)
    message = update.effective_message
    if draft is None or draft.person_id is None or message is None:
        return END
    text = (message.text or "").strip()
    if len(text) < MIN_REASON:
        await say(update, t("tg_fill_reason_short", person.language), ForceReply(selective=True))
        return REASON
    return await _fill(update, context, person, draft, draft.person_id, reason=text[:500])


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    text = filters.TEXT & ~filters.COMMAND
    return [conversation(
        "fill",
        entry_points=[CallbackQueryHandler(begin, pattern=cb.pattern(cb.ESCALATION, "f", r"\d+")),
                      CommandHandler("tillsatt", begin)],
        states={
            PICK: [CallbackQueryHandler(pick, pattern=cb.pattern(KEY, r"\d+")),
                   MessageHandler(text, search)],
            REASON: [MessageHandler(text, reason)],
        },
        fallbacks=cancel_handlers(KEY, cb.pattern(KEY, cb.CANCEL)),
    )]
