"""Engine creation and the one write path.

SQLite (the embedded default) follows SQLAlchemy's documented pysqlite/aiosqlite
transaction recipe: the driver's own transaction handling is switched off and we emit
``BEGIN`` ourselves, ``BEGIN IMMEDIATE`` for writes, so a writer takes the lock up front
instead of failing half-way. WAL lets readers run beside the single writer.
PostgreSQL (asyncpg) runs the same code under READ COMMITTED.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000


@dataclass
class _Held:
    """A write transaction held by one task (`Database.hold`)."""

    db: Database
    conn: AsyncConnection
    task: asyncio.Task[object] | None
    open: bool = True


_HELD: contextvars.ContextVar[_Held | None] = contextvars.ContextVar("vikarie_held", default=None)


class Database:
    """Owns the async engine. Use ``write()`` for every change, ``read()`` for queries."""

    def __init__(self, url: str, *, echo: bool = False, pg_search_path: str | None = None) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        connect_args: dict[str, Any] = {}
        if self.is_sqlite:
            db_path = parsed.database
            if db_path and db_path != ":memory:" and not db_path.startswith("file:"):
                Path(db_path).parent.mkdir(parents=True, exist_ok=True)
            connect_args["timeout"] = SQLITE_BUSY_TIMEOUT_MS / 1000
        elif pg_search_path:
            connect_args["server_settings"] = {"search_path": pg_search_path}
        # hide_parameters: SQL parameters (phone numbers, names) never reach a log or an
        # exception message.
        self.engine: AsyncEngine = create_async_engine(
            url, echo=echo, hide_parameters=True, connect_args=connect_args
        )
        # One writer at a time inside this process: SQLite serialises writers anyway,
        # and queueing here is cheaper than spinning on busy_timeout in worker threads.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        if self.is_sqlite:
            _install_sqlite_recipe(self.engine)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def _held(self) -> _Held | None:
        held = _HELD.get()
        if held is None or not held.open or held.db is not self:
            return None
        return held if held.task is asyncio.current_task() else None

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction around everything inside: each `write()` of this task
        joins it as a savepoint and each `read()` reads through it, so the whole block
        commits or rolls back as one (the inbox worker: a row and all its effects)."""
        if self._held() is not None:
            raise RuntimeError("a held transaction is open in this task already")
        async with self.write() as conn:
            held = _Held(self, conn, asyncio.current_task())
            token = _HELD.set(held)
            try:
                yield conn
            finally:
                held.open = False
                _HELD.reset(token)

    @property
    def holding(self) -> bool:
        """Whether this task is inside `hold()` (its writes commit when the hold ends)."""
        return self._held() is not None

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A short write transaction (``BEGIN IMMEDIATE`` on SQLite); commits on success.
        Inside `hold()` it is a savepoint of the held transaction."""
        held = self._held()
        if held is not None:
            async with held.conn.begin_nested():
                yield held.conn
            return
        lock = self._write_lock or contextlib.nullcontext()
        async with lock, self.engine.connect() as conn:
            if self.is_sqlite:
                await conn.execution_options(vikarie_immediate=True)
            async with conn.begin():
                yield conn

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        held = self._held()
        if held is not None:  # see what this task has written so far
            yield held.conn
            return
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    async def close(self) -> None:
        await self.engine.dispose()


def _install_sqlite_recipe(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("vikarie_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


def is_transient(exc: BaseException) -> bool:
    """A PostgreSQL deadlock or serialization failure: the transaction may simply be retried."""
    orig = getattr(exc, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        code = getattr(candidate, "pgcode", None) or getattr(candidate, "sqlstate", None)
        if code in RETRYABLE_SQLSTATES:
            return True
    return False
