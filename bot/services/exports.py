"""Exports for payroll and time reporting (lön, tidrapportering): bookings with their hours
split into pay periods, and absences by category. Each export is logged in the audit log.

The file is for Swedish Excel: `;` between cells, UTF-8 with a BOM (so å, ä, ö open right
with a double click), hours with a decimal comma (7,5), a header row in Swedish, and every
cell that a spreadsheet would run as a formula prefixed with `'`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TextIO

from bot.domain.pay_periods import split_hours
from bot.domain.spreadsheet import hours_cell, safe_cell
from bot.domain.staffing import period_bounds
from bot.services.deps import Deps
from storage import audit, exports
from storage import people as people_repo

DELIMITER = ";"
ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark: what Excel needs to read UTF-8

BOOKING_COLUMNS = (
    "Person-id", "Namn", "Anställningsform", "Enhet", "Enhets-id", "Datum", "Start",
    "Slutdatum", "Slut", "Timmar", "Dag", "Kväll", "Natt", "Helg", "Bokningssätt",
    "Bokad av", "Boknings-id", "Pass-id",
)
ABSENCE_COLUMNS = (
    "Person-id", "Namn", "Orsak", "Enhet", "Enhets-id", "Datum", "Start", "Slutdatum",
    "Slut", "Timmar", "Frånvaro-id", "Pass-id",
)
TIER_LABELS = {"pool": "pool", "substitute": "timvikarie", "staff_extra": "ordinarie, extra tid"}
CHANNEL_LABELS = {"telegram": "Telegram", "sms": "SMS"}


class ExportError(ValueError):
    """The export cannot be made as asked (unknown unit, a range that ends before it starts)."""


@dataclass(frozen=True, slots=True)
class Table:
    columns: Sequence[str]
    rows: list[list[str]]


def how_booked(b: exports.BookedShift) -> str:
    """Bokningssätt: an offer accepted on a channel, or booked by hand by a coordinator."""
    if not b.by_hand:
        return f"förfrågan, {CHANNEL_LABELS.get(b.channel, b.channel)}"
    return "för hand, med regelundantag" if b.overridden else "för hand"


async def _bounds(
    deps: Deps, first: dt.date, last: dt.date, unit_id: str | None
) -> tuple[dt.datetime, dt.datetime]:
    if last < first:
        raise ExportError(f"--to {last} ligger före --from {first}")
    if unit_id is not None:
        async with deps.db.read() as conn:
            if await people_repo.get_unit(conn, unit_id) is None:
                raise ExportError(f"okänd enhet: {unit_id}")
    return period_bounds(first, last, deps.tz)


def _times(start: dt.datetime, end: dt.datetime, deps: Deps) -> list[str]:
    s, e = start.astimezone(deps.tz), end.astimezone(deps.tz)
    return [s.date().isoformat(), f"{s:%H:%M}", e.date().isoformat(), f"{e:%H:%M}"]


async def _record(
    deps: Deps, action: str, actor: str, first: dt.date, last: dt.date, unit: str | None, n: int
) -> None:
    async with deps.db.write() as conn:
        await audit.record(
            conn, deps.now(), actor, action, "export", f"{first}/{last}", actor,
            unit=unit, rows=n,
        )


async def bookings_table(
    deps: Deps, first: dt.date, last: dt.date, unit_id: str | None, actor: str = "cli"
) -> Table:
    """One row per live booking of a shift starting on a local date first..last."""
    after, before = await _bounds(deps, first, last, unit_id)
    async with deps.db.read() as conn:
        booked = await exports.booked_shifts(conn, after, before, unit_id)
    windows = deps.settings.pay_windows()
    rows = []
    for b in booked:
        split = split_hours(b.starts_at, b.ends_at, deps.tz, windows)
        rows.append(_cells([
            b.person_id, b.person_name, TIER_LABELS.get(b.tier or "", b.tier or ""),
            b.unit_name, b.unit_id, *_times(b.starts_at, b.ends_at, deps),
            hours_cell(split.total), hours_cell(split.day), hours_cell(split.evening),
            hours_cell(split.night), hours_cell(split.weekend), how_booked(b),
            b.by_person_id or "", b.booking_id, b.shift_id,
        ]))
    await _record(deps, "bookings_exported", actor, first, last, unit_id, len(rows))
    return Table(BOOKING_COLUMNS, rows)


async def absences_table(
    deps: Deps, first: dt.date, last: dt.date, unit_id: str | None, actor: str = "cli"
) -> Table:
    """One row per vacated shift (or absence without a shift): the category only."""
    after, before = await _bounds(deps, first, last, unit_id)
    async with deps.db.read() as conn:
        spans = await exports.absence_spans(conn, after, before, unit_id)
    rows = [
        _cells([
            a.person_id, a.person_name, a.category, a.unit_name or "", a.unit_id or "",
            *_times(a.starts_at, a.ends_at, deps),
            hours_cell(a.ends_at - a.starts_at) if a.shift_id else "",
            a.absence_id, a.shift_id or "",
        ])
        for a in spans
    ]
    await _record(deps, "absences_exported", actor, first, last, unit_id, len(rows))
    return Table(ABSENCE_COLUMNS, rows)


def _cells(values: Iterable[object]) -> list[str]:
    return [safe_cell(v) for v in values]


def write_csv(table: Table, stream: TextIO) -> None:
    """The table as `;`-separated CSV with CRLF line ends. Open a file with
    `encoding=ENCODING, newline=""` so the BOM goes first and line ends stay CRLF."""
    writer = csv.writer(stream, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(_cells(table.columns))
    writer.writerows(table.rows)
