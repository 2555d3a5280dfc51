"""Who is asked first (turordning), and the explanation shown to the coordinator.

Pure. Tiers, best first:
  1 pool staff on stand-by (bemanningspool i beredskap)
  2 substitutes introduced at the unit
  3 substitutes introduced in the area (at another unit with the same area)
  4 other eligible substitutes (including those who need introduction)
  5 regular staff on extra time (mertid: week hours with this shift <= full time)
  6 regular staff on overtime (övertid)
Within a tier: continuity (worked the unit in the last 14 days) first, then fairness
(fewest hours offered + booked in the last 28 days), then a draw that turns with the
vacancy (a hash of the vacancy id and the person id), so ties are shared out over time.
The same inputs give the same order.

The order within a tier depends only on each person's own history (`order_key`), never on
who else is a candidate, so the engine can sort a tier by history first and judge people
in that order until a wave is full (`bot.services.callout.assess`), and still send exactly
the offers the full ranking would.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.eligibility import (
    ROLE_LABELS,
    VacancyContext,
    Verdict,
    is_introduced,
    is_substitute_kind,
    week_hours_including,
)
from bot.domain.model import PersonLoad, Tier
from bot.domain.rules import RuleSettings, format_hours, format_span

TIER_NAMES = {
    1: "bemanningspool i beredskap",
    2: "vikarie introducerad på enheten",
    3: "vikarie introducerad i området",
    4: "övrig vikarie",
    5: "ordinarie på mertid",
    6: "ordinarie på övertid",
}


def tie_turn(person_id: str, tie_seed: int) -> int:
    """A person's place among ties, drawn with `tie_seed` (the vacancy's id): a draw fixed
    by the two (a hash), so it depends on nobody else. Over many vacancies each of the people
    tied comes first as often on average (a draw, not a strict turn)."""
    digest = hashlib.blake2b(f"{tie_seed}/{person_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def order_key(
    unit_id: str, load: PersonLoad, person_id: str, tie_seed: int
) -> tuple[bool, float, int]:
    """The order within a tier: continuity first, then fewest recent hours, then the tie draw.
    Only `load`'s history fields are read (see `storage.history.history_where`)."""
    continuity = unit_id in load.worked_units_14d
    recent = round(load.hours_offered_28d + load.hours_booked_28d, 2)
    return (not continuity, recent, tie_turn(person_id, tie_seed))


@dataclass(frozen=True)
class RankedCandidate:
    verdict: Verdict
    tier: int
    tier_name: str  # Swedish label, e.g. "vikarie introducerad på enheten"
    reasons: tuple[str, ...]  # why this rank, Swedish, human readable


def tier_of(ctx: VacancyContext, verdict: Verdict, rules: RuleSettings) -> tuple[int, str]:
    """The tier and a Swedish reason for it."""
    person = verdict.person
    if person.tier == Tier.POOL:
        return 1, "i bemanningspoolen (beredskap)"
    if is_substitute_kind(person):
        if is_introduced(person, ctx.unit.id) and not verdict.needs_introduction:
            return 2, "introducerad på enheten"
        same_area = sorted(
            u
            for u in person.introduced_units
            if u != ctx.unit.id and ctx.unit_areas.get(u) == ctx.unit.area
        )
        if same_area:
            return 3, f"introducerad i området {ctx.unit.area} ({', '.join(same_area)})"
        return 4, "inte introducerad i området"
    week = week_hours_including(ctx.shift, verdict.load, rules)
    full = format_hours(rules.full_time_hours_week)
    if week <= rules.full_time_hours_week:
        return 5, f"veckan blir {format_hours(week)} ≤ heltid {full} (mertid)"
    return 6, f"veckan blir {format_hours(week)} > heltid {full} (övertid)"


def rank_candidates(
    ctx: VacancyContext, verdicts: Sequence[Verdict], tie_seed: int, rules: RuleSettings
) -> list[RankedCandidate]:
    """Eligible verdicts only, best first; each person at most once (first verdict wins)."""
    eligible: dict[str, Verdict] = {}
    for v in verdicts:
        if v.eligible and v.person.id not in eligible:
            eligible[v.person.id] = v
    keyed: list[tuple[tuple[int, bool, float, int], RankedCandidate]] = []
    for pid, v in eligible.items():
        tier, why = tier_of(ctx, v, rules)
        continuity = ctx.unit.id in v.load.worked_units_14d
        recent = v.load.hours_offered_28d + v.load.hours_booked_28d
        reasons = [why]
        if continuity:
            reasons.append("har arbetat på enheten senaste 14 dagarna (kontinuitet)")
        reasons.append(f"{format_hours(recent)} erbjudet/bokat senaste 28 dagarna")
        if v.needs_introduction:
            reasons.append("behöver introduktion – handledare möter upp")
        reasons.extend(f"varning: {w.text}" for w in v.warnings)
        candidate = RankedCandidate(v, tier, TIER_NAMES[tier], tuple(reasons))
        keyed.append(((tier, *order_key(ctx.unit.id, v.load, pid, tie_seed)), candidate))
    keyed.sort(key=lambda kc: kc[0])
    return [c for _, c in keyed]


def explain(
    ctx: VacancyContext,
    verdicts: Sequence[Verdict],
    tie_seed: int,
    rules: RuleSettings,
    notes: Mapping[str, str] | None = None,
) -> list[str]:
    """Readable lines: the vacancy, the ranked eligible with reasons, then everyone
    excluded with every blocking reason. Used by `vikariebot explain` and the coordinator.
    `notes` (person id -> text) end a ranked person's line, e.g. their recent declines."""
    shift = ctx.shift
    role = ROLE_LABELS.get(shift.role, shift.role)
    head = f"Vakans {shift.id}: {ctx.unit.name}, "
    head += f"{format_span(shift.starts_at, shift.ends_at, rules.tz)} ({role}"
    head += f"; krav: {', '.join(shift.requirements)})" if shift.requirements else ")"
    lines = [head]

    ranked = rank_candidates(ctx, verdicts, tie_seed, rules)
    lines.append(f"Behöriga, i turordning: {len(ranked)}")
    for n, c in enumerate(ranked, start=1):
        p = c.verdict.person
        note = (notes or {}).get(p.id)
        lines.append(
            f"  {n}. {p.name} ({p.id}) – nivå {c.tier} {c.tier_name}: "
            + "; ".join(c.reasons)
            + (f" · {note}" if note else "")
        )
    if not ranked:
        lines.append("  (inga)")

    excluded: dict[str, Verdict] = {}
    for v in verdicts:
        if not v.eligible and v.person.id not in excluded:
            excluded[v.person.id] = v
    ranked_ids = {c.verdict.person.id for c in ranked}
    rows = sorted(
        (v for pid, v in excluded.items() if pid not in ranked_ids),
        key=lambda v: (v.person.name, v.person.id),
    )
    lines.append(f"Uteslutna: {len(rows)}")
    for v in rows:
        lines.append(f"  - {v.person.name} ({v.person.id}): " + "; ".join(b.text for b in v.blocks))
    if not rows:
        lines.append("  (inga)")
    return lines
