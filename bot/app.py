"""The one wiring function: every part of the running bot is built and started here, in order.

Order matters:
1. database (migrated) and use-case dependencies;
2. outbound channels (Telegram Bot, Twilio client) - created inside the running loop;
3. the Telegram Application with its handlers (polling, or webhook via our web app);
4. the web app (webhooks, health, board);
5. the outbox dispatcher and the tick job, last, so that everything they send through exists.
Stopping runs the other way round.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import Update
from telegram.ext import AIORateLimiter, Application

from bot.asgi import LocalAsgiServer
from bot.channels.base import Sender
from bot.channels.dispatcher import Dispatcher
from bot.channels.telegram import TelegramSender
from bot.config import Settings
from bot.runtime import open_deps
from bot.services import callout, delivery, introduction, privacy
from bot.services.deps import Deps
from bot.web import build_web_app

log = logging.getLogger(__name__)


class VikarieBot:
    """The running system around one `Deps`: channels, handlers, web, dispatcher, ticker."""

    def __init__(self, deps: Deps, *, web: bool = True, ticker: bool = True) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.want_web = web
        self.want_ticker = ticker
        self.telegram: Application[Any, Any, Any, Any, Any, Any] | None = None
        self.senders: dict[str, Sender] = {}
        self.dispatcher: Dispatcher | None = None
        self._sms_close: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self._scheduler: AsyncIOScheduler | None = None
        self._web: LocalAsgiServer | None = None

    async def start(self) -> None:
        s = self.settings
        # 2 + 3: Telegram
        if s.telegram_token is not None:
            builder = (
                Application.builder()
                .token(s.telegram_token.get_secret_value())
                .base_url(s.telegram_api_url)
                .rate_limiter(AIORateLimiter(max_retries=0))
            )
            if s.telegram_mode == "webhook":
                builder = builder.updater(None)
            app = builder.build()
            app.bot_data["deps"] = self.deps
            from handlers.telegram import on_startup, register

            register(app)
            await app.initialize()
            if s.telegram_mode == "polling" and app.updater is not None:
                await app.updater.start_polling(
                    poll_interval=0.0,
                    timeout=10,
                    allowed_updates=Update.ALL_TYPES,
                    drop_pending_updates=False,
                )
            elif s.public_url and s.webhook_secret:
                await app.bot.set_webhook(
                    f"{s.public_url.rstrip('/')}/telegram",
                    secret_token=s.webhook_secret.get_secret_value(),
                    allowed_updates=Update.ALL_TYPES,
                )
            await app.start()
            await on_startup(app)  # the command menu, in Swedish and English
            self.telegram = app
            self.senders["telegram"] = TelegramSender(app.bot)
        # 2: SMS
        sms_routes = []
        if s.twilio_account_sid and s.twilio_auth_token and s.twilio_from:
            from bot.channels.sms import TwilioSender
            from handlers.sms import sms_routes as build_sms_routes

            sender = TwilioSender.from_settings(
                s, on_opt_out=functools.partial(delivery.mark_opted_out, self.deps)
            )
            self.senders["sms"] = sender
            self._sms_close = sender.close
            sms_routes = build_sms_routes(self.deps)
        # 4: web
        if self.want_web:
            web_app = build_web_app(self.deps, self.telegram, sms_routes)
            self._web = LocalAsgiServer(web_app, s.http_host, s.http_port)
            await self._web.start()
        # 5: dispatcher and ticker
        self.dispatcher = Dispatcher(self.deps, self.senders)
        self._tasks.append(asyncio.create_task(self.dispatcher.run_forever(), name="outbox"))
        if self.want_ticker:
            self._scheduler = AsyncIOScheduler()
            self._scheduler.add_job(
                self.tick,
                "interval",
                seconds=s.tick_seconds,
                max_instances=1,
                coalesce=True,
                id="tick",
            )
            self._scheduler.add_job(
                self.remind,
                "interval",
                hours=1,
                max_instances=1,
                coalesce=True,
                id="intro-reminders",
            )
            self._scheduler.add_job(
                self.purge, "interval", hours=24, max_instances=1, coalesce=True, id="retention"
            )
            self._scheduler.start()
        log.info("Vikariebot started: channels %s", ", ".join(self.senders) or "none")

    async def tick(self) -> None:
        try:
            await callout.tick(self.deps)
        except Exception:
            log.exception("tick failed; the next one will try again")

    async def remind(self) -> None:
        try:
            await introduction.remind_stale(self.deps)
        except Exception:
            log.exception("introduction reminders failed; the next run will try again")

    async def purge(self) -> None:
        try:
            await privacy.purge_old_absences(self.deps)
        except Exception:
            log.exception("retention purge failed; the next run will try again")

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        if self.dispatcher is not None:
            self.dispatcher.stop()
        if self._web is not None:
            await self._web.stop()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=5)
        self._tasks.clear()
        if self.telegram is not None:
            if self.telegram.updater is not None and self.telegram.updater.running:
                await self.telegram.updater.stop()
            if self.telegram.running:
                await self.telegram.stop()
            await self.telegram.shutdown()
        if self._sms_close is not None:
            await self._sms_close()


async def run_bot(settings: Settings) -> int:
    """`vikariebot run`: start everything and run until SIGINT/SIGTERM."""
    if settings.telegram_token is None and not settings.twilio_account_sid:
        log.warning(
            "Neither VIKARIE_TELEGRAM_TOKEN nor Twilio is set: no channel will deliver. "
            "Try `make demo` for a local run without accounts."
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with open_deps(settings) as deps:
        bot = VikarieBot(deps)
        await bot.start()
        try:
            await stop.wait()
        finally:
            await bot.stop()
    return 0


def deps_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Deps:
    deps = app.bot_data["deps"]
    assert isinstance(deps, Deps)
    return deps
