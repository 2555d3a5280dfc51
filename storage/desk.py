"""The desk's one-time logins and sessions. Only sha256 hashes of secrets are stored."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import tables as t


async def add_login(
    conn: AsyncConnection,
    secret_hash: str,
    person_id: str | None,
    kind: str,
    address_hash: str | None,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> None:
    await conn.execute(sa.insert(t.desk_logins).values(
        secret_hash=secret_hash, person_id=person_id, kind=kind, address_hash=address_hash,
        created_at=now, expires_at=expires_at))


async def logins_since(
    conn: AsyncConnection, since: dt.datetime, kind: str, *, person_id: str | None = None,
    address_hash: str | None = None,
) -> int:
    """Rows of `kind` (ask, code) since `since`, for the person or from the address."""
    q = sa.select(sa.func.count()).select_from(t.desk_logins).where(
        t.desk_logins.c.created_at >= since, t.desk_logins.c.kind == kind)
    if person_id is not None:
        q = q.where(t.desk_logins.c.person_id == person_id)
    if address_hash is not None:
        q = q.where(t.desk_logins.c.address_hash == address_hash)
    return int((await conn.execute(q)).scalar_one())


async def use_login(
    conn: AsyncConnection, secret_hash: str, kind: str, now: dt.datetime,
    person_id: str | None = None,
) -> str | None:
    """Mark a live one-time login used; the person's id, or None (unknown, used, expired).
    Single use holds across workers: only one UPDATE finds used_at empty."""
    q = (
        sa.update(t.desk_logins)
        .where(
            t.desk_logins.c.secret_hash == secret_hash,
            t.desk_logins.c.kind == kind,
            t.desk_logins.c.used_at.is_(None),
            t.desk_logins.c.expires_at > now,
        )
        .values(used_at=now)
        .returning(t.desk_logins.c.person_id)
    )
    if person_id is not None:
        q = q.where(t.desk_logins.c.person_id == person_id)
    row = (await conn.execute(q)).first()
    return str(row.person_id) if row else None


async def burn_codes(conn: AsyncConnection, person_id: str, now: dt.datetime) -> None:
    """Every live code of the person stops working (too many wrong guesses)."""
    await conn.execute(
        sa.update(t.desk_logins)
        .where(t.desk_logins.c.person_id == person_id, t.desk_logins.c.kind == "code",
               t.desk_logins.c.used_at.is_(None))
        .values(used_at=now)
    )


async def add_session(
    conn: AsyncConnection, token_hash: str, person_id: str, csrf: str, now: dt.datetime,
    expires_at: dt.datetime,
) -> None:
    await conn.execute(sa.insert(t.desk_sessions).values(
        token_hash=token_hash, person_id=person_id, csrf=csrf, created_at=now,
        expires_at=expires_at))


async def session(
    conn: AsyncConnection, token_hash: str, now: dt.datetime
) -> tuple[str, str] | None:
    """(person id, csrf token) of a live session, or None."""
    q = sa.select(t.desk_sessions.c.person_id, t.desk_sessions.c.csrf).where(
        t.desk_sessions.c.token_hash == token_hash, t.desk_sessions.c.expires_at > now)
    row = (await conn.execute(q)).first()
    return (str(row.person_id), str(row.csrf)) if row else None


async def end_session(conn: AsyncConnection, token_hash: str) -> None:
    await conn.execute(sa.delete(t.desk_sessions).where(t.desk_sessions.c.token_hash == token_hash))


async def purge(conn: AsyncConnection, now: dt.datetime) -> None:
    """Expired sessions, and logins a day past their expiry (kept a day for throttling)."""
    await conn.execute(sa.delete(t.desk_sessions).where(t.desk_sessions.c.expires_at <= now))
    await conn.execute(sa.delete(t.desk_logins).where(
        t.desk_logins.c.expires_at <= now - dt.timedelta(days=1)))
