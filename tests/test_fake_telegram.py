"""The fake Bot API server, driven by the real python-telegram-bot over real HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.asgi import LocalAsgiServer
from bot.fakes.telegram_server import FakeTelegram

TOKEN = "123456:TEST-token"
ANNA = 555001


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(TOKEN) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url) as b:
        yield b


def offer_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Ja, jag tar det", callback_data="acc:42"),
                                  InlineKeyboardButton("Nej", callback_data="dec:42")]])


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    await update.effective_chat.send_message("Pass i kväll 16–22. Vill du ta det?",
                                             reply_markup=offer_keyboard())


async def on_accept(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Tack!")
    await query.edit_message_text(f"Du har tagit passet ({query.data}).")


async def test_polling_application_round_trip(fake: FakeTelegram) -> None:
    app = Application.builder().token(TOKEN).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CallbackQueryHandler(on_accept, pattern=r"^acc:"))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1,
                                        allowed_updates=Update.ALL_TYPES)
        await app.start()
        try:
            fake.user_sends_text(ANNA, "/start", first_name="Anna")
            offer = await fake.wait_for_message(ANNA, "Vill du ta det?")
            assert offer.message_id == 2  # the user's /start was message 1 in this chat
            assert offer.sender["id"] == 123456 and offer.sender["is_bot"]
            assert offer.chat == {"id": ANNA, "type": "private", "first_name": "Anna"}
            assert offer.reply_markup == {"inline_keyboard": [[
                {"text": "Ja, jag tar det", "callback_data": "acc:42"},
                {"text": "Nej", "callback_data": "dec:42"}]]}
            assert offer.button_data("Ja") == "acc:42"

            fake.user_presses_button(ANNA, offer.message_id, "acc:42")
            done = await fake.wait_for_message(ANNA, "Du har tagit passet (acc:42).")
            assert done is offer and done.reply_markup is None and done.edit_date is not None
            assert done.history == ["Pass i kväll 16–22. Vill du ta det?"]
            answers = await fake.wait_for(lambda: fake.callback_answers)
            assert answers[0]["text"] == "Tack!" and answers[0]["show_alert"] is False
            with pytest.raises(ValueError, match="no button"):
                fake.user_presses_button(ANNA, offer.message_id, "acc:42")  # keyboard is gone
        finally:
            await app.updater.stop()
            await app.stop()
    assert fake.calls("deleteWebhook"), "the updater bootstraps with deleteWebhook"
    assert fake.pending_updates == [], "the updater confirmed every update on stop"


async def test_retry_after_and_server_errors(fake: FakeTelegram, bot: Bot,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # else .retry_after warns (an error here)
    fake.user_sends_text(ANNA, "hej")
    fake.fail_next("sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ANNA, "första försöket")
    assert caught.value.retry_after == dt.timedelta(seconds=7)
    assert (await bot.send_message(ANNA, "andra försöket")).message_id == 2
    assert [m.text for m in fake.messages(ANNA)] == ["andra försöket"]

    fake.fail_next("sendMessage", status=502)
    with pytest.raises(Exception, match="Bad Gateway"):
        await bot.send_message(ANNA, "x")
    assert len(fake.calls("sendMessage")) == 3


async def test_a_share_of_sends_rate_limited(fake: FakeTelegram, bot: Bot,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """`rate_limit` answers a seeded share of sendMessage with 429; each message that got
    through is stamped with its arrival time."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.user_sends_text(ANNA, "hej")
    fake.rate_limit(0.5, retry_after=3, seed=1)
    refused = 0
    for n in range(20):
        try:
            await bot.send_message(ANNA, f"{n}")
        except RetryAfter as exc:
            assert exc.retry_after == dt.timedelta(seconds=3)
            refused += 1
    assert 0 < refused < 20 and len(fake.messages(ANNA)) == 20 - refused
    fake.rate_limit(0)
    await bot.send_message(ANNA, "sist")
    stamps = [m.at for m in fake.messages(ANNA)]
    assert stamps == sorted(stamps) and stamps[0] > 0


async def test_identical_edit_is_not_modified(fake: FakeTelegram, bot: Bot) -> None:
    fake.user_sends_text(ANNA, "hej")
    sent = await bot.send_message(ANNA, "Tavlan", reply_markup=offer_keyboard())
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Tavlan", ANNA, sent.message_id,
                                    reply_markup=offer_keyboard())
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(ANNA, sent.message_id, reply_markup=offer_keyboard())
    await bot.edit_message_reply_markup(ANNA, sent.message_id)  # no markup: removes the keyboard
    assert fake.messages(ANNA)[0].reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ANNA, 999)


async def test_contact_share_arrives_with_user_id(fake: FakeTelegram, bot: Bot) -> None:
    fake.user_shares_contact(ANNA, "+46701234567", first_name="Anna")
    fake.user_shares_contact(ANNA, "46709999999", contact_user_id=777)
    updates = await bot.get_updates(timeout=0)
    contacts = [u.message.contact for u in updates if u.message]
    assert [(c.phone_number, c.user_id) for c in contacts if c] == [
        ("+46701234567", ANNA), ("46709999999", 777)]
    assert updates[0].effective_user is not None and updates[0].effective_user.id == ANNA
    # confirming with offset drops them; a long poll wakes up when a new update arrives
    poll = asyncio.create_task(bot.get_updates(offset=updates[-1].update_id + 1, timeout=5))
    await fake.wait_for(lambda: len(fake.calls("getUpdates")) == 2)
    fake.user_sends_text(ANNA, "/frånvaro")
    (update,) = await asyncio.wait_for(poll, 2)
    assert update.message is not None and update.message.text == "/frånvaro"
    assert update.message.entities[0].type == "bot_command"


async def test_webhook_delivery_with_secret(fake: FakeTelegram, bot: Bot) -> None:
    received: list[tuple[str | None, Any]] = []

    async def telegram_endpoint(request: Request) -> Response:
        received.append((request.headers.get("x-telegram-bot-api-secret-token"),
                         await request.json()))
        return Response(status_code=200)

    receiver = LocalAsgiServer(Starlette(routes=[Route("/tg", telegram_endpoint,
                                                        methods=["POST"])]))
    await receiver.start()
    try:
        url = f"http://127.0.0.1:{receiver.port}/tg"
        assert await bot.set_webhook(url, secret_token="s3cret")
        fake.user_sends_text(ANNA, "via webhook")
        await fake.wait_for(lambda: received)
        secret, update = received[0]
        assert secret == "s3cret" and update["message"]["text"] == "via webhook"
        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        with pytest.raises(Conflict):
            await bot.get_updates()
        assert await bot.delete_webhook()
        fake.user_sends_text(ANNA, "via polling")
        assert [u.message.text for u in await bot.get_updates() if u.message] == ["via polling"]
        assert len(received) == 1
    finally:
        await receiver.stop()


async def test_files_commands_and_chat_errors(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(ANNA, "hej")  # the user never wrote to the bot
    fake.user_sends_text(ANNA, "/start")
    doc = await bot.send_document(ANNA, b"a;b\n1;2\n", filename="schema.csv", caption="Schema")
    assert doc.document is not None and doc.document.file_name == "schema.csv"
    photo = await bot.send_photo(ANNA, b"\x89PNG fake", caption="Karta")
    assert photo.photo and photo.caption == "Karta"
    assert fake.messages(ANNA)[0].extra["document"]["file_size"] == 8
    assert await bot.send_chat_action(ANNA, "typing")
    assert await bot.pin_chat_message(ANNA, doc.message_id)
    assert await bot.delete_message(ANNA, photo.message_id)
    assert [(m.pinned, m.deleted) for m in fake.messages(ANNA)] == [(True, False), (False, True)]
    assert fake.last_message(ANNA) is fake.messages(ANNA)[0]
    assert await bot.set_my_commands([("start", "Börja"), ("franvaro", "Anmäl frånvaro")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "franvaro"]
    fake.user_blocks_bot(ANNA)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(ANNA, "hej")
    with pytest.raises(InvalidToken, match="rejected"):
        async with Bot("999:wrong", base_url=fake.base_url):
            pass  # initialize() calls getMe, which answers 401


async def test_raw_http_json_body_and_control_interface(fake: FakeTelegram) -> None:
    async with httpx.AsyncClient(base_url=fake.url) as client:
        r = await client.post("/_control/text", json={"user_id": ANNA, "text": "/start",
                                                      "first_name": "Anna"})
        assert r.status_code == 200 and r.json()["result"]["message"]["text"] == "/start"
        markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "acc:1"}]]}
        r = await client.post(f"/bot{TOKEN}/sendMessage",
                              json={"chat_id": ANNA, "text": "Erbjudande", "reply_markup": markup})
        assert r.json()["result"]["reply_markup"] == markup
        r = await client.post("/_control/button", json={"user_id": ANNA, "message_id": 2,
                                                        "data": "acc:1"})
        assert r.json()["result"]["callback_query"]["data"] == "acc:1"
        r = await client.post("/_control/button", json={"user_id": ANNA, "message_id": 2,
                                                        "data": "nope"})
        assert r.status_code == 400
        r = await client.get(f"/_control/chats/{ANNA}/messages")
        assert [(m["from_bot"], m["text"]) for m in r.json()["result"]] == [
            (False, "/start"), (True, "Erbjudande")]
        r = await client.get("/_control/chats")
        assert r.json()["result"][0]["id"] == ANNA
        r = await client.post(f"/bot{TOKEN}/noSuchMethod")
        assert r.status_code == 404 and r.json()["ok"] is False
        r = await client.post("/botWRONG/getMe")
        assert r.status_code == 401 and r.json() == {
            "ok": False, "error_code": 401, "description": "Unauthorized"}
