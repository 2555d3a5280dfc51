"""What the desk's board shows, as plain values for the templates. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain.board import BoardRow
from bot.domain.model import Unit, VacancyStatus
from bot.texts import day_label, role_name, t


@dataclass(frozen=True, slots=True)
class VacancyLine:
    id: int
    unit: str
    time: str  # 07:00–16:00
    role: str
    state: str  # searching | escalated | filled | cancelled | expired
    text: str  # the state in words


@dataclass(frozen=True, slots=True)
class Day:
    label: str  # "tis 1/12"
    lines: tuple[VacancyLine, ...]
    filled: int
    live: int


def board_days(
    rows: Sequence[BoardRow], units: dict[str, Unit], today: dt.date, tz: ZoneInfo, lang: str,
    now: dt.datetime,
) -> list[Day]:
    """Day by day from today; within a day escalated first, then by start time."""
    by_day: dict[dt.date, list[BoardRow]] = {}
    for r in rows:
        by_day.setdefault(r.shift.starts_at.astimezone(tz).date(), []).append(r)
    days = []
    for day in sorted(by_day):
        ordered = sorted(by_day[day], key=lambda r: (_state(r) != "escalated",
                                                     r.shift.starts_at, r.vacancy.id))
        lines = tuple(_line(r, units, tz, lang, now) for r in ordered)
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=tz)
        label = day_label(noon, tz, lang)
        if day == today:
            label = f"{t('desk_today', lang)}, {label}"
        days.append(Day(label, lines, sum(ln.state == "filled" for ln in lines),
                        sum(ln.state != "cancelled" for ln in lines)))
    return days


def _state(r: BoardRow) -> str:
    status = r.vacancy.status
    if status == VacancyStatus.SEARCHING:
        return "escalated" if r.vacancy.escalated_at else "searching"
    return str(status.value)


def _line(r: BoardRow, units: dict[str, Unit], tz: ZoneInfo, lang: str,
          now: dt.datetime) -> VacancyLine:
    v, s = r.vacancy, r.shift
    state = _state(r)
    if state in ("searching", "escalated"):
        text = t("desk_state_searching", lang, wave=v.wave, asked=r.asked, declined=r.declined)
        if v.next_due_at is not None and v.next_due_at > now:
            text += ", " + t("desk_next_step", lang, time=f"{v.next_due_at.astimezone(tz):%H:%M}")
        if state == "escalated":
            text = f"{t('desk_state_escalated', lang)} · {text}"
    elif state == "filled":
        text = t("desk_state_filled", lang, name=r.booked_name or "?")
        if r.booked_at is not None:  # report to booking: the time to fill
            minutes = round((r.booked_at - v.created_at).total_seconds() / 60)
            text += " " + t("desk_after", lang, minutes=max(minutes, 0))
    else:
        text = t(f"desk_state_{state}", lang)
    unit = units.get(s.unit_id)
    span = f"{s.starts_at.astimezone(tz):%H:%M}–{s.ends_at.astimezone(tz):%H:%M}"
    return VacancyLine(v.id, unit.name if unit else s.unit_id, span, role_name(s.role, lang),
                       state, text)
