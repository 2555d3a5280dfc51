"""The web app in-process through httpx.ASGITransport: health. The board's token and the
Telegram webhook's secret: tests/security/test_web_routes.py."""

from __future__ import annotations

import httpx

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
