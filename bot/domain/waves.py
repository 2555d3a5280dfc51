"""Wave planning (utskick i vågor): how many to ask now, and when the next wave is due.

Pure. Called each time a wave is due (the vacancy stores `next_due_at`); the lead time
(shift start - now) picks the band:

  lead <= wave_all_at_once_minutes          everyone eligible at once (size None)
  lead <= wave_near_hours                   wave_near_size, wait wave_near_wait_minutes
  lead <= wave_far_hours                    wave_mid_size,  wait wave_mid_wait_minutes
  lead >  wave_far_hours                    wave_far_size,  wait wave_far_wait_minutes

Quiet hours (tysta timmar, 21:00–07:00 local): offers for LATER days are held at night;
same-day offers go out at once. Precisely, an offer is held (size 0, `hold_until` =
`next_due_at` = the next local 07:00) when all three hold:
  * now is inside quiet hours,
  * the shift starts on a later local calendar date than now, and
  * at least `quiet_hold_min_lead_hours` (2 h) remain between the hold end and the start
    (a shift tomorrow 07:30 is urgent: it goes out at night rather than at 07:00 with
    30 minutes' notice).
So a night patrol tomorrow 21:00 asked about at 23:00 waits until 07:00; a 07:00 shift
today asked about at 05:40 goes out at once.

The wait never pushes the next wave into a hold silly: if `now + wait` would be held, the
next wave is due at the hold end instead. And it never goes past
`shift_start - wave_all_at_once_minutes`: the last step before the start is always
"everyone at once".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.domain.rules import RuleSettings, to_utc


@dataclass(frozen=True)
class WaveStep:
    size: int | None  # None = everyone eligible at once; 0 = nobody now (held)
    next_due_at: dt.datetime | None  # when the following wave is due (None if all at once)
    hold_until: dt.datetime | None  # quiet hours: send nothing before this, else None
    # The band's wait (the longest a learned wave waits); not part of the plan's identity.
    wait_minutes: float | None = field(default=None, compare=False)


def plan_wave(now: dt.datetime, shift_start: dt.datetime, rules: RuleSettings) -> WaveStep:
    now, start = to_utc(now), to_utc(shift_start)
    last_call = start - dt.timedelta(minutes=rules.wave_all_at_once_minutes)
    if now >= last_call:
        return WaveStep(size=None, next_due_at=None, hold_until=None)

    hold = quiet_hold_until(now, start, rules)
    if hold is not None:
        return WaveStep(size=0, next_due_at=min(hold, last_call), hold_until=hold)

    lead_hours = (start - now).total_seconds() / 3600
    if lead_hours <= rules.wave_near_hours:
        size, wait = rules.wave_near_size, rules.wave_near_wait_minutes
    elif lead_hours <= rules.wave_far_hours:
        size, wait = rules.wave_mid_size, rules.wave_mid_wait_minutes
    else:
        size, wait = rules.wave_far_size, rules.wave_far_wait_minutes
    return WaveStep(size, _due_after(now, start, wait, rules), None, wait_minutes=wait)


def learned_step(
    step: WaveStep, now: dt.datetime, shift_start: dt.datetime, rules: RuleSettings,
    size: int, wait_minutes: float,
) -> WaveStep:
    """`step` with a learned wave's size and wait (`response_model.size_wave`), the same
    bounds on the next wave: quiet hours and the last call before the start."""
    return WaveStep(
        size, _due_after(to_utc(now), to_utc(shift_start), wait_minutes, rules), None,
        wait_minutes=wait_minutes,
    )


def _due_after(
    now: dt.datetime, start: dt.datetime, wait: float, rules: RuleSettings
) -> dt.datetime:
    last_call = start - dt.timedelta(minutes=rules.wave_all_at_once_minutes)
    next_due = now + dt.timedelta(minutes=wait)
    held_then = quiet_hold_until(next_due, start, rules)
    if held_then is not None:
        next_due = held_then
    return min(next_due, last_call)


def in_quiet_hours(when: dt.datetime, rules: RuleSettings) -> bool:
    """Local hour in [quiet_hours_start, quiet_hours_end), which may cross midnight."""
    hour = when.astimezone(rules.tz).hour
    a, b = rules.quiet_hours_start, rules.quiet_hours_end
    if a == b:
        return False
    if a < b:
        return a <= hour < b
    return hour >= a or hour < b


def quiet_hours_end_after(when: dt.datetime, rules: RuleSettings) -> dt.datetime:
    """The next local quiet_hours_end o'clock (07:00) after `when`, as UTC."""
    local = when.astimezone(rules.tz)
    end = dt.datetime.combine(local.date(), dt.time(rules.quiet_hours_end), tzinfo=rules.tz)
    if to_utc(end) <= to_utc(when):
        end = dt.datetime.combine(
            local.date() + dt.timedelta(days=1), dt.time(rules.quiet_hours_end), tzinfo=rules.tz
        )
    return to_utc(end)


def quiet_hold_until(
    now: dt.datetime, shift_start: dt.datetime, rules: RuleSettings
) -> dt.datetime | None:
    """When an offer made at `now` must wait for the morning, the instant it may go out."""
    if not in_quiet_hours(now, rules):
        return None
    if shift_start.astimezone(rules.tz).date() <= now.astimezone(rules.tz).date():
        return None  # same day: goes out at once
    hold = quiet_hours_end_after(now, rules)
    if to_utc(shift_start) - hold < dt.timedelta(hours=rules.quiet_hold_min_lead_hours):
        return None  # too close to wait for the morning
    return hold


def escalation_grace_end(
    first_offer_at: dt.datetime | None,
    shift_start: dt.datetime,
    escalate_before: dt.timedelta,
    grace: dt.timedelta,
) -> dt.datetime | None:
    """Until when the coordinator's alert says "searching among N" rather than "not filled".

    A vacancy whose first offers went out inside the escalation window (reported late, or a
    short-notice shift) alerts the coordinator at once; the alert then says "searching" until
    `grace` has passed or nobody is still thinking about an offer, and only then "not filled".
    A vacancy whose search began before the window is alerted at the escalation point and
    says "not filled" straight away (None).
    """
    if first_offer_at is None or to_utc(first_offer_at) < to_utc(shift_start) - escalate_before:
        return None
    return to_utc(first_offer_at) + grace
