"""`make demo`'s scripted morning, end to end: the real bot against the local Telegram and
Twilio servers on a fast clock. Every scene must play (a missing button or an unlinked
person raises), and the morning must end with every vacancy filled."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo import MORNING
from bot.demo.morning import run_morning
from bot.demo.stage import open_stage


@pytest.mark.slow  # about 40 s: the whole scripted morning
async def test_the_scripted_morning_plays_to_a_full_board(tmp_path: Path) -> None:
    stage = await open_stage(tmp_path / "demo.db", MORNING)
    try:
        tr = stage.transcript(out=lambda line: None)
        tr.skip_past()
        summary = await run_morning(stage, tr)
    finally:
        await stage.stop()
    text = "\n".join(tr.lines)
    board = "\n".join(summary)
    assert "6/6 tillsatta" in board, board
    assert "för hand" in board  # the escalation filled by hand
    # The scenes: reports by Telegram and SMS, a cancellation, a newcomer's checklist.
    assert "(Telegram): sjuk" in text or "(Telegram): vab" in text
    assert "(SMS): " in text
    assert "trycker Ja, avboka" in text or "trycker Yes, cancel" in text
    assert "Median tid till tillsatt" in board
