"""The staffing report through the real CLI on a real SQLite file: a small December whose
figures can be counted by hand, read back as CSV and as the Swedish text."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from bot.cli import main as cli_main
from bot.clock import FakeClock
from bot.domain import intents
from bot.domain.intents import CancelVacancy, FillByHand
from bot.domain.model import AbsenceCategory
from bot.services import absence, answers, callout, coordinator
from storage import vacancies
from storage.db import Database
from tests.builders import World, cli_database, local, make_deps, person_of, report_absent

EVIL_UNIT = "=cmd"  # a unit id a spreadsheet would run as a formula

# Offers the engine sent for each vacancy, counted in the world below (set by _december).
SENT: dict[str, int] = {}


async def _december(db: Database) -> None:
    """Norr: Anna (vab) on Tuesday the 1st, Eva takes it by SMS 12 minutes after the report;
    Cia (sjuk) on Wednesday the 2nd, the coordinator cancels the vacancy.
    Söder: Bo (sjuk) on Friday the 4th, the coordinator books Mio (pool) by hand after 30
    minutes; Dan's nurse shift on Thursday the 3rd finds nobody qualified and starts empty.
    Anna is also away on the 10th, with no shift to cover.
    The unit "=cmd" has nothing at all."""
    w = World(db)
    await w.unit("norr")
    await w.unit("soder")
    await w.unit(EVIL_UNIT)
    await w.staff("anna", "norr")
    await w.staff("cia", "norr")
    await w.staff("bo", "soder")
    await w.staff("dan", "soder")
    await w.sub("eva")
    await w.sub("mio", tier="pool", introduced=["soder"])
    await w.person("kim", roles=[("coordinator", "soder"), ("coordinator", "norr")], quals=())
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("s-cia", "norr", "cia", "2026-12-02 07:00", "2026-12-02 15:00")
    await w.shift("s-ssk", "soder", "dan", "2026-12-03 07:00", "2026-12-03 15:00", role="ssk")
    await w.shift("s-eve", "soder", "bo", "2026-12-04 15:00", "2026-12-04 23:00")
    deps = make_deps(db, "2026-11-30 08:00")
    clock = deps.clock
    assert isinstance(clock, FakeClock)

    vid = await report_absent(deps, "anna", "s-day", "sms", AbsenceCategory.VAB)
    async with db.read() as conn:
        offers = {o.person_id: o.id for o in await vacancies.offers_for(conn, vid)}
    SENT["s-day"] = len(offers)
    clock.advance(dt.timedelta(minutes=12))
    assert (
        await answers.accept(deps, "eva", intents.Accept(offers["eva"]), "sms")
    ).booking_id is not None

    vid = await report_absent(deps, "cia", "s-cia", "telegram", AbsenceCategory.SJUK)
    kim = await person_of(deps, "kim")
    cancelled = await coordinator.cancel(deps, kim, CancelVacancy(vid), "telegram")
    assert cancelled.outcome == coordinator.ActOutcome.DONE

    clock.set(local("2026-11-30 09:00"))
    vid = await report_absent(deps, "bo", "s-eve", "telegram", AbsenceCategory.SJUK)
    async with db.read() as conn:
        SENT["s-eve"] = len(await vacancies.offers_for(conn, vid))
    clock.advance(dt.timedelta(minutes=30))
    done = await coordinator.fill(deps, kim, FillByHand(vid, "mio", "test"), "telegram")
    assert done.outcome == coordinator.FillOutcome.BOOKED

    await report_absent(deps, "dan", "s-ssk", "sms", AbsenceCategory.SJUK)
    clock.set(local("2026-12-03 07:01"))
    await callout.tick(deps)

    period = (local("2026-12-10 00:00"), local("2026-12-11 00:00"))
    await absence.report_absence(deps, "anna", AbsenceCategory.ANNAT, "sms", period=period)


@pytest.fixture
def sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return cli_database(tmp_path, monkeypatch, _december)


def _csv(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out, newline="")))


FIRST = ["unit", "absences", "vacancies", "filled_before_start", "median_minutes_to_fill",
         "offers_per_filled"]


def test_csv_per_unit_and_total(sqlite_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["report", "--from", "2026-12-01", "--to", "2026-12-31", "--format", "csv"]
    assert cli_main(args) == 0
    out = capsys.readouterr().out
    rows = _csv(out)
    assert list(rows[0])[:6] == FIRST
    by_unit = {r["unit"]: r for r in rows}
    assert list(by_unit) == ["'" + EVIL_UNIT, "norr", "soder", "total"]  # escaped, total last
    assert SENT == {"s-day": 1, "s-eve": 1}  # the one introduced substitute, the one pool
    norr, soder, total = by_unit["norr"], by_unit["soder"], by_unit["total"]
    assert [norr[c] for c in FIRST] == ["norr", "2", "2", "1", "12", "1"]
    assert (norr["cancelled"], norr["unfilled_cancelled"], norr["filled_before_start_pct"]) == (
        "1", "1", "100")  # a cancelled vacancy is no longer needed
    assert (norr["covered_by_hourly"], norr["hours_hourly"], norr["absences_vab"]) == (
        "1", "9", "<3")  # a category count under 3 could name who is sick
    assert [soder[c] for c in FIRST] == ["soder", "2", "2", "1", "30", "1"]
    assert (soder["covered_by_hand"], soder["unfilled_no_one_to_ask"], soder["escalated"]) == (
        "1", "1", "1")
    assert (soder["hours_by_hand"], soder["hours_unfilled"], soder["filled_before_start_pct"]) == (
        "8", "8", "50")
    assert (soder["absent_shifts_thu"], soder["absent_shifts_fri"]) == ("1", "1")
    # Four vacancy absences and Anna's shiftless day off; median of 12 and 30; nearest rank.
    assert [total[c] for c in FIRST] == ["total", "5", "4", "2", "21", "1"]
    assert (total["p90_minutes_to_fill"], total["filled_before_start_pct"]) == ("30", "66.7")
    assert (total["absences_sjuk"], total["absences_vab"], total["absences_annat"]) == (
        "3", "<3", "<3")
    empty = by_unit["'" + EVIL_UNIT]
    assert (empty["vacancies"], empty["median_minutes_to_fill"], empty["offers_per_filled"]) == (
        "0", "", "")


def test_csv_for_chosen_units(sqlite_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["report", "--from", "2026-12-03", "--to", "2026-12-04", "--format", "csv"]
    assert cli_main([*args, "--unit", "soder", "--unit", "norr"]) == 0
    rows = _csv(capsys.readouterr().out)
    assert [r["unit"] for r in rows] == ["soder", "norr", "total"]  # in the order asked
    assert [(r["absences"], r["vacancies"]) for r in rows] == [("2", "2"), ("0", "0"), ("2", "2")]


def test_text(sqlite_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["report", "--from", "2026-12-01", "--to", "2026-12-31", "--unit", "soder"]
    assert cli_main(args) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Bemanningssiffror 2026-12-01 – 2026-12-31 (pass som börjar dessa dagar)",
        "",
        "Hemtjänst Soder (soder)",
        "  Frånvaro: 2 (sjuk <3); frånvarande pass per veckodag: tor 1, fre 1",
        "  Vakanser: 2 (avbrutna 0, eskalerade 1)",
        "  Tillsatta före passets start: 1 av 2 (50 %)",
        "  Täckta av: för hand 1, ej tillsatt 1",
        "  Timmar: för hand 8 h, ej tillsatt 8 h",
        "  Tid till tillsatt: median 30 min, 9 av 10 inom 30 min",
        "  Tillfrågade per tillsatt vakans: 1 (2 meddelanden)",
        "  Ej tillsatta: ingen att fråga 1",
        "",
        "Totalt",
        "  Frånvaro: 2 (sjuk <3); frånvarande pass per veckodag: tor 1, fre 1",
        "  Vakanser: 2 (avbrutna 0, eskalerade 1)",
        "  Tillsatta före passets start: 1 av 2 (50 %)",
        "  Täckta av: för hand 1, ej tillsatt 1",
        "  Timmar: för hand 8 h, ej tillsatt 8 h",
        "  Tid till tillsatt: median 30 min, 9 av 10 inom 30 min",
        "  Tillfrågade per tillsatt vakans: 1 (2 meddelanden)",
        "  Ej tillsatta: ingen att fråga 1",
    ]
    assert cli_main(["report", "--from", "2027-01-01", "--to", "2027-01-31"]) == 0
    assert "  Ingen frånvaro och inga vakanser." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--from", "2026-13-01", "--to", "2026-12-31"], "Ogiltigt datum"),
        (["--from", "1/12", "--to", "2026-12-31"], "Ogiltigt datum"),
        (["--from", "2026-12-31", "--to", "2026-12-01"], "ligger före"),
        (["--from", "2026-12-01", "--to", "2026-12-31", "--unit", "nowhere"], "okänd enhet"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    sqlite_file: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    assert cli_main(["report", *args, "--format", "csv"]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert said in err and len(err.splitlines()) == 1 and captured.out == ""
