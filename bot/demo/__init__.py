"""`vikariebot demo`: the whole system on one machine, with no accounts.

The real bot (python-telegram-bot, twilio, the engine, SQLite) runs against the local Bot API
and Twilio servers in `bot/fakes/`, with the sample municipality in a fresh SQLite file and a
fast clock. `demo` plays a scripted morning and prints the transcript, the board and the
figures; `demo --interactive` serves a page where you play everyone's phone.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Settings

DEMO_DB = Path("data") / "demo.db"
MORNING = dt.datetime(2026, 12, 1, 5, 30, tzinfo=ZoneInfo("Europe/Stockholm"))


async def run_demo(settings: Settings, *, interactive: bool = False, fresh: bool = True) -> int:
    from bot.demo.morning import run_morning
    from bot.demo.stage import open_stage

    # The transcript is the output; library chatter would drown it.
    logging.getLogger().setLevel(logging.WARNING)
    print("Vikariebot – lokal demo (inga konton behövs)")
    print(
        f"Startar: SQLite {DEMO_DB}, lokal Telegram-server, lokal Twilio-server, exempelkommunen…"
    )
    stage = await open_stage(DEMO_DB, MORNING, base=settings, ticker=interactive)
    try:
        linked = len(stage.user_ids)
        print(
            f"{len(stage.people)} personer importerade; {linked} har kopplat Telegram, "
            f"övriga nås med SMS."
        )
        if interactive:
            from bot.demo.interactive import serve

            return await serve(stage)
        tr = stage.transcript()
        tr.skip_past()  # not the linking chatter
        print("\nMorgonen 1 december, 05:30–08:00 (simulerad tid):\n")
        for line in await run_morning(stage, tr):
            print(line)
        return 0
    finally:
        await stage.stop()
