"""Introduction (introduktion) in Telegram: thin handlers over bot.services.introduction.

  /intro          handledare: the open checklists of their units, one button each;
                  substitute: their own progress, with buttons for what they must confirm
  /introduktion   coordinators: who is being introduced where, and how far
Buttons (callback_data, at most 64 bytes):
  cko:<checklist>         open a checklist as ONE new message
  ckv:<checklist>         refresh that message in place
  ck:<checklist>:<item>   tick / untick an item (a note item asks for the note first)
  cks:<checklist>         sign off (Signera)
  ckc:<checklist>:<item>  the substitute confirms an item
A note is the handledare's next text message; the wait is kept in the database, so it
survives a restart and works with several workers.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.channels.telegram import keyboard
from bot.domain import callbacks as cb
from bot.domain.checklist import (
    ChecklistView,
    handledare_message,
    list_message,
    overview_message,
    substitute_message,
)
from bot.domain.intents import TickChecklistItem
from bot.domain.model import Person, Role
from bot.domain.outgoing import OutMessage
from bot.services import introduction as intro
from bot.services.introduction import IntroResult, Outcome
from bot.texts import t
from handlers.telegram.common import (
    Context,
    data_parts,
    deps_of,
    edit,
    edit_message,
    person_of,
    requires,
    say,
    toast,
)

# Before every other group, the linking gate (-1) included: a pending note takes the
# handledare's next text message. People who are not linked pass on to the gate untouched.
NOTE_GROUP = -2


def register_intro(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Private chats only: a checklist names people, and a note is typed in the same chat.
    app.add_handler(CommandHandler("intro", cmd_intro, filters=filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("introduktion", cmd_overview))
    shown = (cb.CHECKLIST_OPEN, cb.CHECKLIST_VIEW)
    app.add_handler(CallbackQueryHandler(on_show, pattern=cb.pattern(shown, r"\d+")))
    tick = cb.pattern(cb.CHECKLIST_TICK, r"\d+", r"\d+")
    app.add_handler(CallbackQueryHandler(on_toggle, pattern=tick))
    app.add_handler(CallbackQueryHandler(on_sign, pattern=cb.pattern(cb.CHECKLIST_SIGN, r"\d+")))
    confirm = cb.pattern(cb.CHECKLIST_CONFIRM, r"\d+", r"\d+")
    app.add_handler(CallbackQueryHandler(on_confirm, pattern=confirm))
    app.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, on_note_text),
        group=NOTE_GROUP,
    )


async def _send(update: Update, msg: OutMessage) -> None:
    await say(update, msg.text, keyboard(msg))


async def _edit(update: Update, msg: OutMessage) -> None:
    await edit(update, msg.text, keyboard(msg))


def _message_for(person: Person, view: ChecklistView, context: Context) -> OutMessage:
    """The handledare's checklist, or the substitute's own view of it."""
    tz = deps_of(context).tz
    if person.id == view.checklist.person_id:
        return substitute_message(view, person.language, tz)
    msg = handledare_message(view, person.language, tz)
    if not intro.may_supervise(person, view.checklist):  # a coordinator: read only
        return OutMessage(msg.kind, msg.text)
    return msg


async def _refused(update: Update, person: Person, result: IntroResult) -> bool:
    """Answer the outcomes every button shares; True when nothing more is to be done."""
    lang = person.language
    if result.outcome == Outcome.NOT_ALLOWED:
        await toast(update, t("intro_not_allowed", lang), alert=True)
        return True
    if result.outcome == Outcome.UNKNOWN or result.view is None:
        await toast(update, t("intro_gone", lang))
        return True
    return False


# ---------- commands ----------

@requires()
async def cmd_intro(update: Update, context: Context, person: Person) -> None:
    deps = deps_of(context)
    shown = False
    if person.has_role(Role.HANDLEDARE):
        views = await intro.open_for_handledare(deps, person.id)
        await _send(update, list_message(views, person.language))
        shown = True
    for view in await intro.own_open(deps, person.id):
        await _send(update, substitute_message(view, person.language, deps.tz))
        shown = True
    if not shown:
        await say(update, t("intro_none", person.language))


@requires(Role.COORDINATOR)
async def cmd_overview(update: Update, context: Context, person: Person) -> None:
    deps = deps_of(context)
    views = await intro.overview(deps, person.id)
    if views is None:
        await say(update, t("tg_not_allowed", person.language))
        return
    await _send(update, overview_message(views, person.language, deps.tz))


# ---------- buttons ----------

@requires()
async def on_show(update: Update, context: Context, person: Person) -> None:
    """cko:<id> opens the checklist in a new message; ckv:<id> redraws it where it is."""
    kind, cid = data_parts(update)
    result = await intro.show(deps_of(context), int(cid), person.id)
    if await _refused(update, person, result):
        return
    assert result.view is not None
    await toast(update)
    show = _send if kind == cb.CHECKLIST_OPEN else _edit
    await show(update, _message_for(person, result.view, context))


@requires()
async def on_toggle(update: Update, context: Context, person: Person) -> None:
    _, cid, iid = data_parts(update)
    query = update.callback_query
    message_id = query.message.message_id if query and query.message else None
    intent = TickChecklistItem(int(cid), int(iid), message_id)
    result = await intro.tick(deps_of(context), person, intent, "telegram")
    if await _refused(update, person, result):
        return
    assert result.view is not None
    lang = person.language
    if result.outcome == Outcome.NEEDS_NOTE and result.item is not None:
        await toast(update)
        await say(update, t("intro_note_prompt", lang, pos=result.item.position,
                            text=result.item.text))
        return
    await toast(update)
    await _edit(update, _message_for(person, result.view, context))


@requires()
async def on_sign(update: Update, context: Context, person: Person) -> None:
    result = await intro.sign_off(deps_of(context), int(data_parts(update)[1]), person.id,
                                  "telegram")
    if await _refused(update, person, result):
        return
    assert result.view is not None
    if result.outcome == Outcome.NOT_READY:
        await toast(update, t("intro_not_ready", person.language), alert=True)
    else:
        await toast(update)
    await _edit(update, _message_for(person, result.view, context))


@requires()
async def on_confirm(update: Update, context: Context, person: Person) -> None:
    _, cid, iid = data_parts(update)
    result = await intro.confirm_item(deps_of(context), int(cid), int(iid), person.id,
                                      "telegram")
    if await _refused(update, person, result):
        return
    assert result.view is not None
    lang = person.language
    if result.outcome == Outcome.NOT_READY:
        await toast(update, t("intro_confirm_first", lang), alert=True)
        return
    await toast(update, t("intro_confirmed", lang) if result.outcome == Outcome.CONFIRMED else "")
    await _edit(update, _message_for(person, result.view, context))


# ---------- the note, as the next text message ----------

async def on_note_text(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    person = await person_of(update, context)
    if person is None:
        return
    deps = deps_of(context)
    result = await intro.take_note(deps, person.id, message.text, "telegram")
    if result is None:
        return  # not writing a note: the other handlers answer
    lang = person.language
    if result.outcome == Outcome.NOT_ALLOWED:
        await say(update, t("intro_not_allowed", lang))
    elif result.view is None:
        await say(update, t("intro_gone", lang))
    else:
        msg = _message_for(person, result.view, context)
        if result.message_id is not None and update.effective_chat is not None:
            # The checklist message is edited (a new one if it is gone).
            await edit_message(update, result.message_id, msg.text, keyboard(msg))
        else:
            await _send(update, msg)
        await say(update, t("intro_note_saved", lang))
    raise ApplicationHandlerStop
