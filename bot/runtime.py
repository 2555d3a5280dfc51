"""Build the pieces every command needs from the settings."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from typing import TextIO

from sqlalchemy.engine import make_url

from bot.clock import Clock, SystemClock
from bot.config import Settings, StartupError
from bot.logs import JsonFormatter, Masker, install
from bot.services.deps import Deps
from storage.db import Database
from storage.migrate import upgrade

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def open_deps(
    settings: Settings, clock: Clock | None = None, *, migrate: bool = True
) -> AsyncIterator[Deps]:
    """A migrated database and the use-case dependencies; the engine closes on exit.

    A database that cannot be opened or migrated raises StartupError: one line, no traceback
    (the traceback goes to DEBUG)."""
    try:
        db = Database(settings.database_url)
    except Exception as exc:
        raise _database_failure(settings.database_url, exc) from None
    try:
        try:
            if migrate:
                await upgrade(db)
            else:
                async with db.read() as conn:
                    await conn.exec_driver_sql("SELECT 1")
        except Exception as exc:
            raise _database_failure(settings.database_url, exc) from None
        yield Deps(
            db=db,
            clock=clock or SystemClock(),
            settings=settings,
            rules=settings.rule_settings(),
        )
    finally:
        await db.close()


def _database_failure(url: str, exc: BaseException) -> StartupError:
    log.debug("database failure", exc_info=exc)
    try:
        parsed = make_url(url)
        where = parsed.database if parsed.get_backend_name() == "sqlite" else (
            f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"
        )
    except Exception:  # the address itself is broken: never print it (it may hold a password)
        where = "VIKARIE_DATABASE_URL"
    reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0][:160]
    return StartupError(
        f"Databasen går inte att öppna ({where}): {type(exc).__name__}"
        + (f": {reason}" if reason else "")
        + ". Kontrollera VIKARIE_DATABASE_URL och att databasen är igång."
    )


# Loggers of libraries that dump message bodies, SQL, request data or per-tick noise below
# these levels; they stay here even at DEBUG.
QUIET_LOGGERS: dict[str, int] = {
    "telegram": logging.INFO,  # DEBUG: whole Updates and every Bot API call's parameters
    "httpx": logging.WARNING,  # INFO: every request URL (Telegram's carries the token)
    "httpcore": logging.WARNING,
    "sqlalchemy.engine": logging.WARNING,  # INFO: every statement
    "sqlalchemy.pool": logging.WARNING,
    "aiosqlite": logging.WARNING,  # DEBUG: every call and its result
    "asyncpg": logging.WARNING,
    "twilio": logging.WARNING,  # INFO: every API request and its headers
    "apscheduler.scheduler": logging.WARNING,  # INFO: "Added job", every tick
    "apscheduler.executors.default": logging.WARNING,  # INFO: "Running job ..." every tick
    "alembic": logging.WARNING,
}

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def secret_values(settings: Settings) -> list[str]:
    """The configured secrets, which are replaced by [token] wherever a log line has them."""
    secrets = (
        settings.telegram_token,
        settings.twilio_auth_token,
        settings.webhook_secret,
        settings.board_token,
    )
    return [s.get_secret_value() for s in secrets if s is not None and s.get_secret_value()]


def setup_logging(
    level: str,
    fmt: str = "text",
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> None:
    """Log to stderr (or `stream`) at `level`, as text or one JSON object per line.

    Every handler on the root logger gets a `bot.logs.MaskFilter`: phone numbers are masked
    and the bot token, the configured `secrets` and anything shaped like a Telegram token
    become [token], at every level and for every library, since their records propagate to
    the root handlers. The loggers in QUIET_LOGGERS are held at INFO or WARNING even when
    `level` is DEBUG: below that, python-telegram-bot dumps whole Updates (the text
    "sjuk idag" and the sender's number), SQLAlchemy and the database drivers log statements
    and rows, Twilio its requests, and APScheduler two lines per tick.

    When the root logger already has handlers (a host program, pytest) and no `stream` is
    given, they are kept with their levels and formats and only masked.
    """
    root = logging.getLogger()
    level_no = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    if stream is not None or not root.handlers:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
        root.addHandler(handler)
        root.setLevel(level_no)
    masker = Masker(secrets)
    for h in root.handlers:
        install(h, masker)
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(floor, root.getEffectiveLevel()))
