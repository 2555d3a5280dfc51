"""The web app in-process through httpx.ASGITransport: health, the board's token, the
Telegram webhook's secret."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from bot.web import build_web_app
from storage.db import Database
from tests.builders import make_deps


async def _client(db: Database, **settings: object) -> httpx.AsyncClient:
    deps = make_deps(db, "2026-12-01 05:45")
    deps.settings = deps.settings.model_copy(update=settings)
    app = build_web_app(deps)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_health_answers(db: Database) -> None:
    async with await _client(db) as client:
        r = await client.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_board_needs_its_token(db: Database) -> None:
    async with await _client(db) as client:
        assert (await client.get("/board")).status_code == 404  # no token set: off
    async with await _client(db, board_token=SecretStr("s3cret")) as client:
        assert (await client.get("/board")).status_code == 401
        bad = await client.get("/board", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
        ok = await client.get("/board", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200 and "Tillsättning 2026-12-01" in ok.text


async def test_telegram_webhook_checks_the_secret(db: Database) -> None:
    async with await _client(db, webhook_secret=SecretStr("hook")) as client:
        missing = await client.post("/telegram", json={"update_id": 1})
        wrong = await client.post("/telegram", json={"update_id": 1},
                                  headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
        right = await client.post("/telegram", json={"update_id": 1},
                                  headers={"X-Telegram-Bot-Api-Secret-Token": "hook"})
    assert missing.status_code == 403 and wrong.status_code == 403
    assert right.status_code == 503  # secret fine; no Telegram application in this app
