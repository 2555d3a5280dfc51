"""From outside: a route exists only when its secret is configured, and every malformed
input is answered 4xx, never 5xx (the app in-process through httpx.ASGITransport)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from telegram.ext import Application

from bot.config import Settings
from bot.web import build_web_app
from handlers.sms.webhook import sms_routes
from storage import inbox
from storage.db import Database
from tests.builders import make_deps

SECRET = "S" * 40
BOARD = "B" * 40
HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK = {
    "telegram_token": SecretStr("123:TEST"),
    "telegram_mode": "webhook",
    "public_url": "https://vikarie.example.se",
    "webhook_secret": SecretStr(SECRET),
}


def _telegram() -> Any:
    return Application.builder().token("123:TEST").updater(None).build()


async def _stored(db: Database) -> int:
    """Updates committed to the inbox (what the webhook accepted)."""
    async with db.read() as conn:
        return await inbox.pending_count(conn)


def _client(db: Database, telegram: Any = None, sms: bool = False,
            **settings: Any) -> httpx.AsyncClient:
    deps = make_deps(db, "2026-12-01 05:45")
    deps.settings = deps.settings.model_copy(update=settings)
    app = build_web_app(deps, telegram, sms_routes(deps) if sms else ())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_stock_settings_open_nothing_but_health(db: Database) -> None:
    """The forged update of the report: no secret header, an admin's user id, polling mode."""
    forged = {"update_id": 1, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 666, "type": "private"},
        "from": {"id": 1, "is_bot": False, "first_name": "Admin"}, "text": "/inbjud sam-norr"}}
    telegram = _telegram()
    async with _client(db, telegram) as client:
        assert (await client.get("/health")).status_code == 200
        assert (await client.post("/telegram", json=forged)).status_code == 404
        assert (await client.post("/telegram", json=forged,
                                  headers={HEADER: ""})).status_code == 404
        assert (await client.get("/board")).status_code == 404
        assert (await client.get("/board", headers={"Authorization": "Bearer "})).status_code == 404
        assert (await client.post("/sms/inbound", data={"Body": "JA"})).status_code == 404
    assert await _stored(db) == 0


async def test_polling_mode_has_no_webhook_route_even_with_a_secret(db: Database) -> None:
    telegram = _telegram()
    async with _client(db, telegram, telegram_token=SecretStr("123:TEST"),
                       webhook_secret=SecretStr(SECRET)) as client:
        r = await client.post("/telegram", json={"update_id": 1}, headers={HEADER: SECRET})
    assert r.status_code == 404 and await _stored(db) == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"[]", 400), (b"[1, 2]", 400), (b"42", 400), (b"null", 400), (b"{}", 400),
        (b'"text"', 400), (b'{"update_id": "1"}', 400), (b'{"update_id": true}', 400),
        (b"{not json", 400), (b"\xff\xfe\x00", 400),
        (b'{"update_id": 5, "message": {"chat": 12}}', 400),
        (b'{"update_id": 5, "message": []}', 400),
        (b'{"update_id": 5}', 200),
    ],
)
async def test_webhook_bodies(db: Database, body: bytes, status: int) -> None:
    telegram = _telegram()
    async with _client(db, telegram, **WEBHOOK) as client:
        r = await client.post("/telegram", content=body,
                              headers={HEADER: SECRET, "Content-Type": "application/json"})
    assert r.status_code == status
    assert await _stored(db) == (1 if status == 200 else 0)


@pytest.mark.parametrize("given", [None, "", "x", SECRET[:-1], SECRET + "x",
                                   ("é" * 40).encode(), "\u2603".encode(), b"\xff" * 40])
async def test_webhook_secret_header_never_raises(db: Database, given: Any) -> None:
    telegram = _telegram()
    headers = {} if given is None else {HEADER: given}
    async with _client(db, telegram, **WEBHOOK) as client:
        r = await client.post("/telegram", content=b'{"update_id": 5}', headers=headers)
    assert r.status_code == 403 and await _stored(db) == 0


@pytest.mark.parametrize("auth", [None, "", "Bearer", "Bearer ", "Basic " + BOARD, BOARD,
                                  "Bearer " + BOARD[:-1], "Bearer é".encode(), b"Bearer \xff\xfe"])
async def test_board_token_refusals_never_raise(db: Database, auth: Any) -> None:
    headers = {} if auth is None else {"Authorization": auth}
    async with _client(db, board_token=SecretStr(BOARD)) as client:
        r = await client.get("/board", headers=headers)
    assert r.status_code == 401


async def test_board_with_its_token(db: Database) -> None:
    async with _client(db, board_token=SecretStr(BOARD)) as client:
        r = await client.get("/board", headers={"Authorization": f"bearer  {BOARD}"})
    assert r.status_code == 200 and "Tillsättning 2026-12-01" in r.text


TWILIO = {
    "twilio_account_sid": "AC" + "0" * 32,
    "twilio_auth_token": SecretStr("t" * 32),
    "twilio_from": "+46700000000",
    "public_url": "https://vikarie.example.se",
}


@pytest.mark.parametrize(
    "request_kw",
    [
        {"files": {"Body": ("x.txt", b"JA", "text/plain")}, "data": {"From": "+46701234567"}},
        {"content": b"\xff\xfe", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
        {"content": b"{}", "headers": {"Content-Type": "application/json"}},
        {"data": {"Body": "JA"}, "headers": {"X-Twilio-Signature": "é".encode()}},
        {"data": {"Body": "JA"}, "headers": {"X-Twilio-Signature": b"\xff\xfe"}},
        {"data": {"Body": "JA"}},
    ],
)
@pytest.mark.parametrize("path", ["/sms/inbound", "/sms/status"])
async def test_sms_webhooks_refuse_what_twilio_did_not_send(
    db: Database, path: str, request_kw: dict[str, Any]
) -> None:
    kw = dict(request_kw)
    headers = {"X-Twilio-Signature": "c2lnbmF0dXJl", **kw.pop("headers", {})}
    async with _client(db, sms=True, **TWILIO) as client:
        r = await client.post(path, headers=headers, **kw)
    assert 400 <= r.status_code < 500, r.status_code


def test_settings_fields_used_here_exist() -> None:
    for name in [*WEBHOOK, *TWILIO, "board_token"]:
        assert name in Settings.model_fields
