"""Ranking (turordning): tiers, continuity, fairness, turning ties, the explanation."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from bot.domain.eligibility import VacancyContext, Verdict, check_eligibility
from bot.domain.model import Interval, Person, PersonLoad, Qualification, Tier
from bot.domain.ranking import explain, rank_candidates
from tests.unit.builders import RULES, SHIFT, at, ctx, person, staff

CTX = ctx(widened=True)
WITH_HANDLEDARE = dataclasses.replace(CTX, handledare_on_duty=True)


def verdict(p: Person, load: PersonLoad | None = None, ctx: VacancyContext = CTX) -> Verdict:
    return check_eligibility(ctx, p, load or PersonLoad(), RULES)


def ids(ctx: VacancyContext, verdicts: list[Verdict], tie_seed: int = 0) -> list[str]:
    return [c.verdict.person.id for c in rank_candidates(ctx, verdicts, tie_seed, RULES)]


def week_of(hours_per_day: int, days: range) -> PersonLoad:
    end = f"{7 + hours_per_day:02d}:00"
    return PersonLoad(
        commitments=tuple(
            Interval(at(f"2026-04-{d:02d}", "07:00"), at(f"2026-04-{d:02d}", end)) for d in days
        )
    )


@pytest.mark.parametrize(
    ("who", "load", "ctx", "tier", "tier_name"),
    [
        pytest.param(
            person("a", tier=Tier.POOL), None, CTX, 1, "bemanningspool i beredskap", id="pool"
        ),
        pytest.param(
            person("a"), None, CTX, 2, "vikarie introducerad på enheten", id="introduced-at-unit"
        ),
        pytest.param(
            person("a", introduced_units=frozenset({"u2"})),
            None,
            WITH_HANDLEDARE,
            3,
            "vikarie introducerad i området",
            id="introduced-in-area",
        ),
        pytest.param(
            person("a", introduced_units=frozenset({"u3"})),
            None,
            WITH_HANDLEDARE,
            4,
            "övrig vikarie",
            id="other-area-needs-introduction",
        ),
        pytest.param(staff("a"), None, CTX, 5, "ordinarie på mertid", id="staff-mertid"),
        pytest.param(
            staff("a"),
            week_of(10, range(13, 15)),
            CTX,
            5,
            "ordinarie på mertid",
            id="staff-28h-mertid",
        ),
        pytest.param(
            staff("a"),
            week_of(8, range(16, 20)),
            CTX,
            6,
            "ordinarie på övertid",
            id="staff-40h-overtid",
        ),
    ],
)
def test_tiers(
    who: Person, load: PersonLoad | None, ctx: VacancyContext, tier: int, tier_name: str
) -> None:
    v = verdict(who, load, ctx)
    assert v.eligible, v.blocks
    [ranked] = rank_candidates(ctx, [v], 0, RULES)
    assert (ranked.tier, ranked.tier_name) == (tier, tier_name)


def test_tiers_in_order() -> None:
    ctx = WITH_HANDLEDARE
    verdicts = [
        verdict(staff("f"), week_of(8, range(16, 20)), ctx),
        verdict(staff("e"), None, ctx),
        verdict(person("d", introduced_units=frozenset()), None, ctx),
        verdict(person("c", introduced_units=frozenset({"u2"})), None, ctx),
        verdict(person("b"), None, ctx),
        verdict(person("a", tier=Tier.POOL, introduced_units=frozenset()), None, ctx),
    ]
    ranked = rank_candidates(ctx, verdicts, 0, RULES)
    assert [(c.verdict.person.id, c.tier) for c in ranked] == [
        ("a", 1),
        ("b", 2),
        ("c", 3),
        ("d", 4),
        ("e", 5),
        ("f", 6),
    ]


def test_continuity_before_fairness() -> None:
    verdicts = [
        verdict(person("a")),
        verdict(person("b"), PersonLoad(hours_booked_28d=80.0, worked_units_14d=frozenset({"u1"}))),
    ]
    assert ids(CTX, verdicts) == ["b", "a"]


def test_fewest_recent_hours_first() -> None:
    verdicts = [
        verdict(person("a"), PersonLoad(hours_offered_28d=10.0, hours_booked_28d=30.0)),
        verdict(person("b"), PersonLoad(hours_offered_28d=30.0)),
        verdict(person("c"), PersonLoad(hours_booked_28d=5.0)),
    ]
    assert ids(CTX, verdicts) == ["c", "b", "a"]


def test_ties_turn_from_vacancy_to_vacancy() -> None:
    """Over many vacancies each of the people tied comes first about equally often, and
    the same vacancy always gives the same order."""
    verdicts = [verdict(person(p)) for p in "cabde"]
    orders = ["".join(ids(CTX, verdicts, tie_seed)) for tie_seed in range(500)]
    assert orders == ["".join(ids(CTX, verdicts[::-1], tie_seed)) for tie_seed in range(500)]
    assert all(sorted(order) == list("abcde") for order in orders)
    firsts = Counter(order[0] for order in orders)
    assert set(firsts) == set("abcde")
    assert all(60 <= n <= 140 for n in firsts.values()), firsts


def test_tie_order_does_not_depend_on_who_else_is_tied() -> None:
    everyone = [verdict(person(p)) for p in "abcdefgh"]
    for tie_seed in (0, 1, 17, -3):
        full = ids(CTX, everyone, tie_seed)
        some = [v for v in everyone if v.person.id in "bdfh"]
        assert ids(CTX, some, tie_seed) == [p for p in full if p in "bdfh"]


def test_only_eligible_once_each() -> None:
    ok, blocked = verdict(person("a")), verdict(person("b", qualifications=()))
    assert ids(CTX, [ok, blocked, ok]) == ["a"]


def test_reasons_are_readable() -> None:
    v = verdict(
        person("a"),
        PersonLoad(hours_offered_28d=4.0, hours_booked_28d=8.5, worked_units_14d=frozenset({"u1"})),
        dataclasses.replace(CTX, now=at("2026-04-15", "06:40")),
    )
    [c] = rank_candidates(CTX, [v], 0, RULES)
    assert c.reasons == (
        "introducerad på enheten",
        "har arbetat på enheten senaste 14 dagarna (kontinuitet)",
        "12,5 h erbjudet/bokat senaste 28 dagarna",
        "varning: kort varsel: passet börjar om 20 min",
    )


def test_explain_lists_ranked_then_excluded_with_every_reason() -> None:
    ctx = dataclasses.replace(
        WITH_HANDLEDARE, shift=dataclasses.replace(SHIFT, requirements=("delegering",))
    )
    qual = (Qualification("usk"), Qualification("delegering"))
    verdicts = [
        verdict(person("b", qualifications=qual, introduced_units=frozenset({"u2"})), None, ctx),
        verdict(person("a", qualifications=qual, tier=Tier.POOL), None, ctx),
        verdict(
            person("c", qualifications=(), phone=None),
            PersonLoad(
                commitments=(Interval(at("2026-04-14", "15:00"), at("2026-04-14", "22:00")),)
            ),
            ctx,
        ),
    ]
    assert explain(ctx, verdicts, 0, RULES) == [
        "Vakans s1: Norr A, 2026-04-15 07:00–15:00 (undersköterska; krav: delegering)",
        "Behöriga, i turordning: 2",
        "  1. Person A (a) – nivå 1 bemanningspool i beredskap: i bemanningspoolen (beredskap); "
        "0 h erbjudet/bokat senaste 28 dagarna",
        "  2. Person B (b) – nivå 3 vikarie introducerad i området: "
        "introducerad i området norr (u2); 0 h erbjudet/bokat senaste 28 dagarna; "
        "behöver introduktion – handledare möter upp",
        "Uteslutna: 1",
        "  - Person C (c): saknar behörighet: undersköterska; saknar krav: delegering; "
        "vila före passet 9 h < 11 h; kan inte nås (varken Telegram eller SMS)",
    ]


def test_explain_with_nobody() -> None:
    assert explain(CTX, [], 0, RULES) == [
        "Vakans s1: Norr A, 2026-04-15 07:00–15:00 (undersköterska)",
        "Behöriga, i turordning: 0",
        "  (inga)",
        "Uteslutna: 0",
        "  (inga)",
    ]
