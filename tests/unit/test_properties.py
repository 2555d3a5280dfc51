"""Property tests over random pools and shifts: the invariants of DESIGN.md § 4 for the
pure core. Nobody ineligible is ranked; nobody twice; same inputs, same order; the rotating
pointer only reorders ties."""

from __future__ import annotations

import datetime as dt
import random
from itertools import groupby

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.eligibility import VacancyContext, Verdict, check_eligibility
from bot.domain.model import (
    Interval,
    Person,
    PersonLoad,
    Qualification,
    Role,
    RoleGrant,
    Shift,
    Tier,
    Unit,
)
from bot.domain.ranking import RankedCandidate, rank_candidates
from tests.unit.builders import RULES, TZ

UNITS = {"u1": "norr", "u2": "norr", "u3": "soder", "u4": "soder"}
# Around both DST changes and an ordinary week.
BASES = [
    dt.datetime(2026, 3, 27, tzinfo=TZ),
    dt.datetime(2026, 10, 23, tzinfo=TZ),
    dt.datetime(2026, 6, 10, tzinfo=TZ),
]
QUALS = ["usk", "delegering", "korkort"]
LEADS_MINUTES = [600, 1500, 3000, 4300, 240, 90, 50, 20, 0, -30]  # shift start - now
FAST = settings(max_examples=200, deadline=None, database=None)


def often(p_true: int = 9) -> st.SearchStrategy[bool]:
    """True about p_true times in ten: random pools that are mostly, not rarely, eligible."""
    return st.sampled_from([True] * p_true + [False] * (10 - p_true))


@st.composite
def qualification(draw: st.DrawFn, code: str, day: dt.date) -> Qualification:
    expiry = draw(st.sampled_from([None] * 6 + [-1, 0, 1]))
    return Qualification(code, None if expiry is None else day + dt.timedelta(days=expiry))


@st.composite
def person_with_load(draw: st.DrawFn, pid: str, start: dt.datetime) -> tuple[Person, PersonLoad]:
    day = start.astimezone(TZ).date()
    kind = draw(st.sampled_from([Role.SUBSTITUTE] * 3 + [Role.STAFF, Role.HANDLEDARE, Role.ADMIN]))
    person = Person(
        id=pid,
        name=f"Person {pid}",
        phone="+46701234567" if draw(often()) else None,
        tier=draw(st.sampled_from([None, *Tier])),
        active=draw(often()),
        roles=(RoleGrant(kind, draw(st.sampled_from([None, *UNITS]))),),
        qualifications=tuple(draw(qualification(q, day)) for q in QUALS if draw(often(8))),
        introduced_units=frozenset(u for u in sorted(UNITS) if draw(often(4))),
    )
    commitments = []
    for _ in range(draw(st.integers(0, 3))):
        c_start = start + dt.timedelta(minutes=30 * draw(st.integers(-8 * 48, 8 * 48)))
        c_end = c_start + dt.timedelta(minutes=30 * draw(st.integers(1, 24)))
        commitments.append(Interval(c_start, c_end))
    load = PersonLoad(
        commitments=tuple(commitments),
        hours_offered_28d=float(draw(st.sampled_from([0, 4, 8]))),
        hours_booked_28d=float(draw(st.sampled_from([0, 8]))),
        worked_units_14d=frozenset(u for u in sorted(UNITS) if draw(often(3))),
    )
    return person, load


@st.composite
def scenario(draw: st.DrawFn) -> tuple[VacancyContext, list[tuple[Person, PersonLoad]]]:
    base = draw(st.sampled_from(BASES)).astimezone(dt.UTC)
    start = base + dt.timedelta(minutes=30 * draw(st.integers(0, 4 * 48)))
    end = start + dt.timedelta(minutes=30 * draw(st.integers(2, 28)))
    unit_id = draw(st.sampled_from(sorted(UNITS)))
    shift = Shift(
        "s1",
        unit_id,
        start,
        end,
        draw(st.sampled_from(["usk", "vardbitrade"])),
        person_id="absent",
        requirements=tuple(q for q in QUALS[1:] if draw(often(3))),
    )
    ctx = VacancyContext(
        shift=shift,
        unit=Unit(unit_id, unit_id.upper(), UNITS[unit_id], allow_staff_extra=draw(st.booleans())),
        now=start - dt.timedelta(minutes=draw(st.sampled_from(LEADS_MINUTES))),
        unit_areas=UNITS,
        widened=draw(st.booleans()),
        handledare_on_duty=draw(st.booleans()),
        intro_slot_taken=draw(often(3)),
        absent_person_id="absent",
    )
    ids = draw(st.lists(st.sampled_from(["absent", *(f"p{i}" for i in range(10))]), unique=True))
    return ctx, [draw(person_with_load(pid, start)) for pid in ids]


def verdicts_for(ctx: VacancyContext, pool: list[tuple[Person, PersonLoad]]) -> list[Verdict]:
    return [check_eligibility(ctx, p, load, RULES) for p, load in pool]


def passes_hard_rules_independently(ctx: VacancyContext, person: Person, load: PersonLoad) -> bool:
    """The blocking rules re-stated from scratch, in UTC real hours."""
    s_start, s_end = ctx.shift.starts_at.astimezone(dt.UTC), ctx.shift.ends_at.astimezone(dt.UTC)
    rest = dt.timedelta(hours=RULES.rest_daily_hours)
    for c in load.commitments:
        c_start, c_end = c.starts_at.astimezone(dt.UTC), c.ends_at.astimezone(dt.UTC)
        if not (c_end <= s_start - rest or c_start >= s_end + rest):
            return False  # overlap, or less than 11 h rest either side
    day = s_start.astimezone(TZ).date()
    valid = {q.code for q in person.qualifications if q.expires_on is None or day <= q.expires_on}
    if ctx.shift.role == "usk" and "usk" not in valid:
        return False
    if not all(r in valid for r in ctx.shift.requirements):
        return False
    introduced = (
        ctx.unit.id in person.introduced_units
        or ctx.unit.id in person.units_for(Role.STAFF)
        or ctx.unit.id in person.units_for(Role.HANDLEDARE)
    )
    if not introduced and not (ctx.handledare_on_duty and not ctx.intro_slot_taken):
        return False
    return (
        person.active
        and person.id not in ("absent", ctx.shift.person_id)
        and person.reachable
        and ctx.now < ctx.shift.starts_at
        and (s_end - s_start) <= dt.timedelta(hours=RULES.max_shift_hours)
    )


def tie_key(ctx: VacancyContext, c: RankedCandidate) -> tuple[int, bool, float]:
    load = c.verdict.load
    recent = round(load.hours_offered_28d + load.hours_booked_28d, 2)
    return (c.tier, ctx.unit.id not in load.worked_units_14d, recent)


@FAST
@given(scenario(), st.integers(-50, 50))
def test_ranked_candidates_pass_every_blocking_rule(
    s: tuple[VacancyContext, list[tuple[Person, PersonLoad]]], tie_seed: int
) -> None:
    ctx, pool = s
    loads = {p.id: load for p, load in pool}
    ranked = rank_candidates(ctx, verdicts_for(ctx, pool), tie_seed, RULES)
    for c in ranked:
        person = c.verdict.person
        assert c.verdict.eligible and not c.verdict.blocks
        assert passes_hard_rules_independently(ctx, person, loads[person.id]), person
    ids = [c.verdict.person.id for c in ranked]
    assert len(ids) == len(set(ids))
    assert "absent" not in ids


@FAST
@given(scenario(), st.integers(-50, 50), st.randoms(use_true_random=False))
def test_ranking_is_deterministic(
    s: tuple[VacancyContext, list[tuple[Person, PersonLoad]]], tie_seed: int, rnd: random.Random
) -> None:
    ctx, pool = s
    verdicts = verdicts_for(ctx, pool)
    first = rank_candidates(ctx, verdicts, tie_seed, RULES)
    assert rank_candidates(ctx, verdicts, tie_seed, RULES) == first
    shuffled = list(verdicts)
    rnd.shuffle(shuffled)
    assert rank_candidates(ctx, shuffled + shuffled, tie_seed, RULES) == first
    assert verdicts_for(ctx, pool) == verdicts


@FAST
@given(scenario(), st.integers(-50, 50), st.integers(-50, 50))
def test_tie_seed_only_reorders_ties(
    s: tuple[VacancyContext, list[tuple[Person, PersonLoad]]], r1: int, r2: int
) -> None:
    ctx, pool = s
    verdicts = verdicts_for(ctx, pool)
    a = rank_candidates(ctx, verdicts, r1, RULES)
    b = rank_candidates(ctx, verdicts, r2, RULES)
    assert [tie_key(ctx, c) for c in a] == [tie_key(ctx, c) for c in b]
    assert sorted(tie_key(ctx, c) for c in a) == [tie_key(ctx, c) for c in a]

    def groups(ranked: list[RankedCandidate]) -> list[set[str]]:
        return [
            {c.verdict.person.id for c in g}
            for _, g in groupby(ranked, key=lambda c: tie_key(ctx, c))
        ]

    assert groups(a) == groups(b)
    assert {c.verdict.person.id for c in a} == {v.person.id for v in verdicts if v.eligible}
