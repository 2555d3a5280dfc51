"""The coordinators' live board (tillsättningsläget): one message per chat per day, edited
as things change. Which message, for which units and with what text it was last drawn is
kept in the `kv` table under `board:<chat_id>:<date>`, so a restart keeps editing it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from bot.services.board import board_text
from bot.services.deps import Deps
from storage import kv
from storage import people as people_repo

PREFIX = "board:"


@dataclass(frozen=True, slots=True)
class LiveBoard:
    chat_id: int
    day: dt.date
    message_id: int
    unit_ids: tuple[str, ...]
    text: str  # as last drawn

    @property
    def key(self) -> str:
        return board_key(self.chat_id, self.day)


def board_key(chat_id: int, day: dt.date) -> str:
    return f"{PREFIX}{chat_id}:{day.isoformat()}"


def today(deps: Deps) -> dt.date:
    return deps.now().astimezone(deps.tz).date()


async def render(deps: Deps, unit_ids: Iterable[str], day: dt.date | None = None) -> str:
    return await board_text(deps, day or today(deps), list(unit_ids))


async def save(deps: Deps, board: LiveBoard) -> None:
    value = json.dumps(
        {"message_id": board.message_id, "units": list(board.unit_ids), "text": board.text},
        ensure_ascii=False,
    )
    async with deps.db.write() as conn:
        await kv.put(conn, board.key, value)


async def units_still_shown(deps: Deps, board: LiveBoard) -> tuple[str, ...]:
    """The units a board may go on showing. In a group (Telegram's group ids are negative)
    only those still linked to the group: once the group is unlinked or linked to another
    unit with /enhetschatt, the old units' board there stops being redrawn. A private
    chat's board keeps its units."""
    if board.chat_id > 0:
        return board.unit_ids
    async with deps.db.read() as conn:
        linked = {u.id for u in await people_repo.all_units(conn)
                  if u.coordinator_chat_id == board.chat_id}
    return tuple(u for u in board.unit_ids if u in linked)


async def forget(deps: Deps, board: LiveBoard) -> None:
    async with deps.db.write() as conn:
        await kv.delete(conn, board.key)


async def boards_of(deps: Deps, day: dt.date) -> list[LiveBoard]:
    """Every live board drawn for `day`."""
    suffix = f":{day.isoformat()}"
    async with deps.db.read() as conn:
        rows = await kv.with_prefix(conn, PREFIX)
    out: list[LiveBoard] = []
    for key, value in rows.items():
        if not key.endswith(suffix):
            continue
        chat = key[len(PREFIX) : -len(suffix)]
        d = json.loads(value)
        out.append(
            LiveBoard(int(chat), day, int(d["message_id"]), tuple(d["units"]), str(d["text"]))
        )
    return out


async def prune(deps: Deps, before: dt.date) -> int:
    """Forget boards of days before `before` (their messages simply stay as they were)."""
    async with deps.db.read() as conn:
        keys = list(await kv.with_prefix(conn, PREFIX))
    old = [k for k in keys if k.rsplit(":", 1)[-1] < before.isoformat()]
    if old:
        async with deps.db.write() as conn:
            await kv.delete(conn, *old)
    return len(old)
