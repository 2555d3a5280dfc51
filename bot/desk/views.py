"""What the desk's board and vacancy page show, as plain values for the templates. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain.board import BoardRow
from bot.domain.model import OfferState, Shift, Unit, Vacancy, VacancyStatus
from bot.services.coordinator_views import VacancyHistory
from bot.texts import day_label, requirement_names, role_name, t


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
    due = v.next_due_at if v.next_due_at is not None and v.next_due_at > now else None
    if state == "searching" and v.wave == 0 and r.asked == 0 and due is not None:
        text = t("desk_state_waiting", lang, time=_when(due, now, tz, lang))  # quiet hours
    elif state in ("searching", "escalated"):
        text = t("desk_state_searching", lang, wave=v.wave, asked=r.asked, declined=r.declined)
        if due is not None:
            text += ", " + t("desk_next_step", lang, time=_when(due, now, tz, lang))
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


# ---------- the vacancy page ----------


@dataclass(frozen=True, slots=True)
class VacancyHead:
    id: int
    unit: str
    day: str  # "tis 1/12"
    time: str  # 07:00–16:00
    role: str
    requirements: str  # "körkort, delegering"; empty when none
    state: str  # searching | escalated | filled | cancelled | expired
    text: str  # the state in words


@dataclass(frozen=True, slots=True)
class Event:
    at: dt.datetime
    time: str  # "tis 1/12 05:46"
    text: str


def vacancy_head(v: Vacancy, s: Shift, unit: Unit, tz: ZoneInfo, lang: str) -> VacancyHead:
    status = v.status
    state = ("escalated" if v.escalated_at else "searching") if status == VacancyStatus.SEARCHING \
        else str(status.value)
    if state in ("searching", "escalated"):
        text = t("desk_vacancy_searching", lang, wave=v.wave)
        if state == "escalated":
            text = f"{t('desk_state_escalated', lang)} · {text}"
        if v.widened:
            text += " · " + t("desk_vacancy_widened", lang)
    else:
        text = t(f"desk_vacancy_{state}" if state == "filled" else f"desk_state_{state}", lang)
    span = f"{s.starts_at.astimezone(tz):%H:%M}–{s.ends_at.astimezone(tz):%H:%M}"
    return VacancyHead(v.id, unit.name, day_label(s.starts_at, tz, lang), span,
                       role_name(s.role, lang), requirement_names(s.requirements, lang),
                       state, text)


# Audit actions on a vacancy that a timeline line says in words; the others are told by
# the offers and bookings themselves (offer_accepted, filled_by_hand, substitute_released)
# or by the report (vacancy_opened).
_AUDIT_TEXT = {
    "vacancy_created": "desk_tl_created",
    "wave_sent": "desk_tl_wave",
    "vacancy_widened": "desk_tl_widened",
    "escalated": "desk_tl_escalated",
    "vacancy_cancelled": "desk_tl_cancelled",
    "vacancy_expired": "desk_tl_expired",
    "substitute_kept": "desk_tl_kept",
}
_ANSWER_TEXT = {
    OfferState.ACCEPTED: "desk_tl_yes",
    OfferState.DECLINED: "desk_tl_no",
    OfferState.LATE: "desk_tl_late",
    OfferState.UNREACHABLE: "desk_tl_unreachable",
}


def timeline(v: Vacancy, s: Shift, h: VacancyHistory, tz: ZoneInfo, lang: str) -> list[Event]:
    """Report → waves → offers → answers → booking or cancellation, oldest first. Never
    who is absent or why: the absence is "frånvaro anmäld", and what the absent person
    did (reporting well, which cancels) carries no name."""

    def who(person_id: str | None) -> str:
        if person_id is None or person_id == s.person_id:
            return ""
        return h.names.get(person_id, "")

    def by(person_id: str | None, channel: str | None = None) -> str:
        name = who(person_id)
        if not name:
            return ""
        return " " + t("desk_tl_by", lang, name=name, channel=channel or "")

    out: list[tuple[dt.datetime, int, str]] = []
    first = "desk_tl_reported" if v.absence_id is not None else "desk_tl_opened"
    out.append((v.created_at, 0, t(first, lang)))
    if h.absence_ended_at is not None:
        out.append((h.absence_ended_at, 1, t("desk_tl_well", lang)))
    for e in h.audit:
        key = _AUDIT_TEXT.get(e.action)
        if key is None:
            continue
        text = t(key, lang, wave=e.detail.get("wave", "?"), offers=e.detail.get("offers", "?"))
        if e.action != "wave_sent" and e.action != "escalated":
            text += by(e.actor, e.channel)
        out.append((e.at, 2, text))
    for o in h.offers:
        name = h.names.get(o.person_id, o.person_id)
        out.append((o.created_at, 3, t("desk_tl_offer", lang, name=name, wave=o.wave)))
        answer = _ANSWER_TEXT.get(o.state)
        if o.answered_at is not None and answer is not None:
            out.append((o.answered_at, 4, t(answer, lang, name=name)))
    for b in h.bookings:
        name = h.names.get(b.person_id, b.person_id)
        text = t("desk_tl_booked", lang, name=name)
        if b.by_person_id:
            text += by(b.by_person_id, b.channel)
        if b.override_reason:
            text += " · " + t("desk_tl_reason", lang, reason=b.override_reason)
        out.append((b.booked_at, 5, text))
        if b.cancelled_at is not None:
            key = "desk_tl_released" if b.cancel_kind == "released" else "desk_tl_unbooked"
            out.append((b.cancelled_at, 6, t(key, lang, name=name)))
    out.sort(key=lambda x: (x[0], x[1]))
    return [Event(at, f"{day_label(at, tz, lang)} {at.astimezone(tz):%H:%M}", text)
            for at, _, text in out]


def _when(at: dt.datetime, now: dt.datetime, tz: ZoneInfo, lang: str) -> str:
    """07:00 today, 'ons 2/12 07:00' on another day."""
    local = at.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return f"{local:%H:%M}"
    return f"{day_label(local, tz, lang)} {local:%H:%M}"
