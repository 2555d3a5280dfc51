"""kill -9 while people talk to the bot (the real bot in a child process, the fakes here):
no SMS report, no button press and no booking confirmation is lost, none is doubled
(`bench.inbox_crash`; its 50-kill run is in docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.inbox_crash import run


@pytest.mark.slow
async def test_kill_9_loses_nothing_people_send(tmp_path: Path) -> None:
    report = await run(kills=6, seed=7, work=tmp_path)
    assert report.settled, "\n".join(report.lines())
    assert report.kills == 6
    assert report.presses > 0 and report.sms_posts >= 8
    assert report.lost == 0, "\n".join(report.lines())
