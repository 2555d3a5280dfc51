"""The call-out engine on a real SQLite file: absence -> waves -> accept -> taken."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bot.clock import FakeClock
from bot.domain import intents
from bot.domain.intents import FillByHand, Release, Widen
from bot.domain.model import AbsenceCategory, OfferState, VacancyStatus
from bot.domain.response_model import FALLBACK, size_wave
from bot.services import absence, answers, callout, coordinator, coordinator_views
from bot.services.deps import Deps
from bot.texts import reason_text
from storage import absences as absences_repo
from storage import audit, history, outbox, vacancies
from storage import bookings as bookings_repo
from storage import tables as t
from storage.db import Database
from tests.builders import World, local, make_deps, person_of, report_absent


async def _morning(db: Database, n_subs: int = 12) -> World:
    w = World(db)
    await w.unit("norr")
    await w.unit("soder")
    await w.staff("anna", "norr", name="Anna Absent")
    await w.person("kim", roles=[("coordinator", "norr")], quals=())
    for i in range(n_subs):
        await w.sub(f"sub{i:02d}")
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("s-eve", "norr", "anna", "2026-12-02 15:00", "2026-12-02 22:00")
    return w


async def _offers_by_person(db: Database) -> dict[str, list[outbox.OutboxItem]]:
    async with db.read() as conn:
        items = await outbox.all_items(conn)
    out: dict[str, list[outbox.OutboxItem]] = {}
    for i in items:
        out.setdefault(i.person_id or f"chat:{i.chat_id}", []).append(i)
    return out


async def test_sick_report_opens_vacancy_and_sends_first_wave(db: Database) -> None:
    await _morning(db)
    deps = make_deps(db, "2026-12-01 05:45")
    receipt = await absence.report_absence(
        deps, "anna", AbsenceCategory.SJUK, "telegram", shift_ids=["s-day"]
    )
    assert len(receipt.new_vacancy_ids) == 1
    assert "07:00-16:00" in receipt.text
    sent = await _offers_by_person(db)
    offered = [p for p, items in sent.items() if any(i.kind == "offer" for i in items)]
    # 1 h 15 min before start: a "near" wave of 8.
    assert len(offered) == deps.rules.wave_near_size
    for items in sent.values():
        for item in items:
            if item.kind == "offer":
                for text in (item.message.text, item.message.sms or ""):
                    assert "Anna" not in text and "sjuk" not in text.lower()
                    assert "Hemtjänst Norr" in text and "07:00" in text


async def test_same_report_twice_creates_nothing_new(db: Database) -> None:
    await _morning(db)
    deps = make_deps(db, "2026-12-01 05:45")
    first = await absence.report_absence(
        deps, "anna", AbsenceCategory.SJUK, "sms", shift_ids=["s-day"]
    )
    again = await absence.report_absence(
        deps, "anna", AbsenceCategory.SJUK, "sms", shift_ids=["s-day"]
    )
    assert first.new_vacancy_ids and not again.new_vacancy_ids
    async with db.read() as conn:
        assert len(await vacancies.offers_for(conn, first.new_vacancy_ids[0])) == 8


async def test_first_accept_wins_and_others_are_told(db: Database) -> None:
    await _morning(db)
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram", AbsenceCategory.VAB)
    async with db.read() as conn:
        offers = await vacancies.offers_for(conn, vid)
    win = await answers.accept(deps, offers[2].person_id, intents.Accept(offers[2].id), "telegram")
    assert win.outcome == answers.Outcome.BOOKED
    late = await answers.accept(deps, offers[0].person_id, intents.Accept(offers[0].id), "sms")
    assert late.outcome == answers.Outcome.LATE
    async with db.read() as conn:
        v = await vacancies.get_vacancy(conn, vid)
        booking = await bookings_repo.live_booking(conn, vid)
        states = {o.person_id: o.state for o in await vacancies.offers_for(conn, vid)}
    assert v is not None and v.status == VacancyStatus.FILLED
    assert booking is not None and booking.person_id == offers[2].person_id
    assert states[offers[0].person_id] == "late"
    assert sum(s == "taken" for s in states.values()) == len(offers) - 2
    sent = await _offers_by_person(db)
    assert any(i.kind == "taken" for i in sent[offers[1].person_id])
    assert any(i.kind == "late" for i in sent[offers[0].person_id])
    assert any(i.kind == "booked" for i in sent[offers[2].person_id])


async def test_declines_move_on_to_the_next_wave_and_nobody_is_asked_twice(db: Database) -> None:
    await _morning(db, n_subs=12)
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    async with db.read() as conn:
        first_wave = await vacancies.offers_for(conn, vid)
    for o in first_wave:
        res = await answers.decline(deps, o.person_id, intents.Decline(o.id), "telegram")
        assert res.outcome == answers.Outcome.DECLINED
    assert await callout.tick(deps) == 1
    async with db.read() as conn:
        all_offers = await vacancies.offers_for(conn, vid)
        v = await vacancies.get_vacancy(conn, vid)
    assert len(all_offers) == 12  # 8 + the remaining 4
    assert len({o.person_id for o in all_offers}) == 12
    assert v is not None and v.wave == 2


async def test_escalates_when_the_pool_is_exhausted(db: Database) -> None:
    await _morning(db, n_subs=2)
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    async with db.read() as conn:
        for o in await vacancies.offers_for(conn, vid):
            await answers.decline(deps, o.person_id, intents.Decline(o.id), "telegram")
    await callout.tick(deps)
    sent = await _offers_by_person(db)
    esc = [i for i in sent["kim"] if i.kind == "escalation"]
    assert len(esc) == 1
    assert "Tillfrågade 2, nej 2" in esc[0].message.text
    assert [b.data for row in esc[0].message.buttons for b in row] == [
        f"esc:w:{vid}",
        f"esc:f:{vid}",
        f"esc:c:{vid}",
    ]


async def test_escalates_at_the_threshold_before_start(db: Database) -> None:
    await _morning(db, n_subs=20)
    deps = make_deps(db, "2026-12-01 04:00")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    clock = deps.clock
    assert isinstance(clock, FakeClock)
    clock.set(local("2026-12-01 06:00"))
    while await callout.tick(deps):
        pass
    async with db.read() as conn:
        v = await vacancies.get_vacancy(conn, vid)
    assert v is not None and v.escalated_at == local("2026-12-01 06:00")
    clock.set(local("2026-12-01 07:00"))
    await callout.tick(deps)
    async with db.read() as conn:
        v = await vacancies.get_vacancy(conn, vid)
    assert v is not None and v.status == VacancyStatus.EXPIRED


async def test_report_well_withdraws_open_offers(db: Database) -> None:
    await _morning(db)
    deps = make_deps(db, "2026-12-01 05:45")
    r = await absence.report_absence(
        deps, "anna", AbsenceCategory.SJUK, "telegram", shift_ids=["s-day"]
    )
    well = await absence.report_well(deps, "anna", "telegram")
    assert well.cancelled_vacancy_ids == r.new_vacancy_ids
    sent = await _offers_by_person(db)
    withdrawn = [i for items in sent.values() for i in items if i.kind == "withdrawn"]
    assert len(withdrawn) == 8
    # Reporting sick again reopens the same vacancy; nobody offered before is asked again.
    again = await absence.report_absence(
        deps, "anna", AbsenceCategory.SJUK, "telegram", shift_ids=["s-day"]
    )
    assert again.new_vacancy_ids == r.new_vacancy_ids
    async with db.read() as conn:
        offers = await vacancies.offers_for(conn, r.new_vacancy_ids[0])
    assert len(offers) == 12 and len({o.person_id for o in offers}) == 12


async def test_report_well_after_booking_asks_the_coordinator_then_release(db: Database) -> None:
    await _morning(db)
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    async with db.read() as conn:
        o = (await vacancies.offers_for(conn, vid))[0]
    await answers.accept(deps, o.person_id, intents.Accept(o.id), "telegram")
    well = await absence.report_well(deps, "anna", "sms")
    assert well.kept_for_coordinator == [vid]
    kim = await person_of(deps, "kim")
    released = await coordinator.release_substitute(deps, kim, Release(vid, keep=False), "telegram")
    assert released.outcome == coordinator.ActOutcome.DONE
    sent = await _offers_by_person(db)
    assert any(i.kind == "released" for i in sent[o.person_id])
    async with db.read() as conn:
        v = await vacancies.get_vacancy(conn, vid)
        assert await bookings_repo.live_booking(conn, vid) is None
    assert v is not None and v.status == VacancyStatus.CANCELLED


async def test_substitute_cancellation_reopens_and_skips_them(db: Database) -> None:
    await _morning(db)
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    async with db.read() as conn:
        o = (await vacancies.offers_for(conn, vid))[0]
    res = await answers.accept(deps, o.person_id, intents.Accept(o.id), "telegram")
    assert res.booking_id is not None
    assert await answers.cancel_booking(
        deps, o.person_id, intents.CancelBooking(booking_id=res.booking_id), "telegram"
    )
    await callout.tick(deps)
    async with db.read() as conn:
        v = await vacancies.get_vacancy(conn, vid)
        offers = await vacancies.offers_for(conn, vid)
        _declines, cancels = await history.answer_counts(conn, o.person_id)
    assert v is not None and v.status == VacancyStatus.SEARCHING
    assert [x.person_id for x in offers].count(o.person_id) == 1
    assert len(offers) == 12  # the remaining four were asked
    assert cancels == 1
    sent = await _offers_by_person(db)
    assert any(i.kind == "booking_cancelled" for i in sent["kim"])


async def test_fill_by_hand_needs_a_reason_to_override_rules(db: Database) -> None:
    w = await _morning(db)
    await w.sub("newbie", introduced=())  # not introduced at the unit: a soft block
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    kim = await person_of(deps, "kim")
    refused = await coordinator.fill(deps, kim, FillByHand(vid, "newbie"), "telegram")
    assert refused.outcome == coordinator.FillOutcome.NEEDS_OVERRIDE
    assert refused.blocks
    done = await coordinator.fill(
        deps, kim, FillByHand(vid, "newbie", override_reason="ingen annan, kort pass"), "telegram"
    )
    assert done.outcome == coordinator.FillOutcome.BOOKED
    async with db.read() as conn:
        b = await bookings_repo.live_booking(conn, vid)
        log = await audit.entries(conn, "vacancy", vid)
    assert b is not None and b.override_reason == "ingen annan, kort pass"
    assert any(e.action == "filled_by_hand" and e.actor == "kim" for e in log)


async def test_widening_reaches_regular_staff(db: Database) -> None:
    w = World(db)
    await w.unit("norr")
    await w.staff("anna", "norr")
    await w.staff("bertil", "norr")
    await w.person("kim", roles=[("coordinator", "norr")], quals=())
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    async with db.read() as conn:
        assert await vacancies.offers_for(conn, vid) == []
    kim = await person_of(deps, "kim")
    widened = await coordinator.widen_vacancy(deps, kim, Widen(vid), "telegram")
    assert widened.outcome == coordinator.ActOutcome.DONE
    assert await callout.tick(deps) == 1  # the widened step is due at once
    async with db.read() as conn:
        offers = await vacancies.offers_for(conn, vid)
    assert [o.person_id for o in offers] == ["bertil"]


async def test_regular_staff_over_the_overtime_cap_are_not_asked(db: Database) -> None:
    """Bertil has 45 h of extra shifts booked in December: one more 9-hour day would make
    54 h > 50 h a month. Cilla has 27 h: 36 h is fine but she is warned about at 40 h."""
    w = World(db)
    await w.unit("norr")
    await w.unit("soder")
    await w.staff("anna", "norr")
    await w.staff("bertil", "norr")
    await w.staff("cilla", "norr")
    await w.person("kim", roles=[("coordinator", "norr")], quals=())
    await w.shift("s-day", "norr", "anna", "2026-12-14 07:00", "2026-12-14 16:00")
    booked = {"bertil": (1, 2, 3, 4, 7), "cilla": (1, 2, 3)}
    for who, days in booked.items():
        for d in days:
            sid = f"x-{who}-{d}"
            await w.shift(sid, "soder", None, f"2026-12-{d:02d} 07:00", f"2026-12-{d:02d} 16:00")
            async with db.write() as conn:
                vid = await vacancies.insert_vacancy(conn, sid, None, local("2026-11-30 12:00"))
                await vacancies.update_vacancy(
                    conn, vid, local("2026-11-30 12:00"), status="filled", next_due_at=None
                )
                await conn.execute(
                    sa.insert(t.bookings).values(
                        vacancy_id=vid,
                        shift_id=sid,
                        person_id=who,
                        booked_at=local("2026-11-30 12:00"),
                        channel="sms",
                    )
                )
    deps = make_deps(db, "2026-12-14 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    kim = await person_of(deps, "kim")
    widened = await coordinator.widen_vacancy(deps, kim, Widen(vid), "telegram")
    assert widened.outcome == coordinator.ActOutcome.DONE
    assert await callout.tick(deps) == 1
    async with db.read() as conn:
        assert [o.person_id for o in await vacancies.offers_for(conn, vid)] == ["cilla"]
    text = "\n".join(await coordinator.explain(deps, vid))
    assert "mertid/övertid månaden blir 54 h > 50 h" in text  # Bertil, excluded
    assert "varning: mertid/övertid månaden blir 36 h" not in text
    assert (await coordinator.fill(deps, kim, FillByHand(vid, "bertil"), "telegram")).outcome == (
        coordinator.FillOutcome.NEEDS_OVERRIDE
    )


async def test_no_reason_overrides_the_rest_rule_or_a_double_booking(db: Database) -> None:
    w = await _morning(db)
    await w.sub("tired")
    await w.shift("s-night", "soder", "tired", "2026-11-30 21:00", "2026-12-01 07:00")
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    kim = await person_of(deps, "kim")
    for reason in (None, "bråttom"):
        res = await coordinator.fill(deps, kim, FillByHand(vid, "tired", reason), "telegram")
        assert res.outcome == coordinator.FillOutcome.FORBIDDEN
        assert any("vila" in reason_text(b) for b in res.blocks)
    async with db.read() as conn:
        assert await bookings_repo.live_booking(conn, vid) is None


async def test_people_on_sick_leave_are_not_offered_shifts(db: Database) -> None:
    w = World(db)
    await w.unit("norr", allow_staff_extra=True)
    await w.staff("anna", "norr")
    await w.person("bo", roles=[("staff", "norr")], tier="staff_extra", introduced=["norr"])
    await w.shift("s-a", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("s-b", "norr", "bo", "2026-12-01 07:00", "2026-12-01 16:00")
    deps = make_deps(db, "2026-12-01 05:45")
    await report_absent(deps, "bo", "s-b", "telegram")
    vid = await report_absent(deps, "anna", "s-a", "telegram")
    async with db.read() as conn:
        assert [o.person_id for o in await vacancies.offers_for(conn, vid)] == []


async def test_a_reopened_vacancy_escalates_again(db: Database) -> None:
    await _morning(db, n_subs=1)
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    async with db.read() as conn:
        (offer,) = await vacancies.offers_for(conn, vid)
    res = await answers.accept(deps, offer.person_id, intents.Accept(offer.id), "telegram")
    assert res.booking_id is not None
    assert await answers.cancel_booking(
        deps, offer.person_id, intents.CancelBooking(booking_id=res.booking_id), "telegram"
    )
    async with db.read() as conn:
        v = await vacancies.get_vacancy(conn, vid)
    assert v is not None and v.status == VacancyStatus.SEARCHING and v.escalated_at is None
    await callout.tick(deps)  # nobody left to ask: the coordinator hears at once
    sent = await _offers_by_person(db)
    assert any(i.kind == "escalation" for i in sent["kim"])


async def test_one_failing_vacancy_does_not_hold_up_the_others(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _morning(db)
    deps = make_deps(db, "2026-11-30 08:00")
    async with db.write() as conn:
        bad = await vacancies.insert_vacancy(conn, "s-day", None, deps.now())
        good = await vacancies.insert_vacancy(conn, "s-eve", None, deps.now())
    real_advance = callout.advance

    async def advance(conn: object, d: object, vacancy_id: int) -> None:
        if vacancy_id == bad:
            raise RuntimeError("a bug in one step")
        await real_advance(conn, d, vacancy_id)  # type: ignore[arg-type]

    monkeypatch.setattr(callout, "advance", advance)
    assert await callout.tick(deps) == 2
    async with db.read() as conn:
        assert len(await vacancies.offers_for(conn, good)) > 0
        v = await vacancies.get_vacancy(conn, bad)
    assert v is not None and v.next_due_at is not None and v.next_due_at > deps.now()


async def test_explain_lists_ranked_and_excluded_with_reasons(db: Database) -> None:
    w = await _morning(db, n_subs=2)
    await w.sub("newbie", introduced=())
    deps = make_deps(db, "2026-12-01 05:45")
    r = await absence.report_absence(
        deps, "anna", AbsenceCategory.SJUK, "telegram", shift_ids=["s-day"]
    )
    lines = await coordinator.explain(deps, r.new_vacancy_ids[0])
    text = "\n".join(lines)
    assert "sub00" in text and "newbie" in text
    assert "introducer" in text.lower()


async def _declines_and_a_cancellation(db: Database) -> World:
    """sub00 declines once in August (outside the 90 days before 1 December), twice in
    November, and cancels a November booking; sub01 asked as often, never says no."""
    w = await _morning(db, n_subs=2)
    for sid, day in [
        ("s-aug", "2026-08-20"),
        ("s-nov1", "2026-11-10"),
        ("s-nov2", "2026-11-12"),
        ("s-nov3", "2026-11-14"),
    ]:
        await w.shift(sid, "norr", "anna", f"{day} 07:00", f"{day} 16:00")
        deps = make_deps(db, f"{day} 05:45")
        vid = await report_absent(deps, "anna", sid, "telegram")
        async with db.read() as conn:
            mine = [o for o in await vacancies.offers_for(conn, vid) if o.person_id == "sub00"]
        assert len(mine) == 1
        if sid != "s-nov3":
            declined = await answers.decline(deps, "sub00", intents.Decline(mine[0].id), "sms")
            assert declined.outcome == answers.Outcome.DECLINED
            continue
        booked = await answers.accept(deps, "sub00", intents.Accept(mine[0].id), "telegram")
        assert booked.booking_id is not None
        assert await answers.cancel_booking(
            deps, "sub00", intents.CancelBooking(booking_id=booked.booking_id), "telegram"
        )
    return w


def _line_of(lines: list[str], person_id: str) -> str:
    (line,) = [x for x in lines if f"({person_id})" in x]
    return line


async def test_explain_shows_recent_declines_and_cancellations(db: Database) -> None:
    await _declines_and_a_cancellation(db)
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    lines = await coordinator.explain(deps, vid)
    sub00 = _line_of(lines, "sub00")
    assert sub00.startswith("  ") and "nivå 2" in sub00  # ranked, not excluded
    # The August decline is older than 90 days: two of the three count.
    assert sub00.endswith(" · 2 nej, 1 återbud senaste 90 dagarna")
    sub01 = _line_of(lines, "sub01")
    assert "nivå 2" in sub01
    assert "nej" not in sub01 and "återbud" not in sub01 and "senaste 90" not in sub01
    # The response model's estimate, for everyone ranked (svarsmodell).
    assert "ja ~" in sub00 and "typisk svarstid" in sub01
    # Counted and shown, never acted on: sub00 is still asked.
    async with db.read() as conn:
        asked = {o.person_id for o in await vacancies.offers_for(conn, vid)}
    assert asked == {"sub00", "sub01"}


async def test_answer_counts_windowed_for_many_people(db: Database) -> None:
    await _declines_and_a_cancellation(db)
    async with db.read() as conn:
        assert await history.answer_counts(conn, "sub00") == (3, 1)  # all time
        assert await history.answer_counts(conn, "sub01") == (0, 0)
        since = local("2026-09-02 05:45")  # 90 days before 1 December
        counts = await history.answer_counts_for(conn, ["sub00", "sub01", "nobody"], since)
        assert counts == {"sub00": (2, 1)}
        later = await history.answer_counts_for(conn, ["sub00"], local("2026-11-13 00:00"))
        assert later == {"sub00": (0, 1)}  # the declines were on 10 and 12 November
        assert await history.answer_counts_for(conn, [], since) == {}


async def test_fill_by_hand_candidates_carry_the_same_figures(db: Database) -> None:
    await _declines_and_a_cancellation(db)
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    candidates = await coordinator_views.fill_candidates(deps, vid)
    answers_of = {c.person_id: c.answers for c in candidates}
    assert answers_of == {"sub00": "2 nej, 1 återbud senaste 90 dagarna", "sub01": ""}
    english = await coordinator_views.fill_candidates(deps, vid, lang="en")
    assert [c.answers for c in english if c.person_id == "sub00"] == [
        "2 declined, 1 cancelled in the last 90 days"
    ]
    # The response model's estimate for each (svarsmodell), as /forklara shows it.
    for c in candidates:
        assert c.response.startswith("ja ~") and "typisk svarstid" in c.response
    assert all(c.response.startswith("yes ~") for c in english)


@pytest.mark.parametrize("hours_ahead,expected", [(30, 3), (10, 5), (2, 8), (0.5, 12)])
async def test_wave_size_follows_time_to_start(
    db: Database, hours_ahead: float, expected: int
) -> None:
    await _morning(db, n_subs=12)
    start = local("2026-12-02 15:00")
    now = start - dt.timedelta(hours=hours_ahead)
    deps = make_deps(
        db, now.astimezone(local("2026-12-01 00:00").tzinfo).strftime("%Y-%m-%d %H:%M")
    )
    await _report_eve(db, deps, expected)


@pytest.mark.parametrize("hours_ahead,expected", [(30, 3), (10, 5), (2, 11), (0.5, 12)])
async def test_learned_waves_only_when_the_start_is_near(
    db: Database, hours_ahead: float, expected: int
) -> None:
    """wave_sizing=learned keeps the band's size more than wave_near_hours ahead, and
    everyone at once at the last call."""
    await _morning(db, n_subs=12)
    now = local("2026-12-02 15:00") - dt.timedelta(hours=hours_ahead)
    when = now.astimezone(local("2026-12-01 00:00").tzinfo).strftime("%Y-%m-%d %H:%M")
    await _report_eve(db, make_deps(db, when, wave_sizing="learned"), expected)


async def _report_eve(db: Database, deps: Deps, expected: int) -> None:
    r = await absence.report_absence(
        deps, "anna", AbsenceCategory.SJUK, "telegram", shift_ids=["s-eve"]
    )
    async with db.read() as conn:
        offers = await vacancies.offers_for(conn, r.new_vacancy_ids[0])
    assert len(offers) == expected


async def test_a_booking_closes_the_persons_other_conflicting_offers(db: Database) -> None:
    w = World(db)
    await w.unit("norr")
    await w.staff("anna", "norr")
    await w.staff("bo", "norr")
    await w.sub("sara")
    await w.sub("olle")
    await w.shift("s-a", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("s-b", "norr", "bo", "2026-12-01 08:00", "2026-12-01 12:00")
    deps = make_deps(db, "2026-12-01 05:45")
    ra = await absence.report_absence(deps, "anna", AbsenceCategory.SJUK, "sms", shift_ids=["s-a"])
    rb = await absence.report_absence(deps, "bo", AbsenceCategory.SJUK, "sms", shift_ids=["s-b"])
    async with db.read() as conn:
        sara_offers = {o.vacancy_id: o for o in await vacancies.open_offers_of(conn, "sara")}
    assert set(sara_offers) == {ra.new_vacancy_ids[0], rb.new_vacancy_ids[0]}
    res = await answers.accept(
        deps, "sara", intents.Accept(sara_offers[ra.new_vacancy_ids[0]].id), "sms"
    )
    assert res.outcome == answers.Outcome.BOOKED
    async with db.read() as conn:
        other = await vacancies.get_offer(conn, sara_offers[rb.new_vacancy_ids[0]].id)
        olle_open = await vacancies.open_offers_of(conn, "olle")
    assert other is not None and other.state == "withdrawn"
    sent = await _offers_by_person(db)
    assert any(i.kind == "offer_conflict" for i in sent["sara"])
    # Olle still holds the other offer, so the search goes on without Sara.
    assert [o.vacancy_id for o in olle_open] == [rb.new_vacancy_ids[0]]


async def test_going_home_sick_mid_shift_searches_for_the_rest_of_it(db: Database) -> None:
    await _morning(db)
    deps = make_deps(db, "2026-12-01 11:02")
    receipt = await absence.report_absence(
        deps, "anna", AbsenceCategory.SJUK, "sms", shift_ids=["s-day"]
    )
    assert "11:45-16:00" in receipt.text  # 11:02 + 30 min, on the quarter
    async with db.read() as conn:
        (vid,) = receipt.new_vacancy_ids
        v = await vacancies.get_vacancy(conn, vid)
        assert v is not None and v.shift_id == "s-day~rest"
        offers = await vacancies.offers_for(conn, vid)
    assert offers, "under 45 minutes to start: everyone eligible is asked at once"
    again = await absence.report_absence(
        deps, "anna", AbsenceCategory.SJUK, "sms", shift_ids=["s-day"]
    )
    assert again.new_vacancy_ids == []


async def test_the_person_who_reports_well_hears_whether_to_come_in(db: Database) -> None:
    await _morning(db)
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    async with db.read() as conn:
        offer = (await vacancies.offers_for(conn, vid))[0]
    await answers.accept(deps, offer.person_id, intents.Accept(offer.id), "telegram")
    well = await absence.report_well(deps, "anna", "sms")
    assert "redan tillsatt" in well.text and "samordnaren ger besked" in well.text
    kim = await person_of(deps, "kim")
    kept = await coordinator.release_substitute(deps, kim, Release(vid, keep=True), "telegram")
    assert kept.outcome == coordinator.ActOutcome.DONE
    sent = await _offers_by_person(db)
    assert any(i.kind == "well_kept" for i in sent["anna"])


async def test_reporting_well_leaves_an_absence_next_week_alone(db: Database) -> None:
    w = await _morning(db)
    await w.shift("s-next", "norr", "anna", "2026-12-08 07:00", "2026-12-08 16:00")
    deps = make_deps(db, "2026-12-01 05:45")
    await report_absent(deps, "anna", "s-day", "telegram")
    nxt = await report_absent(deps, "anna", "s-next", "telegram", AbsenceCategory.VAB)
    well = await absence.report_well(deps, "anna", "telegram")
    assert nxt not in well.cancelled_vacancy_ids and well.cancelled_vacancy_ids


async def test_reporting_well_does_not_break_the_rest_rule(db: Database) -> None:
    """Anna reported VAB for Tuesday, then took an extra shift Monday evening; reporting
    well on Tuesday morning must not put her on 07:00 after nine hours' rest."""
    w = await _morning(db)
    await w.person("anna2", roles=[("staff", "norr")], introduced=["norr"])
    await w.shift("s-mon-eve", "norr", "anna2", "2026-11-30 13:00", "2026-11-30 22:00")
    deps = make_deps(db, "2026-11-30 08:00")
    vid = await report_absent(deps, "anna", "s-day", "telegram", AbsenceCategory.VAB)
    eve = await report_absent(deps, "anna2", "s-mon-eve", "telegram")
    async with db.write() as conn:  # Anna books Monday's evening (by hand, as a coordinator)
        await bookings_repo.insert_booking(conn, eve, "s-mon-eve", "anna", deps.now(), "telegram")
        await vacancies.update_vacancy(conn, eve, deps.now(), status="filled")
    deps.clock.set(local("2026-12-01 05:45"))  # type: ignore[attr-defined]
    well = await absence.report_well(deps, "anna", "telegram")
    assert vid not in well.cancelled_vacancy_ids and "kan du inte ta tillbaka" in well.text
    async with db.read() as conn:
        v = await vacancies.get_vacancy(conn, vid)
    assert v is not None and v.status == VacancyStatus.SEARCHING


async def test_absence_records_are_purged_after_the_retention_period(db: Database) -> None:
    from bot.services import privacy

    await _morning(db)
    deps = make_deps(db, "2026-12-01 05:45", absence_retention_days=30)
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    assert await privacy.purge_old_absences(deps) == 0
    deps.clock.set(local("2027-01-05 00:00"))  # type: ignore[attr-defined]
    assert await privacy.purge_old_absences(deps) == 1
    async with db.read() as conn:
        v = await vacancies.get_vacancy(conn, vid)
        assert await absences_repo.open_absences(conn, "anna", local("2026-11-01 00:00")) == []
    assert v is not None and v.absence_id is None


async def test_only_the_persons_own_no_counts_as_a_decline(db: Database) -> None:
    """A JA refused by the rules (paused meanwhile) and an offer no channel reached are
    closed by the bot, not declined by the person: neither shows as "nej"."""
    await _morning(db, n_subs=2)
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    async with db.read() as conn:
        mine = {o.person_id: o for o in await vacancies.offers_for(conn, vid)}
    async with db.write() as conn:
        await conn.execute(
            sa.update(t.people)
            .where(t.people.c.id == "sub00")
            .values(paused_until=local("2026-12-05 00:00"))
        )
        # What the dispatcher does when no channel reaches a person.
        unreachable = OfferState.UNREACHABLE
        await vacancies.answer_offer(conn, mine["sub01"].id, unreachable, deps.now(), None)
    refused = await answers.accept(deps, "sub00", intents.Accept(mine["sub00"].id), "sms")
    assert refused.outcome == answers.Outcome.NOT_ELIGIBLE
    async with db.read() as conn:
        assert (await vacancies.get_offer(conn, mine["sub00"].id)).state == OfferState.WITHDRAWN  # type: ignore[union-attr]
        assert await history.answer_counts(conn, "sub00") == (0, 0)
        assert await history.answer_counts(conn, "sub01") == (0, 0)
        since = local("2026-11-01 00:00")
        assert await history.answer_counts_for(conn, ["sub00", "sub01"], since) == {}
    assert await coordinator_views.answer_notes(deps, ["sub00", "sub01"]) == {}
    # A real NEJ from the same person still counts.
    eve = await report_absent(make_deps(db, "2026-12-01 08:00"), "anna", "s-eve", "telegram")
    async with db.read() as conn:
        (offer,) = [o for o in await vacancies.offers_for(conn, eve) if o.person_id == "sub01"]
    said = await answers.decline(
        make_deps(db, "2026-12-01 08:05"), "sub01", intents.Decline(offer.id), "sms"
    )
    assert said.outcome == answers.Outcome.DECLINED
    async with db.read() as conn:
        assert await history.answer_counts(conn, "sub01") == (1, 0)


async def test_filling_regular_staff_by_hand_keeps_the_hard_rules(db: Database) -> None:
    """Not being asked automatically (the call-out was not widened) is a block an override
    waives; working two shifts at once is not, whoever the person is."""
    w = World(db)
    await w.unit("norr")
    await w.unit("syd")
    await w.staff("anna", "syd")
    await w.staff("bo", "syd")
    await w.person("boss", roles=[("coordinator", "norr")], quals=())
    await w.shift("own", "syd", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("s1", "norr", None, "2026-12-01 07:00", "2026-12-01 16:00")
    async with db.write() as conn:
        vid = await vacancies.insert_vacancy(conn, "s1", None, local("2026-11-30 12:00"))
    deps = make_deps(db, "2026-11-30 12:00")
    boss = await person_of(deps, "boss")
    busy = await coordinator.fill(deps, boss, FillByHand(vid, "anna", "behövs"), "telegram")
    assert busy.outcome == coordinator.FillOutcome.FORBIDDEN
    assert tuple(reason_text(r) for r in busy.blocks) == (
        "krockar med pass 2026-12-01 07:00–16:00",
    )
    free = await coordinator.fill(deps, boss, FillByHand(vid, "bo"), "telegram")
    assert free.outcome == coordinator.FillOutcome.NEEDS_OVERRIDE
    assert any("ordinarie personal" in reason_text(b) for b in free.blocks), free.blocks
    done = await coordinator.fill(deps, boss, FillByHand(vid, "bo", "Bo ville"), "telegram")
    assert done.outcome == coordinator.FillOutcome.BOOKED


async def test_extra_time_later_in_the_month_counts_too(db: Database) -> None:
    """48 h of extra shifts booked 14-22 December, then a shift on 2 December: the month
    would hold 56 h > 50 h, even though the bookings come after the shift."""
    w = World(db)
    await w.unit("norr", allow_staff_extra=True)
    await w.unit("syd")
    await w.person("anna", roles=[("staff", "syd")], tier="staff_extra", introduced=["norr"])
    now = local("2026-11-30 12:00")
    for d in ("14", "15", "16", "17", "21", "22"):
        await w.shift(f"x{d}", "norr", None, f"2026-12-{d} 07:00", f"2026-12-{d} 15:00")
        async with db.write() as conn:
            v = await vacancies.insert_vacancy(conn, f"x{d}", None, now)
            await vacancies.update_vacancy(conn, v, now, status="filled", next_due_at=None)
            await bookings_repo.insert_booking(conn, v, f"x{d}", "anna", now, "sms")
    await w.shift("new", "norr", None, "2026-12-02 07:00", "2026-12-02 15:00")
    async with db.write() as conn:
        vid = await vacancies.insert_vacancy(conn, "new", None, now)
    text = "\n".join(await coordinator.explain(make_deps(db, "2026-11-30 12:00"), vid))
    assert "mertid/övertid månaden blir 56 h > 50 h" in text


@pytest.mark.parametrize("slowdown,expected", [(1.1, 11), (1.5, 8), (3.0, 5)])
async def test_learned_waves_are_sized_by_expected_yeses(
    db: Database, slowdown: float, expected: int
) -> None:
    """wave_sizing=learned, 75 minutes before the start: twelve eligible newcomers all
    count at the fallback figures (a yes ~17 %, answer in ~4 min), so the wave follows from
    how much slower than asking all twelve its median first yes may be: eleven for 1.1x,
    eight for 1.5x, five for 3x (the band's fixed size is eight)."""
    await _morning(db, n_subs=12)
    deps = make_deps(db, "2026-12-01 05:45", wave_sizing="learned", wave_slowdown=slowdown)
    vid = await report_absent(deps, "anna", "s-day", "telegram")
    async with db.read() as conn:
        offers = await vacancies.offers_for(conn, vid)
        vacancy = await vacancies.get_vacancy(conn, vid)
    assert len(offers) == expected
    assert size_wave([FALLBACK] * 12, slowdown, 2, 20, 2, 7).size == expected
    assert vacancy is not None and vacancy.next_due_at is not None
    wait = vacancy.next_due_at - deps.now()
    assert dt.timedelta(minutes=2) <= wait <= dt.timedelta(minutes=7)
