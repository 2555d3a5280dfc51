"""The call-out engine: turn a searching vacancy's due step into offers, escalations or expiry.

The database holds every timer: a vacancy's `next_due_at` says when its next step is due.
`tick()` claims due vacancies one transaction at a time (FOR UPDATE SKIP LOCKED on
PostgreSQL, so several workers never run one step twice) and advances each.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.eligibility import (
    OPEN_ROLES,
    VacancyContext,
    Verdict,
    check_eligibility,
    handledare_among,
    is_candidate_kind,
    is_introduced,
    is_substitute_kind,
)
from bot.domain.messages import offer_message, simple
from bot.domain.model import COUNTED_AS_NO, OfferState, Person, Shift, Unit, Vacancy, VacancyStatus
from bot.domain.outgoing import OutMessage
from bot.domain.ranking import RankedCandidate, order_key, rank_candidates
from bot.domain.response_model import LearnedWave, ResponseEstimate, estimate_all, size_wave
from bot.domain.rules import local_year
from bot.domain.waves import WaveStep, learned_step, plan_wave
from bot.services import alerts
from bot.services.deps import Deps, delivery_channel, send_to_coordinators, send_to_person
from bot.texts import shift_times, t
from storage import audit, history, outbox, vacancies
from storage import people as people_repo
from storage import shifts as shifts_repo

log = logging.getLogger(__name__)

RECHECK = dt.timedelta(minutes=15)  # an exhausted vacancy looks again for newly free people
FAILED_STEP_RETRY = dt.timedelta(minutes=1)  # a step that raised is tried again after this


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything the engine knows about one vacancy's candidates right now."""

    vacancy: Vacancy
    shift: Shift
    unit: Unit
    context: VacancyContext
    verdicts: list[Verdict]
    ranked: list[RankedCandidate]
    tie_seed: int
    # First name of a handledare of the unit working alongside (named in introduction offers).
    handledare: str | None = None


async def assess(
    conn: AsyncConnection,
    deps: Deps,
    vacancy: Vacancy,
    *,
    exclude_offered: bool = True,
    only: list[Person] | None = None,
    candidates_only: bool = False,
    enough: int | None = None,
    shift: Shift | None = None,
) -> Assessment:
    """Judge every possible candidate for a vacancy (pure rules over loaded records).

    With `candidates_only` (the engine's waves) people who cannot be eligible are not
    loaded at all (see `people_repo.candidate_groups`), so `verdicts` holds fewer
    refusals; with `enough` too, people are judged best first and judging stops once
    more than `enough` are eligible (`_judge_best_first`): `ranked` then starts exactly
    as the full ranking would and holds at least one more. `shift` is the vacancy's
    shift, when the caller has it at hand.
    """
    now = deps.now()
    if shift is None:
        shift = await shifts_repo.get_shift(conn, vacancy.shift_id)
    assert shift is not None
    units = {u.id: u for u in await people_repo.all_units(conn)}
    unit = units[shift.unit_id]
    areas = {u.id: u.area for u in units.values()}
    working = await history.people_working_during(conn, unit.id, shift.starts_at, shift.ends_at)
    staff_here = await people_repo.get_people(conn, working) if working else {}
    supervisors = handledare_among(staff_here.values(), unit.id)
    handledare_on_duty = bool(supervisors)
    intro_slot_taken = any(not is_introduced(p, unit.id) for p in staff_here.values())
    ctx = VacancyContext(
        shift=shift,
        unit=unit,
        now=now,
        unit_areas=areas,
        widened=vacancy.widened,
        handledare_on_duty=handledare_on_duty,
        intro_slot_taken=intro_slot_taken,
        absent_person_id=shift.person_id,
    )
    offered = await vacancies.offered_person_ids(conn, vacancy.id) if exclude_offered else set()
    # The tie draw is seeded by the vacancy, so ties fall differently from vacancy to vacancy,
    # with no shared counter for workers to fight over.
    tie_seed = vacancy.id
    if candidates_only and only is None:
        verdicts = await _judge_best_first(conn, deps, ctx, offered, tie_seed, enough)
    else:
        # Named people (an answer, a fill by hand) are judged whoever they are: not being a
        # candidate is one more block, and the hard rules still count for them.
        if only is None:
            everyone = await people_repo.candidate_pool(conn, include_staff=True)
            pool = [p for p in everyone if p.id not in offered and is_candidate_kind(ctx, p)]
        else:
            pool = [p for p in only if p.id not in offered]
        loads = await history.loads_for(
            conn,
            [p.id for p in pool],
            shift,
            now,
            staff={p.id for p in pool if not is_substitute_kind(p)},
            year=local_year(shift.starts_at, deps.tz),
        )
        verdicts = [check_eligibility(ctx, p, loads[p.id], deps.rules) for p in pool]
    ranked = rank_candidates(ctx, verdicts, tie_seed, deps.rules)
    return Assessment(
        vacancy,
        shift,
        unit,
        ctx,
        verdicts,
        ranked,
        tie_seed,
        supervisors[0].first_name if supervisors else None,
    )


JUDGE_BATCH = 8  # the fewest people loaded and judged at a time when judging best first


async def _judge_best_first(
    conn: AsyncConnection,
    deps: Deps,
    ctx: VacancyContext,
    skip: set[str],
    tie_seed: int,
    enough: int | None,
) -> list[Verdict]:
    """The engine's waves: judge candidates tier by tier (`people_repo.candidate_groups`)
    and, with `enough`, within a substitute tier in ranking order (by history alone,
    `order_key`), a batch at a time, stopping as soon as more than `enough` are eligible.

    Everyone not judged would rank after everyone judged, so the ranking of the verdicts
    starts exactly as the full ranking would, and holds at least one more than `enough`
    unless there is nobody more. Time then follows the wave's size, not the tier's.
    """
    shift, unit, now = ctx.shift, ctx.unit, ctx.now
    skip = skip | {pid for pid in (ctx.absent_person_id, shift.person_id) if pid}
    want = enough + 1 if enough is not None else None
    role = shift.role.strip().lower()
    groups = people_repo.candidate_groups(
        unit_id=unit.id,
        area_unit_ids=[u for u, a in ctx.unit_areas.items() if a == unit.area and u != unit.id],
        include_staff=ctx.widened or unit.allow_staff_extra,
        introduced_only=not (ctx.handledare_on_duty and not ctx.intro_slot_taken),
        required_codes=[*([role] if role not in OPEN_ROLES else []), *shift.requirements],
        on_day=shift.starts_at.astimezone(deps.tz).date(),
    )
    year = local_year(shift.starts_at, deps.tz)  # for regular staff's extra-time caps
    verdicts: list[Verdict] = []
    eligible = 0
    for where, one_tier in groups:
        past = None
        if want is not None and one_tier:
            past = await history.history_where(conn, where, now, unit.id)
            ids = sorted(
                (pid for pid in past if pid not in skip),
                key=lambda pid: order_key(unit.id, past[pid], pid, tie_seed),
            )
        else:
            ids = [pid for pid in await people_repo.ids_where(conn, where) if pid not in skip]
        pos = 0
        while pos < len(ids):
            n = (
                len(ids)
                if past is None or want is None
                else max(JUDGE_BATCH, 2 * (want - eligible))
            )
            batch, pos = ids[pos : pos + n], pos + n
            people = await people_repo.get_people(conn, batch)
            loads = await history.loads_for(
                conn,
                batch,
                shift,
                now,
                past,
                staff={p.id for p in people.values() if not is_substitute_kind(p)},
                year=year,
            )
            for pid in batch:
                person = people.get(pid)
                if person is None or not is_candidate_kind(ctx, person):
                    continue
                verdicts.append(check_eligibility(ctx, person, loads[pid], deps.rules))
                eligible += verdicts[-1].eligible
                if past is not None and want is not None and eligible >= want:
                    return verdicts
        if want is not None and eligible >= want:
            break
    return verdicts


async def tick(deps: Deps, limit: int = 200) -> int:
    """Advance every vacancy whose next step is due. Returns how many steps ran.

    A step that fails is logged with its vacancy and put back a little later, so one bad
    vacancy never holds up the others.
    """
    done = 0
    while done < limit:
        claimed: int | None = None
        try:
            async with deps.db.write() as conn:
                due = await vacancies.claim_due_vacancies(conn, deps.now(), 1)
                if not due:
                    break
                claimed = due[0]
                await advance(conn, deps, claimed)
        except Exception:
            if claimed is None:
                raise
            log.exception(
                "call-out step for vacancy %s failed; retrying in %s", claimed, FAILED_STEP_RETRY
            )
            async with deps.db.write() as conn:
                await vacancies.update_vacancy(
                    conn, claimed, deps.now(), next_due_at=deps.now() + FAILED_STEP_RETRY
                )
        done += 1
    if done:
        deps.kick()
    return done


async def due_now(deps: Deps, vacancy_ids: Iterable[int]) -> None:
    """Make searching vacancies' next step due now (their last open offer just closed)."""
    ids = list(vacancy_ids)
    if not ids:
        return
    async with deps.db.write() as conn:
        for vid in ids:
            await vacancies.update_vacancy(
                conn, vid, deps.now(), expect_status=VacancyStatus.SEARCHING, next_due_at=deps.now()
            )


async def advance(conn: AsyncConnection, deps: Deps, vacancy_id: int) -> None:
    """One step of a searching vacancy: expire, hold for quiet hours, send a wave, escalate."""
    now = deps.now()
    # Locked, and looked at again: another worker may have run this step a moment ago.
    vacancy = await vacancies.get_vacancy(conn, vacancy_id, for_update=True)
    if vacancy is None or vacancy.status != VacancyStatus.SEARCHING:
        return
    if vacancy.next_due_at is None or vacancy.next_due_at > now:
        return
    shift = await shifts_repo.get_shift(conn, vacancy.shift_id)
    assert shift is not None
    if now >= shift.starts_at:
        await _expire(conn, deps, vacancy, shift)
        return
    rules = deps.rules
    escalate_at = shift.starts_at - dt.timedelta(
        minutes=deps.settings.escalate_before_start_minutes
    )
    step = plan_wave(now, shift.starts_at, rules)
    if step.hold_until is not None and step.hold_until > now:
        due = step.hold_until if vacancy.escalated_at else min(step.hold_until, escalate_at)
        await vacancies.update_vacancy(conn, vacancy.id, now, next_due_at=max(due, now))
        return
    # Learned waves (svarsmodell) only when the start is near: further ahead the band's
    # size is kept, as speed measured in minutes is not worth the messages there. They
    # judge up to wave_max_size at once: judging in two steps (the band's size first) ran
    # the tier's history query twice, slower on the large database (docs/benchmarks.md).
    learned = (
        rules.wave_sizing == "learned"
        and bool(step.size)
        and shift.starts_at - now <= dt.timedelta(hours=rules.wave_near_hours)
    )
    enough = max(step.size or 0, rules.wave_max_size) if learned else step.size
    a = await assess(conn, deps, vacancy, candidates_only=True, enough=enough, shift=shift)
    if learned and a.ranked:
        sized = await _learned_wave(conn, deps, a, step)
        step = learned_step(step, now, shift.starts_at, rules, sized.size, sized.wait_minutes)
    chosen = a.ranked if step.size is None else a.ranked[: step.size]
    wave = vacancy.wave + 1 if chosen else vacancy.wave
    sent = await _offer_wave(conn, deps, a, chosen, wave)
    if chosen:
        await audit.record(
            conn,
            now,
            audit.SYSTEM,
            "wave_sent",
            "vacancy",
            vacancy.id,
            "engine",
            wave=wave,
            offers=sent,
        )
    left = len(a.ranked) - sent  # anyone chosen but locked elsewhere is asked next time
    # Nobody left to ask and nobody still thinking about it (a wave just sent is open).
    exhausted = left == 0 and not sent and not await vacancies.has_open_offers(conn, vacancy.id)
    alert_now = vacancy.escalated_at is None and (now >= escalate_at or exhausted)
    short_notice = vacancy.wave == 0 and shift.starts_at - now < dt.timedelta(
        minutes=rules.short_notice_minutes
    )
    if chosen and short_notice and not alert_now:
        await _short_notice(conn, deps, a)  # the alert says "short notice" when it goes too
    if alert_now:
        await escalate(
            conn, deps, vacancy, a.unit, shift, "exhausted" if exhausted else "threshold"
        )
        escalated = True
    else:
        escalated = vacancy.escalated_at is not None
    more_to_ask = left > 0 and step.next_due_at is not None
    next_due = step.next_due_at if more_to_ask and step.next_due_at else now + RECHECK
    if not escalated:
        next_due = min(next_due, escalate_at)
    next_due = max(min(next_due, shift.starts_at), now)
    await vacancies.update_vacancy(conn, vacancy.id, now, wave=wave, next_due_at=next_due)


async def _learned_wave(
    conn: AsyncConnection, deps: Deps, a: Assessment, step: WaveStep
) -> LearnedWave:
    """The learned wave's size and wait over the candidates judged (`size_wave`)."""
    rules = deps.rules
    estimates = await response_estimates(conn, a.ranked, deps.now())
    return size_wave(
        [estimates[c.verdict.person.id] for c in a.ranked],
        rules.wave_slowdown,
        rules.wave_min_size,
        rules.wave_max_size,
        rules.wave_min_wait_minutes,
        max(step.wait_minutes or 0.0, rules.wave_min_wait_minutes),
    )


async def response_estimates(
    conn: AsyncConnection, ranked: Iterable[RankedCandidate], now: dt.datetime
) -> dict[str, ResponseEstimate]:
    """Each candidate's chance to answer, to say yes, and answer delay, from their past
    offers (one query), shrunk toward their tier's (`response_model.estimate_all`)."""
    tiers = {c.verdict.person.id: str(c.verdict.person.tier or "") for c in ranked}
    past = await history.response_history(conn, list(tiers), now)
    return estimate_all(past, tiers)


async def _offer_wave(
    conn: AsyncConnection, deps: Deps, a: Assessment, chosen: list[RankedCandidate], wave: int
) -> int:
    """The wave's offers, their messages and audit rows: a few statements whatever its
    size. The handledare working alongside is named only to people who need an
    introduction. Someone being booked elsewhere this very moment is left for the next
    wave (`insert_offers`); returns how many were offered."""
    now = deps.now()
    offers = await vacancies.insert_offers(
        conn, a.vacancy.id, wave, [c.verdict.person.id for c in chosen], now
    )
    by_person = {o.person_id: o for o in offers}
    sent = [(c, by_person[c.verdict.person.id]) for c in chosen if c.verdict.person.id in by_person]
    messages: list[outbox.Enqueued] = []
    for cand, offer in sent:
        person = cand.verdict.person
        name = a.handledare if cand.verdict.needs_introduction else None
        msg = offer_message(offer, a.shift, a.unit, person, deps.tz, name)
        channel = delivery_channel(person, msg)
        if channel is not None:
            messages.append(outbox.Enqueued(msg, channel, person_id=person.id, offer_id=offer.id))
    await outbox.enqueue_many(conn, messages, now)
    await audit.record_many(
        conn,
        now,
        audit.SYSTEM,
        "offer_sent",
        "offer",
        "engine",
        [
            (
                offer.id,
                {
                    "vacancy": a.vacancy.id,
                    "person": offer.person_id,
                    "wave": wave,
                    "rank": offer.rank,
                    "tier": cand.tier_name,
                },
            )
            for cand, offer in sent
        ],
    )
    return len(sent)


async def _short_notice(conn: AsyncConnection, deps: Deps, a: Assessment) -> None:
    lang = deps.settings.language
    text = t(
        "coord_short_notice",
        lang,
        unit=a.unit.name,
        **shift_times(a.shift.starts_at, a.shift.ends_at, deps.tz, lang),
    )
    await send_to_coordinators(conn, a.unit, OutMessage("short_notice", text), deps.now())


async def _expire(conn: AsyncConnection, deps: Deps, vacancy: Vacancy, shift: Shift) -> None:
    now = deps.now()
    await vacancies.update_vacancy(
        conn, vacancy.id, now, status=VacancyStatus.EXPIRED.value, next_due_at=None
    )
    await vacancies.close_open_offers(conn, vacancy.id, OfferState.EXPIRED, now)
    await audit.record(conn, now, audit.SYSTEM, "vacancy_expired", "vacancy", vacancy.id, "engine")
    if vacancy.escalated_at is None:
        unit = await people_repo.get_unit(conn, shift.unit_id)
        assert unit is not None
        await escalate(conn, deps, vacancy, unit, shift, "threshold")


async def offer_tally(conn: AsyncConnection, vacancy_id: int) -> dict[str, int]:
    offers = await vacancies.offers_for(conn, vacancy_id)
    return {
        "asked": len(offers),
        "declined": sum(o.state in COUNTED_AS_NO for o in offers),
        "silent": sum(o.state in (OfferState.OPEN, OfferState.EXPIRED) for o in offers),
    }


async def escalate(
    conn: AsyncConnection, deps: Deps, vacancy: Vacancy, unit: Unit, shift: Shift, why: str
) -> None:
    """Alert the unit's coordinator with what was tried and the choices as buttons. The
    alert says what `bot.domain.alerts` decides from the vacancy's state now ("searching
    among N" when the search only just began inside the escalation window) and is edited
    as the vacancy changes (`bot.services.alerts`)."""
    now = deps.now()
    tally = await offer_tally(conn, vacancy.id)
    msg = await alerts.alert_now(conn, deps, vacancy.id)
    assert msg is not None
    await send_to_coordinators(conn, unit, msg, now)
    await vacancies.update_vacancy(conn, vacancy.id, now, escalated_at=now)
    await audit.record(
        conn, now, audit.SYSTEM, "escalated", "vacancy", vacancy.id, "engine", why=why, **tally
    )


async def withdraw_conflicting(
    conn: AsyncConnection, deps: Deps, person: Person, booked: Shift
) -> tuple[int, ...]:
    """Close the person's other open offers that the new booking rules out (overlap or too
    little rest) and tell them. Only the person's own offer rows are written here (the
    caller holds the person's lock); returns the vacancies left with no open offer, whose
    next step the caller makes due after commit (`due_now`)."""
    now = deps.now()
    rest = dt.timedelta(hours=deps.rules.rest_daily_hours)
    left_empty: list[int] = []
    for offer in await vacancies.open_offers_of(conn, person.id):
        vacancy = await vacancies.get_vacancy(conn, offer.vacancy_id)
        shift = await shifts_repo.get_shift(conn, vacancy.shift_id) if vacancy else None
        if vacancy is None or shift is None or shift.id == booked.id:
            continue
        if shift.starts_at >= booked.ends_at + rest or shift.ends_at + rest <= booked.starts_at:
            continue
        if not await vacancies.answer_offer(conn, offer.id, OfferState.WITHDRAWN, now, "engine"):
            continue
        unit = await people_repo.get_unit(conn, shift.unit_id)
        assert unit is not None
        await send_to_person(
            conn,
            person,
            simple("offer_conflict", shift, unit, person, deps.tz, edit_offer_id=offer.id),
            now,
        )
        await audit.record(
            conn,
            now,
            audit.SYSTEM,
            "offer_withdrawn",
            "offer",
            offer.id,
            "engine",
            reason="booked_elsewhere",
            booked_shift=booked.id,
        )
        if not any(
            o.state == OfferState.OPEN for o in await vacancies.offers_for(conn, vacancy.id)
        ):
            left_empty.append(vacancy.id)
    return tuple(left_empty)
