"""The inbox on SQLite and PostgreSQL: stored once, taken in order per key, handled with its
effects in one transaction (`Database.hold`), and skipped by a second worker while a first
holds it."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import sqlalchemy as sa

from storage import inbox, kv
from storage import tables as t
from storage.db import Database

NOW = dt.datetime(2026, 12, 1, 4, 45, tzinfo=dt.UTC)


async def _put(db: Database, external_id: str, key: str, payload: str = "{}") -> bool:
    async with db.write() as conn:
        return await inbox.put(conn, "sms", external_id, key, payload, NOW)


async def _state(db: Database) -> list[tuple[str, str, str | None]]:
    async with db.read() as conn:
        rows = await conn.execute(
            sa.select(t.inbox.c.external_id, t.inbox.c.state, t.inbox.c.payload).order_by(
                t.inbox.c.id
            )
        )
        return [(r.external_id, r.state, r.payload) for r in rows]


async def test_the_same_message_is_stored_once(any_db: Database) -> None:
    assert await _put(any_db, "SM1", "sms:a", '{"body": "SJUK"}')
    assert not await _put(any_db, "SM1", "sms:a", '{"body": "SJUK"}')
    async with any_db.write() as conn:  # another source may use the same id
        assert await inbox.put(conn, "telegram", "SM1", "tg:1", "{}", NOW)
    async with any_db.read() as conn:
        assert await inbox.pending_count(conn) == 2


async def test_rows_of_one_key_are_taken_in_order_others_go_on(any_db: Database) -> None:
    await _put(any_db, "a1", "sms:a")
    await _put(any_db, "a2", "sms:a")
    await _put(any_db, "b1", "sms:b")
    async with any_db.write() as conn:
        first = await inbox.next_row(conn, NOW)
        assert first is not None and first.external_id == "a1"
        # a1 failed: it waits a minute, and a2 waits for it; b1 goes on.
        await inbox.retry_later(conn, first.id, NOW + dt.timedelta(minutes=1), "boom")
    async with any_db.write() as conn:
        row = await inbox.next_row(conn, NOW)
        assert row is not None and row.external_id == "b1"
        assert await inbox.finish(conn, row.id, NOW, "absence")
    async with any_db.write() as conn:
        assert await inbox.next_row(conn, NOW) is None
        later = await inbox.next_row(conn, NOW + dt.timedelta(minutes=1))
        assert later is not None and later.external_id == "a1" and later.attempts == 1
        await inbox.give_up(conn, later.id, NOW, "boom again")
    async with any_db.write() as conn:
        row = await inbox.next_row(conn, NOW)
        assert row is not None and row.external_id == "a2"
    # Handled and failed rows keep no payload (it may say "SJUK").
    assert [(e, s, p) for e, s, p in await _state(any_db) if s != "pending"] == [
        ("a1", "failed", None),
        ("b1", "handled", None),
    ]


async def test_a_held_transaction_commits_a_row_with_its_effects_or_neither(
    any_db: Database,
) -> None:
    await _put(any_db, "m1", "sms:a")

    async def handle(fail: bool) -> None:
        async with any_db.hold() as conn:
            row = await inbox.next_row(conn, NOW)
            assert row is not None
            async with any_db.write() as inner:  # a service's own write joins the hold
                await kv.put(inner, "effect", "done")
            async with any_db.read() as reader:  # and a read sees it
                assert await kv.get(reader, "effect") == "done"
            if fail:
                raise RuntimeError("crash before the commit")
            await inbox.finish(conn, row.id, NOW, "ok")

    with pytest.raises(RuntimeError):
        await handle(fail=True)
    async with any_db.read() as conn:
        assert await kv.get(conn, "effect") is None
        assert await inbox.pending_count(conn) == 1
    await handle(fail=False)
    async with any_db.read() as conn:
        assert await kv.get(conn, "effect") == "done"
        assert await inbox.pending_count(conn) == 0


async def test_a_failed_savepoint_inside_the_hold_leaves_the_rest(any_db: Database) -> None:
    async with any_db.hold():
        async with any_db.write() as conn:
            await kv.put(conn, "kept", "1")
        with pytest.raises(RuntimeError):
            async with any_db.write() as conn:
                await kv.put(conn, "undone", "1")
                raise RuntimeError("this use case failed; the caller goes on")
    async with any_db.read() as conn:
        assert (await kv.get(conn, "kept"), await kv.get(conn, "undone")) == ("1", None)


@pytest.mark.postgres
async def test_a_second_worker_skips_the_row_being_handled(pg_db: Database) -> None:
    """PostgreSQL: while one worker holds a1, another takes b1 (not a1, and not a2 behind it)."""
    await _put(pg_db, "a1", "sms:a")
    await _put(pg_db, "a2", "sms:a")
    await _put(pg_db, "b1", "sms:b")
    holding = asyncio.Event()
    release = asyncio.Event()

    async def first() -> str:
        async with pg_db.hold() as conn:
            row = await inbox.next_row(conn, NOW)
            assert row is not None
            holding.set()
            await release.wait()
            await inbox.finish(conn, row.id, NOW, "ok")
            return row.external_id

    task = asyncio.create_task(first())
    await holding.wait()
    async with pg_db.write() as conn:
        other = await inbox.next_row(conn, NOW)
        assert other is not None and other.external_id == "b1"
        await inbox.finish(conn, other.id, NOW, "ok")
    async with pg_db.write() as conn:
        assert await inbox.next_row(conn, NOW) is None  # a2 waits for a1
    release.set()
    assert await task == "a1"
    async with pg_db.write() as conn:
        row = await inbox.next_row(conn, NOW)
        assert row is not None and row.external_id == "a2"


async def test_purge_keeps_pending_rows(any_db: Database) -> None:
    await _put(any_db, "old-handled", "k")
    await _put(any_db, "old-pending", "j")
    async with any_db.write() as conn:
        row = await inbox.next_row(conn, NOW)
        assert row is not None and row.external_id == "old-handled"
        await inbox.finish(conn, row.id, NOW, "ok")
        assert await inbox.purge(conn, NOW + dt.timedelta(days=1)) == 1
    assert [e for e, _, _ in await _state(any_db)] == ["old-pending"]


async def test_the_retention_job_forgets_old_handled_rows(db: Database) -> None:
    from bot.services import privacy
    from tests.builders import make_deps

    await _put(db, "handled", "k")
    async with db.write() as conn:
        row = await inbox.next_row(conn, NOW)
        assert row is not None
        await inbox.finish(conn, row.id, NOW, "ok")
    deps = make_deps(db, "2026-12-31 12:00")  # 30 days later, the default retention
    assert await privacy.purge_old_inbox(deps) == 1
    assert await _state(db) == []
