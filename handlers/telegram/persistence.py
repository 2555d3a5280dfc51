"""Telegram dialogue state in the database (python-telegram-bot's BasePersistence).

What a person has answered so far, the ConversationHandler's state per chat and user and
the chat's drafts (chat_data, see common.py), is kept in `dialogue_state`. PTB hands
changes to `update_conversation` / `update_chat_data`; they are only noted here, and the
inbox worker writes them with `write()` inside the update's own held transaction: the
state and the update's effects commit together. At start PTB loads what is there, so a
restart continues a dialogue where it was. Before each update the asker's dialogue states
and the chat's drafts are read again (`refresh_dialogue`, `refresh_chat_data`), so with
several workers the one that gets the next answer continues where another left off.
State older than the dialogue timeout (conversations) or a day (drafts) is not loaded,
and the retention job deletes it.

Pickled: the drafts are small dataclasses of this code base. A row that no longer
unpickles (the code changed) is dropped with a log line; the person starts again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import pickle
from typing import Any

from telegram import Update
from telegram.ext import Application, BasePersistence, ConversationHandler, PersistenceInput
from telegram.ext._utils.trackingdict import TrackingDict
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.services.deps import Deps
from storage import dialogues

log = logging.getLogger(__name__)

DIALOGUE_TIMEOUT = dt.timedelta(minutes=15)  # as common.conversation's timeout
DRAFTS_KEPT = dt.timedelta(days=1)
CONV, CHAT = "conv", "chat"

Data = dict[Any, Any]


class DbPersistence(BasePersistence[Data, Data, Data]):
    def __init__(self, deps: Deps) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=True, user_data=False, callback_data=False
            ),
            update_interval=60,
        )
        self.deps = deps
        self._pending: dict[dialogues.Key, bytes | None] = {}

    # ---- loaded at start ----
    async def get_chat_data(self) -> dict[int, Data]:
        async with self.deps.db.read() as conn:
            rows = await dialogues.load(conn, CHAT, "", self.deps.now() - DRAFTS_KEPT)
        return {int(k): d for k, d in self._unpickled(rows).items() if isinstance(d, dict)}

    async def get_conversations(self, name: str) -> ConversationDict:
        async with self.deps.db.read() as conn:
            rows = await dialogues.load(conn, CONV, name, self.deps.now() - DIALOGUE_TIMEOUT)
        return {tuple(json.loads(k)): state for k, state in self._unpickled(rows).items()}

    def _unpickled(self, rows: dict[str, bytes]) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, data in rows.items():
            try:
                out[key] = pickle.loads(data)  # noqa: S301 - our own rows
            except Exception as exc:
                log.warning("dialogue state %s dropped: %s", key, type(exc).__name__)
        return out

    # ---- changes: noted, written by `write()` ----
    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        self._note((CONV, name, json.dumps(list(key))), new_state)

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        self._note((CHAT, "", str(chat_id)), data or None)

    async def drop_chat_data(self, chat_id: int) -> None:
        self._note((CHAT, "", str(chat_id)), None)

    def _note(self, key: dialogues.Key, value: object | None) -> None:
        try:
            self._pending[key] = None if value is None else pickle.dumps(value)
        except Exception as exc:  # a draft that cannot be kept: the dialogue lives in memory
            log.warning("dialogue state %s not kept: %s", key[:2], type(exc).__name__)

    async def write(self) -> int:
        """Write the noted changes (in the caller's transaction, when it holds one)."""
        if not self._pending:
            return 0
        pending, self._pending = self._pending, {}
        async with self.deps.db.write() as conn:
            for key, data in pending.items():
                await dialogues.save(conn, key, data, self.deps.now())
        return len(pending)

    def discard(self) -> None:
        """Forget the noted changes: the update that made them rolled back."""
        self._pending.clear()

    async def flush(self) -> None:
        """Nothing: only the inbox worker writes, inside an update's transaction. (PTB
        flushes at shutdown, possibly after an update was cut off and rolled back.)"""
        self._pending.clear()

    # ---- not kept ----
    async def get_user_data(self) -> dict[int, Data]:
        return {}

    async def get_bot_data(self) -> Data:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_user_data(self, user_id: int, data: Data) -> None:
        return None

    async def update_bot_data(self, data: Data) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        """The chat's drafts as the database has them (PTB calls this before a handler)."""
        async with self.deps.db.read() as conn:
            rows = await dialogues.load_key(conn, CHAT, str(chat_id),
                                            self.deps.now() - DRAFTS_KEPT)
        fresh = self._unpickled(rows).get("")
        chat_data.clear()
        if isinstance(fresh, dict):
            chat_data.update(fresh)

    async def refresh_dialogue(self, app: Application[Any, Any, Any, Any, Any, Any],
                               update: Update) -> None:
        """Before an update is handled: the asker's state in each dialogue as the database
        has it (another worker may have moved it on, or ended it). Our dialogues are kept
        per chat and user (common.conversation), so that is the key."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        key = (chat.id, user.id)
        async with self.deps.db.read() as conn:
            rows = await dialogues.load_key(conn, CONV, json.dumps(list(key)),
                                            self.deps.now() - DIALOGUE_TIMEOUT)
        states = self._unpickled(rows)
        for group in app.handlers.values():
            for handler in group:
                if not (isinstance(handler, ConversationHandler) and handler.persistent):
                    continue
                # PTB keeps the states in a private TrackingDict; changing it untracked
                # writes nothing back (tests/e2e/test_telegram_dialogues.py pins this).
                convs = handler._conversations
                if not isinstance(convs, TrackingDict):
                    continue
                if handler.name in states:
                    convs.update_no_track({key: states[handler.name]})
                else:
                    convs.data.pop(key, None)

    async def refresh_bot_data(self, bot_data: Data) -> None:
        return None
