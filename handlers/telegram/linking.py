"""Linking an account (/start, a shared contact, /start <invite>) and the gate that keeps
everyone who is not linked to the linking help, and nothing else."""

from __future__ import annotations

import functools
import logging
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.domain.model import Person, Role
from bot.services import linking
from bot.texts import t
from handlers.telegram.common import (
    Context,
    after_commit,
    can_text,
    deps_of,
    is_private,
    lang_of,
    main_keyboard,
    person_of,
    requires,
    say,
    share_contact_keyboard,
    toast,
)

log = logging.getLogger(__name__)


def _is_start(text: str | None) -> bool:
    first = (text or "").split(maxsplit=1)[0] if (text or "").strip() else ""
    return first.split("@", 1)[0].lower() == "/start"


async def gate(update: Update, context: Context) -> None:
    """Group -1: an update from someone not linked stops here with the linking help,
    unless it is the way in (/start, a shared contact in a private chat)."""
    if update.effective_user is None or update.edited_message is not None:
        raise ApplicationHandlerStop  # channel posts, edits: nothing to do
    message = update.message
    if message is not None and is_private(update) and (
        message.contact is not None or _is_start(message.text)
    ):
        return
    if await person_of(update, context) is not None:
        return
    lang = lang_of(update, context)
    if update.callback_query is not None:
        await toast(update, t("tg_link_help", lang), alert=True)
    elif message is not None and is_private(update):
        await say(update, t("tg_link_help", lang), share_contact_keyboard(lang))
    elif message is not None and (message.text or "").startswith("/"):
        await say(update, t("tg_link_help_group", lang))
    raise ApplicationHandlerStop


async def start(update: Update, context: Context) -> None:
    """/start: explain and ask for the number; /start <code>: an invitation."""
    if not is_private(update):
        return
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    lang = lang_of(update, context)
    if context.args:
        result = await linking.redeem_invite(deps_of(context), context.args[0], user.id, chat.id)
        if result.person is not None:
            await _greet(update, context, result.person)
        else:
            await say(update, t("tg_link_bad_code", lang), share_contact_keyboard(lang))
        return
    person = await person_of(update, context)
    if person is not None:
        await say(update, can_text(person), main_keyboard(person))
        return
    await say(update, t("tg_welcome", lang), share_contact_keyboard(lang))


async def contact(update: Update, context: Context) -> None:
    """A shared contact: only the sender's own number links."""
    message, user, chat = update.message, update.effective_user, update.effective_chat
    assert message is not None and message.contact is not None
    assert user is not None and chat is not None
    lang = lang_of(update, context, await person_of(update, context))
    if message.contact.user_id != user.id:
        await say(update, t("tg_link_not_own", lang), share_contact_keyboard(lang))
        return
    result = await linking.link_by_phone(deps_of(context), message.contact.phone_number,
                                         user.id, chat.id)
    if result.person is None:
        await say(update, t("tg_link_unknown", lang))
        return
    await _greet(update, context, result.person)


async def _greet(update: Update, context: Context, person: Person) -> None:
    text = t("tg_linked", person.language, name=person.first_name, can=can_text(person))
    await say(update, text, main_keyboard(person))
    chat = update.effective_chat
    assert chat is not None
    # the command menu of this chat, for the person's roles
    await after_commit(functools.partial(_set_menu, context, command_menu(person), chat.id))


# Which commands each role sees in the menu, in order.
_MENU: tuple[tuple[str, tuple[Role, ...]], ...] = (
    ("sjuk", (Role.STAFF,)), ("frisk", (Role.STAFF,)),
    ("pass", (Role.STAFF, Role.SUBSTITUTE)), ("ledig", (Role.SUBSTITUTE,)),
    ("status", (Role.COORDINATOR, Role.ADMIN)), ("nytt", (Role.COORDINATOR, Role.ADMIN)),
    ("intro", (Role.HANDLEDARE, Role.SUBSTITUTE)),
    ("introduktion", (Role.COORDINATOR, Role.ADMIN)),
    ("kanal", ()), ("sprak", ()), ("hjalp", ()),
)


def command_menu(person: Person | None, lang: str | None = None) -> list[BotCommand]:
    """The menu for a person (None: the public menu for people not linked yet)."""
    lang = lang or (person.language if person else "sv")
    if person is None:
        return [BotCommand("start", t("tg_cmd_start", lang)),
                BotCommand("hjalp", t("tg_cmd_hjalp", lang))]
    return [BotCommand(cmd, t(f"tg_cmd_{cmd}", lang)) for cmd, roles in _MENU
            if not roles or any(person.has_role(r) for r in roles)]


@requires(Role.COORDINATOR)
async def invite(update: Update, context: Context, person: Person) -> None:
    """/inbjud <person-id>: a one-time link that connects that person's Telegram."""
    lang = person.language
    if not context.args:
        await say(update, t("tg_invite_usage", lang))
        return
    pid = context.args[0]
    result = await linking.create_invite(deps_of(context), person, pid)
    if result.code is None or result.person is None or result.expires_at is None:
        await say(update, t("tg_invite_unknown", lang, pid=pid))
        return
    deps = deps_of(context)
    until = result.expires_at.astimezone(deps.tz).strftime("%Y-%m-%d %H:%M")
    link = f"https://t.me/{context.bot.username}?start={result.code}"
    await say(update, t("tg_invite_created", lang, name=result.person.name,
                        pid=result.person.id, until=until, link=link))


async def _set_menu(context: Context, menu: Any, chat_id: int) -> None:
    try:
        await context.bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.info("setMyCommands for a chat failed: %s", exc)
