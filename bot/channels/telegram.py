"""Outbound Telegram through python-telegram-bot's Bot (works against any Bot API server)."""

from __future__ import annotations

import json
import logging

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.base import Delivery, PermanentFailure, TemporaryFailure
from bot.domain.model import Person
from bot.domain.outgoing import OutMessage

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply


def reply_markup(bot: Bot, msg: OutMessage) -> Markup | None:
    """The message's keyboard: a dialogue reply's own (stored as Bot API JSON), else its
    inline buttons."""
    if msg.reply_markup:
        data = json.loads(msg.reply_markup)
        kinds: tuple[type[Markup], ...] = (InlineKeyboardMarkup, ReplyKeyboardMarkup,
                                           ReplyKeyboardRemove, ForceReply)
        keys = ("inline_keyboard", "keyboard", "remove_keyboard", "force_reply")
        for kind, key in zip(kinds, keys, strict=True):
            if key in data:
                return kind.de_json(data, bot)
    return keyboard(msg)


def keyboard(msg: OutMessage) -> InlineKeyboardMarkup | None:
    if not msg.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in msg.buttons]
    )


class TelegramSender:
    channel = "telegram"

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(
        self,
        person: Person | None,
        chat_id: int | None,
        msg: OutMessage,
        edit_message_id: int | None,
    ) -> Delivery:
        target = chat_id if chat_id is not None else (person.telegram_chat_id if person else None)
        if target is None:
            raise PermanentFailure("no Telegram chat linked")
        if edit_message_id is None:
            edit_message_id = msg.edit_message_id
        markup = reply_markup(self.bot, msg)
        try:
            if edit_message_id is not None and not isinstance(markup, ReplyKeyboardMarkup
                                                               | ReplyKeyboardRemove | ForceReply):
                try:
                    await self.bot.edit_message_text(
                        chat_id=target,
                        message_id=edit_message_id,
                        text=msg.text,
                        reply_markup=markup,
                        link_preview_options=NO_PREVIEW,
                    )
                    return Delivery(str(edit_message_id), edit_message_id)
                except BadRequest as exc:
                    if "not modified" in str(exc).lower():
                        return Delivery(str(edit_message_id), edit_message_id)
                    # The old message is gone or too old to edit: send a new one.
                    log.info("edit failed (%s); sending a new message", exc)
            sent = await self.bot.send_message(
                chat_id=target, text=msg.text, reply_markup=markup,
                # No previews: Telegram's servers would fetch a one-time desk link (and any
                # link) before the person opens it.
                link_preview_options=NO_PREVIEW,
            )
            return Delivery(str(sent.message_id), sent.message_id)
        except RetryAfter as exc:
            retry = exc.retry_after
            seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
            raise TemporaryFailure("Telegram rate limit", retry_after=seconds) from exc
        except Forbidden as exc:  # the person blocked the bot
            raise PermanentFailure(f"Telegram: {exc}", code=403) from exc
        except BadRequest as exc:  # chat not found and the like
            raise PermanentFailure(f"Telegram: {exc}", code=400) from exc
        except (TimedOut, NetworkError) as exc:
            raise TemporaryFailure(f"Telegram network: {exc}") from exc
