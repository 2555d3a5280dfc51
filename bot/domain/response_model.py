"""Who answers, how often yes, how fast (svarsmodell): a response model per person.

Pure. From a person's past offers it estimates
  * p_answer: the chance they answer an offer at all,
  * p_accept: the chance the answer is yes,
  * the answer delay, log-normal: mean `mu` and spread `sigma` of log-minutes,
each shrunk toward their tier's figures when the person has few offers (empirical Bayes):
a Beta prior with the tier's rate and a strength of `PRIOR_OFFERS` offers for the two
chances, a weighted mean with the tier's `mu` for the delay. A newcomer gets the tier's
figures. The tier's figures are pooled over the tier's people in the same history, and
shrunk in their turn toward `FALLBACK` when the tier itself has little history.

What counts: an offer answered (yes, no or a late yes) is answered, with its delay; an
offer that expired unanswered is not answered; an offer closed by the bot before they
answered (taken by someone else, withdrawn) says nothing about them and is left out.
Time of day and lead time are not modelled (one set of figures per person).

The model only sizes waves and sets their wait (`size_wave`: a wave whose first yes comes
about as fast as asking everyone's would); who is asked first never depends on it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

PRIOR_OFFERS = 10.0  # strength of the tier prior, in offers
MIN_DELAY_MINUTES = 0.1  # a delay of zero has no logarithm
LONG_MINUTES = 7 * 24 * 60.0  # "ever", for the chance of a yes at all
WAIT_SPENT = 0.9  # a wave's wait: until this share of its chance of a yes has come


@dataclass(frozen=True, slots=True)
class PastOffer:
    """One closed offer as the model reads it."""

    answered: bool
    accepted: bool  # yes (on time or late); False when not answered
    delay_minutes: float | None  # offer created -> answer; None when not answered


@dataclass(frozen=True, slots=True)
class ResponseEstimate:
    """A person's (or a tier's) figures, with the evidence behind them."""

    p_answer: float
    p_accept: float  # given an answer
    mu: float  # mean of log-minutes of the answer delay
    sigma: float  # spread of log-minutes
    offers: int = 0  # offers the figures rest on (0: the tier's figures)

    @property
    def p_yes(self) -> float:
        return self.p_answer * self.p_accept

    @property
    def median_minutes(self) -> float:
        return math.exp(self.mu)

    def p_yes_within(self, minutes: float) -> float:
        """Chance of a yes within `minutes` of the offer."""
        return self.p_yes * lognormal_cdf(minutes, self.mu, self.sigma)


# Used for a tier with no history at all: a middling substitute.
FALLBACK = ResponseEstimate(p_answer=0.7, p_accept=0.25, mu=math.log(4.0), sigma=1.0)


def lognormal_cdf(minutes: float, mu: float, sigma: float) -> float:
    """P(delay <= minutes) for a delay whose logarithm is normal(mu, sigma)."""
    if minutes <= 0:
        return 0.0
    if sigma <= 0:
        return 1.0 if math.log(minutes) >= mu else 0.0
    return 0.5 * (1.0 + math.erf((math.log(minutes) - mu) / (sigma * math.sqrt(2.0))))


def estimate(
    history: Iterable[PastOffer], prior: ResponseEstimate, strength: float = PRIOR_OFFERS
) -> ResponseEstimate:
    """The posterior figures: the prior's rates count as `strength` pseudo-offers."""
    n = answered = accepted = 0
    logs: list[float] = []
    for o in history:
        n += 1
        if o.answered:
            answered += 1
            accepted += o.accepted
            if o.delay_minutes is not None:
                logs.append(math.log(max(o.delay_minutes, MIN_DELAY_MINUTES)))
    p_answer = (answered + strength * prior.p_answer) / (n + strength)
    p_accept = (accepted + strength * prior.p_accept) / (answered + strength)
    k = len(logs)
    mu = (sum(logs) + strength * prior.mu) / (k + strength)
    # Spread: squared deviations about the shrunk mean, with the prior's as pseudo-data.
    ss = sum((x - mu) ** 2 for x in logs) + strength * (prior.sigma**2 + (prior.mu - mu) ** 2)
    sigma = math.sqrt(ss / (k + strength))
    return ResponseEstimate(p_answer, p_accept, mu, sigma, offers=n)


def estimate_all(
    histories: Mapping[str, Sequence[PastOffer]],
    tiers: dict[str, str],
    strength: float = PRIOR_OFFERS,
) -> dict[str, ResponseEstimate]:
    """Every person's figures: each tier's figures pooled over its people (shrunk toward
    `FALLBACK`), then each person's shrunk toward their tier's. `tiers` names everyone to
    estimate, people without history included."""
    pooled: dict[str, list[PastOffer]] = {}
    for pid, tier in tiers.items():
        pooled.setdefault(tier, []).extend(histories.get(pid, ()))
    prior = {tier: estimate(offers, FALLBACK, strength) for tier, offers in pooled.items()}
    return {
        pid: estimate(histories.get(pid, ()), prior[tier], strength)
        for pid, tier in tiers.items()
    }


def chance_of_yes(people: Sequence[ResponseEstimate], minutes: float) -> float:
    """P(at least one yes within `minutes`) when all of `people` are asked at once."""
    none = 1.0
    for e in people:
        none *= 1.0 - e.p_yes_within(minutes)
    return 1.0 - none


def time_to_chance(people: Sequence[ResponseEstimate], chance: float) -> float:
    """The first minute by which `chance_of_yes(people, minute)` reaches `chance`
    (bisection on a log scale, to a few seconds); infinite when it never does."""
    if chance <= 0:
        return 0.0
    if not people or chance_of_yes(people, LONG_MINUTES) < chance:
        return math.inf
    lo, hi = 1e-3, LONG_MINUTES
    for _ in range(60):
        if hi - lo < 0.02:
            break
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if chance_of_yes(people, mid) >= chance else (mid, hi)
    return hi


@dataclass(frozen=True, slots=True)
class LearnedWave:
    size: int
    wait_minutes: float
    everyone_minutes: float  # median of the first yes if all of `ranked` were asked at once
    chance: float  # the wave's chance of a yes by `slowdown` x everyone_minutes
    everyone_chance: float  # everyone's chance of a yes by everyone_minutes


def size_wave(
    ranked: Sequence[ResponseEstimate],
    slowdown: float,
    min_size: int,
    max_size: int,
    min_wait: float,
    max_wait: float,
) -> LearnedWave:
    """How many of `ranked` (in their order) to ask now, and how long to wait: a wave whose
    first yes comes about as fast as asking everyone's would.

    Everyone = the first `max_size` of `ranked`. Asked all at once, their first yes would
    come by `everyone_minutes` (the median, given that a yes comes at all) with chance E.
    The wave is the shortest prefix (at least `min_size`) whose chance of a yes by
    `slowdown` x that time is at least E: its median first yes is then at most `slowdown`
    x everyone's. The wait is the minute by which the wave has had `WAIT_SPENT` of its
    chance of a yes at all, within [min_wait, max_wait].
    """
    everyone = ranked[:max_size]
    cap = len(everyone)
    if cap == 0:
        return LearnedWave(0, max_wait, math.inf, 0.0, 0.0)
    t_all = time_to_chance(everyone, chance_of_yes(everyone, LONG_MINUTES) / 2)
    e_all = chance_of_yes(everyone, t_all)
    by = slowdown * t_all
    size = min(min_size, cap)
    while size < cap and chance_of_yes(everyone[:size], by) < e_all:
        size += 1
    wave = everyone[:size]
    spent = time_to_chance(wave, WAIT_SPENT * chance_of_yes(wave, LONG_MINUTES))
    wait = min(max(spent, min_wait), max_wait)
    return LearnedWave(size, wait, t_all, chance_of_yes(wave, by), e_all)
