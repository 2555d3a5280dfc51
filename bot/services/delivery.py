"""What Twilio's delivery reports mean for the call-out (status callbacks).

A report finds its outbox row by the Twilio SID the dispatcher stored. `delivered` marks
the row delivered. `failed` / `undelivered` mark it failed (with Twilio's error code) and
then do what a failed send does: the message goes to the person's Telegram if linked,
otherwise an offer counts as unanswered so the call-out moves on. On top of that:

    21610                     the person sent STOP: opted out of SMS
    21211 21614 30005 30006   the number is wrong or not a mobile: the unit's coordinator
                              is told, once per person and number

Reports come more than once and out of order (queued, sent, delivered ...): only the
first final report of a sent row counts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.delivery import OPTED_OUT, WRONG_NUMBER
from bot.domain.model import Person, Role, Unit
from bot.domain.outgoing import OutMessage
from bot.domain.phone import mask_phone
from bot.services.deps import Deps, send_to_coordinators
from bot.services.fallback import fall_back
from bot.texts import t
from storage import audit, kv, outbox, vacancies
from storage import people as people_repo
from storage import shifts as shifts_repo

log = logging.getLogger(__name__)

DELIVERED = frozenset({"delivered", "read"})
FAILED = frozenset({"failed", "undelivered"})
FLAGGED_KEY = "sms_invalid:"  # kv: person id -> the number the coordinator was told about
UNKNOWN_RETRIES, UNKNOWN_WAIT = 5, 0.2  # tries, seconds: see _known


@dataclass(frozen=True, slots=True)
class StatusReport:
    message_sid: str
    status: str  # queued, sending, sent, delivered, undelivered, failed, ...
    error_code: int | None = None


async def handle_status(deps: Deps, report: StatusReport) -> str:
    """Apply one status callback. Returns what it did (for logs and tests)."""
    status = report.status.lower()
    if status not in DELIVERED | FAILED:
        return "progress"
    if not await _known(deps, report.message_sid):
        log.info("status %s for an unknown message %s", status, report.message_sid)
        return "unknown"
    now = deps.now()
    async with deps.db.write() as conn:
        # One SMS may carry several rows (a bundled offer): the report is about each.
        items = [
            i for i in await outbox.all_by_external_id(conn, report.message_sid)
            if i.channel == "sms"
        ]
        if not items:
            log.info("status %s for an unknown message %s", status, report.message_sid)
            return "unknown"
        ok = status in DELIVERED
        error = None if ok else f"{status} {report.error_code or ''}".strip()
        settled = [
            i for i in items
            if await outbox.settle_sent(conn, i.id, "delivered" if ok else "failed", error)
        ]
        if not settled:
            return "repeat"
        if ok:
            return "delivered"
        item = settled[0]
        person = await people_repo.get_person(conn, item.person_id) if item.person_id else None
        log.warning(
            "SMS %s (outbox %s) to %s %s",
            item.kind,
            item.id,
            mask_phone(person.phone if person else None),
            error,
        )
        await audit.record(
            conn,
            now,
            audit.SYSTEM,
            "sms_undelivered",
            "outbox",
            item.id,
            "sms",
            status=status,
            code=report.error_code,
        )
        if person is not None and report.error_code == OPTED_OUT:
            await _opt_out_in(conn, now, person)
            person = replace(person, sms_opted_out=True)
        elif person is not None and report.error_code in WRONG_NUMBER:
            await _flag_invalid_number(conn, deps, person, item, report.error_code, now)
        for each in settled:
            await fall_back(conn, each, person, now)
    deps.kick()
    return status


async def _known(deps: Deps, sid: str) -> bool:
    """Whether the SID is on an outbox row. A report can overtake the dispatcher writing
    the SID it just got back from Twilio: give that write a moment."""
    for attempt in range(UNKNOWN_RETRIES):
        async with deps.db.read() as conn:
            if await outbox.by_external_id(conn, sid) is not None:
                return True
        if attempt + 1 < UNKNOWN_RETRIES:
            await asyncio.sleep(UNKNOWN_WAIT)
    return False


async def mark_opted_out(deps: Deps, person_id: str) -> None:
    """Twilio refused to send (21610): the person opted out of SMS. The sender's hook."""
    async with deps.db.write() as conn:
        person = await people_repo.get_person(conn, person_id)
        if person is not None:
            await _opt_out_in(conn, deps.now(), person)


async def _opt_out_in(conn: AsyncConnection, now: dt.datetime, person: Person) -> None:
    if person.sms_opted_out:
        return
    await people_repo.update_person(conn, person.id, sms_opted_out=True)
    await audit.record(
        conn, now, audit.SYSTEM, "sms_opted_out", "person", person.id, "sms", code=OPTED_OUT
    )


async def _flag_invalid_number(
    conn: AsyncConnection,
    deps: Deps,
    person: Person,
    item: outbox.OutboxItem,
    code: int,
    now: dt.datetime,
) -> None:
    """Tell the coordinator of the person's unit, once per person and number."""
    key = FLAGGED_KEY + person.id
    marker = person.phone or ""
    if await kv.get(conn, key) == marker:
        return
    await kv.put(conn, key, marker)
    unit = await _unit_of(conn, person, item)
    if unit is None:
        log.warning("invalid number %s of %s: no unit to tell", mask_phone(person.phone), person.id)
        return
    lang = deps.settings.language
    params = {"person": person.name, "phone": mask_phone(person.phone), "error": code}
    msg = OutMessage(
        "number_invalid",
        t("coord_sms_invalid", lang, **params),
        t("coord_sms_invalid_sms", lang, **params),
    )
    await send_to_coordinators(conn, unit, msg, now)
    await audit.record(
        conn,
        now,
        audit.SYSTEM,
        "sms_number_flagged",
        "person",
        person.id,
        "sms",
        code=code,
        unit=unit.id,
    )


async def _unit_of(conn: AsyncConnection, person: Person, item: outbox.OutboxItem) -> Unit | None:
    """The unit the failed message was about, else the person's own unit."""
    if item.offer_id is not None:
        offer = await vacancies.get_offer(conn, item.offer_id)
        vacancy = await vacancies.get_vacancy(conn, offer.vacancy_id) if offer else None
        shift = await shifts_repo.get_shift(conn, vacancy.shift_id) if vacancy else None
        if shift is not None:
            return await people_repo.get_unit(conn, shift.unit_id)
    candidates = [
        *sorted(person.units_for(Role.STAFF)),
        *sorted(person.introduced_units),
        *sorted(g.unit_id for g in person.roles if g.unit_id),
    ]
    for unit_id in candidates:
        unit = await people_repo.get_unit(conn, unit_id)
        if unit is not None:
            return unit
    return None
