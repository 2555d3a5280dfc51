"""Shared fixtures: a real, migrated database per test; a network guard."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import settings

from storage.db import Database
from storage.migrate import upgrade
from tests.logstate import restored_logging

# No per-example deadline: a busy CI machine must not fail a property (speed lives in bench/).
settings.register_profile("vikarie", deadline=None)
settings.load_profile("vikarie")

PG_URL = os.environ.get("VIKARIE_TEST_POSTGRES_URL")

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    """Fail any test that tries to reach beyond this machine."""
    if isinstance(address, tuple):
        host = str(address[0])
        if not (host.startswith("127.") or host in ("::1", "localhost", "0.0.0.0")):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    with restored_logging():
        yield


@pytest.fixture(autouse=True)
def _network_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


async def _sqlite_db(tmp_path: Any) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'vikarie.db'}")
    await upgrade(db)
    try:
        yield db
    finally:
        await db.close()


async def _postgres_db() -> AsyncIterator[Database]:
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = Database(PG_URL)
    async with admin.write() as conn:
        await conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    db = Database(PG_URL, pg_search_path=schema)
    try:
        await upgrade(db)
        yield db
    finally:
        await db.close()
        async with admin.write() as conn:
            await conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.close()


@pytest.fixture
async def db(tmp_path: Any) -> AsyncIterator[Database]:
    """A real SQLite file in tmp_path with every migration applied."""
    async for d in _sqlite_db(tmp_path):
        yield d


@pytest.fixture
async def pg_db() -> AsyncIterator[Database]:
    """A fresh schema on the PostgreSQL server named by VIKARIE_TEST_POSTGRES_URL."""
    if not PG_URL:
        pytest.skip("VIKARIE_TEST_POSTGRES_URL not set")
    async for d in _postgres_db():
        yield d


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def any_db(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[Database]:
    """The same test on SQLite and, when a server is configured, on PostgreSQL."""
    if request.param == "sqlite":
        async for d in _sqlite_db(tmp_path):
            yield d
    else:
        if not PG_URL:
            pytest.skip("VIKARIE_TEST_POSTGRES_URL not set")
        async for d in _postgres_db():
            yield d
