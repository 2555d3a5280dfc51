"""What the desk's route modules share, built once in `bot.desk.desk_routes`: the
dependencies, a page renderer (templates with the security headers) and the session
wrapper that checks every POST's CSRF token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.services import desk_auth
from bot.services.deps import Deps

Handler = Callable[[Request, desk_auth.Current], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


class Page(Protocol):
    def __call__(self, name: str, status: int = 200, **context: Any) -> HTMLResponse: ...


@dataclass(frozen=True, slots=True)
class Kit:
    deps: Deps
    page: Page
    authed: Callable[[Handler], Endpoint]  # a session, and on POST the form's CSRF token
