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

The model only sizes waves and sets their wait: who is asked first never depends on it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

PRIOR_OFFERS = 10.0  # strength of the tier prior, in offers
MIN_DELAY_MINUTES = 0.1  # a delay of zero has no logarithm


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


@dataclass(frozen=True, slots=True)
class LearnedWave:
    size: int
    wait_minutes: float
    chance: float  # P(at least one yes within the wait)


def size_wave(
    ranked: Sequence[ResponseEstimate],
    target: float,
    min_size: int,
    max_size: int,
    min_wait: float,
    max_wait: float,
) -> LearnedWave:
    """How many of `ranked` (in their order) to ask now, and how long to wait.

    People are added in order until P(at least one yes within `max_wait`) reaches `target`,
    at least `min_size` and at most `max_size` (and never more than there are). The wait is
    the first minute in [min_wait, max_wait] at which the wave's chance reaches the target,
    else `max_wait`.
    """
    cap = min(max_size, len(ranked))
    size = min(min_size, cap)
    while size < cap and chance_of_yes(ranked[:size], max_wait) < target:
        size += 1
    wave = ranked[:size]
    wait = max_wait
    if chance_of_yes(wave, max_wait) >= target:
        lo, hi = min_wait, max_wait
        if chance_of_yes(wave, lo) >= target:
            hi = lo
        for _ in range(30):  # bisection: the chance grows with the wait
            if hi - lo < 0.05:
                break
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if chance_of_yes(wave, mid) >= target else (mid, hi)
        wait = hi
    return LearnedWave(size, wait, chance_of_yes(wave, wait))
