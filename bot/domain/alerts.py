"""The coordinator's alert about a vacancy (eskalering): what it says now and which buttons
still apply. Pure: a function of the vacancy's state, its offers' counts and the clock.

One alert per vacancy per chat, sent when the coordinator must know, then edited as the
vacancy changes (see `bot.services.alerts`):

  searching   alerted at once (reported inside the escalation window, or short notice):
              "Söker bland N", until the grace has passed or nobody is still thinking
  not filled  "Ej tillsatt": the counts follow every answer
  filled      who took it and after how long; no buttons
  cancelled   no buttons
  expired     the shift began unfilled; no buttons
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from bot.domain import callbacks as cb
from bot.domain.model import VacancyStatus
from bot.domain.outgoing import Button, OutMessage
from bot.texts import t


class AlertStage(enum.StrEnum):
    SEARCHING = "searching"  # söker
    NOT_FILLED = "not_filled"  # ej tillsatt
    FILLED = "filled"  # tillsatt
    CANCELLED = "cancelled"  # avbruten
    EXPIRED = "expired"  # passet började ej tillsatt


@dataclass(frozen=True, slots=True)
class AlertFacts:
    vacancy_id: int
    status: VacancyStatus
    shift: dict[str, str]  # unit, day, start, end, role: as shown
    asked: int = 0
    declined: int = 0
    waiting: int = 0  # offers still open (someone may yet answer)
    silent: int = 0  # open or expired without an answer
    widened: bool = False
    urgent: bool = False  # short notice: everyone eligible was asked at once
    reopened: bool = False  # a booked substitute cancelled
    booked_name: str | None = None
    filled_after: dt.timedelta | None = None  # from the report to the booking
    searching_until: dt.datetime | None = None  # `waves.escalation_grace_end`


def alert_stage(f: AlertFacts, now: dt.datetime) -> AlertStage:
    if f.status == VacancyStatus.FILLED:
        return AlertStage.FILLED
    if f.status == VacancyStatus.CANCELLED:
        return AlertStage.CANCELLED
    if f.status == VacancyStatus.EXPIRED:
        return AlertStage.EXPIRED
    if f.searching_until is not None and now < f.searching_until and f.waiting > 0:
        return AlertStage.SEARCHING
    return AlertStage.NOT_FILLED


def duration_text(d: dt.timedelta, lang: str = "sv") -> str:
    """'under 1 min', '7 min', '2 h 5 min'."""
    minutes = int(d.total_seconds() // 60)
    if minutes < 1:
        return t("alert_under_a_minute", lang)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def alert_message(f: AlertFacts, now: dt.datetime, lang: str = "sv") -> OutMessage:
    """The alert as it should read now, with the buttons that still apply."""
    stage = alert_stage(f, now)
    p = {**f.shift, "vid": f.vacancy_id, "asked": f.asked, "declined": f.declined,
         "silent": f.silent}
    lines = [t(f"alert_{stage.value}", lang, **p)]
    if stage == AlertStage.SEARCHING:
        lines.append(t("alert_searching_counts", lang, **p))
        if f.urgent:
            lines.append(t("alert_urgent", lang))
    elif stage == AlertStage.NOT_FILLED:
        lines.append(t("alert_counts", lang, **p) + " " + t(_why(f), lang))
    elif stage == AlertStage.FILLED:
        after = duration_text(f.filled_after or dt.timedelta(0), lang)
        lines.append(t("alert_filled_by", lang, name=f.booked_name or "?", after=after))
        lines.append(t("alert_counts", lang, **p))
    elif stage == AlertStage.EXPIRED:
        lines.append(t("alert_counts", lang, **p))
    if f.reopened and stage in (AlertStage.SEARCHING, AlertStage.NOT_FILLED):
        lines.append(t("alert_reopened", lang))
    if f.widened and stage in (AlertStage.SEARCHING, AlertStage.NOT_FILLED):
        lines.append(t("alert_widened", lang))
    buttons: list[Button] = []
    if stage in (AlertStage.SEARCHING, AlertStage.NOT_FILLED):
        if not f.widened:
            widen = cb.encode(cb.ESCALATION, "w", f.vacancy_id)
            buttons.append(Button(t("btn_widen", lang), widen))
        buttons += [
            Button(t("btn_fill", lang), cb.encode(cb.ESCALATION, "f", f.vacancy_id)),
            Button(t("btn_cancel_vacancy", lang), cb.encode(cb.ESCALATION, "c", f.vacancy_id)),
        ]
    return OutMessage(
        "escalation", "\n".join(lines), None, tuple((b,) for b in buttons),
        vacancy_id=f.vacancy_id,
    )


def _why(f: AlertFacts) -> str:
    if f.asked == 0:
        return "why_nobody"
    if f.waiting == 0 and f.declined == f.asked:
        return "why_all_declined"
    if f.waiting == 0:
        return "why_exhausted"
    return "why_threshold"


def drawn(msg: OutMessage) -> str:
    """What an alert looks like in the chat, to compare with what it should say now."""
    labels = "|".join(b.data for row in msg.buttons for b in row)
    return f"{msg.text}\n[{labels}]"
