"""What every Telegram handler shares: the dependencies, who is asking, their language,
role checks, replies and keyboards. No business rules here: those live in bot/services.
"""

from __future__ import annotations

import enum
import functools
import warnings
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
)
from telegram.warnings import PTBUserWarning

from bot.domain.model import Person, Role
from bot.domain.outgoing import OutMessage
from bot.i18n import LANGUAGES
from bot.services.deps import Deps
from bot.texts import t
from handlers import inbox
from storage import outbox
from storage import people as people_repo

Context: TypeAlias = ContextTypes.DEFAULT_TYPE
ReplyMarkup: TypeAlias = (
    InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply
)
PersonHandler: TypeAlias = Callable[[Update, Context, Person], Coroutine[Any, Any, Any]]
Handler: TypeAlias = Callable[[Update, Context], Coroutine[Any, Any, Any]]

END = ConversationHandler.END
TEXT_LIMIT = 4000  # Telegram allows 4096 characters per message
REPLY = "reply"  # the outbox kind of an answer in a dialogue


def deps_of(context: Context) -> Deps:
    deps = context.application.bot_data["deps"]
    assert isinstance(deps, Deps)
    return deps


async def person_of(update: Update, context: Context) -> Person | None:
    """The linked, active person behind this update, or None."""
    user = update.effective_user
    if user is None:
        return None
    async with deps_of(context).db.read() as conn:
        person = await people_repo.person_by_telegram(conn, user.id)
    return person if person is not None and person.active else None


def lang_of(update: Update, context: Context, person: Person | None = None) -> str:
    """The person's language; for someone not linked yet, their Telegram language."""
    if person is not None:
        return person.language
    user = update.effective_user
    code = (user.language_code or "")[:2] if user is not None else ""
    if code in LANGUAGES and code != "sv":
        return code  # the Telegram app's language, when the bot speaks it
    return deps_of(context).settings.language


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


@dataclass(frozen=True, slots=True)
class Said:
    """A reply: queued in the outbox (its row), or sent at once outside the inbox."""

    outbox_id: int | None = None
    message_id: int | None = None


async def say(update: Update, text: str, markup: ReplyMarkup | None = None) -> Said | None:
    """A new message in the chat the update came from (split if it is too long).

    While the inbox handles the update it goes through the outbox, in the update's own
    transaction: sent after the commit, again after a 429 or a network error, never lost.
    Outside the inbox (a timed job) it is sent at once."""
    chat = update.effective_chat
    if chat is None:
        return None
    parts = split_text(text)
    held = inbox.handling()
    if held is None:
        sent: Message | None = None
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            sent = await chat.send_message(part, reply_markup=markup if last else None)
        return Said(message_id=sent.message_id) if sent is not None else None
    row = 0
    async with held.deps.db.write() as conn:
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            msg = OutMessage(kind=REPLY, text=part,
                             reply_markup=markup.to_json() if markup is not None and last else None)
            row = await outbox.enqueue(conn, msg, "telegram", held.deps.now(), chat_id=chat.id)
    return Said(outbox_id=row)


async def after_commit(call: Callable[[], Coroutine[Any, Any, Any]]) -> None:
    """A Telegram call that changes nothing anyone reads as an answer (a command menu):
    while the inbox handles the update, once it has committed (no network wait inside the
    update's transaction); otherwise at once."""
    held = inbox.handling()
    if held is not None:
        held.after_commit.append(call)
    else:
        await call()


async def say_now(update: Update, text: str) -> Message | None:
    """A message sent at once, for the one reply whose Telegram message id is needed at
    once (the live board, edited later by its id). Inside the inbox it is sent before the
    update's transaction commits: at least once (again if the update is handled again)."""
    chat = update.effective_chat
    if chat is None:
        return None
    sent: Message | None = None
    for part in split_text(text):
        sent = await chat.send_message(part)
    return sent


async def toast(update: Update, text: str = "", *, alert: bool = False) -> None:
    """Answer a button press (the small notice at the top of the chat); while the inbox
    handles the press, once what it did has committed."""
    query = update.callback_query
    if query is None:
        return
    answer = functools.partial(query.answer, text[:200] or None, show_alert=alert)
    held = inbox.handling()
    if held is not None:
        held.after_commit.append(answer)
    else:
        await answer()


async def edit(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the text (and buttons) of the message whose button was pressed; through
    the outbox, as `say`."""
    query = update.callback_query
    if query is None or query.message is None:
        await say(update, text, markup)
        return
    held = inbox.handling()
    if held is None:
        try:
            await query.edit_message_text(text[:4096], reply_markup=markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
        return
    msg = OutMessage(kind=REPLY, text=text[:4096], edit_message_id=query.message.message_id,
                     reply_markup=markup.to_json() if markup is not None else None)
    async with held.deps.db.write() as conn:
        await outbox.enqueue(conn, msg, "telegram", held.deps.now(),
                             chat_id=query.message.chat.id)


async def edit_message(update: Update, message_id: int, text: str,
                       markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the text (and buttons) of one of the bot's messages in this chat; a new
    message if it cannot be edited any more. Through the outbox, as `say`."""
    chat = update.effective_chat
    if chat is None:
        return
    held = inbox.handling()
    if held is None:
        try:
            await update.get_bot().edit_message_text(text[:4096], chat_id=chat.id,
                                                     message_id=message_id, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                await say(update, text, markup)  # the old message is gone: show it anew
        return
    msg = OutMessage(kind=REPLY, text=text[:4096], edit_message_id=message_id,
                     reply_markup=markup.to_json() if markup is not None else None)
    async with held.deps.db.write() as conn:
        await outbox.enqueue(conn, msg, "telegram", held.deps.now(), chat_id=chat.id)


async def tell(update: Update, text: str, markup: ReplyMarkup | None = None) -> None:
    """A short answer: a toast for a button press, a message otherwise."""
    if update.callback_query is not None:
        await toast(update, text, alert=len(text) > 60)
    else:
        await say(update, text, markup)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split on line breaks into messages Telegram accepts."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            parts.append(line[:limit])
            line = line[limit:]
        if current and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    parts.append(current)
    return [p for p in parts if p.strip()] or [text[:limit]]


def inline(rows: Iterable[Iterable[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Buttons from (label, callback_data) rows; callback_data stays within 64 bytes."""
    out = []
    for row in rows:
        buttons = []
        for label, data in row:
            assert 1 <= len(data.encode()) <= 64, data
            buttons.append(InlineKeyboardButton(label, callback_data=data))
        if buttons:
            out.append(buttons)
    return InlineKeyboardMarkup(out)


def share_contact_keyboard(lang: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup([[KeyboardButton(t("tg_btn_share", lang), request_contact=True)]],
                               resize_keyboard=True, one_time_keyboard=True)


def main_keyboard(person: Person) -> ReplyMarkup:
    """The reply keyboard under the text field: the everyday actions of the person's roles."""
    lang = person.language
    row: list[str] = []
    if person.has_role(Role.STAFF):
        row += [t("tg_btn_absence", lang), t("tg_btn_well", lang)]
    if person.has_role(Role.SUBSTITUTE):
        row += [t("tg_btn_bookings", lang), t("tg_btn_availability", lang)]
    if not row:
        return ReplyKeyboardRemove()
    return ReplyKeyboardMarkup([row[:2], row[2:]] if len(row) > 2 else [row],
                               resize_keyboard=True)


def can_text(person: Person) -> str:
    """What the person's roles can do, one bullet block per role."""
    lang = person.language
    lines = [t("tg_help_head", lang)]
    for role, key in ((Role.STAFF, "tg_can_staff"), (Role.SUBSTITUTE, "tg_can_substitute"),
                      (Role.COORDINATOR, "tg_can_coordinator"),
                      (Role.HANDLEDARE, "tg_can_handledare")):
        if person.has_role(role) or (role == Role.COORDINATOR and person.has_role(Role.ADMIN)):
            lines.append(t(key, lang))
    lines.append(t("tg_can_common", lang))
    return "\n".join(lines)


def requires(*roles: Role) -> Callable[[PersonHandler], Handler]:
    """Only linked people with one of `roles` (any role if none given) get through.

    Returns None on refusal, so a conversation entry point does not start a dialogue.
    """
    def wrap(fn: PersonHandler) -> Handler:
        @functools.wraps(fn)
        async def handler(update: Update, context: Context) -> object:
            person = await person_of(update, context)
            if person is None:
                lang = lang_of(update, context)
                await tell(update, t("tg_link_help", lang))
                return None
            if roles and not any(person.has_role(r) for r in roles) and not (
                Role.COORDINATOR in roles and person.has_role(Role.ADMIN)
            ):
                await tell(update, t("tg_not_allowed", person.language))
                return None
            return await fn(update, context, person)

        return handler

    return wrap


def data_parts(update: Update) -> list[str]:
    """callback_data split on ':' ('acc:12' -> ['acc', '12'])."""
    query = update.callback_query
    return (query.data or "").split(":") if query is not None else []


def int_arg(args: Sequence[str] | None, index: int = 0) -> int | None:
    if not args or len(args) <= index:
        return None
    raw = args[index].lstrip("#")
    return int(raw) if raw.isdigit() else None


def conversation(
    name: str, entry_points: list[BaseHandler[Any, Any, Any]],
    states: dict[object, list[BaseHandler[Any, Any, Any]]],
    fallbacks: list[BaseHandler[Any, Any, Any]],
) -> ConversationHandler[Any]:
    """A short dialogue per chat and user. PTB tracks its state per chat and user, not per
    message (per_message=False, so typed answers reach it: PTB's warning is silenced here);
    which message's buttons may act on the draft is checked by `pressed_draft`.

    The state is kept in the database (handlers/telegram/persistence.py) and read again
    before each update; a dialogue whose state is older than DIALOGUE_TIMEOUT (15 min) is
    over. No PTB conversation_timeout: its job lives in one process's memory and would end
    a dialogue that another worker has moved on since."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=entry_points, states=states, fallbacks=fallbacks, name=name,
            per_user=True, per_chat=True, per_message=False, allow_reentry=True,
            persistent=True,  # handlers/telegram/persistence.py
        )


# ---- dialogue drafts ----
# A dialogue's draft (what someone has chosen so far) belongs to one person in one chat, and
# to the one message whose buttons act on it. It lives in chat_data[key][user_id], where
# `key` is the dialogue's callback_data prefix ("fill", "abs", "new"): a button press can then
# tell whose dialogue a message is. Kept small on purpose: a later issue moves it to the
# database, and these functions are the only ones that know where it is.

D = TypeVar("D")


@dataclass
class _Slot:
    draft: object
    message_id: int | None = None  # the message carrying the draft's buttons
    outbox_id: int | None = None  # ... while known only as the outbox row sending it


class Press(enum.Enum):
    """Who may act on a pressed dialogue button."""

    OWN = "own"  # the presser's draft in this chat, on the message it is bound to
    NOT_YOURS = "not_yours"  # the message belongs to someone else's draft in this chat
    STALE = "stale"  # no draft is bound to this message (an older list, an ended dialogue)


def press_verdict(owners: dict[int, int | None], user_id: int, message_id: int) -> Press:
    """`owners`: each draft's owner (user id) -> its message id, in the chat pressed in."""
    if owners.get(user_id) == message_id:
        return Press.OWN
    if message_id in owners.values():
        return Press.NOT_YOURS
    return Press.STALE


def _slots(update: Update, context: Context, key: str) -> dict[int, _Slot]:
    chat_data = context.chat_data
    if chat_data is None:
        return {}
    slots = chat_data.setdefault(key, {})
    assert isinstance(slots, dict)
    return slots


def _user_id(update: Update) -> int:
    return update.effective_user.id if update.effective_user is not None else 0


def draft_get(update: Update, context: Context, key: str, kind: type[D]) -> D | None:
    """The asker's draft of dialogue `key` in this chat, or None."""
    slot = _slots(update, context, key).get(_user_id(update))
    return slot.draft if slot is not None and isinstance(slot.draft, kind) else None


def draft_put(update: Update, context: Context, key: str, draft: object) -> None:
    """Start (or restart) the asker's draft in this chat; no message is bound yet."""
    _slots(update, context, key)[_user_id(update)] = _Slot(draft)


def draft_bind(update: Update, context: Context, key: str, said: Said | None) -> None:
    """The asker's draft now answers to the buttons of the message `said` (and no older
    message). A reply still in the outbox is known by its row until it is sent."""
    slot = _slots(update, context, key).get(_user_id(update))
    if slot is not None and said is not None:
        slot.message_id, slot.outbox_id = said.message_id, said.outbox_id


def draft_pop(update: Update, context: Context, key: str) -> None:
    _slots(update, context, key).pop(_user_id(update), None)


async def press_on(update: Update, context: Context, key: str) -> Press:
    """Whose draft of dialogue `key` the pressed message carries, seen from the presser."""
    message = update.effective_message
    if update.callback_query is None or message is None:
        return Press.STALE
    slots = _slots(update, context, key)
    queued = [s.outbox_id for s in slots.values() if s.message_id is None and s.outbox_id]
    if queued:  # the message ids of replies sent through the outbox since they were bound
        async with deps_of(context).db.read() as conn:
            sent = await outbox.telegram_message_ids(conn, queued)
            own = slots.get(_user_id(update))
            if (own is not None and own.message_id is None and own.outbox_id is not None
                    and own.outbox_id not in sent
                    and await outbox.still_pending(conn, own.outbox_id)):
                # The presser's own list may be on screen before its message id is
                # recorded (the send and its record are two steps): ask again shortly.
                raise inbox.NotYetRecorded
        for slot in slots.values():
            if slot.message_id is None and slot.outbox_id in sent:
                slot.message_id = sent[slot.outbox_id]
    owners = {uid: slot.message_id for uid, slot in slots.items()}
    return press_verdict(owners, _user_id(update), message.message_id)


async def pressed_draft(
    update: Update, context: Context, key: str, kind: type[D], lang: str
) -> D | None:
    """The presser's draft if the pressed message is the one it is bound to. Otherwise the
    press is answered ("not yours" / "no longer current"), nothing changes, and None."""
    verdict = await press_on(update, context, key)
    draft = draft_get(update, context, key, kind)
    if verdict is Press.OWN and draft is not None:
        return draft
    await refuse_press(update, verdict, lang)
    return None


async def refuse_press(update: Update, verdict: Press, lang: str) -> None:
    await toast(update, t("tg_dialog_not_yours" if verdict is Press.NOT_YOURS
                          else "tg_dialog_outdated", lang))


def cancel_handlers(key: str, button_pattern: str) -> list[BaseHandler[Any, Any, Any]]:
    """A dialogue's way out (its fallbacks): the Avbryt button whose callback_data matches
    `button_pattern`, and /avbryt without a number. Either forgets the asker's draft of
    dialogue `key` in this chat, says the dialogue is cancelled and ends it. An Avbryt button
    on someone else's (or an older) message of the dialogue is answered and changes nothing."""

    async def cancel(update: Update, context: Context) -> int | None:
        lang = lang_of(update, context, await person_of(update, context))
        verdict = await press_on(update, context, key)
        if update.callback_query is not None and verdict is not Press.OWN:
            await refuse_press(update, verdict, lang)
            return None
        draft_pop(update, context, key)
        if update.callback_query is not None:
            await toast(update)
            await edit(update, t("tg_dialog_cancelled", lang))
        else:
            await say(update, t("tg_dialog_cancelled", lang))
        return END

    return [CallbackQueryHandler(cancel, pattern=button_pattern),
            CommandHandler("avbryt", cancel, has_args=False)]
