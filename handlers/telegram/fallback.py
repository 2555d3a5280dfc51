"""Last in line: buttons of dialogues that are over, words nothing understood, and errors.
Every input gets an answer (DESIGN 7)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import callbacks as cb
from bot.domain.model import Person
from bot.texts import t
from handlers import inbox
from handlers.telegram.common import (
    Context,
    Press,
    edit,
    is_private,
    lang_of,
    person_of,
    press_on,
    refuse_press,
    requires,
    say,
    toast,
)

log = logging.getLogger(__name__)


@requires()
async def stale_button(update: Update, context: Context, person: Person) -> None:
    """A button of a dialogue that has ended (or was lost in a restart), or a button of
    someone else's dialogue in a group: that one is refused and left as it is."""
    query = update.callback_query
    prefix = cb.prefix_of(query.data) if query is not None else ""
    if prefix in cb.DIALOGUES and await press_on(update, context, prefix) is Press.NOT_YOURS:
        await refuse_press(update, Press.NOT_YOURS, person.language)
        return
    await toast(update, t("tg_stale", person.language))
    if prefix in cb.DIALOGUES:
        message = update.effective_message
        if message is not None and message.text:
            await edit(update, message.text)  # the same text without the buttons


@requires()
async def nothing_to_cancel(update: Update, context: Context, person: Person) -> None:
    await say(update, t("tg_dialog_cancelled", person.language))


@requires()
async def not_understood(update: Update, context: Context, person: Person) -> None:
    await say(update, t("tg_unknown_input", person.language))


async def on_error(update: object, context: Context) -> None:
    """Log with context; tell the person something went wrong (in a private chat).
    While the inbox handles the update, the error goes to the inbox worker instead: it
    rolls the update's effects back and tries again (and tells the person at the end)."""
    held = inbox.handling()
    if held is not None and context.error is not None:
        held.errors.append(context.error)
        return
    log.error("handler failed for update %s", getattr(update, "update_id", "?"),
              exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        lang = lang_of(update, context, await person_of(update, context))
        if update.callback_query is not None:
            await toast(update, t("tg_error", lang))
        elif is_private(update):
            await say(update, t("tg_error", lang))
    except Exception:
        log.exception("could not tell the user about the error")


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("avbryt", nothing_to_cancel, has_args=False),
        CallbackQueryHandler(stale_button),
        MessageHandler((filters.TEXT | filters.COMMAND) & private, not_understood),
    ]
