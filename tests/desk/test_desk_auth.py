"""The desk's login without passwords and its board, in-process through httpx.ASGITransport
on a real SQLite file: one-time links and codes through the person's own channel (the
outbox), sessions, CSRF, throttling, unit scope, and 4xx for what is malformed."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from bot.domain import desk_auth as rules
from bot.domain.model import AbsenceCategory
from bot.services import desk_auth
from bot.web import build_web_app
from storage import outbox
from storage import tables as t
from storage.db import Database
from tests.builders import World, make_deps, report_absent
from tests.desk.links import follow_link

PUBLIC = "https://vikarie.example.se"
COOKIE_NAME = "vikarie_desk="
NOW = "2026-12-01 05:45"


async def _world(db: Database) -> dict[str, str]:
    w = World(db)
    await w.unit("norr")
    await w.unit("soder", area="Söder")
    await w.person("kim", roles=[("coordinator", "norr")], name="Kim Samordnare")
    await w.person("ulla", roles=[("coordinator", "soder")], name="Ulla Samordnare")
    await w.staff("anna", "norr", name="Anna Andersson")
    await w.staff("bo", "soder", name="Bo Berg")
    await w.sub("mio", name="Mio Vikarie")
    await w.shift("n-1", "norr", "anna", "2026-12-01 15:00", "2026-12-01 22:00")
    await w.shift("s-1", "soder", "bo", "2026-12-02 07:00", "2026-12-02 16:00")
    deps = make_deps(db, NOW)
    await report_absent(deps, "anna", "n-1", "sms", AbsenceCategory.SJUK)
    await report_absent(deps, "bo", "s-1", "sms", AbsenceCategory.VAB)
    async with db.read() as conn:
        phones = {r.id: r.phone for r in await conn.execute(sa.select(t.people))}
    return phones


def _deps(db: Database, **settings: Any) -> Any:
    return make_deps(db, NOW, public_url=PUBLIC, **settings)


def _client(deps: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=build_web_app(deps)),
                             base_url="https://vikarie.example.se")


def _path(url: str) -> str:
    return url.removeprefix(PUBLIC)


async def test_no_desk_without_a_public_address(db: Database) -> None:
    deps = make_deps(db, NOW)
    async with _client(deps) as client:
        assert (await client.get("/desk/")).status_code == 404
        assert (await client.get("/desk/login")).status_code == 404


async def test_a_link_logs_in_once_and_the_board_keeps_to_ones_units(db: Database) -> None:
    await _world(db)
    deps = _deps(db)
    assert await desk_auth.create_link(deps, "mio") is None  # a substitute: no desk
    url = await desk_auth.create_link(deps, "kim")
    assert url is not None and url.startswith(PUBLIC + "/desk/login/")
    async with _client(deps) as client:
        assert (await client.get("/desk/")).status_code == 303  # to the login page
        shown = await client.get(_path(url))  # a link preview fetching it changes nothing
        assert shown.status_code == 200 and 'name="token"' in shown.text
        assert (await client.get(_path(url))).status_code == 200
        r = await follow_link(client, _path(url))
        assert r.status_code == 303 and r.headers["location"] == "/desk/"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
        board = await client.get("/desk/")
        assert board.status_code == 200
        assert "Hemtjänst Norr" in board.text or "Norr" in board.text
        assert "15:00–22:00" in board.text and "07:00–16:00" not in board.text  # not Söder's
        assert "Anna" not in board.text  # who is absent is nobody's business on the board
        assert board.headers["content-security-policy"].startswith("default-src 'self'")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=build_web_app(deps)), base_url=PUBLIC
        ) as other:
            again = await follow_link(other, _path(url))
        assert again.status_code == 400  # single use


async def _login_page(client: httpx.AsyncClient) -> str:
    page = await client.get("/desk/login")
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


async def _codes(db: Database, person: str) -> list[str]:
    async with db.read() as conn:
        items = [i for i in await outbox.all_items(conn)
                 if i.kind == "desk_login" and i.person_id == person]
    return [re.search(r"\d{3} \d{3}", i.message.text).group(0).replace(" ", "")  # type: ignore[union-attr]
            for i in items]


async def test_a_code_through_the_persons_own_channel(db: Database) -> None:
    phones = await _world(db)
    deps = _deps(db)
    async with _client(deps) as client:
        csrf = await _login_page(client)
        sent = await client.post("/desk/login", data={"csrf": csrf, "phone": phones["kim"]})
        assert sent.status_code == 200 and "gäller i 10 minuter" in sent.text
        unknown = await client.post("/desk/login", data={"csrf": csrf, "phone": "0701112233"})
        mio = await client.post("/desk/login", data={"csrf": csrf, "phone": phones["mio"]})
        # Nothing tells a coordinator's number from anyone else's.
        assert sent.status_code == unknown.status_code == mio.status_code == 200
        assert unknown.text.replace("0701112233", "X") == sent.text.replace(phones["kim"], "X")
        [code] = await _codes(db, "kim")
        assert await _codes(db, "mio") == []
        wrong = await client.post("/desk/login/code",
                                  data={"csrf": csrf, "phone": phones["kim"], "code": "000000"
                                        if code != "000000" else "111111"})
        assert wrong.status_code == 400
        ok = await client.post("/desk/login/code",
                               data={"csrf": csrf, "phone": phones["kim"], "code": code})
        assert ok.status_code == 303
        assert (await client.get("/desk/")).status_code == 200
        reused = await client.post("/desk/login/code",
                                   data={"csrf": csrf, "phone": phones["kim"], "code": code})
        assert reused.status_code in (400, 403)  # used (and the login form's cookie is gone)


async def test_codes_are_throttled_and_guessing_stops_them(db: Database) -> None:
    phones = await _world(db)
    deps = _deps(db)
    async with _client(deps) as client:
        csrf = await _login_page(client)
        for _ in range(rules.MAX_CODES_PER_PERSON + 2):
            await client.post("/desk/login", data={"csrf": csrf, "phone": phones["kim"]})
        codes = await _codes(db, "kim")
        assert len(codes) == rules.MAX_CODES_PER_PERSON
        for _ in range(rules.MAX_FAILED_CODES):
            guess = next(c for c in ("123456", "654321", "111111") if c not in codes)
            await client.post("/desk/login/code",
                              data={"csrf": csrf, "phone": phones["kim"], "code": guess})
        late = await client.post("/desk/login/code",
                                 data={"csrf": csrf, "phone": phones["kim"], "code": codes[-1]})
        assert late.status_code == 400  # too many wrong codes: even the right one waits


async def test_forms_need_their_csrf_token_and_logout_ends_the_session(db: Database) -> None:
    phones = await _world(db)
    deps = _deps(db)
    async with _client(deps) as client:
        assert (await client.post("/desk/login", data={"phone": phones["kim"]})).status_code == 403
        assert await _codes(db, "kim") == []
        url = await desk_auth.create_link(deps, "kim")
        assert url is not None
        await follow_link(client, _path(url))
        assert (await client.post("/desk/logout", data={})).status_code == 403
        page = await client.get("/desk/")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        out = await client.post("/desk/logout", data={"csrf": csrf})
        assert out.status_code == 303
        client.cookies.clear()
        assert (await client.get("/desk/")).status_code == 303


@pytest.mark.parametrize("path", ["/desk/login/" + "A" * 5000, "/desk/login/%00%FF"])
async def test_a_link_page_for_any_token_changes_nothing(db: Database, path: str) -> None:
    await _world(db)
    async with _client(_deps(db)) as client:
        r = await client.get(path)
        assert r.status_code == 200 and "set-cookie" in r.headers
        assert COOKIE_NAME not in r.headers["set-cookie"]  # no session from a GET
        assert (await follow_link(client, path)).status_code == 400


@pytest.mark.parametrize("request_kw", [
    {"method": "POST", "url": "/desk/login", "files": {"phone": ("x", b"070", "text/plain")}},
    {"method": "POST", "url": "/desk/login", "content": b"phone=" + b"9" * 10_000,
     "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    {"method": "POST", "url": "/desk/login/code", "content": b"\xff\xfe",
     "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    {"method": "POST", "url": "/desk/login/link", "data": {"token": "A" * 5000}},
    {"method": "POST", "url": "/desk/login/link", "data": {"csrf": "\x00", "token": "x"}},
    {"method": "GET", "url": "/desk/events"},
    {"method": "POST", "url": "/desk/logout"},
    {"method": "GET", "url": "/desk/static/../../config.py"},
])
async def test_what_is_malformed_gets_a_4xx(db: Database, request_kw: dict[str, Any]) -> None:
    await _world(db)
    async with _client(_deps(db)) as client:
        kw = dict(request_kw)
        r = await client.request(kw.pop("method"), kw.pop("url"), **kw)
    assert 300 <= r.status_code < 500, r.status_code
