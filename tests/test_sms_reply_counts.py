"""The reply limits count in the database: several workers at once share one count."""

from __future__ import annotations

import asyncio
import datetime as dt

from handlers.sms import conversation
from handlers.sms.conversation import InboundSms
from storage import sms_replies
from storage.db import Database
from tests.builders import make_deps


async def test_concurrent_unknown_numbers_share_one_cap(any_db: Database) -> None:
    deps = make_deps(
        any_db, "2026-12-01 05:45", twilio_account_sid="AC1", twilio_auth_token="t",
        twilio_from="+46700000000", sms_unknown_replies_per_hour=5,
    )
    texts = [InboundSms(f"SM{i:032d}", f"+4670{1750000 + i:07d}", "hej") for i in range(20)]
    results = await asyncio.gather(*(conversation.handle_sms(deps, sms) for sms in texts))
    assert sum(r.twiml_reply is not None for r in results) == 5
    async with any_db.read() as conn:
        since = deps.now() - dt.timedelta(hours=1)
        assert await sms_replies.count_unknown(conn, since) == 5


async def test_old_unknown_replies_are_pruned(any_db: Database) -> None:
    now = dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)
    async with any_db.write() as conn:
        await sms_replies.record_unknown(conn, "a" * 40, now - dt.timedelta(days=3))
        await sms_replies.record_unknown(conn, "a" * 40, now - dt.timedelta(minutes=30))
        await sms_replies.record_unknown(conn, "b" * 40, now)
    async with any_db.read() as conn:
        assert await sms_replies.count_unknown(conn, now - dt.timedelta(days=10)) == 2
        assert await sms_replies.count_unknown(conn, now - dt.timedelta(hours=1), "a" * 40) == 1
