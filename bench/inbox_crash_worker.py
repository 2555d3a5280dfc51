"""The real bot, as `vikariebot run` starts it, for `bench.inbox_crash`: killed with -9 and
started again on the same database file. Telegram and Twilio are the driver's local fakes.

Run: python -m bench.inbox_crash_worker DATABASE_URL TELEGRAM_BASE_URL TWILIO_BASE_URL PORT
         [PUBLIC_URL]
Without PUBLIC_URL: Telegram polling, Twilio's webhooks straight to PORT. With it: Telegram
webhook mode, every webhook through PUBLIC_URL (the driver's proxy in front of several
workers). Prints READY once the bot has started, then runs until killed.
"""

from __future__ import annotations

import asyncio
import sys

from pydantic import SecretStr

from bot.app import VikarieBot
from bot.config import Settings
from bot.runtime import open_deps

TOKEN = "424242:CRASH-TOKEN"
TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "crash-auth-token"
TWILIO_NUMBER = "+46701740605"
WEBHOOK_SECRET = "crash-webhook-secret-" + "x" * 24


def settings(database_url: str, telegram_url: str, twilio_url: str, port: int,
             public_url: str | None = None) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        telegram_token=SecretStr(TOKEN),
        telegram_api_url=telegram_url,
        telegram_mode="webhook" if public_url else "polling",
        webhook_secret=SecretStr(WEBHOOK_SECRET) if public_url else None,
        twilio_account_sid=TWILIO_SID,
        twilio_auth_token=SecretStr(TWILIO_TOKEN),
        twilio_from=TWILIO_NUMBER,
        twilio_api_url=twilio_url,
        public_url=public_url or f"http://127.0.0.1:{port}",
        http_host="127.0.0.1",
        http_port=port,
        outbox_poll_seconds=0.05,
        tick_seconds=0.5,
    )


async def main(database_url: str, telegram_url: str, twilio_url: str, port: int,
               public_url: str | None) -> int:
    async with open_deps(settings(database_url, telegram_url, twilio_url, port,
                                  public_url)) as deps:
        bot = VikarieBot(deps, web=True, ticker=True)
        try:
            await bot.start()
            print("READY", flush=True)
            await asyncio.Event().wait()
        finally:
            await bot.stop()
    return 0


if __name__ == "__main__":
    public = sys.argv[5] if len(sys.argv) > 5 else None
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), public)))
