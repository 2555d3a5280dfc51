"""Where each coordinator alert was sent, so it can be edited as its vacancy changes.

Kept in the `kv` table, like the live board: `alert:<vacancy_id>:<chat_id>` ->
{"message_id": ..., "drawn": what it last showed}. One alert per vacancy per chat: a new
alert in the same chat (the vacancy escalated again after a reopening) takes the place of
the old one, which keeps its last text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import kv
from storage import tables as t

PREFIX = "alert:"


@dataclass(frozen=True, slots=True)
class AlertMessage:
    vacancy_id: int
    chat_id: int
    message_id: int
    drawn: str  # as last shown (`bot.domain.alerts.drawn`)

    @property
    def key(self) -> str:
        return f"{PREFIX}{self.vacancy_id}:{self.chat_id}"


async def remember(conn: AsyncConnection, alert: AlertMessage) -> None:
    value = json.dumps({"message_id": alert.message_id, "drawn": alert.drawn}, ensure_ascii=False)
    await kv.put(conn, alert.key, value)


async def forget(conn: AsyncConnection, *alerts: AlertMessage) -> None:
    await kv.delete(conn, *(a.key for a in alerts))


async def all_alerts(conn: AsyncConnection) -> list[AlertMessage]:
    out: list[AlertMessage] = []
    for key, value in (await kv.with_prefix(conn, PREFIX)).items():
        vid, chat = key[len(PREFIX) :].split(":", 1)
        d = json.loads(value)
        out.append(AlertMessage(int(vid), int(chat), int(d["message_id"]), str(d["drawn"])))
    return sorted(out, key=lambda a: (a.vacancy_id, a.chat_id))


async def was_reopened(conn: AsyncConnection, vacancy_id: int) -> bool:
    """Whether a booking of the vacancy was ever cancelled (it searched again after)."""
    q = sa.select(t.bookings.c.id).where(
        t.bookings.c.vacancy_id == vacancy_id, t.bookings.c.cancelled_at.is_not(None)
    )
    return (await conn.execute(q.limit(1))).first() is not None
