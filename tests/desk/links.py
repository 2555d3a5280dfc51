"""Following a one-time desk link as a browser does: the link's page shows a button, and
pressing it (a POST with the login form's token) logs in."""

from __future__ import annotations

import re

import httpx


async def follow_link(client: httpx.AsyncClient, path: str) -> httpx.Response:
    """GET the link's page, then press its button; the POST's response (303 when it worked)."""
    page = await client.get(path)
    assert page.status_code == 200, page.status_code
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    token = re.search(r'name="token" value="([^"]*)"', page.text)
    assert csrf and token, page.text
    return await client.post("/desk/login/link",
                             data={"csrf": csrf.group(1), "token": token.group(1)})
