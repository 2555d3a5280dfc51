"""A fresh PostgreSQL database for a bench run, dropped afterwards."""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import AsyncIterator

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine


@contextlib.asynccontextmanager
async def fresh_database(url: str, prefix: str = "vik_bench") -> AsyncIterator[str]:
    """Create a new database on the server `url` names; yield its URL; drop it."""
    name = f"{prefix}_{hashlib.sha256(str(time.time()).encode()).hexdigest()[:10]}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
