"""Build the pieces every command needs from the settings."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy.engine import make_url

from bot.clock import Clock, SystemClock
from bot.config import Settings, StartupError
from bot.domain.rules import RuleSettings
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
            rules=RuleSettings.from_settings(settings),
        )
    finally:
        await db.close()


def _database_failure(url: str, exc: BaseException) -> StartupError:
    log.debug("database failure", exc_info=exc)
    parsed = make_url(url)
    where = parsed.database if parsed.get_backend_name() == "sqlite" else (
        f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"
    )
    reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0][:160]
    return StartupError(
        f"Databasen går inte att öppna ({where}): {type(exc).__name__}"
        + (f": {reason}" if reason else "")
        + ". Kontrollera VIKARIE_DATABASE_URL och att databasen är igång."
    )


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL, and Telegram URLs carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
