"""Serve an ASGI app with uvicorn inside the running event loop (fakes, demo, tests, the bot)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp


class LocalAsgiServer:
    """Serve an ASGI app with uvicorn as a task of the running loop. Port 0: a free port."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0, *,
                 trusted_proxies: str = "127.0.0.1") -> None:
        self._app, self.host, self.port = app, host, port
        self._trusted = trusted_proxies
        self._server: _InProcessServer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        # Bind here: a busy port raises OSError (uvicorn would sys.exit), port 0 becomes known.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            log_config=None,  # leave the host program's logging alone
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="h11",
            ws="none",
            timeout_graceful_shutdown=2,
            # The client's address (the desk's login throttle) from X-Forwarded-For, but only
            # when the request comes from a proxy we trust.
            proxy_headers=True,
            forwarded_allow_ips=self._trusted,
        )
        self._server = _InProcessServer(config)
        self._task = asyncio.create_task(self._server.serve([sock]), name=f"asgi {self.url}")
        while not self._server.started:
            if self._task.done():
                await self._task
                raise RuntimeError(f"server on {self.url} stopped during startup")
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        self._server = self._task = None


class _InProcessServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # no SIGINT/SIGTERM handlers: Ctrl+C stays with the host program
