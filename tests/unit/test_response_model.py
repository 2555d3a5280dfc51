"""The response model (svarsmodell) and waves sized by expected yeses."""

from __future__ import annotations

import math

import pytest

from bot.domain.response_model import (
    FALLBACK,
    PastOffer,
    ResponseEstimate,
    chance_of_yes,
    estimate,
    estimate_all,
    lognormal_cdf,
    size_wave,
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


def test_wave_size_is_monotone_in_the_target() -> None:
    ranked = [TIER] * 40
    sizes = [size_wave(ranked, tgt, 1, 40, 2, 7).size for tgt in (0.3, 0.5, 0.7, 0.9, 0.99)]
    assert sizes == sorted(sizes)
    assert sizes[0] < sizes[-1]


def test_a_wave_stops_as_soon_as_the_target_is_met() -> None:
    w = size_wave([TIER] * 40, 0.9, 1, 40, 2, 7)
    assert chance_of_yes([TIER] * w.size, 7) >= 0.9 > chance_of_yes([TIER] * (w.size - 1), 7)
    assert 2 <= w.wait_minutes <= 7
    assert w.chance == pytest.approx(0.9, abs=0.01)


def test_likely_yeses_make_small_waves_and_short_waits() -> None:
    keen = ResponseEstimate(p_answer=0.95, p_accept=0.9, mu=math.log(1.0), sigma=0.5)
    w = size_wave([keen] * 10, 0.9, 2, 30, 2, 7)
    assert w.size == 2
    assert w.wait_minutes == 2


def test_size_is_bounded() -> None:
    shy = ResponseEstimate(p_answer=0.2, p_accept=0.05, mu=math.log(10.0), sigma=1.0)
    w = size_wave([shy] * 50, 0.9, 2, 12, 2, 7)
    assert w.size == 12
    assert w.wait_minutes == 7  # never reached: the longest wait
    assert size_wave([shy] * 3, 0.9, 2, 12, 2, 7).size == 3
