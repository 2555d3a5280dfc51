"""The desk's vacancy page and its actions, in-process through httpx.ASGITransport on a
real SQLite file: the same service functions as Telegram (audit channel "web"), the same
rules (a soft block needs a reason, a hard one is never waived), unit scope and CSRF."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from bot.domain.model import AbsenceCategory, VacancyStatus
from bot.services import absence
from storage import audit, vacancies
from storage import bookings as bookings_repo
from storage.db import Database
from tests.builders import World, make_deps, report_absent
from tests.desk.links import logged_in

PUBLIC = "https://vikarie.example.se"
NOW = "2026-12-01 05:45"


async def _world(db: Database) -> dict[str, int]:
    """Norr (Kim) and Söder (Ulla), a vacancy each; Mio is introduced at Norr, Nova at no
    unit (a soft block), Tor works a Norr shift at the same time (a hard block)."""
    w = World(db)
    await w.unit("norr")
    await w.unit("soder", area="Söder")
    await w.person("kim", roles=[("coordinator", "norr")], name="Kim Samordnare")
    await w.person("ulla", roles=[("coordinator", "soder")], name="Ulla Samordnare")
    await w.staff("anna", "norr", name="Anna Andersson")
    await w.staff("bo", "soder", name="Bo Berg")
    await w.sub("mio", name="Mio Vikarie")
    await w.sub("nova", introduced=(), name="Nova Ny")
    await w.sub("tor", name="Tor Upptagen")
    await w.shift("n-1", "norr", "anna", "2026-12-01 15:00", "2026-12-01 22:00")
    await w.shift("t-1", "norr", "tor", "2026-12-01 14:00", "2026-12-01 20:00")
    await w.shift("s-1", "soder", "bo", "2026-12-02 07:00", "2026-12-02 16:00")
    deps = make_deps(db, NOW)
    norr = await report_absent(deps, "anna", "n-1", "sms", AbsenceCategory.SJUK)
    soder = await report_absent(deps, "bo", "s-1", "sms", AbsenceCategory.VAB)
    return {"norr": norr, "soder": soder}


def _deps(db: Database) -> Any:
    return make_deps(db, NOW, public_url=PUBLIC)


async def _csrf(client: httpx.AsyncClient, path: str = "/desk/") -> str:
    page = await client.get(path)
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


async def _post(client: httpx.AsyncClient, path: str, **data: str) -> httpx.Response:
    data.setdefault("csrf", await _csrf(client))
    r = await client.post(path, data=data)
    if r.status_code == 303:
        return await client.get(r.headers["location"])
    return r


async def _booking(db: Database, vid: int) -> Any:
    async with db.read() as conn:
        return await bookings_repo.live_booking(conn, vid)


async def _vacancy(db: Database, vid: int) -> Any:
    async with db.read() as conn:
        return await vacancies.get_vacancy(conn, vid)


async def _log(db: Database, vid: int) -> list[audit.AuditEntry]:
    async with db.read() as conn:
        return await audit.entries(conn, "vacancy", vid)


async def test_the_page_shows_shift_timeline_and_candidates_never_the_absent(
        db: Database) -> None:
    v = await _world(db)
    async with logged_in(_deps(db), "kim") as client:
        board = await client.get("/desk/")
        assert f'href="/desk/v/{v["norr"]}"' in board.text
        page = await client.get(f"/desk/v/{v['norr']}")
    assert page.status_code == 200
    assert "15:00–22:00" in page.text and "Hemtjänst Norr" in page.text
    assert "Frånvaro anmäld" in page.text
    assert "Mio Vikarie" in page.text and "introducerad på enheten" in page.text
    assert 'class="response">ja ~' in page.text  # the response model's estimate
    assert "typisk svarstid" in page.text
    assert "Nova Ny" in page.text  # soft-blocked: listed with the blocks
    assert "Anna" not in page.text and "sjuk" not in page.text.lower()
    assert 'aria-live="polite"' in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert "<script>" not in page.text and "style=" not in page.text


async def test_fill_by_hand_with_an_override_reason(db: Database) -> None:
    v = await _world(db)
    vid = v["norr"]
    async with logged_in(_deps(db), "kim") as client:
        refused = await _post(client, f"/desk/v/{vid}/fill", person="nova")
        assert "Reglerna stoppar Nova Ny" in refused.text
        assert await _booking(db, vid) is None
        assert not any(e.action == "filled_by_hand" for e in await _log(db, vid))
        done = await _post(client, f"/desk/v/{vid}/fill", person="nova",
                           reason="ingen annan, kort pass")
    assert "Nova Ny är bokad trots reglerna" in done.text
    assert "motivering: ingen annan, kort pass" in done.text  # in the timeline
    booking = await _booking(db, vid)
    assert booking is not None and booking.person_id == "nova"
    assert booking.channel == "web" and booking.override_reason == "ingen annan, kort pass"
    [entry] = [e for e in await _log(db, vid) if e.action == "filled_by_hand"]
    assert entry.channel == "web" and entry.actor == "kim"
    assert entry.detail["override"] == "ingen annan, kort pass"


async def test_a_hard_block_is_refused_even_with_a_reason(db: Database) -> None:
    v = await _world(db)
    vid = v["norr"]
    async with logged_in(_deps(db), "kim") as client:
        page = await _post(client, f"/desk/v/{vid}/fill", person="tor", reason="bråttom nu")
    assert "Tor Upptagen kan inte tillsättas" in page.text
    assert await _booking(db, vid) is None
    assert (await _vacancy(db, vid)).status == VacancyStatus.SEARCHING


async def test_widen_and_cancel_through_the_web(db: Database) -> None:
    v = await _world(db)
    vid = v["norr"]
    async with logged_in(_deps(db), "kim") as client:
        widened = await _post(client, f"/desk/v/{vid}/widen")
        assert "Breddad" in widened.text
        assert (await _vacancy(db, vid)).widened
        cancelled = await _post(client, f"/desk/v/{vid}/cancel")
        assert "Vakansen är avbruten" in cancelled.text
        again = await _post(client, f"/desk/v/{vid}/cancel")
        assert "söker inte längre" in again.text
    assert (await _vacancy(db, vid)).status == VacancyStatus.CANCELLED
    log = {e.action: e for e in await _log(db, vid)}
    assert log["vacancy_widened"].channel == "web" and log["vacancy_cancelled"].channel == "web"


async def test_keep_or_release_after_the_absent_person_reported_well(db: Database) -> None:
    v = await _world(db)
    vid = v["norr"]
    deps = _deps(db)
    async with logged_in(deps, "kim") as client:
        await _post(client, f"/desk/v/{vid}/fill", person="mio")
        assert (await client.get(f"/desk/v/{vid}")).text.count("/release") == 0
        await absence.report_well(deps, "anna", "sms")
        page = await client.get(f"/desk/v/{vid}")
        assert "Frisk anmäld" in page.text and f"/desk/v/{vid}/release" in page.text
        released = await _post(client, f"/desk/v/{vid}/release")
    assert "Vikarien är släppt" in released.text
    assert await _booking(db, vid) is None
    assert any(e.action == "substitute_released" and e.channel == "web"
               for e in await _log(db, vid))


@pytest.mark.parametrize("path", ["", "/widen", "/fill", "/cancel", "/keep", "/release"])
async def test_norr_cannot_see_or_touch_soders_vacancy(db: Database, path: str) -> None:
    v = await _world(db)
    vid = v["soder"]
    async with logged_in(_deps(db), "kim") as client:
        if path:
            r = await client.post(f"/desk/v/{vid}{path}",
                                  data={"csrf": await _csrf(client), "person": "mio"})
        else:
            r = await client.get(f"/desk/v/{vid}")
        assert r.status_code == 404
        assert "07:00–16:00" not in r.text
    vacancy = await _vacancy(db, vid)
    assert vacancy.status == VacancyStatus.SEARCHING and not vacancy.widened
    assert await _booking(db, vid) is None


async def test_unknown_and_malformed_ids_are_404(db: Database) -> None:
    await _world(db)
    async with logged_in(_deps(db), "kim") as client:
        for path in ("/desk/v/999", "/desk/v/abc", "/desk/v/-1", "/desk/v/" + "9" * 40):
            assert (await client.get(path)).status_code == 404, path


async def test_a_post_without_csrf_is_403_and_changes_nothing(db: Database) -> None:
    v = await _world(db)
    vid = v["norr"]
    async with logged_in(_deps(db), "kim") as client:
        for path in ("widen", "cancel", "fill"):
            r = await client.post(f"/desk/v/{vid}/{path}", data={"person": "mio"})
            assert r.status_code == 403
        r = await client.post(f"/desk/v/{vid}/fill", data={"person": "mio", "csrf": "wrong"})
        assert r.status_code == 403
    vacancy = await _vacancy(db, vid)
    assert vacancy.status == VacancyStatus.SEARCHING and not vacancy.widened
    assert await _booking(db, vid) is None


async def test_create_a_vacancy_on_ones_own_unit_only(db: Database) -> None:
    await _world(db)
    async with logged_in(_deps(db), "kim") as client:
        form = await client.get("/desk/new")
        assert form.status_code == 200 and 'for="new-unit"' in form.text
        assert "Hemtjänst Soder" not in form.text
        csrf = await _csrf(client, "/desk/new")
        fields = {"csrf": csrf, "date": "2026-12-03", "start": "07:00", "end": "16:00",
                  "role": "usk"}
        refused = await client.post("/desk/new", data={**fields, "unit": "soder"})
        assert refused.status_code == 403 and "samordnar inte" in refused.text
        bad = await client.post("/desk/new", data={**fields, "unit": "norr", "date": "2026-11-30"})
        assert bad.status_code == 400
        made = await client.post("/desk/new", data={**fields, "unit": "norr"})
        assert made.status_code == 303
        vid = int(made.headers["location"].split("/")[-1].split("?")[0])
        page = await client.get(made.headers["location"])
    assert "Vakansen är skapad" in page.text and "07:00–16:00" in page.text
    [created] = [e for e in await _log(db, vid) if e.action == "vacancy_created"]
    assert created.channel == "web" and created.actor == "kim" and created.detail["unit"] == "norr"
    async with db.read() as conn:
        assert len([x for x in await audit.entries(conn) if x.action == "vacancy_created"]) == 1
