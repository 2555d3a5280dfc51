"""Importing what a municipality's Excel saves: Windows-1252, semicolons, Swedish column
names, CRLF, only the required columns, Excel's times and dates, and no SMS to landlines."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.domain.importer import parse_people, parse_shifts, parse_units
from bot.domain.phone import why_no_sms
from storage import tables as t
from storage.db import Database
from storage.imports import ImportResult, import_csv

TZ = ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
DATA = Path(__file__).resolve().parent / "data"
UNITS = "id,name,area\nnorr,Hemtjänst Norr,Centrum\nsoder,Hemtjänst Söder,Centrum\n"
PEOPLE_HEADER = "id,name,phone,roles,units,tier,qualifications,introduced_units,language,channel\n"
SHIFTS_HEADER = "id;enhet;person;datum;start;slut;roll\r\n"


async def run(db: Database, kind: Any, tmp_path: Path, text: str | bytes) -> ImportResult:
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return await import_csv(db, kind, path, TZ, NOW)


def messages(parsed: Any) -> list[str]:
    return [e.message for e in parsed.errors]


# --- the done-when: a file saved by Swedish Excel, through the real command line ---------


def test_a_people_file_from_swedish_excel_imports_on_the_first_try(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main as cli_main

    sample = (DATA / "people_excel_sv.csv").read_bytes()
    assert b"\r\n" in sample and b";" in sample and "Öberg".encode("cp1252") in sample
    with pytest.raises(UnicodeDecodeError):
        sample.decode("utf-8")
    monkeypatch.setenv("VIKARIE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    shutil.copy(DATA / "people_excel_sv.csv", tmp_path / "people.csv")
    assert cli_main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert cli_main(["import", "people", "people.csv"]) == 0
    out = capsys.readouterr()
    assert (out.out, out.err) == (
        "people.csv (Windows-1252): 15 nya, 0 ändrade, 0 oförändrade.\n", "")
    assert cli_main(["import", "people", "people.csv"]) == 0
    assert capsys.readouterr().out == (
        "people.csv (Windows-1252): 0 nya, 0 ändrade, 15 oförändrade.\n")
    rows = parse_people(sample.decode("cp1252")).rows
    assert (rows[0].name, rows[0].phone, rows[0].channel.value, rows[0].language) == (
        "Åsa Öberg", "+46701740301", "both", "sv")
    assert {g.role.value for r in rows for g in r.roles} == {"substitute"}


# --- columns -------------------------------------------------------------------------------


def test_swedish_column_names_in_any_case_and_with_or_without_swedish_letters() -> None:
    units = parse_units("ID;Namn;OMRADE\nnorr;Hemtjänst Norr;Centrum\n")
    assert (messages(units), units.rows[0].area, units.columns) == (
        [], "Centrum", {"id", "name", "area"})
    people = parse_people("id;NAMN;Telefon;Roller;Enheter;Niva;Introducerad på;Språk;KANAL\n"
                          "p1;Åsa;0701740201;Samordnare,Ordinarie;norr;POOL;norr;SV;Telegram\n")
    assert messages(people) == []
    (p,) = people.rows
    assert sorted((g.role.value, g.unit_id) for g in p.roles) == [
        ("coordinator", "norr"), ("staff", "norr")]
    assert (p.tier and p.tier.value, p.language, p.channel.value, p.introduced_units) == (
        "pool", "sv", "telegram", ("norr",))


def test_a_missing_required_column_is_one_line_naming_it() -> None:
    assert messages(parse_people("id;namn;roller\np1;Åsa;vikarie\n")) == [
        "rad 1: kolumner saknas: phone (telefon)"]
    assert messages(parse_shifts("id;enhet;datum;start;slut;roll\n", TZ)) == [
        "rad 1: kolumner saknas: person"]
    assert messages(parse_units("id;namn;Namn\n")) == [
        "rad 1: kolumner som står två gånger: name"]


async def test_left_out_columns_keep_what_is_stored(any_db: Database, tmp_path: Path) -> None:
    assert (await run(any_db, "units", tmp_path, UNITS)).ok
    full = await run(any_db, "people", tmp_path, PEOPLE_HEADER
                     + "p1,Anna Lind,0701740201,staff,norr,pool,usk;korkort,norr,en,telegram\n")
    assert full.ok, full.errors
    slim = await run(any_db, "people", tmp_path,
                     "id;namn;telefon;roller;enheter\r\np1;Anna Lindqvist;;staff;soder\r\n"
                     "p2;Ny Person;0701740202;staff;soder\r\n")
    assert (slim.errors, slim.created, slim.updated) == ([], 1, 1)
    units = await run(any_db, "units", tmp_path, "id;namn\nnorr;Norr\n")
    assert (units.errors, units.updated) == ([], 1)
    async with any_db.read() as conn:
        people = {r.id: r for r in await conn.execute(sa.select(t.people))}
        quals = (await conn.execute(sa.select(t.qualifications.c.code)
                                    .where(t.qualifications.c.person_id == "p1"))).scalars()
        roles = (await conn.execute(sa.select(t.person_roles.c.person_id,
                                              t.person_roles.c.unit_id))).all()
        norr = (await conn.execute(sa.select(t.units).where(t.units.c.id == "norr"))).one()
    p1, p2 = people["p1"], people["p2"]
    assert (p1.name, p1.phone, p1.tier, p1.language, p1.channel) == (
        "Anna Lindqvist", "+46701740201", "pool", "en", "telegram")
    assert sorted(quals) == ["korkort", "usk"]
    assert sorted(tuple(r) for r in roles) == [("p1", "soder"), ("p2", "soder")]
    assert (p2.tier, p2.language, p2.channel) == (None, "sv", "both")
    assert (norr.name, norr.area) == ("Norr", "Centrum")


async def test_left_out_requirements_keep_the_stored_ones(db: Database, tmp_path: Path) -> None:
    assert (await run(db, "units", tmp_path, UNITS)).ok
    first = await run(db, "shifts", tmp_path, "id,unit,person,date,start,end,role,requirements\n"
                      "s1,norr,,2026-12-01,07:00,15:00,usk,korkort\n")
    assert first.ok, first.errors
    again = await run(db, "shifts", tmp_path, SHIFTS_HEADER
                      + "s1;norr;;2026-12-01;07:00;16:00;Undersköterska\r\n")
    assert (again.errors, again.updated) == ([], 1)
    async with db.read() as conn:
        s1 = (await conn.execute(sa.select(t.shifts))).one()
    assert (s1.requirements, s1.role) == ("korkort", "usk")


# --- times, dates and codes ------------------------------------------------------------


@pytest.mark.parametrize(("start", "end"), [
    ("7:00", "15:30"), ("07.00", "15.30"), ("07:00:00", "15:30:00"), ("7.00.00", "15.30.00"),
])
def test_times_as_excel_writes_them(start: str, end: str) -> None:
    parsed = parse_shifts(SHIFTS_HEADER + f"s1;norr;;2026-12-01 00:00:00;{start};{end};"
                          "Vårdbiträde\r\n", TZ)
    assert messages(parsed) == []
    (s,) = parsed.rows
    assert (s.starts_at, s.ends_at, s.role) == (
        dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 1, 14, 30, tzinfo=dt.UTC), "vardbitrade")


def test_a_date_with_a_time_and_odd_times_are_refused() -> None:
    parsed = parse_shifts(SHIFTS_HEADER
                          + "s1;norr;;2026-12-01 07:00:00;07:00;15:00;usk\r\n"
                          "s2;norr;;2026-12-01 00:00;07:00:30;07:00.00;usk\r\n"
                          "s3;norr;;2026-02-30 00:00:00;24:00;7;Sjuksköterska\r\n", TZ)
    assert messages(parsed) == [
        "rad 2: datumet '2026-12-01 07:00:00' i date har ett klockslag (skriv bara datumet, "
        "ÅÅÅÅ-MM-DD)",
        "rad 3: ogiltig tid '07:00:30' i start (skriv TT:MM)",
        "rad 3: ogiltig tid '07:00.00' i end (skriv TT:MM)",
        "rad 4: ogiltigt datum '2026-02-30 00:00:00' i date (skriv ÅÅÅÅ-MM-DD)",
        "rad 4: ogiltig tid '24:00' i start (skriv TT:MM)",
        "rad 4: ogiltig tid '7' i end (skriv TT:MM)",
        "rad 4: okänd roll 'Sjuksköterska' för passet (tillåtna: usk, vardbitrade)",
    ]


def test_unknown_codes_are_still_refused_as_typed() -> None:
    parsed = parse_people("id;namn;telefon;roller;nivå;kanal\n"
                          "p1;Åsa;0701740201;Chef;guld;brev\n")
    assert messages(parsed) == [
        "rad 2: okänd roll 'Chef' (tillåtna: staff, substitute, coordinator, handledare, admin)",
        "rad 2: okänd tier 'guld' (tillåtna: pool, substitute, staff_extra)",
        "rad 2: okänd kanal 'brev' (tillåtna: telegram, sms, both)",
    ]


# --- phone numbers (item 7) ------------------------------------------------------------


@pytest.mark.parametrize(("number", "kind"), [
    ("+46701740201", None),  # mobile
    ("+4681234567", "ett fast nummer"),  # 08-123 45 67, Stockholm
    ("+4631123456", "ett fast nummer"),  # 031, Göteborg
    ("+4620123456", "ett gratisnummer"),  # 020
    ("+46751234567", None),  # 075 personal number: forwarded, may be a mobile
    ("+12015550123", None),  # FIXED_LINE_OR_MOBILE: the plan cannot tell, so not refused
])
def test_which_numbers_cannot_take_sms(number: str, kind: str | None) -> None:
    assert why_no_sms(number) == kind


def test_a_landline_cannot_have_sms_but_may_stay_for_telegram() -> None:
    parsed = parse_people(PEOPLE_HEADER
                          + "p1,A,0701740201,substitute,,,,,,sms\n"
                          "p2,B,08-123 456 78,substitute,,,,,,telegram\n"
                          "p3,C,08-123 456 79,substitute,,,,,,sms\n"
                          "p4,D,08-123 456 70,substitute,,,,,,both\n"
                          "p5,E,08-123 456 71,substitute,,,,,,\n")
    assert messages(parsed) == [
        "rad 4: 08-123 456 79 är ett fast nummer och kan inte ta emot SMS (kanal sms)",
        "rad 5: 08-123 456 70 är ett fast nummer och kan inte ta emot SMS (kanal both)",
        "rad 6: 08-123 456 71 är ett fast nummer och kan inte ta emot SMS (kanal both, som "
        "gäller när kanal inte anges)",
    ]
    assert [r.id for r in parsed.rows] == ["p1", "p2"]


async def test_without_a_channel_column_the_stored_channel_decides(
    db: Database, tmp_path: Path
) -> None:
    first = await run(db, "people", tmp_path, PEOPLE_HEADER
                      + "p1,A,0701740201,substitute,,,,,,telegram\n"
                      "p2,B,0701740202,substitute,,,,,,\n")
    assert first.ok, first.errors
    slim = await run(db, "people", tmp_path, "id;namn;telefon;roller\r\n"
                     "p1;A;08-123 456 78;vikarie\r\np2;B;08-123 456 79;vikarie\r\n"
                     "p3;C;08-123 456 70;vikarie\r\n")
    assert messages(slim) == [
        "rad 3: +46812345679 är ett fast nummer och kan inte ta emot SMS (kanal both)",
        "rad 4: +46812345670 är ett fast nummer och kan inte ta emot SMS (kanal both, som "
        "gäller när kanal inte anges)",
    ]
    only_p1 = await run(db, "people", tmp_path,
                        "id;namn;telefon;roller\r\np1;A;08-123 456 78;vikarie\r\n")
    assert (only_p1.errors, only_p1.updated) == ([], 1)
