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

from bot.domain import tiers
from bot.domain.eligibility import (
    VacancyContext,
    Verdict,
    week_hours_including,
)
from bot.domain.model import PersonLoad
from bot.domain.rules import RuleSettings, format_span
from bot.domain.tiers import same_area_units, tier_group
from bot.texts import format_hours, reason_text, role_name, t

TIER_NAMES = {
    1: "bemanningspool i beredskap",
    2: "vikarie introducerad på enheten",
    3: "vikarie introducerad i området",
    4: "övrig vikarie",
    5: "ordinarie på mertid",
    6: "ordinarie på övertid",
}


def tie_turn(person_id: str, tie_seed: int) -> int:
    """A person's place among ties for the vacancy with this `tie_seed`: a draw fixed by
    the two (a hash), so it depends on nobody else. Over many vacancies each of the people
    tied comes first as often on average (a draw, not a strict turn)."""
    digest = hashlib.blake2b(f"{tie_seed}/{person_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def order_key(
    unit_id: str, load: PersonLoad, person_id: str, tie_seed: int
) -> tuple[bool, float, int]:
    """The order within a tier: continuity first, then fewest recent hours, then the pointer.
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
    """The tier and a Swedish reason for it (the groups are `bot.domain.tiers.tier_group`).
    Someone needing introduction is never introduced at the unit, so tier 2 needs no
    check of `verdict.needs_introduction`."""
    person = verdict.person
    group = tier_group(ctx, person)
    if group == tiers.POOL:
        return 1, "i bemanningspoolen (beredskap)"
    if group == tiers.INTRODUCED_HERE:
        return 2, "introducerad på enheten"
    if group == tiers.INTRODUCED_IN_AREA:
        same_area = same_area_units(ctx, person)
        return 3, f"introducerad i området {ctx.unit.area} ({', '.join(same_area)})"
    if group == tiers.OTHER_SUBSTITUTE:
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
        reasons.extend(f"varning: {reason_text(w)}" for w in v.warnings)
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
    lang: str = "sv",
) -> list[str]:
    """Readable lines: the vacancy, the ranked eligible with reasons, then everyone
    excluded with every blocking reason. Used by `vikariebot explain` and the coordinator.
    `notes` (person id -> text) end a ranked person's line, e.g. their recent declines.
    Tier names and ranking reasons are Swedish whatever `lang` is."""
    shift = ctx.shift
    span = format_span(shift.starts_at, shift.ends_at, rules.tz)
    reqs = t("explain_reqs", lang, reqs=", ".join(shift.requirements)) if shift.requirements else ""
    head = t(
        "explain_head",
        lang,
        vid=shift.id,
        unit=ctx.unit.name,
        span=span,
        role=role_name(shift.role, lang),
        reqs=reqs,
    )
    lines = [head]

    ranked = rank_candidates(ctx, verdicts, tie_seed, rules)
    lines.append(t("explain_ranked", lang, n=len(ranked)))
    for n, c in enumerate(ranked, start=1):
        p = c.verdict.person
        note = (notes or {}).get(p.id)
        line = t(
            "explain_ranked_line",
            lang,
            n=n,
            name=p.name,
            pid=p.id,
            tier=c.tier,
            tier_name=c.tier_name,
            reasons="; ".join(c.reasons),
        )
        lines.append(line + (f" · {note}" if note else ""))
    if not ranked:
        lines.append(t("explain_none", lang))

    excluded: dict[str, Verdict] = {}
    for v in verdicts:
        if not v.eligible and v.person.id not in excluded:
            excluded[v.person.id] = v
    ranked_ids = {c.verdict.person.id for c in ranked}
    rows = sorted(
        (v for pid, v in excluded.items() if pid not in ranked_ids),
        key=lambda v: (v.person.name, v.person.id),
    )
    lines.append(t("explain_excluded", lang, n=len(rows)))
    for v in rows:
        blocks = "; ".join(reason_text(b, lang) for b in v.blocks)
        lines.append(f"  - {v.person.name} ({v.person.id}): {blocks}")
    if not rows:
        lines.append(t("explain_none", lang))
    return lines
