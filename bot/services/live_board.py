"""The coordinators' live board (tillsättningsläget): one message per chat per day, edited
as things change. Which message, for which units and with what text it was last drawn is
kept in the `kv` table under `board:<chat_id>:<date>`, so a restart keeps editing it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from bot.services.board import board_text
from bot.services.deps import Deps
from storage import tables as t

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
    value = json.dumps({"message_id": board.message_id, "units": list(board.unit_ids),
                        "text": board.text}, ensure_ascii=False)
    async with deps.db.write() as conn:
        await conn.execute(sa.delete(t.kv).where(t.kv.c.key == board.key))
        await conn.execute(sa.insert(t.kv).values(key=board.key, value=value))


async def forget(deps: Deps, board: LiveBoard) -> None:
    async with deps.db.write() as conn:
        await conn.execute(sa.delete(t.kv).where(t.kv.c.key == board.key))


async def boards_of(deps: Deps, day: dt.date) -> list[LiveBoard]:
    """Every live board drawn for `day`."""
    suffix = f":{day.isoformat()}"
    async with deps.db.read() as conn:
        rows = list(await conn.execute(
            sa.select(t.kv).where(t.kv.c.key.like(f"{PREFIX}%{suffix}"))))
    out: list[LiveBoard] = []
    for r in rows:
        chat = r.key[len(PREFIX):-len(suffix)]
        d = json.loads(r.value)
        out.append(LiveBoard(int(chat), day, int(d["message_id"]), tuple(d["units"]),
                             str(d["text"])))
    return out


async def prune(deps: Deps, before: dt.date) -> int:
    """Forget boards of days before `before` (their messages simply stay as they were)."""
    async with deps.db.read() as conn:
        keys = (await conn.execute(
            sa.select(t.kv.c.key).where(t.kv.c.key.like(f"{PREFIX}%")))).scalars().all()
    old = [k for k in keys if k.rsplit(":", 1)[-1] < before.isoformat()]
    if old:
        async with deps.db.write() as conn:
            await conn.execute(sa.delete(t.kv).where(t.kv.c.key.in_(old)))
    return len(old)
