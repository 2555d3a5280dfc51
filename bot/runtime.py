"""Build the pieces every command needs from the settings."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.domain.rules import RuleSettings
from bot.services.deps import Deps
from storage.db import Database
from storage.migrate import upgrade


@contextlib.asynccontextmanager
async def open_deps(
    settings: Settings, clock: Clock | None = None, *, migrate: bool = True
) -> AsyncIterator[Deps]:
    """A migrated database and the use-case dependencies; the engine closes on exit."""
    db = Database(settings.database_url)
    try:
        if migrate:
            await upgrade(db)
        yield Deps(
            db=db,
            clock=clock or SystemClock(),
            settings=settings,
            rules=RuleSettings.from_settings(settings),
        )
    finally:
        await db.close()


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL, and Telegram URLs carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
