"""What a coordinator's alert says now and which buttons still apply: a table over the
vacancy's state, its counts and the clock (bot/domain/alerts.py), and the grace rule
(bot/domain/waves.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.domain.alerts import AlertFacts, AlertStage, alert_message, alert_stage, duration_text
from bot.domain.model import VacancyStatus as S
from bot.domain.waves import escalation_grace_end

NOW = dt.datetime(2026, 12, 1, 6, 25, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)
SHIFT = {"unit": "Hemtjänst Norr", "day": "tis 1/12", "start": "07:00", "end": "16:00",
         "role": "undersköterska"}
BASE = AlertFacts(1, S.SEARCHING, SHIFT, asked=5, declined=0, waiting=5, silent=5)
ALL = ["esc:w:1", "esc:f:1", "esc:c:1"]


def facts(**kw: object) -> AlertFacts:
    return dataclasses.replace(BASE, **kw)  # type: ignore[arg-type]


CASES = [
    # (name, facts, stage, in the text, buttons)
    ("escalated at the threshold", facts(), AlertStage.NOT_FILLED,
     ["⚠️ Ej tillsatt: Hemtjänst Norr tis 1/12 07:00–16:00", "Tillfrågade 5, nej 0, inget svar 5",
      "Passet börjar snart."], ALL),
    ("inside the window, grace running", facts(searching_until=NOW + 4 * MIN),
     AlertStage.SEARCHING, ["🔎 Söker vikarie", "Söker bland 5: nej 0, inget svar 5"], ALL),
    ("short notice says so", facts(searching_until=NOW + MIN, urgent=True), AlertStage.SEARCHING,
     ["Söker bland 5", "Kort varsel"], ALL),
    ("grace over", facts(searching_until=NOW - MIN), AlertStage.NOT_FILLED,
     ["⚠️ Ej tillsatt", "Tillfrågade 5"], ALL),
    ("everyone answered before the grace", facts(searching_until=NOW + 4 * MIN, declined=5,
     waiting=0, silent=0), AlertStage.NOT_FILLED,
     ["Tillfrågade 5, nej 5, inget svar 0", "Alla tillfrågade har tackat nej."], ALL),
    ("some declined", facts(declined=3, waiting=2, silent=2), AlertStage.NOT_FILLED,
     ["nej 3, inget svar 2"], ALL),
    ("nobody to ask", facts(asked=0, waiting=0, silent=0), AlertStage.NOT_FILLED,
     ["Ingen behörig att fråga."], ALL),
    ("widened: no widen button", facts(widened=True), AlertStage.NOT_FILLED,
     ["Breddad till ordinarie."], ["esc:f:1", "esc:c:1"]),
    ("reopened", facts(reopened=True), AlertStage.NOT_FILLED, ["🔁 Återöppnad"], ALL),
    ("filled", facts(status=S.FILLED, waiting=0, silent=4, booked_name="Sara Vikarie",
     filled_after=3 * MIN), AlertStage.FILLED,
     ["✅ Tillsatt: Hemtjänst Norr", "Sara Vikarie tog passet efter 3 min."], []),
    ("filled during the grace", facts(status=S.FILLED, searching_until=NOW + MIN,
     booked_name="Sara", filled_after=dt.timedelta(seconds=3)), AlertStage.FILLED,
     ["Sara tog passet efter under 1 min."], []),
    ("cancelled", facts(status=S.CANCELLED), AlertStage.CANCELLED, ["✖️ Avbruten"], []),
    ("expired", facts(status=S.EXPIRED, waiting=0), AlertStage.EXPIRED,
     ["❌ Passet började ej tillsatt", "Tillfrågade 5"], []),
]


@pytest.mark.parametrize(("name", "f", "stage", "says", "buttons"), CASES,
                         ids=[c[0] for c in CASES])
def test_alert_table(name: str, f: AlertFacts, stage: AlertStage, says: list[str],
                     buttons: list[str]) -> None:
    assert alert_stage(f, NOW) == stage
    msg = alert_message(f, NOW)
    for part in says:
        assert part in msg.text, msg.text
    assert [b.data for row in msg.buttons for b in row] == buttons
    assert msg.kind == "escalation" and msg.vacancy_id == 1


def test_english() -> None:
    msg = alert_message(facts(status=S.FILLED, booked_name="Sara", filled_after=65 * MIN), NOW,
                        "en")
    assert "✅ Filled" in msg.text and "Sara took the shift after 1 h 5 min." in msg.text


def test_durations() -> None:
    assert [duration_text(d) for d in (dt.timedelta(seconds=59), 7 * MIN, 125 * MIN)] == [
        "under 1 min", "7 min", "2 h 5 min"]


START = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)  # 07:00 Stockholm


@pytest.mark.parametrize(("first", "grace_end"), [
    (None, None),  # nothing offered yet
    (START - 120 * MIN, None),  # the search began before the window: "not filled" at once
    (START - 60 * MIN, START - 55 * MIN),  # right at the escalation point
    (START - 35 * MIN, START - 30 * MIN),  # reported 35 minutes ahead
    (START - 10 * MIN, START - 5 * MIN),  # short notice
])
def test_grace_rule(first: dt.datetime | None, grace_end: dt.datetime | None) -> None:
    assert escalation_grace_end(first, START, 60 * MIN, 5 * MIN) == grace_end
