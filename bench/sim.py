"""Drive the call-out engine through the simulated morning, and the two baselines.

* `run_engine` runs the real services (`report_absence`, `tick`, `accept`, `decline`) on a
  SQLite file with a FakeClock, jumping from event to event in simulated time: the next
  report, the next answer, or the next vacancy step (`vacancies.next_due_at`).
* Baseline (a), everyone eligible at once, is `run_engine` with settings that make every
  wave "all at once".
* Baseline (b), a coordinator phoning one person at a time, is `run_coordinators`: a direct
  simulation over the engine's own ranking (computed with `callout.assess`).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import time
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from bench.world import Morning, SimShift
from bot.clock import FakeClock
from bot.config import Settings
from bot.domain import intents
from bot.domain.model import AbsenceCategory, OfferState, Vacancy, VacancyStatus
from bot.services import absence, answers, callout
from bot.services.deps import Deps
from storage import absences as absences_repo
from storage import tables as t
from storage import vacancies
from storage.db import Database

CALL_MINUTES = 3.0
REST = dt.timedelta(hours=11)


@dataclass
class VacancyOutcome:
    shift: SimShift
    reported: dt.datetime
    booked: dt.datetime | None
    by: str | None = None

    @property
    def minutes(self) -> float:
        """Report to booking, in minutes; infinite when never filled before the start."""
        if self.booked is None or self.booked > self.shift.start:
            return math.inf
        return (self.booked - self.reported).total_seconds() / 60


@dataclass
class RunResult:
    label: str
    outcomes: list[VacancyOutcome]
    messages: int  # to substitutes (offers, taken, late, booked, ...) or phone calls
    by_kind: Counter[str] = field(default_factory=Counter)
    wall_seconds: float = 0.0
    steps: int = 0
    settings: dict[str, object] = field(default_factory=dict)
    # Per tier: Gini coefficient of hours offered and of hours booked this morning, over
    # everyone of the tier (nobody offered counts as 0).
    gini: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def filled(self) -> int:
        return sum(math.isfinite(o.minutes) for o in self.outcomes)

    @property
    def times(self) -> list[float]:
        return sorted(o.minutes for o in self.outcomes)

    @property
    def per_filled(self) -> float:
        return self.messages / self.filled if self.filled else math.inf


def percentile(sorted_values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks; an unfilled (inf) neighbour gives inf."""
    if not sorted_values:
        return math.nan
    k = (len(sorted_values) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    a, b = sorted_values[lo], sorted_values[hi]
    if math.isinf(a) or math.isinf(b):
        return math.inf
    return a + (b - a) * (k - lo)


def gini(values: list[float]) -> float:
    """0 when everyone has the same, towards 1 when one has everything (0 for all zeros)."""
    xs = sorted(values)
    n, total = len(xs), sum(xs)
    if n == 0 or total == 0:
        return 0.0
    return sum((2 * i - n - 1) * x for i, x in enumerate(xs, start=1)) / (n * total)


def make_deps(db: Database, start: dt.datetime, **overrides: object) -> Deps:
    s = Settings(_env_file=None, database_url="sqlite+aiosqlite:///unused.db",  # type: ignore[call-arg]
                 **overrides)
    return Deps(db=db, clock=FakeClock(start), settings=s, rules=s.rule_settings())


async def _next_due(db: Database) -> dt.datetime | None:
    async with db.read() as conn:
        return (await conn.execute(  # type: ignore[no-any-return]
            sa.select(sa.func.min(t.vacancies.c.next_due_at))
            .where(t.vacancies.c.status == "searching")
        )).scalar_one()


async def run_engine(db_path: str, world: Morning, label: str,
                     **overrides: object) -> RunResult:
    """The whole morning through the engine; `overrides` are Settings fields."""
    wall = time.perf_counter()
    db = Database(f"sqlite+aiosqlite:///{db_path}")
    reports = list(world.reports)
    deps = make_deps(db, reports[0].at, **overrides)
    clock = deps.clock
    assert isinstance(clock, FakeClock)
    seq = itertools.count()
    answers_due: list[tuple[dt.datetime, int, int, str, bool]] = []
    booked: dict[str, list[SimShift]] = {}
    async with db.read() as conn:  # past offers (`write_history`) get no answers now
        seen_offer = (await conn.execute(sa.select(sa.func.max(t.offers.c.id)))).scalar() or 0
    steps = 0
    ri = 0
    last_t: dt.datetime | None = None
    same_t = 0
    while True:
        now = clock.now()
        candidates = []
        if ri < len(reports):
            candidates.append(reports[ri].at)
        if answers_due:
            candidates.append(answers_due[0][0])
        due = await _next_due(db)
        if due is not None:
            candidates.append(due)
        if not candidates:
            break
        t_next = max(min(candidates), now)
        same_t = same_t + 1 if t_next == last_t else 0
        if same_t > 50:
            raise RuntimeError(f"simulation stuck at {t_next}")
        last_t = t_next
        clock.set(t_next)
        while ri < len(reports) and reports[ri].at <= t_next:
            r = reports[ri]
            ri += 1
            await absence.report_absence(deps, r.person, AbsenceCategory(r.category), "sms",
                                         shift_ids=[r.shift])
        while answers_due and answers_due[0][0] <= t_next:
            _, _, offer_id, pid, accepts = heapq.heappop(answers_due)
            await _answer(deps, world, booked, offer_id, pid, accepts)
        steps += await callout.tick(deps)
        # Every offer made since the last look reaches its person at its created_at.
        async with db.read() as conn:
            rows = list(await conn.execute(
                sa.select(t.offers.c.id, t.offers.c.person_id, t.offers.c.created_at,
                          t.vacancies.c.shift_id)
                .join(t.vacancies, t.vacancies.c.id == t.offers.c.vacancy_id)
                .where(t.offers.c.id > seen_offer).order_by(t.offers.c.id)
            ))
        for r in rows:
            seen_offer = r.id
            ans = world.answer(r.person_id, r.shift_id)
            if ans.answers:
                heapq.heappush(answers_due, (r.created_at + ans.delay, next(seq), r.id,
                                             r.person_id, ans.accepts))
    result = await _collect(db, world, label)
    await db.close()
    result.wall_seconds = time.perf_counter() - wall
    result.steps = steps
    result.settings = dict(overrides)
    return result


async def _answer(deps: Deps, world: Morning, booked: dict[str, list[SimShift]],
                  offer_id: int, pid: str, accepts: bool) -> None:
    """Apply one person's answer through the services, as their phone would.

    A Telegram offer is edited to "tillsatt" when someone else takes the shift, so its
    button is gone; an SMS user may still reply JA to it (and is told it was late).
    Someone already booked on a clashing shift says no rather than yes.
    """
    async with deps.db.read() as conn:
        offer = await vacancies.get_offer(conn, offer_id)
        assert offer is not None
        vacancy = await vacancies.get_vacancy(conn, offer.vacancy_id)
        assert vacancy is not None
    shift = world.shifts[vacancy.shift_id]
    if accepts and any(_clash(shift, b) for b in booked.get(pid, ())):
        accepts = False
    if offer.state == OfferState.OPEN:
        if accepts:
            res = await answers.accept(deps, pid, intents.Accept(offer_id), "telegram")
            if res.outcome == answers.Outcome.BOOKED:
                booked.setdefault(pid, []).append(shift)
        else:
            await answers.decline(deps, pid, intents.Decline(offer_id), "telegram")
    elif accepts and offer.state == OfferState.TAKEN and pid in world.sms_only:
        await answers.accept(deps, pid, intents.Accept(offer_id), "sms")


def _clash(a: SimShift, b: SimShift) -> bool:
    """Overlap, or less than 11 hours between the two."""
    return a.start < b.end + REST and b.start < a.end + REST


async def _collect(db: Database, world: Morning, label: str) -> RunResult:
    async with db.read() as conn:
        rows = list(await conn.execute(
            sa.select(t.vacancies.c.shift_id, t.vacancies.c.created_at,
                      t.bookings.c.booked_at, t.bookings.c.person_id)
            .select_from(t.vacancies.outerjoin(
                t.bookings, sa.and_(t.bookings.c.vacancy_id == t.vacancies.c.id,
                                    t.bookings.c.cancelled_at.is_(None))))
            .where(t.vacancies.c.shift_id.in_(list(world.shifts)))
            .order_by(t.vacancies.c.id)
        ))
        offered = list(await conn.execute(
            sa.select(t.offers.c.person_id, t.vacancies.c.shift_id)
            .join(t.vacancies, t.vacancies.c.id == t.offers.c.vacancy_id)
            .where(t.vacancies.c.shift_id.in_(list(world.shifts)))
        ))
        kinds = Counter[str]()
        for pid, kind, n in await conn.execute(
            sa.select(t.outbox.c.person_id, t.outbox.c.kind, sa.func.count())
            .group_by(t.outbox.c.person_id, t.outbox.c.kind)
        ):
            if pid in world.substitutes:
                kinds[kind] += n
    outcomes = [VacancyOutcome(world.shifts[r.shift_id], r.created_at, r.booked_at, r.person_id)
                for r in rows]
    hours_offered, hours_booked = Counter[str](), Counter[str]()
    for pid, sid in offered:
        hours_offered[pid] += world.shifts[sid].hours
    for o in outcomes:
        if o.by is not None and o.booked is not None:
            hours_booked[o.by] += o.shift.hours
    tiers: dict[str, list[str]] = {}
    for p in world.people:
        if p["id"] in world.substitutes:
            tiers.setdefault(str(p["tier"]), []).append(str(p["id"]))
    ginis = {tier: (gini([hours_offered[p] for p in ids]), gini([hours_booked[p] for p in ids]))
             for tier, ids in sorted(tiers.items())}
    return RunResult(label, outcomes, sum(kinds.values()), kinds, gini=ginis)


# ---------- baseline (b): one coordinator per unit, one call at a time ----------

async def engine_rankings(db_path: str, world: Morning) -> dict[str, list[str]]:
    """The engine's ranking for each vacancy at the moment it is reported (a pristine copy
    of the world: absences and vacancies recorded, no offers sent)."""
    db = Database(f"sqlite+aiosqlite:///{db_path}")
    deps = make_deps(db, world.reports[0].at)
    clock = deps.clock
    assert isinstance(clock, FakeClock)
    out: dict[str, list[str]] = {}
    for r in world.reports:
        clock.set(r.at)
        shift = world.shifts[r.shift]
        async with db.write() as conn:
            aid = await absences_repo.insert_absence(conn, r.person, AbsenceCategory(r.category),
                                            shift.start, shift.end, "sms", r.at)
            vid = await vacancies.insert_vacancy(conn, r.shift, aid, r.at)
            # Searching, but never due: no engine runs here.
            await vacancies.update_vacancy(conn, vid, r.at, next_due_at=None)
        async with db.read() as conn:
            v = Vacancy(vid, r.shift, VacancyStatus.SEARCHING, 0, None, r.at, r.at, aid)
            a = await callout.assess(conn, deps, v)
        out[r.shift] = [c.verdict.person.id for c in a.ranked]
    await db.close()
    return out


@dataclass
class _CallVacancy:
    shift: SimShift
    reported: dt.datetime
    ranked: list[str]
    pointer: int = 0
    booked: dt.datetime | None = None
    by: str | None = None
    done: bool = False


def run_coordinators(world: Morning, rankings: dict[str, list[str]]) -> RunResult:
    """Each unit's coordinator works its open vacancies (earliest start first) by phoning
    the engine's ranked candidates one at a time, CALL_MINUTES a call, from the moment
    the report arrives until the shift starts. A call is answered when the person would
    have answered the offer at all, and a yes is the same draw as accepting the offer."""
    wall = time.perf_counter()
    call = dt.timedelta(minutes=CALL_MINUTES)
    by_unit: dict[str, list[_CallVacancy]] = {}
    for r in world.reports:
        s = world.shifts[r.shift]
        by_unit.setdefault(s.unit, []).append(_CallVacancy(s, r.at, rankings[r.shift]))
    booked: dict[str, list[SimShift]] = {}
    heap = [(min(v.reported for v in vs), unit) for unit, vs in by_unit.items()]
    heapq.heapify(heap)
    calls = 0
    while heap:
        now, unit = heapq.heappop(heap)
        vs = by_unit[unit]
        for v in vs:
            if not v.done and (v.booked is not None or now + call > v.shift.start
                               or v.pointer >= len(v.ranked)):
                v.done = True
        open_now = [v for v in vs if not v.done and v.reported <= now]
        if not open_now:
            later = [v.reported for v in vs if not v.done and v.reported > now]
            if later:
                heapq.heappush(heap, (min(later), unit))
            continue
        v = min(open_now, key=lambda v: (v.shift.start, v.reported))
        pid = v.ranked[v.pointer]
        v.pointer += 1
        calls += 1
        end = now + call
        ans = world.answer(pid, v.shift.id)
        free = not any(_clash(v.shift, b) for b in booked.get(pid, ()))
        if ans.answers and ans.accepts and free:
            v.booked, v.by = end, pid
            booked.setdefault(pid, []).append(v.shift)
        heapq.heappush(heap, (end, unit))
    outcomes = [VacancyOutcome(v.shift, v.reported, v.booked, v.by)
                for vs in by_unit.values() for v in vs]
    outcomes.sort(key=lambda o: o.reported)
    res = RunResult("(b) coordinator phoning", outcomes, calls, Counter(call=calls))
    res.wall_seconds = time.perf_counter() - wall
    return res
