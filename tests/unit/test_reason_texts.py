"""Every eligibility reason has a Swedish and an English text in the catalogue, and the
Swedish reads exactly as the coordinators (and the audit log) have always seen it."""

from __future__ import annotations

import dataclasses
import string
from typing import Any

import pytest

from bot.domain.eligibility import check_eligibility
from bot.domain.rules import Reason
from bot.texts import REASONS, reason_text
from tests.unit.builders import RULES
from tests.unit.test_eligibility import CASES

# One sample per catalogue entry, with its Swedish text as the rules wrote it before the
# texts moved to the catalogue.
SAMPLES: dict[str, tuple[Reason, str]] = {
    r.key: (r, sv)
    for r, sv in (
        (Reason("inactive", True), "inaktiv"),
        (Reason("absent", True), "är själv frånvarande från passet"),
        (Reason("absent", True, variant="scheduled"), "har själv passet i schemat"),
        (Reason("not_callable", True), "varken vikarie eller ordinarie personal"),
        (
            Reason("not_callable", True, variant="staff"),
            "ordinarie personal – tillfrågas bara när samordnaren vidgar utskicket",
        ),
        (Reason("started", True), "passet har redan börjat"),
        (Reason("short_notice", False, {"minutes": 20}), "kort varsel: passet börjar om 20 min"),
        (Reason("role", True, {"role": "usk"}), "saknar behörighet: undersköterska"),
        (Reason("role", True, {"role": "sjuksköterska"}), "saknar behörighet: sjuksköterska"),
        (
            Reason("role", True, {"role": "usk", "expired": "2026-04-14"}, "expired"),
            "behörighet undersköterska gick ut 2026-04-14",
        ),
        (Reason("qualification", True, {"requirement": "insulin"}), "saknar krav: insulin"),
        (
            Reason(
                "qualification_expired", True, {"requirement": "insulin", "expired": "2026-04-14"}
            ),
            "insulin gick ut 2026-04-14",
        ),
        (
            Reason("not_introduced", True, variant="no_handledare"),
            "inte introducerad på enheten (ingen handledare i tjänst)",
        ),
        (
            Reason("not_introduced", True, variant="slot_taken"),
            "inte introducerad på enheten (en annan ointroducerad är redan bokad samtidigt)",
        ),
        (
            Reason("overlap", True, {"span": "2026-12-01 07:00–16:00"}),
            "krockar med pass 2026-12-01 07:00–16:00",
        ),
        (Reason("rest_before", True, {"rest": 9.5, "need": 11.0}), "vila före passet 9,5 h < 11 h"),
        (Reason("rest_after", True, {"rest": 0.0, "need": 11.0}), "vila efter passet 0 h < 11 h"),
        (
            Reason("weekly_rest", True, {"longest": 37.0, "need": 47.0, "week": 16}),
            "veckovila högst 37 h < 47 h (vecka 16)",
        ),
        (
            Reason("shift_too_long", True, {"length": 14.0, "limit": 13.0}),
            "passet är 14 h > 13 h",
        ),
        (Reason("week_hours", True, {"hours": 49.0, "limit": 48.0}), "veckan blir 49 h > 48 h"),
        (
            Reason("max_hours_week", True, {"hours": 30.25, "limit": 20.0}),
            "över egen veckogräns: 30,25 h > 20 h",
        ),
        (
            Reason("month_hours", False, {"hours": 166.5, "limit": 165.0}),
            "månaden blir 166,5 h > 165 h",
        ),
        (
            Reason("overtime_month", True, {"hours": 53.0, "limit": 50.0}),
            "mertid/övertid månaden blir 53 h > 50 h",
        ),
        (
            Reason("overtime_year", False, {"hours": 170.0, "limit": 160.0}),
            "mertid/övertid året blir 170 h > 160 h",
        ),
        (
            Reason("night_work", False, {"hours": 10.0, "limit": 8.0}),
            "nattarbete: 10 h på ett dygn > 8 h",
        ),
        (Reason("consecutive_days", False, {"days": 12, "limit": 11}), "12 dagar i rad > 11"),
        (Reason("paused", True, {"until": "2026-04-15 12:00"}), "pausad till 2026-04-15 12:00"),
        (
            Reason("unavailable", True, {"span": "2026-04-15 06:00–2026-04-16 06:00"}),
            "markerad otillgänglig 2026-04-15 06:00–2026-04-16 06:00",
        ),
        (Reason("weekday", True, {"weekday": 3}), "tar inte pass på onsdagar"),
        (
            Reason("time_window", True, {"start": "21:00", "end": "24:00"}),
            "tar pass bara 21:00–24:00",
        ),
        (Reason("unreachable", True), "kan inte nås (varken Telegram eller SMS)"),
    )
}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_entry_has_swedish_and_english_with_the_same_params() -> None:
    for key, entry in REASONS.items():
        assert set(entry) == {"sv", "en"}, key
        assert _fields(entry["sv"]) == _fields(entry["en"]), key


def test_every_entry_has_a_sample() -> None:
    assert set(REASONS) == set(SAMPLES)


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_swedish_reads_as_before_and_english_renders(key: str) -> None:
    reason, swedish = SAMPLES[key]
    assert reason_text(reason, "sv") == swedish
    assert reason_text(reason) == swedish
    english = reason_text(reason, "en")
    assert english and "{" not in english and english != swedish


def test_english_hours_take_a_decimal_point() -> None:
    reason = Reason("rest_before", True, {"rest": 9.5, "need": 11.0})
    assert reason_text(reason, "en") == "rest before the shift 9.5 h < 11 h"


@pytest.mark.parametrize(("who", "load", "context", "shift_kw", "blocks", "warnings"), CASES)
def test_every_reason_the_rules_give_renders_in_both_languages(
    who: Any, load: Any, context: Any, shift_kw: dict[str, Any], blocks: Any, warnings: Any
) -> None:
    context = dataclasses.replace(context, shift=dataclasses.replace(context.shift, **shift_kw))
    v = check_eligibility(context, who, load, RULES)
    for reason in (*v.blocks, *v.warnings):
        assert reason.key in REASONS
        for lang in ("sv", "en"):
            assert "{" not in reason_text(reason, lang)
