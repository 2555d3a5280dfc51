"""The staffing report (bemanningssiffror) for a period: loaded once, rendered as CSV for a
spreadsheet or as Swedish text for a terminal. The web desk calls `staffing_report` too.

The figures and their definitions are in bot/domain/staffing.py.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from typing import TextIO

from bot.domain.model import AbsenceCategory
from bot.domain.spreadsheet import safe_cell
from bot.domain.staffing import (
    WEEKDAYS_SV,
    Cover,
    Figures,
    StaffingReport,
    Unfilled,
    category_count,
    period_bounds,
    staffing_figures,
)
from bot.services.deps import Deps
from storage import people as people_repo
from storage import staffing

TOTAL = "total"  # the `unit` cell of the CSV's last row: every unit of the report together
WEEKDAYS_EN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COLUMNS = (
    "unit", "absences", "vacancies", "filled_before_start", "median_minutes_to_fill",
    "offers_per_filled",
    "unit_name", "filled_before_start_pct", "p90_minutes_to_fill", "messages_per_filled",
    "filled", "cancelled", "escalated",
    *(f"covered_by_{c}" for c in ("pool", "hourly", "staff_extra", "hand")), "unfilled",
    *(f"unfilled_{u.value}" for u in Unfilled),
    *(f"hours_{c.value}" for c in Cover),
    *(f"absences_{c.value}" for c in AbsenceCategory),
    *(f"absent_shifts_{d}" for d in WEEKDAYS_EN),
)
COVER_SV = {
    Cover.POOL: "pool",
    Cover.HOURLY: "timvikarie",
    Cover.STAFF_EXTRA: "ordinarie, extra tid",
    Cover.BY_HAND: "för hand",
    Cover.UNFILLED: "ej tillsatt",
}
UNFILLED_SV = {
    Unfilled.CANCELLED: "avbruten",
    Unfilled.SEARCHING: "söker fortfarande",
    Unfilled.NO_ONE_TO_ASK: "ingen att fråga",
    Unfilled.ALL_DECLINED: "alla tackade nej",
    Unfilled.NO_ANSWER: "inget svar",
}


class ReportError(ValueError):
    """The report cannot be made as asked (unknown unit, a range that ends before it starts)."""


async def staffing_report(
    deps: Deps, first: dt.date, last: dt.date, unit_ids: Sequence[str] = ()
) -> StaffingReport:
    """The figures of shifts starting on local dates first..last (inclusive), per unit and
    in total; of the given units, or of every unit when none is given."""
    if last < first:
        raise ReportError(f"--to {last} ligger före --from {first}")
    after, before = period_bounds(first, last, deps.tz)
    async with deps.db.read() as conn:
        known = {u.id: u for u in await people_repo.all_units(conn)}
        unknown = [u for u in unit_ids if u not in known]
        if unknown:
            raise ReportError(f"okänd enhet: {', '.join(unknown)}")
        chosen = list(dict.fromkeys(unit_ids)) or list(known)
        rows = await staffing.staffing_rows(
            conn, after, before, chosen, shiftless_absences=not unit_ids
        )
    units = [(uid, known[uid].name) for uid in chosen]
    return staffing_figures(rows, units, first, last, deps.tz)


def _num(value: float | None, decimals: int = 1) -> str:
    """A figure for the CSV: decimal point, empty when there is nothing to measure."""
    if value is None:
        return ""
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"


def _csv_row(unit: str, name: str, f: Figures) -> list[str]:
    cells: list[object] = [
        unit, f.absences, f.vacancies, f.filled_before_start, _num(f.median_minutes_to_fill),
        _num(f.offers_per_filled, 2),
        name, _num(f.filled_before_start_pct), _num(f.p90_minutes_to_fill),
        _num(f.messages_per_filled, 2),
        f.filled, f.cancelled, f.escalated,
        *(f.covered[c] for c in Cover),
        *(f.unfilled_why[u] for u in Unfilled),
        *(_num(f.hours_by_cover[c], 2) for c in Cover),
        *(category_count(f.absences_by_category[c]) for c in AbsenceCategory),
        *f.absent_shifts_by_weekday,
    ]
    return [safe_cell(c) for c in cells]


def write_report_csv(report: StaffingReport, stream: TextIO) -> None:
    """One row per unit, then the total row (`unit` = "total"): comma-separated, decimal
    point, empty cells where nothing was filled; every cell safe from formula injection."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in COLUMNS])
    for u in report.units:
        writer.writerow(_csv_row(u.unit_id, u.unit_name, u.figures))
    writer.writerow(_csv_row(TOTAL, "Alla enheter", report.total))


def _sv(value: float, decimals: int = 1) -> str:
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return text.replace(".", ",")


def _minutes(value: float | None) -> str:
    if value is None:
        return "–"
    m = round(value)
    return f"{m} min" if m < 60 else f"{m // 60} h {m % 60} min"


def _parts(pairs: Sequence[tuple[str, float]], unit: str = "") -> str:
    """`label n, label n` for the non-zero parts, or `inga`."""
    shown = [f"{label} {_sv(n)}{unit}" for label, n in pairs if n]
    return ", ".join(shown) or "inga"


def _figure_lines(f: Figures) -> list[str]:
    if f.vacancies == 0 and f.absences == 0:
        return ["  Ingen frånvaro och inga vakanser."]
    needed = f.vacancies - f.cancelled
    pct = "" if f.filled_before_start_pct is None else f" ({_sv(f.filled_before_start_pct, 0)} %)"
    cats = ", ".join(f"{c.value} {category_count(f.absences_by_category[c])}"
                     for c in AbsenceCategory if f.absences_by_category[c]) or "inga"
    days = _parts(list(zip(WEEKDAYS_SV, f.absent_shifts_by_weekday, strict=True)))
    lines = [
        f"  Frånvaro: {f.absences} ({cats}); frånvarande pass per veckodag: {days}",
        f"  Vakanser: {f.vacancies} (avbrutna {f.cancelled}, eskalerade {f.escalated})",
        f"  Tillsatta före passets start: {f.filled_before_start} av {needed}{pct}",
        "  Täckta av: " + _parts([(COVER_SV[c], f.covered[c]) for c in Cover]),
        "  Timmar: " + _parts([(COVER_SV[c], f.hours_by_cover[c]) for c in Cover], " h"),
        f"  Tid till tillsatt: median {_minutes(f.median_minutes_to_fill)}, "
        f"9 av 10 inom {_minutes(f.p90_minutes_to_fill)}",
    ]
    if f.offers_per_filled is not None and f.messages_per_filled is not None:
        lines.append(
            f"  Tillfrågade per tillsatt vakans: {_sv(f.offers_per_filled)} "
            f"({_sv(f.messages_per_filled)} meddelanden)"
        )
    if f.covered[Cover.UNFILLED]:
        lines.append(
            "  Ej tillsatta: " + _parts([(UNFILLED_SV[u], f.unfilled_why[u]) for u in Unfilled])
        )
    return lines


def report_text(report: StaffingReport) -> str:
    """The report as a Swedish summary for a terminal: each unit, then the total."""
    lines = [f"Bemanningssiffror {report.first} – {report.last} (pass som börjar dessa dagar)"]
    for u in report.units:
        lines += ["", f"{u.unit_name} ({u.unit_id})", *_figure_lines(u.figures)]
    lines += ["", "Totalt", *_figure_lines(report.total)]
    return "\n".join(lines)
