"""Telegram: every handler, registered explicitly and in order.

Order matters:
- group -1, the gate: an update from someone not linked stops there with the linking help
  (only /start and a shared contact pass);
- group 0, the first matching handler wins, so:
  1. linking (/start, contact) and /inbjud;
  2. the short dialogues (ConversationHandler: fill by hand, /nytt, absence report) before
     any other text handler, so a dialogue waiting for a typed answer gets it (they match
     text only while that person is in them); a bare `/avbryt` ends a dialogue;
  3. stateless buttons (offers acc:/dec:, bookings bk:, availability av:, channel ch:,
     escalations esc:w/esc:c, keep/release rel:) - the truth is in the database - and plain
     commands and menu words; `/avbryt <vakans>` is the coordinator's command;
     Introduction checklists (intro.py) join here; their note text runs in group -2.
  4. fallbacks last: stale buttons, a bare /avbryt outside a dialogue, words not understood.
Handlers write through bot/services and return at once; the outbox dispatcher sends the rest.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommandScopeDefault, Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, MessageHandler, TypeHandler, filters

from bot.i18n import LANGUAGES
from handlers.telegram import (
    coordinator,
    fallback,
    fill,
    lang,
    linking,
    new_vacancy,
    staff,
    substitute,
)
from handlers.telegram.intro import register_intro

log = logging.getLogger(__name__)

AnyApp = Application[Any, Any, Any, Any, Any, Any]


def register(app: AnyApp) -> None:
    # group -1: the gate for people not linked
    app.add_handler(TypeHandler(Update, linking.gate), group=-1)

    # 1. linking
    app.add_handler(CommandHandler("start", linking.start))
    app.add_handler(MessageHandler(filters.CONTACT & filters.ChatType.PRIVATE, linking.contact))
    app.add_handler(CommandHandler("inbjud", linking.invite))

    # 2. dialogues, before every other text handler
    for handler in fill.handlers():  # fill by hand, with an override reason
        app.add_handler(handler)
    for handler in new_vacancy.handlers():  # /nytt
        app.add_handler(handler)
    for handler in staff.handlers():  # absence report (and /frisk)
        app.add_handler(handler)

    # 3. stateless buttons and plain commands (their patterns never overlap the dialogues'
    #    abs:/fill:/new:/esc:f buttons)
    for handler in substitute.handlers():
        app.add_handler(handler)
    for handler in coordinator.handlers():
        app.add_handler(handler)
    for handler in lang.handlers():
        app.add_handler(handler)
    # introduction checklists (intro.py, owned with the introduction work): its buttons and
    # commands here; a pending checklist note takes the next text in group -2 (before the gate)
    register_intro(app)

    # 4. fallbacks, last
    for handler in fallback.handlers():
        app.add_handler(handler)
    app.add_error_handler(fallback.on_error)

    # The live board: redrawn from the database, at most every BOARD_REFRESH_SECONDS.
    if app.job_queue is not None:
        app.job_queue.run_repeating(coordinator.board_job,
                                    interval=coordinator.BOARD_REFRESH_SECONDS,
                                    first=coordinator.BOARD_REFRESH_SECONDS, name="live-boards")
    else:
        log.warning("no JobQueue (python-telegram-bot[job-queue]): live boards will not update")


async def on_startup(app: AnyApp) -> None:
    """The public command menu (Swedish, and English for English Telegram clients).
    Linked people get a menu for their roles in their own chat when they link."""
    try:
        for language in LANGUAGES:
            await app.bot.set_my_commands(
                linking.command_menu(None, language), scope=BotCommandScopeDefault(),
                language_code=None if language == "sv" else language)
    except TelegramError as exc:
        log.warning("setMyCommands failed: %s", exc)
