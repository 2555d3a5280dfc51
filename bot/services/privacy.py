"""Privacy jobs: keep absence records (health data) no longer than the retention setting."""

from __future__ import annotations

import datetime as dt
import logging

from bot.services.deps import Deps
from storage import audit, privacy

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
