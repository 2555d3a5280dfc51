"""The SQL prefilter (`storage.people.candidate_groups`) against the domain's rules: for
random people and random vacancies it never leaves out anyone the domain counts as a
possible candidate, and puts each of them in the group of their tier
(`bot.domain.tiers.tier_group`). What the SQL cannot know (hours, rest, availability) is
left to `check_eligibility`, so only the blocks the SQL rules out count here."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import sqlalchemy as sa

from bot.domain.eligibility import OPEN_ROLES, VacancyContext, check_eligibility
from bot.domain.model import PersonLoad, Shift, Unit
from bot.domain.rules import RuleSettings
from bot.domain.tiers import in_candidate_pool, tier_group
from storage import people as people_repo
from storage import tables as t
from storage.db import Database
from tests.builders import World, local

UNITS = {"norr": "Centrum", "syd": "Centrum", "ost": "Centrum", "vast": "Väster"}
CODES = ("usk", "vardbitrade", "delegering", "korkort")
# Blocks that depend only on who the person is: exactly what the SQL may rule out.
PRUNED = frozenset(
    {"inactive", "not_callable", "role", "qualification", "qualification_expired", "not_introduced"}
)
DAY = local("2026-12-01 07:00")
RULES = RuleSettings()


async def _random_people(db: Database, rng: random.Random, n: int) -> None:
    w = World(db)
    for unit, area in UNITS.items():
        await w.unit(unit, area=area)
    for i in range(n):
        roles: list[tuple[str, str | None]] = []
        if rng.random() < 0.6:
            roles.append(("substitute", None))
        if rng.random() < 0.35:
            roles.append(("staff", rng.choice(list(UNITS))))
        if rng.random() < 0.15:
            roles.append(("handledare", rng.choice([*UNITS, None])))
        if rng.random() < 0.1:
            roles.append(("coordinator", rng.choice(list(UNITS))))
        quals = [
            c + rng.choice(["", "", ":2026-11-30", ":2026-12-01", ":2027-01-01"])
            for c in CODES
            if rng.random() < 0.5
        ]
        pid = f"p{i:02d}"
        await w.person(
            pid,
            roles=roles,
            tier=rng.choice([None, None, "pool", "substitute", "staff_extra"]),
            quals=quals,
            introduced=rng.sample(list(UNITS), rng.choice([0, 0, 1, 1, 2])),
        )
        if rng.random() < 0.1:
            async with db.write() as conn:
                await conn.execute(
                    sa.update(t.people).where(t.people.c.id == pid).values(active=False)
                )


def _random_context(rng: random.Random) -> VacancyContext:
    unit_id = rng.choice(list(UNITS))
    role = rng.choice(["usk", "USK ", "vardbitrade", "", "delegering"])
    shift = Shift(
        "s1",
        unit_id,
        DAY,
        DAY + dt.timedelta(hours=8),
        role,
        requirements=tuple(c for c in ("delegering", "korkort") if rng.random() < 0.3),
    )
    unit = Unit(unit_id, unit_id, UNITS[unit_id], allow_staff_extra=rng.random() < 0.3)
    return VacancyContext(
        shift,
        unit,
        DAY - dt.timedelta(hours=5),
        UNITS,
        widened=rng.random() < 0.3,
        handledare_on_duty=rng.random() < 0.5,
        intro_slot_taken=rng.random() < 0.3,
    )


@pytest.mark.parametrize("seed", range(4))
async def test_sql_prefilter_keeps_every_domain_candidate_in_its_tier(
    db: Database, seed: int
) -> None:
    rng = random.Random(seed)
    await _random_people(db, rng, 60)
    async with db.read() as conn:
        everyone = await people_repo.load_people(conn)
    checked = 0
    for _ in range(25):
        ctx = _random_context(rng)
        shift, unit = ctx.shift, ctx.unit
        include_staff = ctx.widened or unit.allow_staff_extra
        role = shift.role.strip().lower()
        groups = people_repo.candidate_groups(
            unit_id=unit.id,
            area_unit_ids=[u for u, a in UNITS.items() if a == unit.area and u != unit.id],
            include_staff=include_staff,
            introduced_only=not (ctx.handledare_on_duty and not ctx.intro_slot_taken),
            required_codes=[*([role] if role not in OPEN_ROLES else []), *shift.requirements],
            on_day=shift.starts_at.astimezone(RULES.tz).date(),
        )
        async with db.read() as conn:
            found = [set(await people_repo.ids_where(conn, where)) for where, _ in groups]
        assert all(a.isdisjoint(b) for i, a in enumerate(found) for b in found[i + 1 :])
        for person in everyone:
            verdict = check_eligibility(ctx, person, PersonLoad(), RULES)
            if (
                not in_candidate_pool(person, include_staff)
                or {r.code for r in verdict.blocks} & PRUNED
            ):
                continue
            group = tier_group(ctx, person)
            assert group <= len(found), (person, ctx)
            assert person.id in found[group - 1], (person.id, group, ctx, found)
            checked += 1
    assert checked > 50  # the random worlds do hold candidates
