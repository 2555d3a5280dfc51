"""The desk's staffing report (bemanningssiffror): /desk/report and /desk/report.csv.

Thin: the figures come from `reports.staffing_report` (as the CLI's `vikariebot report`),
always for units the person coordinates. A unit id that is not one's own is refused with a
403 (the form only offers one's own units, so only an edited address asks for another);
no unit asked for means all of one's units. The CSV is the CLI's, by the same writer.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.desk.charts import BarChart, bar_chart
from bot.desk.kit import Kit
from bot.domain.model import AbsenceCategory
from bot.domain.staffing import Cover, Figures, StaffingReport, Unfilled, category_count
from bot.services import coordinator_views, desk_auth, reports
from bot.texts import category_name, t, weekday_names

DEFAULT_DAYS = 30  # the period when none is asked for: the last 30 days, today included
MAX_DAYS = 366  # a longer period is refused (a year at most)
MAX_UNITS = 100  # more unit parameters than this is not a form of ours


@dataclass(frozen=True, slots=True)
class Period:
    first: dt.date
    last: dt.date
    unit_ids: tuple[str, ...]  # one's own units, as chosen (never empty)


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    cells: tuple[str, ...]  # one per unit, then the total


@dataclass(frozen=True, slots=True)
class Group:
    heading: str
    rows: tuple[Row, ...]


EARLIEST = dt.timedelta(days=366 * 10)  # how far back a report may reach
LATEST = dt.timedelta(days=366)  # and ahead


def routes(kit: Kit) -> list[BaseRoute]:
    deps, page, authed = kit.deps, kit.page, kit.authed

    async def period_of(request: Request, me: desk_auth.Current) -> Period | Response:
        """The asked period and units, or the 400/403 page saying what is wrong."""
        lang = me.person.language
        units = [u.id for u in await coordinator_views.units_of(deps, me.person)]

        def refused(status: int, key: str) -> Response:
            return page("message.html", status=status, lang=lang, me=me.person, csrf=me.csrf,
                        text=t(key, lang))

        today = deps.now().astimezone(deps.tz).date()
        q = request.query_params
        try:
            first = dt.date.fromisoformat(q["from"]) if q.get("from") else (
                today - dt.timedelta(days=DEFAULT_DAYS - 1))
            last = dt.date.fromisoformat(q["to"]) if q.get("to") else today
        except ValueError:
            return refused(400, "desk_report_bad_date")
        if not (today - EARLIEST <= first and last <= today + LATEST):
            return refused(400, "desk_report_bad_date")  # 0001-01-01 and 9999-12-31 overflow
        if last < first:
            return refused(400, "desk_report_order")
        if (last - first).days >= MAX_DAYS:
            return refused(400, "desk_report_too_long")
        asked = q.getlist("unit")
        if len(asked) > MAX_UNITS or not units or any(u not in units for u in asked):
            return refused(403, "desk_report_not_yours")
        chosen = tuple(u for u in units if u in asked) if asked else tuple(units)
        return Period(first, last, chosen)

    async def show(request: Request, me: desk_auth.Current) -> Response:
        period = await period_of(request, me)
        if isinstance(period, Response):
            return period
        lang = me.person.language
        report = await reports.staffing_report(deps, period.first, period.last,
                                               period.unit_ids)
        units = await coordinator_views.units_of(deps, me.person)
        return page(
            "report.html", lang=lang, me=me.person, csrf=me.csrf, report=report,
            first=period.first.isoformat(), last=period.last.isoformat(),
            units=[(u.id, u.name, u.id in period.unit_ids) for u in units],
            csv_query=urlencode([("from", period.first.isoformat()),
                                 ("to", period.last.isoformat()),
                                 *(("unit", u) for u in period.unit_ids)]),
            heads=[u.unit_name for u in report.units],
            groups=figure_groups(report, lang), charts=charts(report.total, lang),
        )

    async def csv_file(request: Request, me: desk_auth.Current) -> Response:
        period = await period_of(request, me)
        if isinstance(period, Response):
            return period
        report = await reports.staffing_report(deps, period.first, period.last,
                                               period.unit_ids)
        out = io.StringIO(newline="")
        reports.write_report_csv(report, out)
        name = f"bemanning-{period.first.isoformat()}-{period.last.isoformat()}.csv"
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
        })

    return [
        Route("/report", authed(show), methods=["GET"]),
        Route("/report.csv", authed(csv_file), methods=["GET"]),
    ]


# ---------- the figures as text ----------


def _dec(value: float, lang: str, decimals: int = 1) -> str:
    """A number as the person writes it: a decimal comma in Swedish, no trailing zeros."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return text.replace(".", ",") if lang == "sv" else text


def _minutes(value: float | None) -> str:
    if value is None:
        return "–"
    m = round(value)
    return f"{m} min" if m < 60 else f"{m // 60} h {m % 60} min"


def _maybe(value: float | None, lang: str, decimals: int = 1) -> str:
    return "–" if value is None else _dec(value, lang, decimals)


def _before_start(f: Figures, lang: str) -> str:
    needed = f.vacancies - f.cancelled
    pct = "" if f.filled_before_start_pct is None else (
        f" ({_dec(f.filled_before_start_pct, lang, 0)} %)")
    return t("desk_report_n_of", lang, n=f.filled_before_start, m=needed) + pct


def cover_name(c: Cover, lang: str) -> str:
    return t(f"desk_cover_{c.value}", lang)


def figure_groups(report: StaffingReport, lang: str) -> list[Group]:
    """The report's figures as grouped table rows: one cell per unit, then the total."""
    every = [u.figures for u in report.units] + [report.total]

    def row(label: str, cell: Callable[[Figures], object]) -> Row:
        return Row(label, tuple(str(cell(f)) for f in every))

    def per(label: str, cells: Iterable[object]) -> Row:
        return Row(label, tuple(str(c) for c in cells))

    return [
        Group(t("desk_report_absences", lang), (
            row(t("desk_report_all", lang), lambda f: f.absences),
            *(per(category_name(c.value, lang),
                  [category_count(f.absences_by_category[c]) for f in every])
              for c in AbsenceCategory),
        )),
        Group(t("desk_report_weekdays", lang), tuple(
            per(day, [f.absent_shifts_by_weekday[i] for f in every])
            for i, day in enumerate(weekday_names(lang)))),
        Group(t("desk_report_vacancies", lang), (
            row(t("desk_report_all", lang), lambda f: f.vacancies),
            row(t("desk_report_cancelled", lang), lambda f: f.cancelled),
            row(t("desk_report_escalated", lang), lambda f: f.escalated),
            row(t("desk_report_filled", lang), lambda f: f.filled),
            row(t("desk_report_before_start", lang), lambda f: _before_start(f, lang)),
        )),
        Group(t("desk_report_covered", lang), tuple(
            per(cover_name(c, lang), [f.covered[c] for f in every]) for c in Cover)),
        Group(t("desk_report_time", lang), (
            row(t("desk_report_median", lang), lambda f: _minutes(f.median_minutes_to_fill)),
            row(t("desk_report_p90", lang), lambda f: _minutes(f.p90_minutes_to_fill)),
            row(t("desk_report_offers", lang), lambda f: _maybe(f.offers_per_filled, lang)),
            row(t("desk_report_messages", lang),
                lambda f: _maybe(f.messages_per_filled, lang)),
        )),
        Group(t("desk_report_hours", lang), tuple(
            per(cover_name(c, lang), [_dec(f.hours_by_cover[c], lang) for f in every])
            for c in Cover)),
        Group(t("desk_report_unfilled", lang), tuple(
            per(t(f"desk_unfilled_{u.value}", lang), [f.unfilled_why[u] for f in every])
            for u in Unfilled)),
    ]


def charts(f: Figures, lang: str) -> list[BarChart]:
    """The total's charts: who covered, absent shifts per weekday, hours by tier."""
    return [
        bar_chart(t("desk_report_covered", lang),
                  [(cover_name(c, lang), f.covered[c], str(f.covered[c])) for c in Cover]),
        bar_chart(t("desk_report_weekdays", lang),
                  [(day, n, str(n)) for day, n in zip(
                      weekday_names(lang), f.absent_shifts_by_weekday, strict=True)]),
        bar_chart(t("desk_report_hours", lang),
                  [(cover_name(c, lang), f.hours_by_cover[c],
                    f"{_dec(f.hours_by_cover[c], lang)} h") for c in Cover]),
    ]
