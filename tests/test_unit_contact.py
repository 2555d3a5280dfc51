"""Units carry the workplace's address and phone: CSV import, kept and cleared."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.importer import parse_units
from storage import people as people_repo
from storage.db import Database
from storage.imports import import_csv

TZ = ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
SAMPLE = Path(__file__).resolve().parent.parent / "bot" / "data" / "sample"


async def _import(db: Database, tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8")
    return [e.message for e in (await import_csv(db, "units", path, TZ, NOW)).errors]


async def test_units_import_address_and_phone(any_db: Database, tmp_path: Path) -> None:
    text = ("id;name;area;address;phone\n"
            "norr;Hemtjänst Norr;Centrum;Norra Storgatan 12,  Vikby;08-465 004 10\n"
            "soder;Hemtjänst Söder;Centrum;;\n")
    assert await _import(any_db, tmp_path, text) == []
    async with any_db.read() as conn:
        norr = await people_repo.get_unit(conn, "norr")
        soder = await people_repo.get_unit(conn, "soder")
    assert norr is not None and soder is not None
    # A landline is fine: it is the workplace's number. Stored as E.164.
    assert (norr.address, norr.phone) == ("Norra Storgatan 12, Vikby", "+46846500410")
    assert (soder.address, soder.phone) == (None, None)

    # A file from before the columns keeps what the database has ...
    assert await _import(any_db, tmp_path, "id,name,area\nnorr,Hemtjänst Norr,Centrum\n") == []
    async with any_db.read() as conn:
        norr = await people_repo.get_unit(conn, "norr")
    assert norr is not None and norr.phone == "+46846500410" and norr.address
    # ... an empty cell clears it.
    assert await _import(any_db, tmp_path, "id,name,area,address,phone\nnorr,Norr,C,,\n") == []
    async with any_db.read() as conn:
        norr = await people_repo.get_unit(conn, "norr")
    assert norr is not None and (norr.address, norr.phone) == (None, None)


def test_a_bad_unit_phone_is_a_row_error() -> None:
    parsed = parse_units("id,name,area,address,phone\nnorr,Norr,C,Gatan 1,08-12\n")
    assert [e.message for e in parsed.errors] == ["rad 2: ogiltigt telefonnummer '08-12'"]
    assert parsed.rows == []


def test_the_sample_units_have_fictional_contact_details() -> None:
    parsed = parse_units((SAMPLE / "units.csv").read_text(encoding="utf-8"))
    assert parsed.errors == []
    assert all(r.address and r.phone and r.phone.startswith("+468465004") for r in parsed.rows)
