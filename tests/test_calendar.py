"""Private calendar links: the iCal route in-process through httpx.ASGITransport, a new link
replacing the old, revoking, and every kind of wrong token answered 404 (never 5xx)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import sqlalchemy as sa

from bot.domain import intents
from bot.domain.ical import CalendarEvent, fold, render_calendar
from bot.domain.model import AbsenceCategory
from bot.services import answers, calendar
from bot.web import build_web_app
from storage import tables as t
from storage import vacancies
from storage.db import Database
from tests.builders import World, make_deps, report_absent

PUBLIC = "https://vikarie.example.se"


async def _world(db: Database) -> None:
    w = World(db)
    await w.unit("norr")
    await w.staff("anna", "norr", name="Anna Andersson")
    await w.staff("britt", "norr", name="Britt Berg")
    await w.sub("mio", name="Mio Jasson")
    await w.shift("s-1", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("s-2", "norr", "britt", "2026-12-02 15:00", "2026-12-02 22:00")
    deps = make_deps(db, "2026-11-30 08:00")
    for who, shift in (("anna", "s-1"), ("britt", "s-2")):
        vid = await report_absent(deps, who, shift, "sms", AbsenceCategory.SJUK)
        async with db.read() as conn:
            offer = next(o for o in await vacancies.offers_for(conn, vid) if o.person_id == "mio")
        assert (await answers.accept(deps, "mio", intents.Accept(offer.id), "telegram")).booking_id


def _client(db: Database) -> httpx.AsyncClient:
    deps = make_deps(db, "2026-11-30 09:00", public_url=PUBLIC)
    app = build_web_app(deps)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def _path(url: str) -> str:
    assert url.startswith(PUBLIC + "/ical/") and url.endswith(".ics")
    return url.removeprefix(PUBLIC)


async def test_the_calendar_holds_the_persons_bookings(db: Database) -> None:
    await _world(db)
    deps = make_deps(db, "2026-11-30 09:00", public_url=PUBLIC)
    link = await calendar.new_link(deps, "mio", "telegram")
    assert link is not None
    async with _client(db) as client:
        r = await client.get(_path(link.url))
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    raw = r.content
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    text = raw.decode("utf-8").replace("\r\n ", "")  # unfolded
    logical = text.split("\r\n")[:-1]
    stack: list[str] = []
    for line in logical:  # BEGIN/END balanced and nested
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
        elif line.startswith("END:"):
            assert stack.pop() == line[4:]
    assert not stack and logical[0] == "BEGIN:VCALENDAR" and logical[-1] == "END:VCALENDAR"
    assert logical.count("BEGIN:VEVENT") == 2
    assert "DTSTART:20261201T060000Z" in logical and "DTEND:20261201T150000Z" in logical
    assert "DTSTART:20261202T140000Z" in logical
    assert logical.count("SUMMARY:Pass: Hemtjänst Norr") == 2
    uids = [line for line in logical if line.startswith("UID:")]
    assert len(set(uids)) == 2
    for word in ("Anna", "Britt", "sjuk", "Mio"):
        assert word not in text, word
    async with _client(db) as client:  # the same UIDs again: calendars update, not duplicate
        again = (await client.get(_path(link.url))).text.replace("\r\n ", "")
    assert [x for x in again.split("\r\n") if x.startswith("UID:")] == uids


async def test_a_new_link_replaces_the_old_and_revoke_ends_it(db: Database) -> None:
    await _world(db)
    deps = make_deps(db, "2026-11-30 09:00", public_url=PUBLIC)
    old = await calendar.new_link(deps, "mio", "telegram")
    new = await calendar.new_link(deps, "mio", "telegram")
    assert old and new and old.url != new.url
    async with _client(db) as client:
        assert (await client.get(_path(old.url))).status_code == 404
        assert (await client.get(_path(new.url))).status_code == 200
        assert await calendar.revoke(deps, "mio", "mio", "telegram")
        assert not await calendar.revoke(deps, "mio", "mio", "telegram")
        assert (await client.get(_path(new.url))).status_code == 404
    async with db.read() as conn:
        assert (await conn.execute(sa.select(t.ical_tokens))).first() is None
        actions = [r[0] for r in await conn.execute(sa.select(t.audit_log.c.action))]
    assert actions.count("calendar_link_created") == 2 and "calendar_link_revoked" in actions
    assert make_deps(db, "2026-11-30 09:00").settings.public_url is None
    assert await calendar.new_link(make_deps(db, "2026-11-30 09:00"), "mio", "telegram") is None


async def test_a_deactivated_person_has_no_calendar(db: Database) -> None:
    await _world(db)
    deps = make_deps(db, "2026-11-30 09:00", public_url=PUBLIC)
    link = await calendar.new_link(deps, "mio", "telegram")
    assert link is not None
    async with _client(db) as client:
        assert (await client.get(_path(link.url))).status_code == 200
        async with db.write() as conn:
            await conn.execute(sa.update(t.people).where(t.people.c.id == "mio").values(
                active=False))
        assert (await client.get(_path(link.url))).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/ical/" + "A" * 43 + ".ics",  # the right shape, no such token
        "/ical/" + "A" * 5000 + ".ics",
        "/ical/%C3%A5%C3%A4%C3%B6" + "x" * 40 + ".ics",
        "/ical/%00.ics",
        "/ical/..%2F..%2Fetc%2Fpasswd.ics",
        "/ical/../health.ics",
        "/ical/.ics",
        "/ical/%E2%80%AE" + "A" * 43 + ".ics",
        "/ical/" + "A" * 43,
        "/ical/%FF%FE.ics",
    ],
)
async def test_wrong_tokens_are_404(db: Database, path: str) -> None:
    await _world(db)
    async with _client(db) as client:
        r = await client.get(path)
    assert r.status_code == 404


async def test_the_hash_alone_is_not_a_token(db: Database) -> None:
    await _world(db)
    deps = make_deps(db, "2026-11-30 09:00", public_url=PUBLIC)
    assert await calendar.new_link(deps, "mio", "telegram")
    async with db.read() as conn:
        stored = (await conn.execute(sa.select(t.ical_tokens.c.token_hash))).scalar_one()
    async with _client(db) as client:
        assert (await client.get(f"/ical/{stored}.ics")).status_code == 404


def test_folding_and_escaping() -> None:
    long = "Pass: " + "Hemtjänst Östra Söder, natt; 'Å'\\" * 6
    event = CalendarEvent("b-1@x", dt.datetime(2026, 12, 1, 6, tzinfo=dt.UTC),
                          dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC),
                          dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC), long, "Rad1\nRad2")
    body = render_calendar("Kal", [event]).encode("utf-8")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    body.decode("utf-8")  # never cut inside a character
    unfolded = body.decode("utf-8").replace("\r\n ", "")
    assert "SUMMARY:Pass: Hemtjänst Östra Söder\\, natt\\; 'Å'\\\\" in unfolded
    assert "LOCATION:Rad1\\nRad2" in unfolded
    assert fold("x" * 75) == "x" * 75 and fold("x" * 76) == "x" * 75 + "\r\n x"
    assert all(len(p.encode()) <= 75 for p in fold("å" * 100).split("\r\n"))
