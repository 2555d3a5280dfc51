"""Who the call-out considers at all, and in which tier group, by who a person is alone.

Pure. The ranking's tiers (`bot.domain.ranking`) are these groups, regular staff split by
their week's hours into mertid and övertid. `storage.people.candidate_pool` and
`candidate_groups` restate them in SQL as a prefilter; tests/test_tier_prefilter.py checks
that the SQL never leaves out anyone these functions count.
"""

from __future__ import annotations

from bot.domain.eligibility import VacancyContext, is_introduced, is_substitute_kind
from bot.domain.model import Person, Role, Tier

POOL, INTRODUCED_HERE, INTRODUCED_IN_AREA, OTHER_SUBSTITUTE, REGULAR_STAFF = 1, 2, 3, 4, 5


def in_candidate_pool(person: Person, include_staff: bool) -> bool:
    """Could ever be offered a shift: active, with the substitute role (or the staff role
    when staff are asked too). A tier alone, without a role, is not enough."""
    wanted = (Role.SUBSTITUTE, Role.STAFF) if include_staff else (Role.SUBSTITUTE,)
    return person.active and any(person.has_role(r) for r in wanted)


def same_area_units(ctx: VacancyContext, person: Person) -> list[str]:
    """Other units of the vacancy's area the person is introduced at, sorted."""
    return sorted(
        u
        for u in person.introduced_units
        if u != ctx.unit.id and ctx.unit_areas.get(u) == ctx.unit.area
    )


def tier_group(ctx: VacancyContext, person: Person) -> int:
    """1 pool staff, 2 substitutes introduced at the unit, 3 introduced in the area,
    4 other substitutes, 5 regular staff (mertid or övertid, by hours: `ranking.tier_of`)."""
    if person.tier == Tier.POOL:
        return POOL
    if not is_substitute_kind(person):
        return REGULAR_STAFF
    if is_introduced(person, ctx.unit.id):
        return INTRODUCED_HERE
    if same_area_units(ctx, person):
        return INTRODUCED_IN_AREA
    return OTHER_SUBSTITUTE
