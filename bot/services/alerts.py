"""The coordinator's alert about a vacancy, kept true: what it should say now (from the
database and the clock, decided by `bot.domain.alerts`) and where it was sent.

The engine sends an alert through the outbox (`callout.escalate`); the dispatcher
remembers the Telegram message it became (`remember_sent`); a job like the live board's
redraws every remembered alert whose text or buttons no longer match (`stale_alerts`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.alerts import AlertFacts, alert_message, drawn
from bot.domain.model import COUNTED_AS_NO, OfferState, VacancyStatus
from bot.domain.outgoing import OutMessage
from bot.domain.waves import escalation_grace_end
from bot.services.deps import Deps
from bot.texts import role_name, shift_times
from storage import alerts as alerts_repo
from storage import bookings as bookings_repo
from storage import people as people_repo
from storage import shifts as shifts_repo
from storage import vacancies

# An alert is forgotten (no longer redrawn) this long after its shift began.
KEEP_AFTER_START = dt.timedelta(hours=12)


async def alert_facts(conn: AsyncConnection, deps: Deps, vacancy_id: int) -> AlertFacts | None:
    vacancy = await vacancies.get_vacancy(conn, vacancy_id)
    shift = await shifts_repo.get_shift(conn, vacancy.shift_id) if vacancy else None
    unit = await people_repo.get_unit(conn, shift.unit_id) if shift else None
    if vacancy is None or shift is None or unit is None:
        return None
    lang = deps.settings.language
    offers = await vacancies.offers_for(conn, vacancy_id)
    first = min((o.created_at for o in offers), default=None)
    booking = await bookings_repo.live_booking(conn, vacancy_id)
    name, after = None, None
    if booking is not None and vacancy.status == VacancyStatus.FILLED:
        person = await people_repo.get_person(conn, booking.person_id)
        name = person.name if person else booking.person_id
        after = booking.booked_at - vacancy.created_at
    settings = deps.settings
    return AlertFacts(
        vacancy_id=vacancy.id,
        status=vacancy.status,
        shift={"unit": unit.name, "role": role_name(shift.role, lang),
               **shift_times(shift.starts_at, shift.ends_at, deps.tz, lang)},
        asked=len(offers),
        declined=sum(o.state in COUNTED_AS_NO for o in offers),
        waiting=sum(o.state == OfferState.OPEN for o in offers),
        silent=sum(o.state in (OfferState.OPEN, OfferState.EXPIRED) for o in offers),
        widened=vacancy.widened,
        urgent=first is not None
        and shift.starts_at - first < dt.timedelta(minutes=deps.rules.short_notice_minutes),
        reopened=await alerts_repo.was_reopened(conn, vacancy_id),
        booked_name=name,
        filled_after=after,
        searching_until=escalation_grace_end(
            first,
            shift.starts_at,
            dt.timedelta(minutes=settings.escalate_before_start_minutes),
            dt.timedelta(minutes=settings.escalate_grace_minutes),
        ),
    )


async def alert_now(conn: AsyncConnection, deps: Deps, vacancy_id: int) -> OutMessage | None:
    """The alert as it should read now."""
    facts = await alert_facts(conn, deps, vacancy_id)
    if facts is None:
        return None
    return alert_message(facts, deps.now(), deps.settings.language)


async def remember_sent(
    conn: AsyncConnection, vacancy_id: int, chat_id: int, message_id: int, msg: OutMessage
) -> None:
    """The dispatcher delivered an alert to a Telegram chat: remember it for later edits."""
    await alerts_repo.remember(
        conn, alerts_repo.AlertMessage(vacancy_id, chat_id, message_id, drawn(msg))
    )


async def stale_alerts(deps: Deps) -> list[tuple[alerts_repo.AlertMessage, OutMessage]]:
    """Remembered alerts that no longer say what they should, with what they should say.
    Alerts of shifts long begun are forgotten on the way."""
    now = deps.now()
    out: list[tuple[alerts_repo.AlertMessage, OutMessage]] = []
    old: list[alerts_repo.AlertMessage] = []
    async with deps.db.read() as conn:
        current: dict[int, OutMessage | None] = {}
        for alert in await alerts_repo.all_alerts(conn):
            if alert.vacancy_id not in current:
                vacancy = await vacancies.get_vacancy(conn, alert.vacancy_id)
                shift = await shifts_repo.get_shift(conn, vacancy.shift_id) if vacancy else None
                gone = shift is None or now - shift.starts_at > KEEP_AFTER_START
                current[alert.vacancy_id] = (
                    None if gone else await alert_now(conn, deps, alert.vacancy_id)
                )
            msg = current[alert.vacancy_id]
            if msg is None:
                old.append(alert)
            elif drawn(msg) != alert.drawn:
                out.append((alert, msg))
    if old:
        await forget(deps, *old)
    return out


async def redrawn(deps: Deps, alert: alerts_repo.AlertMessage, msg: OutMessage) -> None:
    async with deps.db.write() as conn:
        await remember_sent(conn, alert.vacancy_id, alert.chat_id, alert.message_id, msg)


async def forget(deps: Deps, *alerts: alerts_repo.AlertMessage) -> None:
    async with deps.db.write() as conn:
        await alerts_repo.forget(conn, *alerts)
