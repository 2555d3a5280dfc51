"""The audit log: every state change, who, when, what, through which channel."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import tables as t

SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    channel: str
    detail: dict[str, object]


async def record(
    conn: AsyncConnection,
    at: dt.datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: object,
    channel: str,
    **detail: object,
) -> None:
    await conn.execute(
        sa.insert(t.audit_log).values(
            at=at,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            channel=channel,
            detail=json.dumps(detail, default=str, ensure_ascii=False),
        )
    )


async def record_many(
    conn: AsyncConnection,
    at: dt.datetime,
    actor: str,
    action: str,
    object_type: str,
    channel: str,
    objects: list[tuple[object, dict[str, object]]],
) -> None:
    """`record` for several objects at once: (object id, detail) each, one statement."""
    if not objects:
        return
    await conn.execute(
        sa.insert(t.audit_log),
        [
            {
                "at": at,
                "actor": actor,
                "action": action,
                "object_type": object_type,
                "object_id": str(oid),
                "channel": channel,
                "detail": json.dumps(detail, default=str, ensure_ascii=False),
            }
            for oid, detail in objects
        ],
    )


async def entries(
    conn: AsyncConnection, object_type: str | None = None, object_id: object | None = None
) -> list[AuditEntry]:
    q = sa.select(t.audit_log).order_by(t.audit_log.c.id)
    if object_type is not None:
        q = q.where(t.audit_log.c.object_type == object_type)
    if object_id is not None:
        q = q.where(t.audit_log.c.object_id == str(object_id))
    return [
        AuditEntry(
            r.at, r.actor, r.action, r.object_type, r.object_id, r.channel, json.loads(r.detail)
        )
        for r in await conn.execute(q)
    ]
