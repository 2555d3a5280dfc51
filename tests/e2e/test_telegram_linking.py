"""Linking an account: by sharing one's own number, or with a coordinator's invitation.
Someone unknown learns nothing but how to register."""

from __future__ import annotations

import sqlalchemy as sa

from storage import people as people_repo
from storage import tables as t
from tests.builders import World
from tests.e2e.conftest import Harness, Launch, contact, press

STRANGER = 990001
NEWCOMER = 990002
OTHER = 990003


async def world(w: World) -> None:
    await w.unit("norr")
    await w.unit("soder")
    await w.staff("anna", "norr", name="Anna Andersson", telegram=False)  # +46701740001
    await w.person("kim", roles=[("coordinator", "norr")], quals=(), name="Kim Samordnare")
    await w.sub("sub1", telegram=False, name="Sara Vikarie")  # +46701740003
    await w.staff("olle", "soder", name="Olle Söder", telegram=False)
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")


async def _linked(h_deps: object, person_id: str) -> int | None:
    from bot.services.deps import Deps

    assert isinstance(h_deps, Deps)
    async with h_deps.db.read() as conn:
        p = await people_repo.get_person(conn, person_id)
    return p.telegram_user_id if p else None


async def test_an_unknown_user_only_learns_how_to_register(launch: Launch) -> None:
    h = await launch(world)
    h.users["stranger"] = STRANGER
    await h.dialog([
        ("stranger", "hej", "Du är inte kopplad ännu"),
        ("stranger", "/status", "Du är inte kopplad ännu"),
        ("stranger", "/pass", "Du är inte kopplad ännu"),
        ("stranger", "/start", "dela ditt telefonnummer"),
        ("stranger", contact("+46709999999"), "Kontakta din samordnare"),
    ])
    welcome = next(m for m in h.fake.messages(STRANGER) if "dela ditt" in (m.text or ""))
    assert welcome.reply_markup is not None
    assert welcome.reply_markup["keyboard"][0][0]["request_contact"] is True
    every_text = "\n".join(h.texts("stranger"))
    assert "Tillsättning" not in every_text and "Anna" not in every_text
    async with h.deps.db.read() as conn:
        assert await people_repo.person_by_telegram(conn, STRANGER) is None


async def test_someone_elses_contact_is_refused_and_ones_own_links(launch: Launch) -> None:
    h = await launch(world)
    h.users["anna"] = NEWCOMER
    await h.dialog([
        ("anna", "/start", "dela ditt telefonnummer"),
        # Anna forwards a colleague's contact card: not her own.
        ("anna", contact("+46701740001", of_user=OTHER), "Dela ditt eget nummer"),
        # Her own number, as Telegram sends it: digits without '+'.
        ("anna", contact("46701740001"), "Välkommen Anna! Ditt konto är kopplat."),
        ("anna", "/hjalp", "/sjuk"),
    ])
    assert await _linked(h.deps, "anna") == NEWCOMER
    greeting = await h.message_with("anna", "Välkommen Anna")
    assert "Frånvaro" in (greeting.text or "")
    assert greeting.reply_markup is not None and greeting.reply_markup["keyboard"][0][0] in (
        "Frånvaro", {"text": "Frånvaro"})
    # The person's own command menu was set for the chat.
    menus = [c for c in h.fake.calls("setMyCommands") if c.get("scope", {}).get("type") == "chat"]
    assert any(c["scope"]["chat_id"] == NEWCOMER and any(
        cmd["command"] == "sjuk" for cmd in c["commands"]) for c in menus)


async def test_a_coordinator_invites_within_their_units(launch: Launch) -> None:
    h = await launch(world)
    await h.hello("kim")
    h.users["sara"] = NEWCOMER
    h.users["mallory"] = STRANGER
    created = await h.step("kim", "/inbjud sub1", "Inbjudan till Sara Vikarie (sub1)")
    text = getattr(created, "text", "") or ""
    link = next(w for w in text.split() if w.startswith("https://t.me/"))
    code = link.split("start=", 1)[1]
    assert link.startswith("https://t.me/vikarie_test_bot?start=")
    await h.dialog([
        ("sara", f"/start {code}", "Välkommen Sara! Ditt konto är kopplat."),
        # The same link a second time does nothing.
        ("mallory", f"/start {code}", "Inbjudan gäller inte"),
        # Olle works at another unit: not Kim's to invite.
        ("kim", "/inbjud olle", "Hittar ingen person med id olle"),
        # Staff and substitutes cannot invite.
        ("sara", "/inbjud anna", "inte tillgängligt för dig"),
    ])
    assert await _linked(h.deps, "sub1") == NEWCOMER
    async with h.deps.db.read() as conn:
        used = (await conn.execute(sa.select(t.invites.c.used_at))).scalars().all()
    assert len(used) == 1 and used[0] is not None


async def test_button_press_from_someone_not_linked_is_refused(launch: Launch) -> None:
    h = await launch(world)
    await h.hello("kim")
    await h.step("kim", "/kanal", "Hur vill du få förfrågningar")
    # A stranger forges a press on Kim's message (a group chat would make this possible).
    h.users["stranger"] = STRANGER
    msg = h.fake.last_message(h.uid("kim"))
    assert msg is not None
    answered = len(h.fake.callback_answers)
    h.fake.user_presses_button(STRANGER, msg.message_id, "ch:sms", chat_id=h.uid("kim"))
    await h.fake.wait_for(lambda: len(h.fake.callback_answers) > answered)
    assert "inte kopplad" in h.fake.callback_answers[-1]["text"]
    await h.dialog([("kim", press("SMS"), "Klart: SMS")])


async def _invite(h: Harness, pid: str, name: str) -> str:
    created = await h.step("kim", f"/inbjud {pid}", f"Inbjudan till {name} ({pid})")
    text = getattr(created, "text", "") or ""
    return next(w for w in text.split() if "start=" in w).split("start=", 1)[1]


async def test_linking_revokes_the_persons_other_invitations(launch: Launch) -> None:
    h = await launch(world)
    await h.hello("kim")
    h.users["sara"], h.users["anna"], h.users["mallory"] = NEWCOMER, OTHER, STRANGER
    first = await _invite(h, "sub1", "Sara Vikarie")
    second = await _invite(h, "sub1", "Sara Vikarie")
    for_anna = await _invite(h, "anna", "Anna Andersson")
    await h.dialog([
        ("sara", f"/start {first}", "Välkommen Sara! Ditt konto är kopplat."),
        # Sara's second link, still unused, no longer links anyone.
        ("mallory", f"/start {second}", "Inbjudan gäller inte"),
        # Anna links by sharing her number: her invitation is revoked as well.
        ("anna", contact("46701740001"), "Välkommen Anna! Ditt konto är kopplat."),
        ("mallory", f"/start {for_anna}", "Inbjudan gäller inte"),
    ])
    assert await _linked(h.deps, "sub1") == NEWCOMER
    assert await _linked(h.deps, "anna") == OTHER
    async with h.deps.db.read() as conn:
        revoked = (await conn.execute(
            sa.select(t.audit_log.c.object_id).where(t.audit_log.c.action == "invites_revoked")
        )).scalars().all()
    assert sorted(revoked) == ["anna", "sub1"]


async def test_the_old_account_is_told_when_a_person_links_a_new_one(launch: Launch) -> None:
    h = await launch(world)
    await h.hello("kim")
    h.users["sara"], h.users["sara_new_phone"] = NEWCOMER, OTHER
    h.users["anna"], h.users["anna_new_phone"] = STRANGER, OTHER + 1
    await h.dialog([
        ("sara", f"/start {await _invite(h, 'sub1', 'Sara Vikarie')}", "Välkommen Sara!"),
        ("anna", contact("46701740001"), "Välkommen Anna!"),
    ])
    await h.settle()
    assert not any("inte längre kopplat" in x for x in h.texts("sara") + h.texts("anna"))
    # Sara gets a new phone and a new invitation; Anna shares her number from a new phone.
    code = await _invite(h, "sub1", "Sara Vikarie")
    await h.dialog([
        ("sara_new_phone", f"/start {code}", "Välkommen Sara!"),
        ("anna_new_phone", contact("46701740001"), "Välkommen Anna!"),
    ])
    await h.settle()
    for old in ("sara", "anna"):
        await h.message_with(old, "Ditt Telegramkonto är inte längre kopplat till Vikariebot.")
        await h.step(old, "/pass", "Du är inte kopplad ännu")
    assert await _linked(h.deps, "sub1") == OTHER
    assert await _linked(h.deps, "anna") == OTHER + 1
    async with h.deps.db.read() as conn:
        sent = (await conn.execute(
            sa.select(t.outbox.c.chat_id, t.outbox.c.state)
            .where(t.outbox.c.kind == "telegram_unlinked"))).all()
        unlinked = (await conn.execute(
            sa.select(t.audit_log.c.object_id).where(t.audit_log.c.action == "telegram_unlinked")
        )).scalars().all()
    assert sorted(chat for chat, _ in sent) == [STRANGER, NEWCOMER]
    assert {state for _, state in sent} <= {"sent", "delivered"}
    assert sorted(unlinked) == ["anna", "sub1"]
