"""One person's data: the export holds everything about them and nobody else's, erasure
removes what identifies them and keeps the work history, on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cli import main as cli_main
from bot.domain import intents
from bot.domain.model import AbsenceCategory
from bot.domain.privacy import ERASED_NAME, ErasureRefused
from bot.services import absence, answers, privacy
from storage import people as people_repo
from storage import tables as t
from storage import vacancies
from storage.db import Database
from tests.builders import World, cli_database, local, make_deps, report_absent


async def _morning(db: Database) -> dict[str, int]:
    """Anna (staff) reports sick for Tuesday; Kim says no, Mio takes the shift."""
    w = World(db)
    await w.unit("norr")
    await w.staff("anna", "norr", name="Anna Absent")
    await w.sub("kim", name="Kim Nejsson")
    await w.sub("mio", name="Mio Jasson")
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    deps = make_deps(db, "2026-12-01 05:45")
    vid = await report_absent(deps, "anna", "s-day", "sms", AbsenceCategory.VAB)
    async with db.read() as conn:
        offers = {o.person_id: o.id for o in await vacancies.offers_for(conn, vid)}
    assert (
        await answers.decline(deps, "kim", intents.Decline(offers["kim"]), "sms")
    ).outcome.value == "declined"
    assert (
        await answers.accept(deps, "mio", intents.Accept(offers["mio"]), "telegram")
    ).booking_id is not None
    return {"vacancy": vid, **offers}


async def test_export_holds_the_persons_data_and_nobody_elses(any_db: Database) -> None:
    ids = await _morning(any_db)
    deps = make_deps(any_db, "2026-12-01 06:00")
    mio = await privacy.export_person(deps, "mio", "admin")
    assert mio is not None
    assert mio["person"]["name"] == "Mio Jasson" and mio["person"]["phone"].startswith("+46")
    assert [r["role"] for r in mio["roles"]] == ["substitute"]
    assert [(o["id"], o["state"], o["unit_id"]) for o in mio["offers"]] == [
        (ids["mio"], "accepted", "norr")
    ]
    assert [(b["unit_id"], b["cancelled_at"]) for b in mio["bookings"]] == [("norr", None)]
    kinds = [m["kind"] for m in mio["messages"]]
    assert "offer" in kinds and "booked" in kinds
    assert any("Hemtjänst Norr" in m["text"] for m in mio["messages"])
    assert {a["action"] for a in mio["audit"]} >= {"offer_sent", "offer_accepted"}
    text = json.dumps(mio, ensure_ascii=False)
    # Nothing about the absent colleague, her reason, or the one who said no.
    for other in ("Anna", "anna", "vab", "Kim", "kim"):
        assert other not in text, other

    anna = await privacy.export_person(deps, "anna", "admin")
    assert anna is not None
    assert [(a["category"], a["channel"]) for a in anna["absences"]] == [("vab", "sms")]
    assert [s["id"] for s in anna["shifts"]] == ["s-day"]
    assert await privacy.export_person(deps, "nobody", "admin") is None
    async with any_db.read() as conn:
        logged = await conn.execute(
            sa.select(t.audit_log.c.object_id).where(t.audit_log.c.action == "person_exported")
        )
        assert sorted(r[0] for r in logged) == ["anna", "mio"]


async def test_erasure_removes_what_identifies_and_keeps_work_history(any_db: Database) -> None:
    ids = await _morning(any_db)
    deps = make_deps(any_db, "2026-12-01 06:00")
    async with any_db.read() as conn:
        phone = (await people_repo.get_person(conn, "kim")).phone  # type: ignore[union-attr]
    done = await privacy.erase_person(deps, "kim", "admin")
    assert done.deleted["roles"] == 1 and done.deleted["messages"] >= 1
    assert done.kept == {"shifts": 0, "offers": 1, "bookings": 0}
    async with any_db.read() as conn:
        kim = await people_repo.get_person(conn, "kim")
        assert kim is not None and kim.name == ERASED_NAME and not kim.active
        assert kim.phone is None and kim.telegram_user_id is None and not kim.roles
        assert await people_repo.person_by_phone(conn, phone or "") is None
        offer = await vacancies.get_offer(conn, ids["kim"])
        assert offer is not None and offer.state == "declined"  # work history stays
        left = await conn.execute(sa.select(t.outbox).where(t.outbox.c.person_id == "kim"))
        assert left.first() is None
        erased = await conn.execute(
            sa.select(t.audit_log.c.detail).where(t.audit_log.c.action == "person_erased")
        )
        detail = json.loads(erased.scalar_one())
        assert detail["kept"]["offers"] == 1 and "Kim" not in json.dumps(detail)
    again = await privacy.export_person(deps, "kim", "admin")
    assert again is not None and "Kim" not in json.dumps(again, ensure_ascii=False)


async def test_erasure_waits_until_nobody_expects_the_person(any_db: Database) -> None:
    await _morning(any_db)
    deps = make_deps(any_db, "2026-12-01 06:00")
    with pytest.raises(ErasureRefused, match="1 bokade pass"):  # Mio works at 07:00
        await privacy.erase_person(deps, "mio", "admin")
    async with any_db.read() as conn:
        assert (await people_repo.get_person(conn, "mio")).name == "Mio Jasson"  # type: ignore[union-attr]
    # Anna's only shift ahead is the one she reported away from: she can be erased, and
    # her absence (health data) goes with her; the vacancy and who covered it stay.
    done = await privacy.erase_person(deps, "anna", "admin")
    assert done.deleted["absences"] == 1 and done.kept["shifts"] == 1
    async with any_db.read() as conn:
        vacancy = await vacancies.vacancy_for_shift(conn, "s-day")
        assert vacancy is not None and vacancy.absence_id is None
        assert vacancy.status == "filled"
    later = make_deps(any_db, "2026-12-02 08:00")
    assert (await privacy.erase_person(later, "mio", "admin")).kept["bookings"] == 1
    with pytest.raises(ErasureRefused, match="okänd person"):
        await privacy.erase_person(later, "nobody", "admin")


def test_person_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_database(tmp_path, monkeypatch, _morning)
    assert cli_main(["person", "export", "kim", "--out", str(tmp_path / "kim.json")]) == 0
    exported = json.loads((tmp_path / "kim.json").read_text(encoding="utf-8"))
    assert exported["person"]["name"] == "Kim Nejsson"
    assert cli_main(["person", "erase", "kim"]) == 2  # asks for --yes, changes nothing
    assert "--yes" in capsys.readouterr().err
    assert cli_main(["person", "erase", "kim", "--yes"]) == 0
    assert "kim raderad" in capsys.readouterr().out
    assert cli_main(["person", "export", "kim"]) == 0
    assert json.loads(capsys.readouterr().out)["person"]["name"] == ERASED_NAME
    assert cli_main(["person", "export", "nobody"]) == 1


async def test_colleagues_messages_lose_the_name_and_exports_keep_to_the_person(
    any_db: Database,
) -> None:
    """Anna reports away with no shift: her coordinator is told, by name. The
    coordinator's export does not hand Anna's name out; erasing Anna removes her name and
    number from the coordinator's message and the invalid-number marker."""
    w = World(any_db)
    await w.unit("norr")
    await w.staff("anna", "norr", name="Anna Absent")
    await w.person("boss", roles=[("coordinator", "norr")], name="Bo Boss")
    deps = make_deps(any_db, "2026-12-01 05:45")
    period = (local("2026-12-03 00:00"), local("2026-12-04 00:00"))
    await absence.report_absence(deps, "anna", AbsenceCategory.SJUK, "sms", period=period)
    async with any_db.write() as conn:
        anna = await people_repo.get_person(conn, "anna")
        assert anna is not None and anna.phone is not None
        await conn.execute(sa.insert(t.kv).values(key="sms_invalid:anna", value=anna.phone))
        told = [r[0] for r in await conn.execute(sa.select(t.outbox.c.payload))]
    assert any("Anna Absent" in p for p in told)  # the coordinator was told, by name

    boss = await privacy.export_person(deps, "boss", "admin")
    assert boss is not None and boss["messages"]
    text = json.dumps(boss, ensure_ascii=False)
    assert "Anna Absent" not in text and "[annan person]" in text

    await privacy.erase_person(make_deps(any_db, "2026-12-10 08:00"), "anna", "admin")
    async with any_db.read() as conn:
        left = [r[0] for r in await conn.execute(sa.select(t.outbox.c.payload))]
        kv_left = [r[0] for r in await conn.execute(sa.select(t.kv.c.key))]
    assert left and not any("Anna Absent" in p or anna.phone in p for p in left)
    assert any(ERASED_NAME in p for p in left)
    assert "sms_invalid:anna" not in kv_left
