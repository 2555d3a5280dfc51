"""The response model (svarsmodell) and waves sized by expected yeses."""

from __future__ import annotations

import math

import pytest

from bot.domain.response_model import (
    FALLBACK,
    LONG_MINUTES,
    LearnedWave,
    PastOffer,
    ResponseEstimate,
    chance_of_yes,
    estimate,
    estimate_all,
    lognormal_cdf,
    size_wave,
    time_to_chance,
)

TIER = ResponseEstimate(p_answer=0.6, p_accept=0.3, mu=math.log(4.0), sigma=0.9)
YES_FAST = PastOffer(answered=True, accepted=True, delay_minutes=1.0)
SILENT = PastOffer(answered=False, accepted=False, delay_minutes=None)


def test_the_cdf_is_a_log_normal_one() -> None:
    assert lognormal_cdf(4.0, math.log(4.0), 0.9) == pytest.approx(0.5)
    assert lognormal_cdf(0.0, 0.0, 1.0) == 0.0
    # one sigma above the median: Phi(1)
    assert lognormal_cdf(math.exp(1.0), 0.0, 1.0) == pytest.approx(0.841345, abs=1e-5)
    assert lognormal_cdf(1e9, 0.0, 1.0) == pytest.approx(1.0)


def test_a_newcomer_gets_the_tier_figures() -> None:
    e = estimate([], TIER)
    assert (e.p_answer, e.p_accept, e.mu, e.sigma, e.offers) == pytest.approx(
        (0.6, 0.3, math.log(4.0), 0.9, 0)
    )


def test_few_offers_stay_near_the_tier() -> None:
    e = estimate([YES_FAST, YES_FAST], TIER)
    assert 0.6 < e.p_answer < 0.7  # (2 + 6) / 12
    assert e.p_answer == pytest.approx(8 / 12)
    assert e.p_accept == pytest.approx((2 + 3) / 12)
    assert 1.0 < e.median_minutes < 4.0
    assert e.median_minutes > 3.0  # two answers weigh 2/12 against the tier's ten


def test_many_offers_converge_on_the_person() -> None:
    history = [YES_FAST] * 90 + [SILENT] * 10
    e = estimate(history, TIER)
    assert e.p_answer == pytest.approx((90 + 6) / 110)
    assert abs(e.p_answer - 0.9) < 0.04
    assert e.p_accept == pytest.approx((90 + 3) / 100)  # 0.93, against the tier's 0.3
    assert e.median_minutes < 1.2


def test_tiers_are_pooled_from_their_people() -> None:
    hist = {"a": [YES_FAST] * 30, "b": [SILENT] * 30}
    est = estimate_all(hist, {"a": "pool", "b": "substitute", "new": "pool"})
    assert est["new"].p_answer > FALLBACK.p_answer  # the pool tier answers
    assert est["b"].p_answer < 0.3
    assert est["new"].offers == 0


def test_the_chance_grows_with_people_and_wait() -> None:
    people = [TIER] * 5
    assert chance_of_yes(people[:1], 5) < chance_of_yes(people, 5) < chance_of_yes(people, 20)
    assert chance_of_yes([], 5) == 0.0


def test_time_to_chance_inverts_the_chance() -> None:
    people = [TIER] * 5
    t = time_to_chance(people, 0.5)
    assert chance_of_yes(people, t) == pytest.approx(0.5, abs=0.01)
    assert time_to_chance(people, 0.0) == 0.0
    assert time_to_chance(people, 0.99) == math.inf  # five at 18 % never get there
    assert time_to_chance([], 0.1) == math.inf


def _size(ranked: list[ResponseEstimate], slowdown: float = 1.1, min_size: int = 1,
          max_size: int = 40) -> LearnedWave:
    return size_wave(ranked, slowdown, min_size, max_size, 2, 7)


def test_wave_size_shrinks_as_the_slowdown_allowed_grows() -> None:
    ranked = [TIER] * 40
    sizes = [_size(ranked, slowdown=x).size for x in (1.0, 1.05, 1.1, 1.5, 2.0, 3.0)]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] < sizes[0]
    assert sizes[0] == 40  # exactly as fast as everyone: everyone


def test_a_wave_is_the_shortest_prefix_as_fast_as_everyone() -> None:
    ranked = [TIER] * 40
    w = _size(ranked)
    everyone = chance_of_yes(ranked, LONG_MINUTES)
    assert chance_of_yes(ranked, w.everyone_minutes) == pytest.approx(everyone / 2, abs=0.01)
    by = 1.1 * w.everyone_minutes
    assert chance_of_yes(ranked[: w.size], by) >= w.everyone_chance
    assert chance_of_yes(ranked[: w.size - 1], by) < w.everyone_chance
    assert w.chance == pytest.approx(chance_of_yes(ranked[: w.size], by))


def test_keen_people_first_make_a_small_wave_and_a_short_wait() -> None:
    """Pool staff who say yes within minutes, then hourly substitutes who seldom do: the
    substitutes hardly speed up everyone's first yes, so the wave is the keen few."""
    keen = ResponseEstimate(p_answer=0.92, p_accept=0.65, mu=math.log(2.0), sigma=0.6)
    shy = ResponseEstimate(p_answer=0.5, p_accept=0.1, mu=math.log(6.0), sigma=0.9)
    w = _size([keen] * 6 + [shy] * 24, min_size=2, max_size=30)
    assert 2 <= w.size <= 6
    assert w.wait_minutes < 7
    all_shy = _size([shy] * 30, min_size=2, max_size=30)
    assert all_shy.size > 20  # nobody stands out: nearly everyone is needed
    assert all_shy.wait_minutes == 7  # the band's wait


def test_size_is_bounded() -> None:
    shy = ResponseEstimate(p_answer=0.2, p_accept=0.05, mu=math.log(10.0), sigma=1.0)
    w = _size([shy] * 50, min_size=2, max_size=12)
    assert w.size <= 12
    keen = ResponseEstimate(p_answer=0.95, p_accept=0.9, mu=math.log(1.0), sigma=0.5)
    assert _size([keen] * 10, min_size=3).size >= 3
    assert _size([shy] * 2, min_size=3).size == 2  # never more than there are
    assert _size([]).size == 0
