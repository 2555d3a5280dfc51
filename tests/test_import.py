"""CSV import: the sample municipality, re-imports, and every kind of bad row."""

from __future__ import annotations

import collections
import datetime as dt
import importlib.util
import itertools
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.domain.importer import local_to_utc, parse_people, parse_shifts, parse_units
from storage import tables as t
from storage.db import Database
from storage.imports import ImportResult, import_csv

TZ = ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
SAMPLE = Path(__file__).resolve().parent.parent / "bot" / "data" / "sample"
DATA_TABLES = (t.units, t.people, t.person_roles, t.qualifications, t.introductions, t.shifts)

UNITS = "id,name,area\nnorr,Hemtjänst Norr,Centrum\nsoder,Hemtjänst Söder,Centrum\n"
PEOPLE_HEADER = "id,name,phone,roles,units,tier,qualifications,introduced_units,language,channel\n"
SHIFTS_HEADER = "id,unit,person,date,start,end,role,requirements\n"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


async def run(db: Database, kind: Any, tmp_path: Path, text: str | bytes,
              name: str | None = None) -> ImportResult:
    path = tmp_path / (name or f"{kind}.csv")
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return await import_csv(db, kind, path, TZ, NOW)


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with db.read() as conn:
        for table in DATA_TABLES:
            rows = (await conn.execute(sa.select(table))).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


async def count(db: Database, table: sa.Table) -> int:
    async with db.read() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one())


async def import_sample(db: Database) -> list[ImportResult]:
    results = []
    for kind in ("units", "people", "shifts"):
        results.append(await import_csv(db, kind, SAMPLE / f"{kind}.csv", TZ, NOW))
    return results


async def base(db: Database, tmp_path: Path, people: str = "") -> None:
    assert (await run(db, "units", tmp_path, UNITS)).ok
    if people:
        result = await run(db, "people", tmp_path, PEOPLE_HEADER + people)
        assert result.ok, result.errors


# --- the sample ------------------------------------------------------------------------


async def test_sample_imports_cleanly(any_db: Database) -> None:
    units, people, shifts = await import_sample(any_db)
    assert (units.errors, units.created) == ([], 2)
    assert (people.errors, people.created) == ([], 43)
    assert (shifts.errors, shifts.created) == ([], 134)
    async with any_db.read() as conn:
        roles = collections.Counter(
            (r.role, r.unit_id) for r in (await conn.execute(sa.select(t.person_roles))).all())
        tiers = collections.Counter(
            (await conn.execute(sa.select(t.people.c.tier))).scalars())
        dag1 = (await conn.execute(
            sa.select(t.shifts).where(t.shifts.c.id == "norr-1130-dag1"))).one()
        night = (await conn.execute(
            sa.select(t.shifts).where(t.shifts.c.id == "norr-1130-natt"))).one()
        open_shifts = (await conn.execute(
            sa.select(sa.func.count()).where(t.shifts.c.person_id.is_(None)))).scalar_one()
        audit = (await conn.execute(sa.select(t.audit_log).order_by(t.audit_log.c.id))).all()
    assert roles == {("staff", "norr"): 8, ("staff", "soder"): 7, ("substitute", None): 25,
                     ("coordinator", "norr"): 1, ("coordinator", "soder"): 1,
                     ("handledare", "norr"): 2, ("handledare", "soder"): 2, ("admin", None): 1}
    assert tiers == {"pool": 5, "substitute": 20, "staff_extra": 3, None: 15}
    assert open_shifts == 7
    assert (dag1.starts_at, dag1.ends_at) == (utc(2026, 11, 30, 5, 30), utc(2026, 11, 30, 14, 30))
    assert (night.starts_at, night.ends_at) == (utc(2026, 11, 30, 20), utc(2026, 12, 1, 6))
    assert [(a.actor, a.action, a.object_type, a.object_id, a.channel) for a in audit] == [
        ("import", "import", "units", "units.csv", "cli"),
        ("import", "import", "people", "people.csv", "cli"),
        ("import", "import", "shifts", "shifts.csv", "cli"),
    ]
    assert '"created": 134' in audit[2].detail


async def test_reimport_of_sample_changes_nothing(any_db: Database) -> None:
    await import_sample(any_db)
    before = await snapshot(any_db)
    again = await import_sample(any_db)
    assert [(r.errors, r.created, r.updated, r.unchanged) for r in again] == [
        ([], 0, 0, 2), ([], 0, 0, 43), ([], 0, 0, 134)]
    assert await snapshot(any_db) == before
    assert await count(any_db, t.audit_log) == 6


def test_sample_schedule_keeps_eleven_hours_rest() -> None:
    text = (SAMPLE / "shifts.csv").read_text(encoding="utf-8")
    parsed = parse_shifts(text, TZ)
    assert parsed.errors == [] and len(parsed.rows) == len(text.splitlines()) - 1 == 134
    by_person: dict[str, list[tuple[dt.datetime, dt.datetime]]] = collections.defaultdict(list)
    for s in parsed.rows:
        if s.person_id:
            by_person[s.person_id].append((s.starts_at, s.ends_at))
    assert len(by_person) == 15
    for person, spans in by_person.items():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start - end >= dt.timedelta(hours=11), person


def test_sample_files_match_the_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("make_sample", SAMPLE / "make_sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_sample", module)  # dataclasses look it up
    spec.loader.exec_module(module)
    for name, text in module.render().items():
        assert (SAMPLE / name).read_text(encoding="utf-8") == text, name


# --- re-import semantics ---------------------------------------------------------------


async def test_reimport_replaces_roles_adds_introductions_keeps_bot_state(
    any_db: Database, tmp_path: Path
) -> None:
    await base(any_db, tmp_path,
               "p1,Anna Lind,0701740201,staff;handledare,norr,,usk;delegering:2027-01-31,norr,,\n"
               "p2,Erik Berg,0701740202,substitute,,pool,korkort,soder,,sms\n")
    async with any_db.write() as conn:
        await conn.execute(sa.update(t.people).where(t.people.c.id == "p2").values(
            telegram_user_id=555, telegram_chat_id=555, paused_until=utc(2026, 12, 1)))
    result = await run(any_db, "people", tmp_path, PEOPLE_HEADER
                       + "p1,Anna Lind,0701740201,staff,soder,,usk,soder,en,\n"
                       "p2,Erik Berg,0701740202,substitute,,pool,korkort,,,sms\n")
    assert (result.errors, result.created, result.updated, result.unchanged) == ([], 0, 1, 1)
    async with any_db.read() as conn:
        roles = (await conn.execute(sa.select(t.person_roles.c.role, t.person_roles.c.unit_id)
                                    .where(t.person_roles.c.person_id == "p1"))).all()
        quals = (await conn.execute(sa.select(t.qualifications.c.code)
                                    .where(t.qualifications.c.person_id == "p1"))).scalars().all()
        intros = (await conn.execute(sa.select(t.introductions.c.person_id,
                                               t.introductions.c.unit_id))).all()
        p1 = (await conn.execute(sa.select(t.people).where(t.people.c.id == "p1"))).one()
        p2 = (await conn.execute(sa.select(t.people).where(t.people.c.id == "p2"))).one()
    assert [tuple(r) for r in roles] == [("staff", "soder")]
    assert list(quals) == ["usk"]
    assert sorted(tuple(r) for r in intros) == [("p1", "norr"), ("p1", "soder"), ("p2", "soder")]
    assert p1.language == "en"
    assert (p2.telegram_user_id, p2.paused_until) == (555, utc(2026, 12, 1))


async def test_empty_phone_keeps_the_stored_number(db: Database, tmp_path: Path) -> None:
    await base(db, tmp_path, "p1,A A,0701740201,substitute,,,,,,\n")
    again = await run(db, "people", tmp_path, PEOPLE_HEADER + "p1,A A,,substitute,,,,,,\n")
    assert (again.errors, again.unchanged) == ([], 1)
    taken = await run(db, "people", tmp_path, PEOPLE_HEADER
                      + "p1,A A,,substitute,,,,,,\np2,B B,0701740201,substitute,,,,,,\n")
    assert [e.message for e in taken.errors] == [
        "rad 3: telefonnumret +46701740201 tillhör redan en annan person (p1)"]


async def test_two_people_may_swap_phone_numbers(db: Database, tmp_path: Path) -> None:
    await base(db, tmp_path, "p1,A A,0701740201,substitute,,,,,,\n"
                             "p2,B B,0701740202,substitute,,,,,,\n")
    result = await run(db, "people", tmp_path, PEOPLE_HEADER
                       + "p1,A A,0701740202,substitute,,,,,,\np2,B B,0701740201,substitute,,,,,,\n")
    assert (result.errors, result.updated) == ([], 2)
    async with db.read() as conn:
        phones = dict((await conn.execute(sa.select(t.people.c.id, t.people.c.phone))).all())
    assert phones == {"p1": "+46701740202", "p2": "+46701740201"}


# --- bad rows --------------------------------------------------------------------------


async def test_five_mistakes_in_people_are_all_reported_and_nothing_written(
    any_db: Database, tmp_path: Path
) -> None:
    await base(any_db, tmp_path, "old,Olle Gammal,0701740299,substitute,,,,,,\n")
    before = await snapshot(any_db)
    text = (PEOPLE_HEADER
            + "p1,Anna Lind,0701740201,staff,norr,,usk,norr,,\n"  # 2 fine
            + "p2,Bo Ek,070-12,substitute,,pool,,,,\n"  # 3 bad phone
            + "p3,Cia Al,0701740203,staff,vaster,,,,,\n"  # 4 unknown unit
            + "p4,Dan Ek,0701740204,vikarie;chef,,,,,,\n"  # 5 unknown role
            + "p5,Eva Ek,0701740205,substitute,,guld,,,,\n"  # 6 unknown tier
            + "\n"  # 7 blank line: skipped, still counted
            + "p1,Anna Lind igen,0701740208,substitute,,,,,,\n"  # 8 duplicate id
            + "p9,Fia Ek,0701740209,substitute,,,,,,\n")  # 9 fine
    result = await run(any_db, "people", tmp_path, text)
    assert [e.line for e in result.errors] == [3, 4, 5, 6, 8]
    assert [e.message for e in result.errors] == [
        "rad 3: ogiltigt telefonnummer '070-12'",
        "rad 4: okänd enhet 'vaster' (importera enheterna först)",
        "rad 5: okänd roll 'chef' (tillåtna: staff, substitute, coordinator, handledare, admin)",
        "rad 6: okänd tier 'guld' (tillåtna: pool, substitute, staff_extra)",
        "rad 8: id 'p1' finns redan på rad 2",
    ]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert await snapshot(any_db) == before
    assert await count(any_db, t.audit_log) == 2  # the two imports in base()


async def test_more_people_mistakes(db: Database, tmp_path: Path) -> None:
    await base(db, tmp_path, "old,Olle Gammal,0701740299,substitute,,,,,,\n")
    result = await run(db, "people", tmp_path, PEOPLE_HEADER
                       + "a,A,0701740201,substitute,,,,,fi,\n"
                       + "b,B,0701740202,substitute,,,,,,fax\n"
                       + "c,C,+46 70 174 02 01,substitute,,,,,,\n"
                       + "d,D,070-174 02 99,substitute,,,,,,\n"
                       + "e,E,,substitute,,,delegering:2027-02-30;flyg,,,\n"
                       + "f,F,,staff,,,,,,\n"
                       + "g,,,substitute,norr,,,,,\n")
    assert [e.message for e in result.errors] == [
        "rad 2: okänt språk 'fi' (tillåtna: sv, en, ar, fa, so, ti)",
        "rad 3: okänd kanal 'fax' (tillåtna: telegram, sms, both)",
        "rad 4: telefonnumret '+46701740201' finns redan på rad 2",
        "rad 5: telefonnumret +46701740299 tillhör redan en annan person (old)",
        "rad 6: ogiltigt datum '2027-02-30' i behörigheten 'delegering' (skriv ÅÅÅÅ-MM-DD)",
        "rad 6: okänd behörighet 'flyg' (tillåtna: delegering, korkort, usk)",
        "rad 7: rollen 'staff' kräver minst en enhet i kolumnen units",
        "rad 8: name saknas",
        "rad 8: units gäller bara staff, coordinator och handledare "
        "(använd introduced_units för vikarier)",
    ]


def test_header_must_name_known_columns() -> None:
    parsed = parse_units("id,nam,area,färg\nnorr,Norr,C,blå\n")
    assert [e.message for e in parsed.errors] == [
        "rad 1: okända kolumner: nam, färg (tillåtna: id, name, area, address, phone; "
        "på svenska: namn, område, adress, telefon)",
        "rad 1: kolumner saknas: name (namn)",
    ]
    assert parse_units("").errors[0].message == "filen är tom (en rubrikrad krävs)"
    assert parse_units("id,area\nnorr,Norr\n").errors[0].message == (
        "rad 1: kolumner saknas: name (namn)")
    assert parse_units("id,name,area\nnorr,Norr,C,extra\n").errors[0].message == (
        "rad 2: fel antal fält (4, rubrikraden har 3)")
    # Excel's trailing separators are fine; a quoted line break still counts as a line.
    parsed = parse_units('id,name,area,,\nnorr,"Hemtjänst\nNorr",C,,\nsoder,,C,,\n')
    assert [e.message for e in parsed.errors] == ["rad 4: name saknas"]
    assert parsed.rows[0].name == "Hemtjänst\nNorr"


async def test_missing_and_undecodable_files_give_clear_errors(
    db: Database, tmp_path: Path
) -> None:
    missing = await import_csv(db, "units", tmp_path / "nope.csv", TZ, NOW)
    assert missing.errors[0].message == f"filen {tmp_path / 'nope.csv'} finns inte"
    utf16 = await run(db, "units", tmp_path, "id,name,area\nsoder,Söder,C\n".encode("utf-16"))
    assert utf16.errors[0].message.startswith("filen är sparad som Unicode-text (UTF-16); spara")
    xlsx = await run(db, "units", tmp_path, b"PK\x03\x04\x14\x00\x06\x00\xe5\x81")
    assert xlsx.errors[0].message.startswith("filen är ingen CSV-text (en Excel-arbetsbok?)")
    neither = await run(db, "units", tmp_path, b"id,name,area\nsoder,S\x81\xb0der,C\n")
    assert neither.errors[0].message.startswith(
        "rad 2: filen är inte UTF-8 och inte Windows-1252; spara den som \"CSV UTF-8\"")
    assert await count(db, t.units) == 0


# --- formats ---------------------------------------------------------------------------


async def test_semicolon_file_with_bom_and_comma_lists(any_db: Database, tmp_path: Path) -> None:
    units = "\ufeffid;name;area\r\nnorr;Hemtjänst Norr;Centrum\r\nsoder;Hemtjänst Söder;\r\n"
    assert (await run(any_db, "units", tmp_path, units.encode("utf-8"))).created == 2
    people = ("\ufeffID;Name;Phone;Roles;Units;Tier;Qualifications;Introduced_units;"
              "Language;Channel\r\n"
              "p1;Åsa Öberg;070-174 02 01;staff,handledare;norr;staff_extra;"
              "usk,delegering:2027-06-30,korkort;norr,soder;;SMS\r\n"
              ";;;;;;;;;\r\n")
    result = await run(any_db, "people", tmp_path, people.encode("utf-8"))
    assert (result.errors, result.created) == ([], 1)
    async with any_db.read() as conn:
        p1 = (await conn.execute(sa.select(t.people))).one()
        roles = (await conn.execute(sa.select(t.person_roles.c.role))).scalars().all()
        quals = dict((await conn.execute(
            sa.select(t.qualifications.c.code, t.qualifications.c.expires_on))).all())
        units_rows = dict((await conn.execute(sa.select(t.units.c.id, t.units.c.area))).all())
    assert (p1.name, p1.phone, p1.tier, p1.channel, p1.language) == (
        "Åsa Öberg", "+46701740201", "staff_extra", "sms", "sv")
    assert sorted(roles) == ["handledare", "staff"]
    assert quals == {"usk": None, "delegering": dt.date(2027, 6, 30), "korkort": None}
    assert units_rows == {"norr": "Centrum", "soder": ""}


def test_comma_file_with_semicolon_lists_and_quoted_fields() -> None:
    parsed = parse_people(PEOPLE_HEADER
                          + '"p1","Lind, Anna",+46701740201,"staff;coordinator","norr;soder",,'
                          '"usk;korkort",norr,en,telegram\n')
    assert parsed.errors == []
    (p,) = parsed.rows
    assert p.name == "Lind, Anna" and p.language == "en" and p.channel == "telegram"
    assert sorted((g.role.value, g.unit_id) for g in p.roles) == [
        ("coordinator", "norr"), ("coordinator", "soder"), ("staff", "norr"), ("staff", "soder")]
    assert [q.code for q in p.qualifications] == ["usk", "korkort"]


# --- shifts ----------------------------------------------------------------------------


def test_daylight_saving_gaps_and_repeats_are_rejected() -> None:
    parsed = parse_shifts(SHIFTS_HEADER
                          + "s1,norr,,2026-03-29,02:30,10:00,usk,\n"
                          + "s2,norr,,2026-10-25,02:30,10:00,usk,\n"
                          + "s3,norr,,2026-10-24,22:00,02:15,usk,\n"
                          + "s4,norr,,2026-03-29,03:00,10:00,usk,\n", TZ)
    assert [e.message for e in parsed.errors] == [
        "rad 2: tiden 2026-03-29 02:30 finns inte i Europe/Stockholm "
        "(klockan ställs fram vid sommartid)",
        "rad 3: tiden 2026-10-25 02:30 är tvetydig i Europe/Stockholm "
        "(klockan ställs tillbaka, timmen kommer två gånger)",
        "rad 4: tiden 2026-10-25 02:15 är tvetydig i Europe/Stockholm "
        "(klockan ställs tillbaka, timmen kommer två gånger)",
    ]
    assert [(s.id, s.starts_at) for s in parsed.rows] == [("s4", utc(2026, 3, 29, 1))]
    assert local_to_utc(dt.date(2026, 7, 1), dt.time(12), TZ) == utc(2026, 7, 1, 10)


def test_night_shift_crosses_midnight_and_dst() -> None:
    parsed = parse_shifts(SHIFTS_HEADER
                          + "n1,norr,,2026-12-01,21:00,07:00,usk,korkort\n"
                          + "n2,norr,,2026-10-24,21:00,07:00,USK,\n"
                          + "n3,norr,,2026-03-28,21:00,07:00,vårdbiträde,\n", TZ)
    assert parsed.errors == []
    n1, n2, n3 = parsed.rows
    assert (n1.starts_at, n1.ends_at, n1.requirements) == (
        utc(2026, 12, 1, 20), utc(2026, 12, 2, 6), ("korkort",))
    assert n2.ends_at - n2.starts_at == dt.timedelta(hours=11)  # clocks go back
    assert n3.ends_at - n3.starts_at == dt.timedelta(hours=9)  # clocks go forward
    assert (n2.role, n3.role) == ("usk", "vardbitrade")


def test_bad_shift_rows() -> None:
    parsed = parse_shifts(SHIFTS_HEADER
                          + "s1,norr,,2026-12-01,07:00,07:00,usk,\n"
                          + "s2,norr,,2026-12-32,07:00,16:00,usk,\n"
                          + "s3,norr,,2026-12-01,7.00,25:00,sjuksköterska,flyg\n", TZ)
    assert [e.message for e in parsed.errors] == [
        "rad 2: sluttiden 07:00 är samma som starttiden",
        "rad 3: ogiltigt datum '2026-12-32' i date (skriv ÅÅÅÅ-MM-DD)",
        "rad 4: ogiltig tid '25:00' i end (skriv TT:MM)",
        "rad 4: okänd roll 'sjuksköterska' för passet (tillåtna: usk, vardbitrade)",
        "rad 4: okänt krav 'flyg' (tillåtna: delegering, korkort, usk)",
    ]


async def test_duplicate_shift_id_and_unknown_references(db: Database, tmp_path: Path) -> None:
    await base(db, tmp_path, "p1,A,0701740201,staff,norr,,usk,,,\n")
    result = await run(db, "shifts", tmp_path, SHIFTS_HEADER
                       + "s1,norr,p1,2026-12-01,07:00,16:00,usk,\n"
                       + "s1,norr,,2026-12-02,07:00,16:00,usk,\n"
                       + "s2,vaster,,2026-12-02,07:00,16:00,usk,\n"
                       + "s3,norr,nobody,2026-12-02,07:00,16:00,usk,\n")
    assert [e.message for e in result.errors] == [
        "rad 3: id 's1' finns redan på rad 2",
        "rad 4: okänd enhet 'vaster'",
        "rad 5: okänd person 'nobody' (importera personerna först)",
    ]
    assert await count(db, t.shifts) == 0


async def test_overlaps_within_the_file_and_against_the_database(
    any_db: Database, tmp_path: Path
) -> None:
    await base(any_db, tmp_path, "p1,A,0701740201,staff,norr,,usk,,,\n"
                                 "p2,B,0701740202,staff,norr,,usk,,,\n")
    first = await run(any_db, "shifts", tmp_path, SHIFTS_HEADER
                      + "old1,norr,p1,2026-12-01,07:00,16:00,usk,\n"
                      + "old2,norr,p2,2026-12-01,21:00,07:00,usk,\n", name="week1.csv")
    assert (first.errors, first.created) == ([], 2)
    before = await snapshot(any_db)
    result = await run(any_db, "shifts", tmp_path, SHIFTS_HEADER
                       + "a,norr,p1,2026-12-03,07:00,16:00,usk,\n"
                       + "b,norr,p1,2026-12-03,15:00,22:00,usk,\n"  # overlaps a
                       + "c,norr,p1,2026-12-01,15:00,22:00,usk,\n"  # overlaps old1 in the DB
                       + "d,norr,p2,2026-12-02,06:30,15:30,usk,\n"  # overlaps old2's morning
                       + "e,norr,,2026-12-03,07:00,16:00,usk,\n", name="week2.csv")
    assert [e.message for e in result.errors] == [
        "rad 3: passet överlappar pass 'a' på rad 2 för samma person (p1)",
        "rad 4: passet överlappar befintligt pass 'old1' (2026-12-01 07:00–16:00) "
        "för samma person (p1)",
        "rad 5: passet överlappar befintligt pass 'old2' (2026-12-01 21:00–07:00) "
        "för samma person (p2)",
    ]
    assert await snapshot(any_db) == before
    # The same shift moved away in the same file no longer clashes: the file replaces it.
    moved = await run(any_db, "shifts", tmp_path, SHIFTS_HEADER
                      + "c,norr,p1,2026-12-01,15:00,22:00,usk,\n"
                      + "old1,norr,p1,2026-12-04,07:00,16:00,usk,\n", name="week3.csv")
    assert (moved.errors, moved.created, moved.updated) == ([], 1, 1)


# --- control characters and database errors --------------------------------------------


async def test_control_characters_are_refused_and_nothing_written(
    any_db: Database, tmp_path: Path
) -> None:
    """PostgreSQL refuses NUL in text: found in the file, never sent to the database."""
    await base(any_db, tmp_path, "old,Olle Gammal,0701740299,substitute,,,,,,\n")
    before = await snapshot(any_db)
    result = await run(any_db, "people", tmp_path, PEOPLE_HEADER
                       + "p1,Anna\x00Lind,0701740201,substitute,,,,,,\n"
                       + "p2,Bo Ek,07017\x1b40202,substitute,,,,\x07,,\n"
                       + 'p3,"Cia\tAl\nAndersson",0701740203,substitute,,,,,,\n'  # tab, break: fine
                       + "p4,Dan Ek,0701740204,substitute,,,,,,\x00\n")
    assert [e.message for e in result.errors] == [
        "rad 2: otillåtet tecken i fältet name",
        "rad 3: otillåtet tecken i fältet phone",
        "rad 3: otillåtet tecken i fältet introduced_units",
        "rad 6: otillåtet tecken i fältet channel",
    ]
    assert not any("0701740201" in e.message for e in result.errors)  # the value is not echoed
    assert await snapshot(any_db) == before
    units = await run(any_db, "units", tmp_path, "id,name,area\nvaster,Väster,C\x00\n")
    assert [e.message for e in units.errors] == ["rad 2: otillåtet tecken i fältet area"]
    shifts = await run(any_db, "shifts", tmp_path,
                       SHIFTS_HEADER + "s\x001,norr,old,2026-12-01,07:00,16:00,usk,\n")
    assert [e.message for e in shifts.errors] == ["rad 2: otillåtet tecken i fältet id"]
    assert await snapshot(any_db) == before


def test_control_characters_in_the_header_and_in_checklists() -> None:
    from bot.domain.checklist_file import parse_checklist

    assert [e.message for e in parse_units("id,na\x00me,area\nnorr,Norr,C\n").errors] == [
        "rad 1: otillåtet tecken i rubriken för kolumn 2"]
    parsed = parse_checklist("unit,position,text,kind\n,1,Nycklar\x00,tick\n,2,Larm,tick\n")
    assert [e.message for e in parsed.errors] == ["rad 2: otillåtet tecken i fältet text"]


def test_database_reason_leaves_out_the_row() -> None:
    from storage.imports import db_reason

    dup = sa.exc.IntegrityError("INSERT INTO people ...", {"phone": "+46701740201"}, Exception(
        'duplicate key value violates unique constraint "people_phone_key"\n'
        "DETAIL:  Key (phone)=(+46701740201) already exists."))
    assert db_reason(dup) == 'duplicate key value violates unique constraint "people_phone_key"'
    enc = sa.exc.DBAPIError("INSERT ...", ("+46701740201",), Exception(
        "invalid input for query argument $2: '+46701740201' (expected int, got str)"))
    assert db_reason(enc) == "invalid input for query argument $2"


def test_cli_prints_a_database_error_as_one_line_without_the_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import storage.imports
    from bot.cli import main as cli_main

    async def failing_write(conn: Any, rows: Any, columns: Any, count: Any) -> None:
        await conn.execute(sa.text("INSERT INTO no_such_table VALUES (:id, :phone)"),
                           {"id": rows[0].id, "phone": "+46701740201"})

    monkeypatch.setenv("VIKARIE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "nul.csv").write_text("id,name,area\nnorr,No\x00rr,C\n", encoding="utf-8")
    assert cli_main(["import", "units", "nul.csv"]) == 1
    out = capsys.readouterr()
    assert out.err.splitlines() == ["nul.csv: 1 fel – inget importerades.",
                                    "  rad 2: otillåtet tecken i fältet name"]
    monkeypatch.setattr(storage.imports, "_write_units", failing_write)
    assert cli_main(["import", "units", "units.csv"]) == 1
    out = capsys.readouterr()
    assert out.err.splitlines() == [
        "units.csv: databasfel – inget importerades (no such table: no_such_table)"]
    assert "+4670" not in out.err + out.out and "Traceback" not in out.err


def test_a_coordinator_needs_a_unit() -> None:
    """A coordinator grant without a unit would give no unit at all (only an admin sees
    every unit): the row is refused and says what to do."""
    parsed = parse_people(PEOPLE_HEADER + "k,Kim,,samordnare,,,,,,\n"
                          + "a,Ada,,admin,,,,,,\n")
    assert [e.message for e in parsed.errors] == [
        "rad 2: rollen 'coordinator' kräver minst en enhet i kolumnen units (samordnare utan "
        "enhet ser ingenting: ange enheter, eller rollen admin för att se alla enheter)",
    ]
    assert [r.id for r in parsed.rows] == ["a"]


async def test_language_column_accepts_the_catalogues_languages(
    db: Database, tmp_path: Path
) -> None:
    await base(db, tmp_path)
    result = await run(db, "people", tmp_path, PEOPLE_HEADER
                       + "a,A,0701740201,substitute,,,,,ar,\n"
                       + "b,B,0701740202,substitute,,,,,ti,\n")
    assert result.errors == []
