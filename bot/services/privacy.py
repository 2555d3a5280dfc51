"""Privacy: keep absence records (health data) no longer than the retention setting;
export and erase one person's data."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from bot.domain.privacy import refuse_erasure
from bot.services import callout
from bot.services.deps import Deps
from storage import audit, dialogues, inbox, privacy

log = logging.getLogger(__name__)


async def purge_old_absences(deps: Deps) -> int:
    """Delete absences that ended more than VIKARIE_ABSENCE_RETENTION_DAYS ago."""
    now = deps.now()
    cutoff = now - dt.timedelta(days=deps.settings.absence_retention_days)
    async with deps.db.write() as conn:
        n = await privacy.purge_absences_before(conn, cutoff)
        if n:
            await audit.record(
                conn,
                now,
                audit.SYSTEM,
                "absences_purged",
                "absence",
                "*",
                "engine",
                count=n,
                cutoff=cutoff.isoformat(),
            )
    if n:
        log.info("purged %d absence records older than %s", n, cutoff.date())
    return n


async def purge_old_inbox(deps: Deps) -> int:
    """Forget handled inbox rows received more than VIKARIE_INBOX_RETENTION_DAYS ago (they
    hold no message text, only source, times and outcome; pending rows stay), and dialogue
    state a day old."""
    cutoff = deps.now() - dt.timedelta(days=deps.settings.inbox_retention_days)
    async with deps.db.write() as conn:
        n = await inbox.purge(conn, cutoff)
        # Dialogue drafts a day old are not loaded any more (handlers/telegram/persistence.py).
        await dialogues.forget_before(conn, deps.now() - dt.timedelta(days=1))
    if n:
        log.info("purged %d handled inbox rows older than %s", n, cutoff.date())
    return n


async def export_person(deps: Deps, person_id: str, by: str) -> dict[str, Any] | None:
    """Everything stored about a person (registerutdrag), for `vikariebot person export`.
    The export itself is recorded in the audit log."""
    async with deps.db.write() as conn:
        data = await privacy.export_person(conn, person_id)
        if data is not None:
            await audit.record(conn, deps.now(), by, "person_exported", "person", person_id, "cli")
    return data


async def erase_person(deps: Deps, person_id: str, by: str) -> privacy.Erasure:
    """Erase a person (see `storage.privacy`); raises `bot.domain.privacy.ErasureRefused`
    for an unknown person or one expected at work. The audit row keeps only counts.
    Vacancies that were waiting for the person's answer move on."""
    now = deps.now()
    async with deps.db.write() as conn:
        refuse_erasure(await privacy.erasure_facts(conn, person_id, now))
        done = await privacy.erase_person(conn, person_id, now)
        await audit.record(
            conn,
            now,
            by,
            "person_erased",
            "person",
            person_id,
            "cli",
            deleted=done.deleted,
            kept=done.kept,
        )
    await callout.due_now(deps, done.vacancies_asked)
    log.info("erased person %s: %s", person_id, done.deleted)
    return done
