"""The one wiring function: every part of the running bot is built and started here, in order.

Order matters:
1. database (migrated) and use-case dependencies;
2. outbound channels (Telegram Bot, Twilio client) - created inside the running loop;
3. the Telegram Application with its handlers (polling, or webhook via our web app);
4. the web app (webhooks, health, board): a webhook commits to the inbox and answers;
5. the inbox worker and the Telegram poller, the outbox dispatcher and the tick job, last,
   so that everything they hand work to exists.
Stopping runs the other way round.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application

from bot.asgi import LocalAsgiServer
from bot.channels.base import Sender
from bot.channels.dispatcher import Dispatcher, Pacing
from bot.channels.telegram import TelegramSender
from bot.clock import SystemClock
from bot.config import Settings, StartupError
from bot.runtime import open_deps
from bot.services import callout, delivery, introduction, privacy, reminders
from bot.services.deps import Deps
from bot.web import build_web_app
from handlers.inbox import InboxWorker, TelegramPoller
from handlers.telegram.persistence import DbPersistence

log = logging.getLogger(__name__)

REMINDER_CHECK_SECONDS = 60  # how often due evening-before reminders are looked for


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
        self.inbox: InboxWorker | None = None
        self._poller: TelegramPoller | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._sms_close: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self._scheduler: AsyncIOScheduler | None = None
        self._web: LocalAsgiServer | None = None

    async def start(self) -> None:
        """Start every part. A part that cannot start raises StartupError (one line); the
        caller then calls stop(), which also closes what had started."""
        s = self.settings
        for line in s.off_reasons():
            log.info("%s", line)
        # 2 + 3: Telegram
        if s.telegram_token is not None:
            # Updates reach the handlers only through the inbox (handlers/inbox.py): our
            # own polling loop or the webhook commits them first; no PTB Updater.
            builder = (
                Application.builder()
                .token(s.telegram_token.get_secret_value())
                .base_url(s.telegram_api_url)
                .rate_limiter(AIORateLimiter(max_retries=0))
                .updater(None)
                .persistence(DbPersistence(self.deps))  # dialogue state, with each update
            )
            app = builder.build()
            app.bot_data["deps"] = self.deps
            from handlers.telegram import on_startup, register

            register(app)
            self.telegram = app
            async with _telegram_start_failure(s.telegram_api_url):
                await app.initialize()
                if s.telegram_webhook:
                    assert s.public_url is not None and s.webhook_secret is not None
                    # One connection: Telegram sends the next update once the last is
                    # committed, so updates reach the inbox in their order.
                    await app.bot.set_webhook(
                        f"{s.public_url.rstrip('/')}/telegram",
                        secret_token=s.webhook_secret.get_secret_value(),
                        allowed_updates=Update.ALL_TYPES,
                        max_connections=1,
                    )
                else:
                    # getUpdates answers 409 while a webhook is set: polling takes over.
                    await app.bot.delete_webhook(drop_pending_updates=False)
                    self._poller = TelegramPoller(self.deps, app)
                await app.start()
                await on_startup(app)  # the command menu, in Swedish and English
            self.senders["telegram"] = TelegramSender(app.bot)
        # 2: SMS
        sms_routes = []
        if s.sms_enabled:
            from bot.channels.sms import TwilioSender
            from handlers.sms.webhook import sms_routes as build_sms_routes

            sender = TwilioSender.from_settings(
                s, on_opt_out=functools.partial(delivery.mark_opted_out, self.deps)
            )
            self.senders["sms"] = sender
            self._sms_close = sender.close
            if s.public_url is not None:  # Twilio's signatures are checked against it
                sms_routes = build_sms_routes(self.deps)
        # 4: web
        if self.want_web:
            web_app = build_web_app(self.deps, self.telegram, sms_routes)
            self._web = LocalAsgiServer(web_app, s.http_host, s.http_port,
                                        trusted_proxies=s.trusted_proxies)
            try:
                await self._web.start()
            except OSError as exc:
                raise StartupError(
                    f"Kan inte lyssna på {s.http_host}:{s.http_port} ({exc.strerror or exc}): "
                    "porten är upptagen eller adressen fel (VIKARIE_HTTP_HOST, VIKARIE_HTTP_PORT)."
                ) from None
        # 5: inbox worker, poller, dispatcher and ticker
        self.inbox = InboxWorker(self.deps, self.telegram)
        self._tasks.append(asyncio.create_task(self.inbox.run_forever(), name="inbox"))
        if self._poller is not None:
            self._poll_task = asyncio.create_task(self._poller.run_forever(), name="polling")
        # The send budget runs on real time; a fake clock (demo, tests) does not move by
        # itself, so waiting on it would never end.
        clock = self.deps.clock
        pacing = Pacing(clock) if isinstance(clock, SystemClock) else None
        self.dispatcher = Dispatcher(self.deps, self.senders, pacing=pacing)
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
            # The evening-before reminders: due from VIKARIE_REMINDER_TIME, checked every
            # minute so a restart later in the evening still sends (the database marks them).
            self._scheduler.add_job(
                self.remind_bookings,
                "interval",
                seconds=REMINDER_CHECK_SECONDS,
                max_instances=1,
                coalesce=True,
                id="booking-reminders",
            )
            self._scheduler.add_job(
                self.purge, "interval", hours=24, max_instances=1, coalesce=True, id="retention"
            )
            self._scheduler.start()
        log.info(
            "Vikariebot started: channels %s; web %s",
            ", ".join(self.senders) or "none",
            f"http://{self._web.host}:{self._web.port}" if self._web else "off",
        )

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

    async def remind_bookings(self) -> None:
        try:
            await reminders.send_reminders(self.deps)
        except Exception:
            log.exception("booking reminders failed; the next run will try again")

    async def purge(self) -> None:
        try:
            await privacy.purge_old_absences(self.deps)
            await privacy.purge_old_inbox(self.deps)
        except Exception:
            log.exception("retention purge failed; the next run will try again")

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        if self._poller is not None:
            self._poller.stop()
        if self._poll_task is not None:  # a getUpdates call in flight confirms nothing
            self._poll_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poll_task
            self._poll_task = None
        if self.inbox is not None:
            self.inbox.stop()
        if self.dispatcher is not None:
            self.dispatcher.stop()
        if self._web is not None:
            await self._web.stop()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=5)
        self._tasks.clear()
        if self.telegram is not None:
            if self.telegram.running:
                await self.telegram.stop()
            with contextlib.suppress(Exception):  # an app whose initialize() failed half-way
                await self.telegram.shutdown()
        if self._sms_close is not None:
            await self._sms_close()


async def run_bot(settings: Settings) -> int:
    """`vikariebot run`: start everything and run until SIGINT/SIGTERM."""
    if settings.telegram_token is None and not settings.sms_enabled:
        log.warning(
            "Varken Telegram eller SMS är inställt: inga meddelanden levereras. "
            "Prova `make demo` för en lokal körning utan konton."
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with open_deps(settings) as deps:
        bot = VikarieBot(deps)
        try:
            await bot.start()
            await stop.wait()
        finally:
            await bot.stop()
    log.info("Vikariebot stopped")
    return 0


@contextlib.asynccontextmanager
async def _telegram_start_failure(api_url: str) -> AsyncIterator[None]:
    """Telegram's answers at start-up as one line each (the traceback goes to DEBUG)."""
    host = urlsplit(api_url).netloc or api_url
    try:
        yield
    except InvalidToken:
        raise StartupError(
            f"Telegram ({host}) avvisar VIKARIE_TELEGRAM_TOKEN: kontrollera token från @BotFather."
        ) from None
    except NetworkError as exc:  # TimedOut is a NetworkError
        log.debug("Telegram at start-up", exc_info=True)
        raise StartupError(
            f"Telegram ({host}) svarar inte: {type(exc).__name__}. "
            "Kontrollera nätet och VIKARIE_TELEGRAM_API_URL."
        ) from None
    except TelegramError as exc:
        log.debug("Telegram at start-up", exc_info=True)
        raise StartupError(f"Telegram ({host}) vägrar starta boten: {exc.message}") from None


def deps_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Deps:
    deps = app.bot_data["deps"]
    assert isinstance(deps, Deps)
    return deps
