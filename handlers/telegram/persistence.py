"""Telegram dialogue state in the database (python-telegram-bot's BasePersistence).

What a person has answered so far, the ConversationHandler's state per chat and user and
the chat's drafts (chat_data, see common.py), is kept in `dialogue_state`. PTB hands
changes to `update_conversation` / `update_chat_data`; they are only noted here, and the
inbox worker writes them with `write()` inside the update's own held transaction: the
state and the update's effects commit together. At start PTB loads what is there, so a
restart continues a dialogue where it was. State older than the dialogue timeout
(conversations) or a day (drafts) is not loaded, and the retention job deletes it.

Pickled: the drafts are small dataclasses of this code base. A row that no longer
unpickles (the code changed) is dropped with a log line; the person starts again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import pickle
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
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

    async def flush(self) -> None:
        await self.write()

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
        return None

    async def refresh_bot_data(self, bot_data: Data) -> None:
        return None
