"""Qualifications as data: the catalogue, its import, and codes resolved through it."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.cli import main as cli_main
from bot.domain.importer import parse_people, parse_shifts
from bot.domain.qualification_file import parse_qualifications
from bot.domain.qualifications import (
    DEFAULT_CATALOGUE,
    Catalogue,
    QualificationType,
    UnknownCode,
    resolve,
)
from storage import tables as t
from storage import vacancies
from storage.db import Database
from storage.qualification_import import import_qualifications
from storage.qualifications import load_catalogue
from tests.builders import make_deps, report_absent

TZ = ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
PEOPLE = "id,name,phone,roles,units,tier,qualifications,introduced_units,language,channel\n"
SHIFTS = "id,unit,person,date,start,end,role,requirements\n"
CATALOGUE = (
    "id,name,aliases,expires\n"
    "usk,Undersköterska,undersköterska,\n"
    "korkort,Körkort,körkort,nej\n"
    "delegering,Läkemedelsdelegering,läkemedelsdelegering,ja\n"
    "insulin,Insulindelegering,insulindelegering,ja\n"
)
INSULIN = QualificationType("insulin", "Insulindelegering", ("insulindelegering",), True)
WITH_INSULIN = Catalogue.of([*DEFAULT_CATALOGUE, INSULIN])


# --- resolving a typed code -------------------------------------------------------------


@pytest.mark.parametrize(("typed", "expected"), [
    ("korkort", "korkort"), ("Körkort", "korkort"), (" KÖRKORT ", "korkort"),
    ("Undersköterska", "usk"), ("USK", "usk"), ("läkemedelsdelegering", "delegering"),
])
def test_ids_and_aliases_resolve_to_the_id(typed: str, expected: str) -> None:
    assert resolve(typed, DEFAULT_CATALOGUE) == expected


def test_an_unknown_code_gets_a_did_you_mean() -> None:
    found = resolve("korkot", DEFAULT_CATALOGUE)
    assert isinstance(found, UnknownCode)
    assert found.message == "okänd behörighet 'korkot' – menade du 'korkort'?"
    near_alias = resolve("insulindelgering", WITH_INSULIN)
    assert isinstance(near_alias, UnknownCode) and near_alias.suggestion == "insulindelegering"
    far = resolve("flyg", DEFAULT_CATALOGUE)
    assert isinstance(far, UnknownCode)
    assert far.message == "okänd behörighet 'flyg' (tillåtna: delegering, korkort, usk)"


def test_the_migration_seeds_the_default_catalogue() -> None:
    migration = importlib.import_module(
        "storage.migrations.versions.0005_qualification_catalogue")
    seeded = Catalogue.of(QualificationType(i, n, a, e) for i, n, a, e in migration.DEFAULTS)
    assert seeded == DEFAULT_CATALOGUE


async def test_a_new_database_holds_the_default_catalogue(any_db: Database) -> None:
    async with any_db.read() as conn:
        assert await load_catalogue(conn) == DEFAULT_CATALOGUE


# --- people and shifts name qualifications through the catalogue -----------------------


def test_people_and_shifts_store_the_catalogue_id() -> None:
    people = parse_people(PEOPLE + "a,Ada,,substitute,,,Undersköterska;körkort;"
                          "Insulindelegering:2027-06-30,,,\n", WITH_INSULIN)
    assert people.errors == []
    assert {(q.code, q.expires_on) for q in people.rows[0].qualifications} == {
        ("usk", None), ("korkort", None), ("insulin", dt.date(2027, 6, 30))}
    shifts = parse_shifts(SHIFTS + "s1,norr,,2026-12-01,07:00,16:00,usk,Körkort;INSULIN;insulin\n",
                          TZ, WITH_INSULIN)
    assert shifts.errors == [] and shifts.rows[0].requirements == ("korkort", "insulin")


def test_unknown_codes_and_missing_end_dates_are_refused_on_their_line() -> None:
    people = parse_people(PEOPLE + "a,Ada,,substitute,,,korkot,,,\n"
                          + "b,Bo,,substitute,,,usk;insulin,,,\n"
                          + "c,Cy,,substitute,,,usk;Körkort;korkort,,,\n", WITH_INSULIN)
    assert [e.message for e in people.errors] == [
        "rad 2: okänd behörighet 'korkot' – menade du 'korkort'?",
        "rad 3: behörigheten 'insulin' (Insulindelegering) kräver ett slutdatum: "
        "skriv insulin:ÅÅÅÅ-MM-DD",
        "rad 4: behörigheten 'korkort' står två gånger",
    ]
    shifts = parse_shifts(SHIFTS + "s1,norr,,2026-12-01,07:00,16:00,usk,insulin\n", TZ)
    assert [e.message for e in shifts.errors] == [
        "rad 2: okänt krav 'insulin' (tillåtna: delegering, korkort, usk)"]


# --- the catalogue file -----------------------------------------------------------------


def test_catalogue_file_semicolons_with_quoted_alias_lists() -> None:
    parsed = parse_qualifications(
        "\ufeffid;name;aliases\r\n"
        "sprak-fi;Finska;\"finska;suomi\"\r\n"
        "lyft;Lyftutbildning;taklyft|Lyft\r\n")
    assert parsed.errors == []
    assert [r.type for r in parsed.rows] == [
        QualificationType("sprak-fi", "Finska", ("finska", "suomi")),
        QualificationType("lyft", "Lyftutbildning", ("taklyft", "Lyft")),
    ]


def test_catalogue_file_mistakes_are_all_reported() -> None:
    parsed = parse_qualifications(
        "id,name,aliases,expires\n"
        "Körkort,Körkort,,\n"
        "usk,,undersköterska,kanske\n"
        "usk2,USK igen,Undersköterska,\n"
        "b,B,a:b,\n")
    assert [e.message for e in parsed.errors] == [
        "rad 2: ogiltigt id 'Körkort' (små bokstäver a–z, siffror, . _ -, högst 40 tecken; "
        "skriv stavningar med å, ä, ö i aliases)",
        "rad 3: name saknas",
        "rad 3: okänt värde 'kanske' i expires (skriv ja eller nej)",
        "rad 4: 'Undersköterska' står redan på rad 3 (som 'undersköterska')",
        "rad 5: ogiltigt alias 'a:b' (högst 64 tecken, utan kolon)",
    ]
    assert parse_qualifications("id,name\nx,X\n").errors[0].message == (
        "rad 1: kolumner saknas: aliases")


async def _import(db: Database, tmp_path: Path, text: str) -> list[str] | tuple[int, ...]:
    path = tmp_path / "qualifications.csv"
    path.write_text(text, encoding="utf-8")
    result = await import_qualifications(db, path, NOW)
    if result.errors:
        return [e.message for e in result.errors]
    return (result.created, result.updated, result.unchanged, result.removed)


async def test_reimport_updates_by_id_and_removes_only_unused(
    any_db: Database, tmp_path: Path
) -> None:
    assert await _import(any_db, tmp_path, CATALOGUE) == (1, 0, 3, 0)
    assert await _import(any_db, tmp_path, CATALOGUE) == (0, 0, 4, 0)
    renamed = CATALOGUE.replace("Insulindelegering,insulindelegering,ja",
                                "Insulin (delegering),insulindelegering|insulin-del,ja")
    assert await _import(any_db, tmp_path, renamed) == (0, 1, 3, 0)
    async with any_db.read() as conn:
        insulin = (await load_catalogue(conn)).get("insulin")
    assert insulin == QualificationType("insulin", "Insulin (delegering)",
                                        ("insulin-del", "insulindelegering"), True)
    without = "".join(ln + "\n" for ln in CATALOGUE.splitlines() if "insulin" not in ln)
    assert await _import(any_db, tmp_path, without) == (0, 0, 3, 1)
    async with any_db.read() as conn:
        assert await load_catalogue(conn) == DEFAULT_CATALOGUE
        assert (await conn.execute(sa.select(sa.func.count()).select_from(
            t.qualification_aliases))).scalar_one() == 3


async def test_a_held_or_required_qualification_is_not_removed(
    any_db: Database, tmp_path: Path
) -> None:
    assert await _import(any_db, tmp_path, CATALOGUE) == (1, 0, 3, 0)
    async with any_db.write() as conn:
        await conn.execute(sa.insert(t.units).values(id="norr", name="Norr"))
        await conn.execute(sa.insert(t.people).values(id="p1", name="A"))
        await conn.execute(sa.insert(t.qualifications).values(person_id="p1", code="insulin",
                                                              expires_on=dt.date(2027, 1, 1)))
        await conn.execute(sa.insert(t.qualifications).values(person_id="p1", code="korkort"))
        await conn.execute(sa.insert(t.shifts).values(
            id="s1", unit_id="norr", starts_at=NOW + dt.timedelta(days=1),
            ends_at=NOW + dt.timedelta(days=1, hours=8), role="usk", requirements="usk;insulin"))
    without = "".join(ln + "\n" for ln in CATALOGUE.splitlines() if "insulin" not in ln)
    assert await _import(any_db, tmp_path, without) == [
        "behörigheten 'insulin' saknas i filen men kan inte tas bort: 1 personer har den (p1) "
        "och 1 kommande pass kräver den (s1). Behåll raden, eller ta först bort behörigheten "
        "från personerna och kraven från passen."]
    # korkort is held without an end date: it cannot start to require one.
    assert await _import(any_db, tmp_path, CATALOGUE.replace("körkort,nej", "körkort,ja")) == [
        "rad 3: 'korkort' kan inte kräva slutdatum än: 1 personer har den utan datum (p1); "
        "importera dem med korkort:ÅÅÅÅ-MM-DD först"]
    async with any_db.read() as conn:
        assert (await load_catalogue(conn)).get("insulin") == INSULIN


# --- done when: a municipality's own qualification, end to end --------------------------


async def test_own_qualification_from_the_cli_decides_who_is_offered_the_shift(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VIKARIE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'vikarie.db'}")
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    files = {
        "qualifications.csv": CATALOGUE,
        "units.csv": "id,name,area\nnorr,Hemtjänst Norr,Centrum\n",
        "people.csv": PEOPLE
        + "anna,Anna Ordinarie,0701740301,staff,norr,,Undersköterska;körkort,norr,,\n"
        + "ines,Ines Insulin,0701740302,substitute,,,usk;Insulindelegering:2027-06-30,norr,,\n"
        + "utan,Ulf Utan,0701740303,substitute,,,usk;Körkort,norr,,\n"
        + "gammal,Greta Gammal,0701740304,substitute,,,usk;insulin:2026-11-30,norr,,\n",
        "shifts.csv": SHIFTS + "s-day,norr,anna,2026-12-01,07:00,16:00,usk,insulin\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")

    def cli(*args: str) -> int:
        return cli_main(list(args))

    for kind in ("qualifications", "units", "people", "shifts"):
        assert await asyncio.to_thread(cli, "import", kind, f"{kind}.csv") == 0, (
            capsys.readouterr().err)
    (tmp_path / "typo.csv").write_text(PEOPLE + "x,X,,substitute,,,korkot,,,\n", encoding="utf-8")
    assert await asyncio.to_thread(cli, "import", "people", "typo.csv") == 1
    assert "rad 2: okänd behörighet 'korkot' – menade du 'korkort'?" in capsys.readouterr().err

    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "sms")
    async with db.read() as conn:
        offered = [o.person_id for o in await vacancies.offers_for(conn, vid)]
        held = (await conn.execute(sa.select(t.qualifications.c.code).where(
            t.qualifications.c.person_id == "ines"))).scalars().all()
    assert sorted(held) == ["insulin", "usk"]
    # Ulf lacks it, Greta's ran out the day before the shift.
    assert offered == ["ines"]


async def test_the_sample_catalogue_keeps_the_defaults_and_adds_two(db: Database) -> None:
    sample = Path(__file__).resolve().parent.parent / "bot" / "data" / "sample"
    result = await import_qualifications(db, sample / "qualifications.csv", NOW)
    assert (result.errors, result.created, result.unchanged) == ([], 2, 3)
    async with db.read() as conn:
        catalogue = await load_catalogue(conn)
    assert catalogue.ids == ["delegering", "insulin", "korkort", "taklyft", "usk"]
    assert resolve("Lyftutbildning", catalogue) == "taklyft"
