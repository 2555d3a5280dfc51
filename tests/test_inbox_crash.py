"""kill -9 while people talk to the bot (the real bot in a child process, the fakes here):
no SMS report, no button press and no booking confirmation is lost, none is doubled
(`bench.inbox_crash`; its 50-kill run is in docs/benchmarks.md)."""

from __future__ import annotations

import os
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


@pytest.mark.slow
@pytest.mark.postgres
async def test_three_workers_behind_one_url_lose_nothing_when_one_is_killed(
    tmp_path: Path,
) -> None:
    """Three `vikariebot run` processes on one PostgreSQL database, Telegram in webhook
    mode behind one URL: one of them killed -9 at a time, the others go on."""
    url = os.environ.get("VIKARIE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("VIKARIE_TEST_POSTGRES_URL not set")
    report = await run(kills=4, seed=11, work=tmp_path, workers=3, postgres_url=url)
    assert report.settled, "\n".join(report.lines())
    assert report.presses > 0
    assert report.lost == 0, "\n".join(report.lines())
