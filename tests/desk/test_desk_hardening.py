"""What a review of the desk found, each fixed and kept fixed: guesses side by side cannot
outrun the wrong-code count (SQLite and PostgreSQL), every request counts against its
address, the login form needs its cookie, and dates or times that overflow are a 400."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.domain import desk_auth as rules
from bot.services import desk_auth
from storage.db import Database
from tests.desk.links import logged_in
from tests.desk.test_desk_auth import _client, _codes, _deps, _login_page, _world
from tests.desk.test_desk_vacancy import _csrf


async def test_guesses_side_by_side_burn_the_codes(any_db: Database) -> None:
    phones = await _world(any_db)
    deps = _deps(any_db)
    await desk_auth.request_code(deps, phones["kim"], "10.0.0.1")
    [code] = await _codes(any_db, "kim")
    wrong = [f"{n:06d}" for n in range(100, 130) if f"{n:06d}" != code]
    results = await asyncio.gather(
        *(desk_auth.login_with_code(deps, phones["kim"], g) for g in wrong))
    assert not any(results)
    # However many arrived at once, the count held: the right code no longer works.
    assert await desk_auth.login_with_code(deps, phones["kim"], code) is None


async def test_every_request_counts_against_its_address(db: Database) -> None:
    phones = await _world(db)
    deps = _deps(db)
    for i in range(rules.MAX_REQUESTS_PER_ADDRESS):
        await desk_auth.request_code(deps, f"07011100{i:02d}", "10.0.0.9")  # nobody's
    await desk_auth.request_code(deps, phones["kim"], "10.0.0.9")
    assert await _codes(db, "kim") == []
    await desk_auth.request_code(deps, phones["kim"], "10.0.0.10")  # another address
    assert len(await _codes(db, "kim")) == 1


async def test_the_login_form_needs_its_cookie(db: Database) -> None:
    phones = await _world(db)
    async with _client(_deps(db)) as client:
        await _login_page(client)
        client.cookies.clear()
        r = await client.post("/desk/login", data={"csrf": "\x00", "phone": phones["kim"]})
        assert r.status_code == 403
        r = await client.post("/desk/login", data={"csrf": "", "phone": phones["kim"]})
        assert r.status_code == 403
    assert await _codes(db, "kim") == []


@pytest.mark.parametrize("query", [
    "from=9999-12-31&to=9999-12-31", "from=0001-01-01&to=0001-01-01",
    "from=2026-12-01&to=9999-12-31",
])
async def test_report_dates_that_overflow_are_a_400(db: Database, query: str) -> None:
    await _world(db)
    async with logged_in(_deps(db), "kim") as client:
        assert (await client.get(f"/desk/report?{query}")).status_code == 400
        assert (await client.get(f"/desk/report.csv?{query}")).status_code == 400


@pytest.mark.parametrize(("day", "start", "end"), [
    ("9999-12-31", "22:00", "06:00"), ("2026-12-03", "07:00+05:00", "16:00"),
    ("0001-01-01", "07:00", "16:00"),
])
async def test_a_new_vacancy_with_an_impossible_time_is_a_400(
    db: Database, day: str, start: str, end: str
) -> None:
    await _world(db)
    async with logged_in(_deps(db), "kim") as client:
        csrf = await _csrf(client, "/desk/new")
        r = await client.post("/desk/new", data={
            "csrf": csrf, "unit": "norr", "date": day, "start": start, "end": end,
            "role": "usk"})
    assert r.status_code == 400, (r.status_code, re.sub(r"\s+", " ", r.text)[:200])
