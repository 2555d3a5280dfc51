"""Webhook mode end to end: the real python-telegram-bot registers our /telegram with its
secret at the local Bot API fake, which then delivers updates there; a forged update
without the secret is refused and never reaches a handler."""

from __future__ import annotations

from pathlib import Path

import httpx
from pydantic import SecretStr

from bot.app import VikarieBot
from bot.config import Settings, new_secret
from bot.fakes.telegram_server import FakeTelegram
from bot.runtime import open_deps
from tests.sms.conftest import free_port

TOKEN = "123:TEST"


async def test_updates_arrive_through_the_secret_webhook_only(tmp_path: Path) -> None:
    secret = new_secret()
    port = free_port()
    async with FakeTelegram(TOKEN) as fake:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'hook.db'}",
            telegram_token=SecretStr(TOKEN), telegram_api_url=fake.base_url,
            telegram_mode="webhook", public_url=f"http://127.0.0.1:{port}",
            webhook_secret=SecretStr(secret), http_port=port, outbox_poll_seconds=0.05)
        async with open_deps(settings) as deps:
            bot = VikarieBot(deps, web=True, ticker=False)
            try:
                await bot.start()
                assert fake.webhook["url"] == f"http://127.0.0.1:{port}/telegram"
                assert fake.webhook["secret_token"] == secret

                forged = fake.user_sends_text(7001, "/start")  # queued for the webhook too
                async with httpx.AsyncClient() as client:
                    r = await client.post(f"http://127.0.0.1:{port}/telegram",
                                          json={**forged, "update_id": 99_999})
                assert r.status_code == 403

                reply = await fake.wait_for_message(7001, "Vikariebot", 10.0)
                assert reply.text
                # Only the genuine delivery was handled: one answer, not two.
                assert len([m for m in fake.messages(7001) if "Vikariebot" in (m.text or "")]) == 1
            finally:
                await bot.stop()
