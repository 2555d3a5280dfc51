"""Exports for payroll and time reporting through the real CLI on a real SQLite file:
read back with the csv module as Swedish Excel would get them (`;`, BOM, decimal comma),
a formula-looking name stays text, absences carry the category only."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cli import main as cli_main
from bot.domain import intents
from bot.domain.intents import FillByHand
from bot.domain.model import AbsenceCategory
from bot.services import absence, answers, coordinator
from storage import tables as t
from storage import vacancies
from storage.db import Database
from tests.builders import World, cli_database, local, make_deps, person_of, report_absent

EVIL = '=HYPERLINK("http://evil.example","klicka")'


async def _month(db: Database) -> None:
    """Tuesday: Anna (Norr) is home with a sick child, Eva takes her day by SMS.
    Friday: Bo (Söder) is sick, the coordinator books Mio by hand for the evening.
    Anna is also away on the 10th, with no shift to cover."""
    w = World(db)
    await w.unit("norr")
    await w.unit("soder")
    await w.staff("anna", "norr", name="Anna Andersson")
    await w.staff("bo", "soder", name="Bo Berg")
    await w.sub("eva", name=EVIL)
    await w.sub("mio", name="Mio Jasson", tier="pool", introduced=["soder"])
    await w.person("kim", roles=[("coordinator", "soder")], quals=(), name="Kim Samordnare")
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("s-eve", "soder", "bo", "2026-12-04 15:00", "2026-12-04 23:00")
    deps = make_deps(db, "2026-11-30 08:00")
    vid = await report_absent(deps, "anna", "s-day", "sms", AbsenceCategory.VAB)
    async with db.read() as conn:
        offers = {o.person_id: o.id for o in await vacancies.offers_for(conn, vid)}
    assert (
        await answers.accept(deps, "eva", intents.Accept(offers["eva"]), "sms")
    ).booking_id is not None
    vid = await report_absent(deps, "bo", "s-eve", "telegram", AbsenceCategory.SJUK)
    kim = await person_of(deps, "kim")
    done = await coordinator.fill(deps, kim, FillByHand(vid, "mio", "test"), "telegram")
    assert done.outcome == coordinator.FillOutcome.BOOKED
    period = (local("2026-12-10 00:00"), local("2026-12-11 00:00"))
    await absence.report_absence(deps, "anna", AbsenceCategory.ANNAT, "sms", period=period)


@pytest.fixture
def sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return cli_database(tmp_path, monkeypatch, _month)


def _read(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, for Excel"
    assert b"\r\n" in raw
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_bookings_export(sqlite_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = sqlite_file / "bookings.csv"
    args = ["export", "bookings", "--from", "2026-12-01", "--to", "2026-12-31", "--out", str(out)]
    assert cli_main(args) == 0
    assert capsys.readouterr().err.strip() == f"2 bokningar, 2026-12-01–2026-12-31 → {out}"
    rows = _read(out)
    assert list(rows[0]) == [
        "Person-id", "Namn", "Anställningsform", "Enhet", "Enhets-id", "Datum", "Start",
        "Slutdatum", "Slut", "Timmar", "Dag", "Kväll", "Natt", "Helg", "Bokningssätt",
        "Bokad av", "Boknings-id", "Pass-id",
    ]
    eva, mio = rows
    assert eva["Namn"] == "'" + EVIL  # text, not a formula
    assert (eva["Enhet"], eva["Datum"], eva["Start"], eva["Slut"]) == (
        "Hemtjänst Norr", "2026-12-01", "07:00", "16:00")
    assert (eva["Timmar"], eva["Dag"], eva["Kväll"], eva["Natt"], eva["Helg"]) == (
        "9", "9", "0", "0", "0")
    assert (eva["Anställningsform"], eva["Bokningssätt"], eva["Bokad av"]) == (
        "timvikarie", "förfrågan, SMS", "")
    # Friday 15-23: four day hours, then the weekend from 19:00.
    assert (mio["Timmar"], mio["Dag"], mio["Helg"]) == ("8", "4", "4")
    assert (mio["Anställningsform"], mio["Bokningssätt"], mio["Bokad av"]) == (
        "pool", "för hand", "kim")
    assert "vab" not in out.read_text(encoding="utf-8-sig")

    assert cli_main([*args[:-1], str(out), "--unit", "soder"]) == 0
    assert [r["Person-id"] for r in _read(out)] == ["mio"]
    assert cli_main(["export", "bookings", "--from", "2026-12-02", "--to", "2026-12-03"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].startswith("Person-id;Namn;")
    assert len(captured.out.splitlines()) == 1 and "0 bokningar" in captured.err


def test_absences_export(sqlite_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = sqlite_file / "absences.csv"
    args = ["export", "absences", "--from", "2026-12-01", "--to", "2026-12-31", "--out", str(out)]
    assert cli_main(args) == 0
    assert "3 frånvarorader" in capsys.readouterr().err
    assert out.stat().st_mode & 0o777 == 0o600  # names and absence categories: owner only
    rows = _read(out)
    assert list(rows[0]) == [
        "Person-id", "Namn", "Orsak", "Enhet", "Enhets-id", "Datum", "Start", "Slutdatum",
        "Slut", "Timmar", "Frånvaro-id", "Pass-id",
    ]
    assert [(r["Person-id"], r["Orsak"], r["Enhets-id"], r["Timmar"], r["Pass-id"])
            for r in rows] == [
        ("anna", "vab", "norr", "9", "s-day"),
        ("bo", "sjuk", "soder", "8", "s-eve"),
        ("anna", "annat", "", "", ""),
    ]
    assert cli_main([*args, "--unit", "norr"]) == 0
    assert [r["Pass-id"] for r in _read(out)] == ["s-day"]

    async def logged() -> list[str]:
        db = Database(f"sqlite+aiosqlite:///{sqlite_file / 'v.db'}")
        async with db.read() as conn:
            got = [r[0] for r in await conn.execute(
                sa.select(t.audit_log.c.action).where(t.audit_log.c.object_type == "export"))]
        await db.close()
        return got

    assert asyncio.run(logged()) == ["absences_exported", "absences_exported"]


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
    assert cli_main(["export", "bookings", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert said in err and len(err.splitlines()) == 1
