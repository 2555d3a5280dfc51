"""The Telegram fill board reads the same in Swedish as before its texts moved to the
catalogue, and renders in English too."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain.board import BoardRow, render_board
from bot.domain.model import Shift, Unit, Vacancy, VacancyStatus

TZ = ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2026, 12, 1, 6, 0, tzinfo=TZ)
UNITS = {"norr": Unit("norr", "Hemtjänst Norr", "Centrum")}


def _row(vid: int, day: int, status: VacancyStatus, escalated: bool = False) -> BoardRow:
    start = dt.datetime(2026, 12, day, 7, 0, tzinfo=TZ)
    shift = Shift(f"s{vid}", "norr", start, start + dt.timedelta(hours=8), "usk")
    vacancy = Vacancy(
        vid, shift.id, status, 2, None, NOW, NOW, escalated_at=NOW if escalated else None
    )
    booked = "Mio Vikarie" if status == VacancyStatus.FILLED else None
    return BoardRow(vacancy, shift, 5, 1, booked)


ROWS = [
    _row(1, 1, VacancyStatus.SEARCHING, escalated=True),
    _row(2, 1, VacancyStatus.FILLED),
    _row(3, 1, VacancyStatus.CANCELLED),
    _row(4, 3, VacancyStatus.EXPIRED),
]


def test_swedish_board() -> None:
    assert render_board(ROWS, UNITS, NOW.date(), TZ, 7) == (
        "Tillsättning 2026-12-01: 1/2 tillsatta\n"
        "\n"
        "Hemtjänst Norr\n"
        "  #1 07:00–15:00 undersköterska: 🔎 söker: våg 2, 5 tillfrågade, 1 nej ⚠️ eskalerad\n"
        "  #2 07:00–15:00 undersköterska: ✅ tillsatt: Mio Vikarie\n"
        "  #3 07:00–15:00 undersköterska: ✖️ avbruten\n"
        "\n"
        "Tillsättning tor 2026-12-03: 0/1 tillsatta\n"
        "\n"
        "Hemtjänst Norr\n"
        "  #4 07:00–15:00 undersköterska: ❌ ej tillsatt"
    )
    assert render_board([], UNITS, NOW.date(), TZ, 7) == (
        "Tillsättning 2026-12-01: inga vakanser.\n\nKommande 7 dagar: inga vakanser."
    )


def test_english_board() -> None:
    text = render_board(ROWS, UNITS, NOW.date(), TZ, 7, lang="en")
    assert text.startswith("Fill board 2026-12-01: 1/2 filled")
    assert "assistant nurse: 🔎 searching: wave 2, 5 asked, 1 no ⚠️ escalated" in text
    assert "Fill board Thu 2026-12-03" in text
    assert "söker" not in text and "tillsatt" not in text
