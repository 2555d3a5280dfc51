"""Following a one-time desk link as a browser does: the link's page shows a button, and
pressing it (a POST with the login form's token) logs in."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx

from bot.services import desk_auth
from bot.web import build_web_app


async def follow_link(client: httpx.AsyncClient, path: str) -> httpx.Response:
    """GET the link's page, then press its button; the POST's response (303 when it worked)."""
    page = await client.get(path)
    assert page.status_code == 200, page.status_code
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    token = re.search(r'name="token" value="([^"]*)"', page.text)
    assert csrf and token, page.text
    return await client.post("/desk/login/link",
                             data={"csrf": csrf.group(1), "token": token.group(1)})


@contextlib.asynccontextmanager
async def logged_in(deps: Any, who: str) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of `who`'s, logged in to the desk by a one-time link."""
    public = deps.settings.public_url
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_web_app(deps)),
                                 base_url=public) as client:
        url = await desk_auth.create_link(deps, who)
        assert url is not None
        assert (await follow_link(client, url.removeprefix(public))).status_code == 303
        yield client
