"""The staffing figures, pure: median and p90 on small sets, empty periods, daylight-saving
days, and the identities every report keeps (every vacancy covered or unfilled, once)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.model import AbsenceCategory, Tier, VacancyStatus
from bot.domain.staffing import (
    BookingRow,
    Cover,
    OfferTally,
    StaffingRows,
    Unfilled,
    VacancyRow,
    median,
    p90,
    period_bounds,
    staffing_figures,
)
from tests.builders import TZ, local

DAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("values", "mid", "top"),
    [
        ([], None, None),
        ([7.0], 7.0, 7.0),
        ([30.0, 12.0], 21.0, 30.0),
        ([3.0, 1.0, 2.0], 2.0, 3.0),
        ([float(i) for i in range(1, 11)], 5.5, 9.0),  # nine in ten within 9
        ([float(i) for i in range(1, 21)], 10.5, 18.0),
        ([5.0] * 9 + [500.0], 5.0, 5.0),  # one slow vacancy is the tenth, not the ninth
        ([5.0] * 8 + [500.0] * 2, 5.0, 500.0),
    ],
)
def test_median_and_p90(values: list[float], mid: float | None, top: float | None) -> None:
    assert (median(values), p90(values)) == (mid, top)


@given(st.lists(st.floats(0, 10_000, allow_nan=False), min_size=1, max_size=60))
def test_p90_is_the_nearest_rank(values: list[float]) -> None:
    top = p90(values)
    assert top is not None and top in values
    assert sum(v <= top for v in values) >= 0.9 * len(values)
    assert sum(v < top for v in values) < 0.9 * len(values)
    mid = median(values)
    assert mid is not None and min(values) <= mid <= top


def _vacancy(
    vid: int,
    unit: str = "norr",
    start: str = "2026-12-01 07:00",
    hours: float = 8,
    status: VacancyStatus = VacancyStatus.FILLED,
    created: str = "2026-12-01 05:40",
    absence: int | None = None,
    category: AbsenceCategory | None = AbsenceCategory.SJUK,
) -> VacancyRow:
    s = local(start)
    return VacancyRow(
        vid, unit, f"s{vid}", s, s + dt.timedelta(hours=hours), status, local(created), False,
        vid if absence is None else absence, category,
    )


def test_empty_period_divides_by_nothing() -> None:
    r = staffing_figures(StaffingRows((), (), ()), [("norr", "Norr")], DAY, DAY, TZ)
    for f in (r.units[0].figures, r.total):
        assert (f.vacancies, f.absences, f.filled) == (0, 0, 0)
        assert f.filled_before_start_pct is None and f.median_minutes_to_fill is None
        assert f.p90_minutes_to_fill is None and f.offers_per_filled is None
        assert f.messages_per_filled is None
        assert set(f.covered.values()) == {0} and set(f.hours_by_cover.values()) == {0.0}


def test_only_cancelled_vacancies_need_nothing() -> None:
    rows = StaffingRows([_vacancy(1, status=VacancyStatus.CANCELLED)], [], [])
    f = staffing_figures(rows, [("norr", "Norr")], DAY, DAY, TZ).total
    assert (f.vacancies, f.cancelled, f.filled_before_start_pct) == (1, 1, None)
    assert f.unfilled_why[Unfilled.CANCELLED] == 1 and f.hours_by_cover[Cover.UNFILLED] == 0


def test_who_covered_and_why_not() -> None:
    rows = StaffingRows(
        [
            _vacancy(1), _vacancy(2), _vacancy(3), _vacancy(4),
            _vacancy(5, status=VacancyStatus.EXPIRED),
            _vacancy(6, status=VacancyStatus.EXPIRED),
            _vacancy(7, status=VacancyStatus.EXPIRED),
            _vacancy(8, status=VacancyStatus.SEARCHING),
        ],
        [
            OfferTally(1, offers=3, declined=2, messages=5),
            OfferTally(2, offers=1, messages=1),
            OfferTally(6, offers=2, declined=2),
            OfferTally(7, offers=4, declined=1, unanswered=3),
        ],
        [
            BookingRow(1, local("2026-12-01 05:52"), False, Tier.POOL),
            BookingRow(2, local("2026-12-01 06:10"), False, Tier.SUBSTITUTE),
            BookingRow(3, local("2026-12-01 06:40"), False, Tier.STAFF_EXTRA),
            BookingRow(4, local("2026-12-01 07:30"), True, Tier.POOL),  # by hand, late
        ],
    )
    f = staffing_figures(rows, [("norr", "Norr")], DAY, DAY, TZ).total
    assert f.covered == {
        Cover.POOL: 1, Cover.HOURLY: 1, Cover.STAFF_EXTRA: 1, Cover.BY_HAND: 1,
        Cover.UNFILLED: 4,
    }
    assert f.unfilled_why == {
        Unfilled.CANCELLED: 0, Unfilled.SEARCHING: 1, Unfilled.NO_ONE_TO_ASK: 1,
        Unfilled.ALL_DECLINED: 1, Unfilled.NO_ANSWER: 1,
    }
    assert (f.filled, f.filled_before_start, f.filled_before_start_pct) == (4, 3, 37.5)
    assert (f.median_minutes_to_fill, f.p90_minutes_to_fill) == (45.0, 110.0)  # 12 30 60 110
    assert (f.offers_per_filled, f.messages_per_filled) == (1.0, 1.5)  # 3+1+0+0 over four
    assert f.hours_by_cover[Cover.UNFILLED] == 32.0


def test_daylight_saving_days() -> None:
    spring, autumn = dt.date(2026, 3, 29), dt.date(2026, 10, 25)
    for day, hours in ((spring, 23), (autumn, 25)):
        after, before = period_bounds(day, day, TZ)
        assert (before - after) == dt.timedelta(hours=24)  # wall clock ...
        assert (before.astimezone(dt.UTC) - after.astimezone(dt.UTC)) == dt.timedelta(hours=hours)
    # A night shift through the autumn change: 22:00-07:00 is ten real hours.
    night_start = local("2026-10-24 22:00")
    night_end = local("2026-10-25 07:00")
    night = VacancyRow(1, "norr", "s-night", night_start, night_end, VacancyStatus.FILLED,
                       local("2026-10-24 20:00"), False, 1, AbsenceCategory.VAB)
    # 00:30 on the spring Sunday is still Saturday in UTC: it counts as Sunday.
    early = _vacancy(2, start="2026-03-29 00:30", created="2026-03-28 21:00",
                     status=VacancyStatus.EXPIRED)
    second_0230 = local("2026-10-25 02:30").replace(fold=1)  # the hour that comes twice
    rows = StaffingRows([night, early], [], [BookingRow(1, second_0230, False, Tier.POOL)])
    f = staffing_figures(rows, [("norr", "Norr")], spring, autumn, TZ).total
    assert f.hours_by_cover[Cover.POOL] == 10.0
    # 20:00 CEST to 02:30 CET (after the clocks went back) is 7 h 30 min.
    assert f.median_minutes_to_fill == 450.0
    assert f.absent_shifts_by_weekday == (0, 0, 0, 0, 0, 1, 1)  # Saturday night, Sunday


def test_absences_count_once_per_unit_and_in_total() -> None:
    """Anna's sick days vacate two Norr shifts and one Söder shift; a coordinator's own
    vacancy (no absence) is no absence."""
    rows = StaffingRows(
        [
            _vacancy(1, absence=9, status=VacancyStatus.EXPIRED),
            _vacancy(2, absence=9, start="2026-12-02 07:00", status=VacancyStatus.EXPIRED),
            _vacancy(3, unit="soder", absence=9, status=VacancyStatus.EXPIRED),
            _vacancy(4, absence=None, category=None, status=VacancyStatus.EXPIRED),
        ],
        [], [], shiftless_absences=[(10, AbsenceCategory.ANNAT)],
    )
    r = staffing_figures(rows, [("norr", "Norr"), ("soder", "Söder")], DAY, DAY, TZ)
    assert [u.figures.absences for u in r.units] == [1, 1]
    assert [u.figures.vacancies for u in r.units] == [3, 1]
    assert r.total.absences == 2  # Anna once, and the shiftless absence
    assert r.total.absent_shifts_by_weekday[1:3] == (2, 1)  # Tue: v1, v3; Wed: v2
    assert r.total.absences_by_category[AbsenceCategory.ANNAT] == 1


_statuses = st.sampled_from(list(VacancyStatus))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["norr", "soder", "other"]), _statuses,
            st.integers(0, 4), st.integers(0, 4), st.integers(0, 4),
            st.none()
            | st.tuples(st.integers(-60, 600), st.booleans(), st.sampled_from(list(Tier))),
        ),
        max_size=30,
    )
)
def test_every_vacancy_is_counted_once(
    specs: list[tuple[str, VacancyStatus, int, int, int, tuple[int, bool, Tier] | None]],
) -> None:
    vacancies, tallies, bookings = [], [], []
    for vid, (unit, status, offers, declined, unanswered, booked) in enumerate(specs, 1):
        v = _vacancy(vid, unit=unit, status=status, created="2026-12-01 05:00")
        vacancies.append(v)
        tallies.append(OfferTally(vid, offers, declined, unanswered, offers))
        if booked is not None and status == VacancyStatus.FILLED:
            minutes, by_hand, tier = booked
            bookings.append(BookingRow(vid, v.created_at + dt.timedelta(minutes=minutes),
                                       by_hand, tier))
    units = [("norr", "Norr"), ("soder", "Söder")]
    r = staffing_figures(StaffingRows(vacancies, tallies, bookings), units, DAY, DAY, TZ)
    t = r.total
    assert t.vacancies == sum(u.figures.vacancies for u in r.units)
    assert t.vacancies == sum(v.unit_id != "other" for v in vacancies)
    assert sum(t.covered.values()) == t.vacancies
    assert sum(t.unfilled_why.values()) == t.covered[Cover.UNFILLED]
    assert t.filled == t.vacancies - t.covered[Cover.UNFILLED]
    assert t.filled_before_start <= t.filled
    pct = t.filled_before_start_pct
    assert pct is None or 0 <= pct <= 100
    assert (t.median_minutes_to_fill is None) == (t.filled == 0)
    assert math.isclose(sum(t.hours_by_cover.values()), 8 * (t.vacancies - t.cancelled))
