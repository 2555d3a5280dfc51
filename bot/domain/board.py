"""The fill board (tillsättningsläget): one line per vacancy, grouped by unit, and which
units a board may show in which chat. Pure."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain.model import Shift, Unit, Vacancy, VacancyStatus
from bot.texts import role_name, t, weekday_names


@dataclass(frozen=True, slots=True)
class BoardRow:
    vacancy: Vacancy
    shift: Shift
    asked: int
    declined: int
    booked_name: str | None
    booked_at: dt.datetime | None = None


def status_text(row: BoardRow, lang: str = "sv") -> str:
    v = row.vacancy
    if v.status == VacancyStatus.FILLED:
        return t("board_filled", lang, name=row.booked_name or "?")
    if v.status == VacancyStatus.SEARCHING:
        esc = t("board_escalated", lang) if v.escalated_at else ""
        return t(
            "board_searching",
            lang,
            wave=v.wave,
            asked=row.asked,
            declined=row.declined,
            escalated=esc,
        )
    if v.status == VacancyStatus.CANCELLED:
        return t("board_cancelled", lang)
    return t("board_expired", lang)


# The board covers today and this many days after it (tillsättningsläget framåt).
BOARD_DAYS_AHEAD = 7


def render_board(
    rows: list[BoardRow],
    units: dict[str, Unit],
    day: dt.date,
    tz: ZoneInfo,
    days_ahead: int = 0,
    lang: str = "sv",
) -> str:
    """Today first, always; then each later day (up to `days_ahead`) that has a vacancy,
    with its weekday; a later day with none is left out, and when none has any one line
    says so."""
    by_day: dict[dt.date, list[BoardRow]] = {}
    for r in rows:
        by_day.setdefault(r.shift.starts_at.astimezone(tz).date(), []).append(r)
    title = t("board_title", lang, date=f"{day:%Y-%m-%d}")
    parts = [_render_day(by_day.get(day, []), units, title, tz, lang)]
    later = [day + dt.timedelta(days=n) for n in range(1, days_ahead + 1)]
    shown = [d for d in later if by_day.get(d)]
    for d in shown:
        weekday = weekday_names(lang)[d.weekday()]
        title = t("board_title_day", lang, weekday=weekday, date=f"{d:%Y-%m-%d}")
        parts.append(_render_day(by_day[d], units, title, tz, lang))
    if days_ahead and not shown:
        parts.append(t("board_none_ahead", lang, days=days_ahead))
    return "\n\n".join(parts)


def _render_day(
    rows: list[BoardRow], units: dict[str, Unit], title: str, tz: ZoneInfo, lang: str
) -> str:
    if not rows:
        return t("board_day_empty", lang, title=title)
    filled = sum(r.vacancy.status == VacancyStatus.FILLED for r in rows)
    live = sum(r.vacancy.status != VacancyStatus.CANCELLED for r in rows)
    lines = [t("board_day_head", lang, title=title, filled=filled, live=live)]
    by_unit: dict[str, list[BoardRow]] = {}
    for r in rows:
        by_unit.setdefault(r.shift.unit_id, []).append(r)
    for unit_id in sorted(by_unit):
        unit = units.get(unit_id)
        lines.append("")
        lines.append(unit.name if unit else unit_id)
        for r in sorted(by_unit[unit_id], key=lambda r: (r.shift.starts_at, r.vacancy.id)):
            s = r.shift
            span = f"{s.starts_at.astimezone(tz):%H:%M}–{s.ends_at.astimezone(tz):%H:%M}"
            role = role_name(s.role, lang)
            lines.append(f"  #{r.vacancy.id} {span} {role}: {status_text(r, lang)}")
    return "\n".join(lines)


class BoardRefusal(enum.Enum):
    NO_UNITS = "no_units"  # the person coordinates no unit at all
    GROUP_NOT_LINKED = "group_not_linked"  # a group not linked to any of their units


def board_units(
    coordinated: Sequence[Unit], linked_to_chat: Collection[str] | None
) -> tuple[Unit, ...] | BoardRefusal:
    """The units a coordinator's live board may show in a chat, or why none.

    `coordinated`: the units the person coordinates (every unit for an admin).
    `linked_to_chat`: None for the person's private chat; in a group, the ids of the units
    whose group chat (enhetschatt) it is. Everyone in a group reads the board (booked
    substitutes' names included) for as long as it is kept up to date, so a group sees only
    units that are both linked to it and coordinated by the person; the private chat shows
    all of them.
    """
    if not coordinated:
        return BoardRefusal.NO_UNITS
    if linked_to_chat is None:
        return tuple(coordinated)
    here = tuple(u for u in coordinated if u.id in linked_to_chat)
    return here or BoardRefusal.GROUP_NOT_LINKED
