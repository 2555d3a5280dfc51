"""Who may be offered a vacancy (vakans), and why not.

Pure: takes typed records, returns a `Verdict` listing EVERY blocking rule that applies
(so the explanation to the coordinator is complete) and every warning. Elapsed time
(rest, overlap, length) is measured in real hours on UTC instants; calendar periods
(day, week, month) are local (`RuleSettings.tz`), so both are right across DST changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.domain.model import Interval, Person, PersonLoad, Role, Shift, Tier, Unit
from bot.domain.rules import (
    Reason,
    RuleSettings,
    clipped_hours,
    elapsed_hours,
    format_local,
    format_span,
    local_week,
    local_year,
    night_hours,
    periods_touched,
    to_utc,
)

OPEN_ROLES = frozenset({"", "vardbitrade"})  # any qualified or unqualified person may work these

# Blocks a coordinator cannot override: double booking, the working-time law (daily and
# weekly rest, shift length, AB gives no local deviations), and people who cannot work.
NEVER_OVERRIDDEN = frozenset(
    {
        "overlap",
        "rest_before",
        "rest_after",
        "weekly_rest",
        "shift_too_long",
        "absent",
        "inactive",
        "started",
    }
)


@dataclass(frozen=True)
class VacancyContext:
    shift: Shift
    unit: Unit
    now: dt.datetime
    unit_areas: Mapping[str, str]  # unit_id -> area
    widened: bool = False  # coordinator widened the call-out to regular staff
    handledare_on_duty: bool = False  # a handledare of the unit works an overlapping shift
    intro_slot_taken: bool = False  # someone un-introduced is already on an overlapping shift
    absent_person_id: str | None = None


@dataclass(frozen=True)
class Verdict:
    person: Person
    load: PersonLoad
    eligible: bool
    blocks: tuple[Reason, ...]
    warnings: tuple[Reason, ...]
    needs_introduction: bool  # offer says a handledare will meet them


def is_substitute_kind(person: Person) -> bool:
    """A vikarie: substitute role, or a pool/substitute tier."""
    return person.has_role(Role.SUBSTITUTE) or person.tier in (Tier.POOL, Tier.SUBSTITUTE)


def is_candidate_kind(ctx: VacancyContext, person: Person) -> bool:
    """Who is considered at all: active substitutes; regular staff only when widened or
    when the unit allows staff on extra time and the person is tiered for it. Never the
    absent person or the shift's own scheduled person."""
    if not person.active or person.id in (ctx.absent_person_id, ctx.shift.person_id):
        return False
    if is_substitute_kind(person):
        return True
    if person.has_role(Role.STAFF):
        return ctx.widened or (ctx.unit.allow_staff_extra and person.tier == Tier.STAFF_EXTRA)
    return False


def handledare_among(working: Iterable[Person], unit_id: str) -> list[Person]:
    """The handledare of the unit among the people working a shift, in id order: the first
    is the one named to someone not yet introduced."""
    return sorted((p for p in working if p.has_role(Role.HANDLEDARE, unit_id)),
                  key=lambda p: p.id)


def is_introduced(person: Person, unit_id: str) -> bool:
    """Introduced at the unit, or works there as regular staff or handledare."""
    return (
        unit_id in person.introduced_units
        or unit_id in person.units_for(Role.STAFF)
        or unit_id in person.units_for(Role.HANDLEDARE)
    )


def week_hours_including(shift: Shift, load: PersonLoad, rules: RuleSettings) -> float:
    """Hours in the local calendar week of the shift start, this shift included."""
    lo, hi = local_week(to_utc(shift.starts_at), rules.tz)
    return clipped_hours((*load.commitments, _interval(shift)), lo, hi)


def check_eligibility(
    ctx: VacancyContext, person: Person, load: PersonLoad, rules: RuleSettings
) -> Verdict:
    shift = ctx.shift
    new = _interval(shift)
    commitments = tuple(_utc(c) for c in load.commitments)
    blocks: list[Reason] = []
    warnings: list[Reason] = []

    blocks += _kind(ctx, person)
    _timing(ctx, new, rules, blocks, warnings)
    blocks += _qualifications(shift, person, new, rules)
    needs_introduction = False
    if not is_introduced(person, ctx.unit.id):
        if ctx.handledare_on_duty and not ctx.intro_slot_taken:
            needs_introduction = True
        else:
            why = "no_handledare" if not ctx.handledare_on_duty else "slot_taken"
            blocks.append(Reason("not_introduced", True, variant=why))
    blocks += _overlap_and_rest(new, commitments, rules)
    blocks += _weekly_rest(new, commitments, rules)
    length = elapsed_hours(new.starts_at, new.ends_at)
    if length > rules.max_shift_hours:
        limit = float(rules.max_shift_hours)
        blocks.append(Reason("shift_too_long", True, {"length": length, "limit": limit}))
    _hours(person, new, commitments, rules, blocks, warnings)
    if not is_substitute_kind(person):
        _overtime(new, tuple(_utc(c) for c in load.extra), load.extra_hours_year, rules,
                  blocks, warnings)
    warnings += _night_work(new, commitments, rules)
    warnings += _consecutive_days(new, commitments, rules)
    blocks += _availability(person, new, load, rules)
    if not person.reachable:
        blocks.append(Reason("unreachable", True))

    return Verdict(
        person=person,
        load=load,
        eligible=not blocks,
        blocks=tuple(blocks),
        warnings=tuple(warnings),
        needs_introduction=needs_introduction,
    )


# --- the rules, one helper each ---


def _interval(shift: Shift) -> Interval:
    return Interval(to_utc(shift.starts_at), to_utc(shift.ends_at), shift.unit_id, shift.id)


def _utc(iv: Interval) -> Interval:
    return Interval(to_utc(iv.starts_at), to_utc(iv.ends_at), iv.unit_id, iv.shift_id)


def _kind(ctx: VacancyContext, person: Person) -> list[Reason]:
    out: list[Reason] = []
    if not person.active:
        out.append(Reason("inactive", True))
    if person.id == ctx.absent_person_id:
        out.append(Reason("absent", True))
    elif person.id == ctx.shift.person_id:
        out.append(Reason("absent", True, variant="scheduled"))
    if not is_substitute_kind(person):
        if not person.has_role(Role.STAFF):
            out.append(Reason("not_callable", True))
        elif not (ctx.widened or (ctx.unit.allow_staff_extra and person.tier == Tier.STAFF_EXTRA)):
            out.append(Reason("not_callable", True, variant="staff"))
    return out


def _timing(
    ctx: VacancyContext,
    new: Interval,
    rules: RuleSettings,
    blocks: list[Reason],
    warnings: list[Reason],
) -> None:
    lead = elapsed_hours(ctx.now, new.starts_at) * 60
    if lead <= 0:
        blocks.append(Reason("started", True))
    elif lead < rules.short_notice_minutes:
        warnings.append(Reason("short_notice", False, {"minutes": int(lead)}))


def _qualifications(
    shift: Shift, person: Person, new: Interval, rules: RuleSettings
) -> list[Reason]:
    day = new.starts_at.astimezone(rules.tz).date()
    held = {q.code: q for q in person.qualifications}
    out: list[Reason] = []
    role = shift.role.strip().lower()
    if role not in OPEN_ROLES:
        grant = held.get(role)
        if grant is None:
            out.append(Reason("role", True, {"role": role}))
        elif not grant.valid_on(day):
            expired = str(grant.expires_on)
            out.append(Reason("role", True, {"role": role, "expired": expired}, "expired"))
    for code in shift.requirements:
        q = held.get(code)
        if q is None:
            out.append(Reason("qualification", True, {"requirement": code}))
        elif not q.valid_on(day):
            params = {"requirement": code, "expired": str(q.expires_on)}
            out.append(Reason("qualification_expired", True, params))
    return out


def _overlap_and_rest(
    new: Interval, commitments: tuple[Interval, ...], rules: RuleSettings
) -> list[Reason]:
    """No overlap; at least `rest_daily_hours` real hours to every commitment before and
    after. Touching shifts (gap 0, a split shift) are a rest violation too."""
    out: list[Reason] = []
    before: float | None = None
    after: float | None = None
    for c in sorted(commitments, key=lambda c: c.starts_at):
        if c.overlaps(new.starts_at, new.ends_at):
            span = format_span(c.starts_at, c.ends_at, rules.tz)
            out.append(Reason("overlap", True, {"span": span}))
        elif c.ends_at <= new.starts_at:
            gap = elapsed_hours(c.ends_at, new.starts_at)
            before = gap if before is None else min(before, gap)
        else:
            gap = elapsed_hours(new.ends_at, c.starts_at)
            after = gap if after is None else min(after, gap)
    need = float(rules.rest_daily_hours)
    if before is not None and before < need:
        out.append(Reason("rest_before", True, {"rest": before, "need": need}))
    if after is not None and after < need:
        out.append(Reason("rest_after", True, {"rest": after, "need": need}))
    return out


def _weekly_rest(
    new: Interval, commitments: tuple[Interval, ...], rules: RuleSettings
) -> list[Reason]:
    """In each local calendar week the shift touches, the longest free gap (with the shift
    booked) must be at least `rest_weekly_hours`; plus `rest_daily_hours` when the daily
    rest may not lie inside the weekly rest."""
    need = rules.rest_weekly_hours
    if not rules.rest_weekly_may_include_daily:
        need += rules.rest_daily_hours
    for lo, hi in periods_touched(new.starts_at, new.ends_at, rules.tz, "week"):
        busy = sorted(
            (max(c.starts_at, lo), min(c.ends_at, hi))
            for c in (*commitments, new)
            if c.starts_at < hi and lo < c.ends_at
        )
        longest, cursor = 0.0, lo
        for a, b in busy:
            longest = max(longest, elapsed_hours(cursor, a))
            cursor = max(cursor, b)
        longest = max(longest, elapsed_hours(cursor, hi))
        if longest < need:
            week = lo.astimezone(rules.tz).isocalendar().week
            params = {"longest": longest, "need": float(need), "week": week}
            return [Reason("weekly_rest", True, params)]
    return []


def _hours(
    person: Person,
    new: Interval,
    commitments: tuple[Interval, ...],
    rules: RuleSettings,
    blocks: list[Reason],
    warnings: list[Reason],
) -> None:
    """Week hours (warn/block, and the person's own cap) and month hours (warn), counted
    in every local calendar week/month the shift touches, the shift included."""
    every = (*commitments, new)
    week = max(
        clipped_hours(every, lo, hi)
        for lo, hi in periods_touched(new.starts_at, new.ends_at, rules.tz, "week")
    )
    month = max(
        clipped_hours(every, lo, hi)
        for lo, hi in periods_touched(new.starts_at, new.ends_at, rules.tz, "month")
    )
    if week > rules.week_hours_block:
        limit = float(rules.week_hours_block)
        blocks.append(Reason("week_hours", True, {"hours": week, "limit": limit}))
    elif week > rules.week_hours_warn:
        limit = float(rules.week_hours_warn)
        warnings.append(Reason("week_hours", False, {"hours": week, "limit": limit}))
    if person.max_hours_week is not None and week > person.max_hours_week:
        limit = float(person.max_hours_week)
        blocks.append(Reason("max_hours_week", True, {"hours": week, "limit": limit}))
    if month > rules.month_hours_warn:
        limit = float(rules.month_hours_warn)
        warnings.append(Reason("month_hours", False, {"hours": month, "limit": limit}))


def _overtime(
    new: Interval,
    extra: tuple[Interval, ...],
    extra_hours_year: float,
    rules: RuleSettings,
    blocks: list[Reason],
    warnings: list[Reason],
) -> None:
    """Regular staff's extra time (mertid/övertid: their bookings) in every calendar month
    the shift touches and in its calendar year, this shift included: block above the cap,
    warn above `overtime_warn_share` of it."""
    month = max(
        clipped_hours((*extra, new), lo, hi)
        for lo, hi in periods_touched(new.starts_at, new.ends_at, rules.tz, "month")
    )
    lo, hi = local_year(new.starts_at, rules.tz)
    year = extra_hours_year + clipped_hours((new,), lo, hi)
    for code, hours, cap in (
        ("overtime_month", month, rules.overtime_month_hours_block),
        ("overtime_year", year, rules.overtime_year_hours_block),
    ):
        if hours > cap:
            blocks.append(Reason(code, True, {"hours": hours, "limit": float(cap)}))
        elif hours > cap * rules.overtime_warn_share:
            warn = float(cap * rules.overtime_warn_share)
            warnings.append(Reason(code, False, {"hours": hours, "limit": warn}))


def _night_work(
    new: Interval, commitments: tuple[Interval, ...], rules: RuleSettings
) -> list[Reason]:
    """A night worker (at least `night_min_hours` of this shift between 22 and 06) should
    not work more than `night_work_hours_warn` hours in 24 (ATL 13 a §): counted over the
    24 hours from the shift's start, this shift included."""
    if night_hours(new.starts_at, new.ends_at, rules.tz) < rules.night_min_hours:
        return []
    worked = clipped_hours(
        (*commitments, new), new.starts_at, new.starts_at + dt.timedelta(hours=24)
    )
    if worked > rules.night_work_hours_warn:
        limit = float(rules.night_work_hours_warn)
        return [Reason("night_work", False, {"hours": worked, "limit": limit})]
    return []


def _consecutive_days(
    new: Interval, commitments: tuple[Interval, ...], rules: RuleSettings
) -> list[Reason]:
    """Days in a row with a shift starting that local day, the new shift's day included."""
    days = {c.starts_at.astimezone(rules.tz).date() for c in commitments}
    day = new.starts_at.astimezone(rules.tz).date()
    one = dt.timedelta(days=1)
    run = 1
    d = day - one
    while d in days:
        run, d = run + 1, d - one
    d = day + one
    while d in days:
        run, d = run + 1, d + one
    if run > rules.max_consecutive_days_warn:
        params = {"days": run, "limit": rules.max_consecutive_days_warn}
        return [Reason("consecutive_days", False, params)]
    return []


def _availability(
    person: Person, new: Interval, load: PersonLoad, rules: RuleSettings
) -> list[Reason]:
    out: list[Reason] = []
    if person.paused_until is not None and to_utc(person.paused_until) > new.starts_at:
        until = format_local(person.paused_until, rules.tz)
        out.append(Reason("paused", True, {"until": until}))
    for u in load.unavailable:
        if _utc(u).overlaps(new.starts_at, new.ends_at):
            span = format_span(u.starts_at, u.ends_at, rules.tz)
            out.append(Reason("unavailable", True, {"span": span}))
            break
    local_start = new.starts_at.astimezone(rules.tz)
    weekday = local_start.isoweekday()
    if str(weekday) not in person.available_days:
        out.append(Reason("weekday", True, {"weekday": weekday}))
    if not _inside_time_window(person, new, rules):
        frm = person.available_from or dt.time(0)
        to = "24:00" if person.available_to is None else f"{person.available_to:%H:%M}"
        out.append(Reason("time_window", True, {"start": f"{frm:%H:%M}", "end": to}))
    return out


def _inside_time_window(person: Person, new: Interval, rules: RuleSettings) -> bool:
    """available_from/available_to are local wall times; a window may cross midnight
    (21:00–07:00). A missing end means midnight; equal ends mean the whole day."""
    frm, to = person.available_from, person.available_to
    if frm is None and to is None:
        return True
    frm = frm or dt.time(0)
    if to is not None and to == frm:
        return True
    tz = rules.tz
    day = new.starts_at.astimezone(tz).date()
    for d in (day - dt.timedelta(days=1), day):
        lo = dt.datetime.combine(d, frm, tzinfo=tz)
        if to is None or to <= frm:  # to midnight, or across midnight
            hi_day = d + dt.timedelta(days=1)
            hi = dt.datetime.combine(hi_day, to or dt.time(0), tzinfo=tz)
        else:
            hi = dt.datetime.combine(d, to, tzinfo=tz)
        if to_utc(lo) <= new.starts_at and new.ends_at <= to_utc(hi):
            return True
    return False
