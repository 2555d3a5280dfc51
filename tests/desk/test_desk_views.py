"""The board's lines in words (pure): waiting for quiet hours to end, searching, escalated
first, filled after how long."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.desk.views import board_days
from bot.domain.board import BoardRow
from bot.domain.model import Shift, Unit, Vacancy, VacancyStatus

TZ = ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2026, 12, 1, 22, 30, tzinfo=TZ)
UNITS = {"norr": Unit("norr", "Hemtjänst Norr", "Centrum")}


def _row(vid: int, start: dt.datetime, *, wave: int = 1, asked: int = 3,
         status: VacancyStatus = VacancyStatus.SEARCHING, escalated: bool = False,
         due: dt.datetime | None = None, booked_at: dt.datetime | None = None) -> BoardRow:
    shift = Shift(f"s{vid}", "norr", start, start + dt.timedelta(hours=8), "usk")
    vacancy = Vacancy(vid, shift.id, status, wave, due, NOW - dt.timedelta(minutes=30),
                      NOW, escalated_at=NOW if escalated else None)
    return BoardRow(vacancy, shift, asked, 1, "Mio Vikarie" if booked_at else None, booked_at)


def test_lines_in_words() -> None:
    tomorrow = dt.datetime(2026, 12, 2, 7, 0, tzinfo=TZ)
    rows = [
        _row(1, tomorrow, wave=0, asked=0, due=dt.datetime(2026, 12, 2, 7, 0, tzinfo=TZ)),
        _row(2, tomorrow + dt.timedelta(hours=1), escalated=True),
        _row(3, dt.datetime(2026, 12, 1, 23, 0, tzinfo=TZ), status=VacancyStatus.FILLED,
             booked_at=NOW - dt.timedelta(minutes=18)),
    ]
    today, later = board_days(rows, UNITS, NOW.date(), TZ, "sv", NOW)
    assert today.label == "Idag, tis 1/12" and (today.filled, today.live) == (1, 1)
    assert today.lines[0].text == "Tillsatt: Mio Vikarie efter 12 min"
    assert [ln.id for ln in later.lines] == [2, 1]  # escalated on top
    assert later.lines[0].text.startswith("Eskalerad · Söker: våg 1, 3 tillfrågade, 1 nej")
    assert later.lines[1].text == "Väntar: första förfrågan går ut ons 2/12 07:00"
