"""The desk's staffing report and introductions, in-process through httpx.ASGITransport on a
real SQLite file: the CLI's figures and CSV, scoped to one's own units; bad dates are a 400
that says why; the introductions a coordinator sees are those of their units, stalled ones
marked as the reminders would."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import httpx
import pytest

from bot.clock import FakeClock
from bot.domain import intents
from bot.domain.model import AbsenceCategory
from bot.services import answers, desk_auth, introduction, reports
from bot.web import build_web_app
from storage import vacancies
from storage.db import Database
from tests.builders import World, make_deps, report_absent
from tests.desk.links import logged_in

PUBLIC = "https://vikarie.example.se"
NOW = "2026-12-20 09:00"
DECEMBER = "from=2026-12-01&to=2026-12-31"


async def _world(db: Database) -> None:
    """Norr (Kim): Anna away (vab) Tue 1/12, Eva takes it 12 minutes after the report.
    Söder (Ulla): Bo away (sjuk) Fri 4/12, nobody takes it. Sam coordinates both; Hanna is
    Norr's handledare (no coordinator)."""
    w = World(db)
    await w.unit("norr")
    await w.unit("soder")
    await w.person("kim", roles=[("coordinator", "norr")], name="Kim Samordnare")
    await w.person("ulla", roles=[("coordinator", "soder")], name="Ulla Samordnare")
    await w.person("sam", roles=[("coordinator", "norr"), ("coordinator", "soder")],
                   language="en", name="Sam Both")
    await w.person("hanna", roles=[("staff", "norr"), ("handledare", "norr")],
                   introduced=["norr"], name="Hanna Handledare")
    await w.staff("anna", "norr")
    await w.staff("bo", "soder")
    await w.sub("eva", introduced=("norr", "soder"), name="Eva Vikarie")
    await w.sub("nova", introduced=(), name="Nova Ny")
    await w.sub("sixten", introduced=(), name="Sixten Södervikarie")
    await w.shift("s-norr", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("s-soder", "soder", "bo", "2026-12-04 15:00", "2026-12-04 23:00")
    deps = make_deps(db, "2026-11-30 08:00")
    clock = deps.clock
    assert isinstance(clock, FakeClock)
    vid = await report_absent(deps, "anna", "s-norr", "sms", AbsenceCategory.VAB)
    async with db.read() as conn:
        offers = {o.person_id: o.id for o in await vacancies.offers_for(conn, vid)}
    clock.advance(dt.timedelta(minutes=12))
    assert (
        await answers.accept(deps, "eva", intents.Accept(offers["eva"]), "sms")
    ).booking_id is not None
    await report_absent(deps, "bo", "s-soder", "telegram", AbsenceCategory.SJUK)


def _deps(db: Database, now: str = NOW) -> Any:
    return make_deps(db, now, public_url=PUBLIC)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


async def test_the_report_page_has_the_form_figures_and_charts(db: Database) -> None:
    await _world(db)
    async with logged_in(_deps(db), "kim") as client:
        board = await client.get("/desk/")
        assert 'href="/desk/report"' in board.text and 'href="/desk/intro"' in board.text
        page = await client.get(f"/desk/report?{DECEMBER}")
    assert page.status_code == 200
    text = page.text
    assert '<label for="report-from">' in text and 'id="report-from"' in text
    assert 'type="checkbox" name="unit" value="norr" checked' in text
    assert "soder" not in text.lower() and "Söder" not in text
    assert "Hemtjänst Norr" in text and "Totalt" in text
    assert "<th scope=\"row\">VAB</th><td>&lt;3</td><td>&lt;3</td>" in text  # health data
    assert "<th scope=\"row\">tis</th><td>1</td><td>1</td>" in text
    assert "<th scope=\"row\">timvikarie</th><td>1</td><td>1</td>" in text  # who covered
    assert "<th scope=\"row\">median</th><td>12 min</td>" in text
    assert "1 av 1 (100 %)" in text
    assert "<th scope=\"row\">timvikarie</th><td>9</td>" in text  # hours by tier
    # The charts: inline SVG with a title and a description, no script, no style.
    assert text.count("<svg") == 3 and "<title id=\"chart-1-t\">Vem täckte</title>" in text
    assert "timvikarie: 1" in text and "tis: 1" in text
    assert "<script" not in text and "style=" not in text
    # The download is the period and units shown, whatever "today" is when it is clicked.
    assert f'href="/desk/report.csv?{DECEMBER.replace("&", "&amp;")}&amp;unit=norr"' in text


async def test_the_default_period_is_the_last_30_days_of_all_ones_units(db: Database) -> None:
    await _world(db)
    async with logged_in(_deps(db, "2026-12-30 09:00"), "sam") as client:
        page = await client.get("/desk/report")
    assert page.status_code == 200
    assert 'value="2026-12-01"' in page.text and 'value="2026-12-30"' in page.text
    assert "Hemtjänst Norr" in page.text and "Hemtjänst Soder" in page.text
    assert "Who covered" in page.text and "hourly substitute" in page.text  # Sam reads English
    assert 'value="soder" checked' in page.text


async def test_the_csv_is_the_clis_for_ones_units(db: Database) -> None:
    await _world(db)
    deps = _deps(db)
    async with logged_in(deps, "kim") as client:
        got = await client.get(f"/desk/report.csv?{DECEMBER}")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/csv")
    assert got.headers["content-disposition"] == (
        'attachment; filename="bemanning-2026-12-01-2026-12-31.csv"')
    expected = io.StringIO(newline="")
    reports.write_report_csv(await reports.staffing_report(
        deps, dt.date(2026, 12, 1), dt.date(2026, 12, 31), ["norr"]), expected)
    assert got.text == expected.getvalue()
    rows = _rows(got.text)
    assert [r["unit"] for r in rows] == ["norr", reports.TOTAL]
    assert rows[1]["vacancies"] == "1" and rows[1]["covered_by_hourly"] == "1"


@pytest.mark.parametrize("path", ["/desk/report", "/desk/report.csv"])
async def test_another_units_figures_are_refused(db: Database, path: str) -> None:
    await _world(db)
    async with logged_in(_deps(db), "kim") as client:
        for query in ("unit=soder", "unit=norr&unit=soder", "unit=nowhere"):
            got = await client.get(f"{path}?{DECEMBER}&{query}")
            assert got.status_code == 403
            assert "dina egna enheter" in got.text
            assert "Hemtjänst Soder" not in got.text and "soder," not in got.text


@pytest.mark.parametrize(("query", "said"), [
    ("from=2026-13-01&to=2026-12-31", "ÅÅÅÅ-MM-DD"),
    ("from=igår&to=2026-12-31", "ÅÅÅÅ-MM-DD"),
    ("from=2026-12-31&to=2026-12-01", "före den första"),
    ("from=2020-01-01&to=2026-12-31", "högst ett år"),
])
async def test_bad_dates_are_a_400_that_says_why(db: Database, query: str, said: str) -> None:
    await _world(db)
    async with logged_in(_deps(db), "kim") as client:
        for path in ("/desk/report", "/desk/report.csv"):
            got = await client.get(f"{path}?{query}")
            assert got.status_code == 400
            assert said in got.text


async def test_the_report_needs_a_session(db: Database) -> None:
    await _world(db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_web_app(_deps(db))),
                                 base_url=PUBLIC) as client:
        got = await client.get(f"/desk/report.csv?{DECEMBER}")
    assert got.status_code == 303 and got.headers["location"] == "/desk/login"


# ---------- introductions ----------


async def test_the_introductions_of_ones_units_with_the_stalled_marked(db: Database) -> None:
    await _world(db)
    deps = _deps(db, "2026-12-01 10:00")
    async with db.write() as conn:
        assert await introduction.start_checklist(conn, deps, "nova", "norr") is not None
        assert await introduction.start_checklist(conn, deps, "sixten", "soder") is not None
    async with logged_in(deps, "kim") as client:
        fresh = await client.get("/desk/intro")
    assert fresh.status_code == 200
    assert "Nova Ny" in fresh.text and "Hemtjänst Norr" in fresh.text
    assert "0/20" in fresh.text and "0/2" in fresh.text
    assert "Sixten" not in fresh.text and "Soder" not in fresh.text
    assert "stått still" not in fresh.text
    assert "<script" not in fresh.text and "style=" not in fresh.text
    # Seven days without progress: stalled, as the reminders count it.
    async with logged_in(_deps(db, "2026-12-08 10:00"), "kim") as client:
        stale = await client.get("/desk/intro")
    assert 'class="stalled"' in stale.text and "har stått still i 7 dagar" in stale.text
    async with logged_in(_deps(db, "2026-12-08 10:00"), "ulla") as client:
        other = await client.get("/desk/intro")
    assert "Sixten Södervikarie" in other.text and "Nova" not in other.text


async def test_no_introductions_says_so(db: Database) -> None:
    await _world(db)
    async with logged_in(_deps(db), "kim") as client:
        page = await client.get("/desk/intro")
    assert page.status_code == 200 and "Inga introduktioner pågår" in page.text


async def test_a_handledare_has_no_desk(db: Database) -> None:
    await _world(db)
    assert await desk_auth.create_link(_deps(db), "hanna") is None
