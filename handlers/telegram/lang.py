"""Everyone's own settings: language (/sprak), channel (/kanal), and help (/hjalp)."""

from __future__ import annotations

import contextlib
import functools
from typing import Any

from telegram import BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.domain import callbacks as cb
from bot.domain.intents import SetChannel, SetLanguage
from bot.domain.model import Channel, Person
from bot.i18n import LANGUAGES, native_name
from bot.services import preferences
from bot.texts import t
from handlers.telegram.common import (
    Context,
    after_commit,
    can_text,
    data_parts,
    deps_of,
    edit,
    inline,
    is_private,
    main_keyboard,
    requires,
    say,
    toast,
)
from handlers.telegram.linking import command_menu


@requires()
async def language(update: Update, context: Context, person: Person) -> None:
    """/sprak toggles Swedish/English; /sprak ar (any code in bot.i18n.LANGUAGES) sets it.
    The reply lists the other languages."""
    wanted = (context.args or [""])[0].lower()[:2] or None
    person = await preferences.set_language(
        deps_of(context), person, SetLanguage(wanted), "telegram"
    )
    choices = ", ".join(f"/sprak {code} ({native_name(code)})"
                        for code in LANGUAGES if code != person.language)
    await say(update, t("tg_lang_set", person.language) + "\n" + t("tg_lang_list", person.language,
                                                                   choices=choices),
              main_keyboard(person) if is_private(update) else None)
    chat = update.effective_chat
    if chat is not None and is_private(update):
        await after_commit(functools.partial(  # the menu is a convenience
            _set_menu, context, command_menu(person), chat.id))


def _channel_name(channel: Channel, lang: str) -> str:
    return t(f"tg_channel_{channel.value}", lang)


@requires()
async def channel(update: Update, context: Context, person: Person) -> None:
    """/kanal: Telegram, SMS or both (people.channel)."""
    lang = person.language
    await say(update, t("tg_channel_ask", lang, current=_channel_name(person.channel, lang)),
              inline([[(_channel_name(c, lang), cb.encode(cb.CHANNEL, c.value)) for c in Channel]]))


@requires()
async def channel_button(update: Update, context: Context, person: Person) -> None:
    lang = person.language
    wanted = Channel(data_parts(update)[1])
    outcome = await preferences.choose_channel(
        deps_of(context), person, SetChannel(wanted), "telegram"
    )
    if outcome != preferences.ChannelOutcome.SET:
        await toast(update, t("tg_channel_no_phone", lang), alert=True)
        return
    await toast(update)
    await edit(update, t("tg_channel_set", lang, current=_channel_name(wanted, lang)))


@requires()
async def help_command(update: Update, context: Context, person: Person) -> None:
    """/hjalp: what the person's roles can do."""
    await say(update, can_text(person), main_keyboard(person) if is_private(update) else None)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler(["sprak", "language"], language),
        CommandHandler("kanal", channel),
        CallbackQueryHandler(channel_button, pattern=cb.pattern(cb.CHANNEL, "(telegram|sms|both)")),
        CommandHandler(["hjalp", "help"], help_command),
    ]


async def _set_menu(context: Context, menu: Any, chat_id: int) -> None:
    with contextlib.suppress(TelegramError):
        await context.bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id))
