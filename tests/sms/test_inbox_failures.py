"""When handling a stored text fails: its effects roll back, it is tried again with
backoff, a passing trouble (Telegram's 429) is not counted as an attempt, and after the
last attempt the row is set aside without its text and the sender is told."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from telegram.error import RetryAfter

from handlers.sms import conversation
from storage import kv
from storage import tables as tb
from tests.sms.conftest import Rig, phone_of


async def _row(rig: Rig) -> Any:
    async with rig.db.read() as conn:
        return (await conn.execute(sa.select(tb.inbox).where(tb.inbox.c.source == "sms"))).one()


async def _effect(rig: Rig) -> str | None:
    async with rig.db.read() as conn:
        return await kv.get(conn, "effect")


def _failing(exc: BaseException) -> Any:
    async def handle(deps: Any, sms: Any) -> Any:
        async with deps.db.write() as conn:  # an effect, then the failure
            await kv.put(conn, "effect", sms.body)
        raise exc
    return handle


async def _later(rig: Rig, seconds: float) -> None:
    rig.clock.set(rig.clock.now() + dt.timedelta(seconds=seconds))
    rig.deps.kick_inbox()
    await rig.inbox_handled()


@pytest.mark.parametrize("rig_settings", [{"inbox_max_attempts": 2}])
async def test_a_failing_text_rolls_back_is_retried_then_set_aside(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await rig.world.unit("norr")
    await rig.world.staff("anna", "norr", telegram=False)
    anna = phone_of(1)
    monkeypatch.setattr(conversation, "handle_stored", _failing(ValueError("SJUK +4670")))
    assert (await rig.text(anna, "SJUK")).status_code == 200  # stored, so acknowledged
    row = await _row(rig)
    assert (row.state, row.attempts, row.error) == ("pending", 1, "ValueError")
    assert row.payload is not None and await _effect(rig) is None  # rolled back
    await _later(rig, 1)  # the backoff: 1 s, then the second (last) attempt
    row = await _row(rig)
    assert (row.state, row.attempts, row.payload) == ("failed", 2, None)
    assert row.error == "ValueError"  # the type only: the message may quote the text
    assert await _effect(rig) is None
    assert (await rig.bodies_to(anna))[-1] == "Något gick fel. Försök igen om en stund."
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "set aside" in logged and "SJUK" not in logged and "+4670" not in logged


async def test_a_429_waits_its_retry_after_and_is_not_an_attempt(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    await rig.world.unit("norr")
    await rig.world.staff("anna", "norr", telegram=False)
    anna = phone_of(1)
    monkeypatch.setattr(conversation, "handle_stored", _failing(RetryAfter(30)))
    await rig.text(anna, "PASS")
    row = await _row(rig)
    assert (row.state, row.attempts) == ("pending", 0)
    assert row.next_attempt_at >= rig.clock.now() + dt.timedelta(seconds=29)
    monkeypatch.undo()  # Telegram answers again
    await _later(rig, 10)
    assert (await _row(rig)).state == "pending"  # not before retry_after
    await _later(rig, 21)
    row = await _row(rig)
    assert (row.state, row.attempts) == ("handled", 1)
    assert len(await rig.bodies_to(anna)) == 1  # answered once, when it was handled
