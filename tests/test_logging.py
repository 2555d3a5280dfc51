"""Logs never leak: phone numbers masked, tokens gone, absence categories never written.

Unit tests for the mask filter and the JSON formatter, then real flows (Telegram against
the fake Bot API, SMS against the fake Twilio) at DEBUG with everything a run writes
captured and scanned line by line.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from bot.app import VikarieBot
from bot.clock import FakeClock
from bot.config import Settings
from bot.fakes.telegram_server import FakeTelegram
from bot.logs import JsonFormatter, Masker, MaskFilter
from bot.runtime import QUIET_LOGGERS, open_deps, secret_values, setup_logging
from handlers.telegram import on_startup
from storage import tables as t
from storage.db import Database
from tests.builders import World, local
from tests.e2e.conftest import Harness, contact, press
from tests.logstate import restored_logging
from tests.sms import conftest as sms
from tests.sms.conftest import Rig, phone_of

BOT_TOKEN = "5123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
SECRET_PART = BOT_TOKEN.split(":")[1]
rig = sms.rig  # the SMS fixtures, for the SMS flow below
rig_settings = sms.rig_settings


# ---------- the filter ----------


def _record(logger: str, msg: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.getLogger(logger).makeRecord(
        logger, logging.DEBUG, __file__, 1, msg, args, exc_info  # type: ignore[arg-type]
    )


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """A handler with the mask filter on the root logger, as setup_logging puts it."""
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    handler.addFilter(MaskFilter(Masker(["odd-secret-value"])))
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("+46701234567", "+4670*****67"),
        ("0046701234567", "+4670*****67"),
        ("070-123 45 67", "+4670*****67"),
        ("070 123 45 67", "+4670*****67"),
        ("0701234567", "+4670*****67"),
        ("46701234567", "+4670*****67"),  # Telegram's contact: digits without '+'
        ("To=%2B46701234567&Body=x", "To=+4670*****67&Body=x"),
    ],
)
def test_every_way_of_writing_a_number_is_masked_alike(written: str, shown: str) -> None:
    assert Masker()(f"number {written}.") == f"number {shown}."


@pytest.mark.parametrize(
    "innocent",
    [
        "2026-12-01 05:45:00,123 INFO vacancy 12",
        "2026-12-01T05:45:00.123456+00:00",
        "update 123456789 from chat 5012345678",
        "SM0123456789abcdef0123456789abcdef",
        "550e8400-e29b-41d4-a716-446655440000",
        "retry in 0.001234567 s",
    ],
)
def test_times_ids_and_decimals_are_left_alone(innocent: str) -> None:
    assert Masker()(innocent) == innocent


def test_numbers_in_args_of_a_child_logger_are_masked(captured: io.StringIO) -> None:
    logging.getLogger("telegram.ext.Updater").debug(
        "update %s from %r", 7, {"phone_number": "46701234567", "other": "070-123 45 67"}
    )
    logging.getLogger("sqlalchemy.engine.Engine").warning("[params] %s", ("+46701234567",))
    out = captured.getvalue()
    assert "telegram.ext.Updater update 7 from {'phone_number': '+4670*****67'" in out
    assert "'other': '+4670*****67'" in out
    assert "sqlalchemy.engine.Engine [params] ('+4670*****67',)" in out
    assert "1234567" not in out and "123 45 67" not in out


def test_numbers_in_an_exception_and_the_stack_are_masked(captured: io.StringIO) -> None:
    log = logging.getLogger("apscheduler.executors.default")
    try:
        raise ValueError("no person with phone +46701234567")
    except ValueError:
        log.exception("job failed for 0701234567", stack_info=True)
    out = captured.getvalue()
    assert "job failed for +4670*****67" in out
    assert "ValueError: no person with phone +4670*****67" in out
    assert "Stack (most recent call last)" in out
    assert "1234567" not in out


def test_the_token_in_a_url_and_configured_secrets_become_token(captured: io.StringIO) -> None:
    logging.getLogger("httpx").info(
        'HTTP Request: POST %s "HTTP/1.1 200 OK"',
        f"https://api.telegram.org/bot{BOT_TOKEN}/getUpdates",
    )
    logging.getLogger("twilio.http_client").info("auth %s", "odd-secret-value")
    out = captured.getvalue()
    assert "https://api.telegram.org/bot[token]/getUpdates" in out
    assert "auth [token]" in out
    assert SECRET_PART not in out and "odd-secret-value" not in out


def test_a_broken_format_string_keeps_the_line_and_masks_it(captured: io.StringIO) -> None:
    logging.getLogger("telegram").warning("two %s %s", "+46701234567")
    assert "two %s %s ('+4670*****67',)" in captured.getvalue()


def test_masking_twice_changes_nothing() -> None:
    mask = Masker([BOT_TOKEN])
    once = mask(f"bot{BOT_TOKEN} +46701234567 070-123 45 67")
    assert mask(once) == once == "bot[token] +4670*****67 +4670*****67"


# ---------- JSON lines ----------


def test_json_lines_parse_and_carry_the_masked_exception() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(MaskFilter(Masker()))
    try:
        raise RuntimeError("Twilio said no to +46701234567")
    except RuntimeError:
        handler.handle(_record("bot.channels.sms", "SMS to %s\nfailed", "0701234567",
                               exc_info=sys.exc_info()))
    handler.handle(_record("bot.app", "Vikariebot started: channels %s", "sms"))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = map(json.loads, lines)
    assert first["level"] == "DEBUG" and first["logger"] == "bot.channels.sms"
    assert first["message"] == "SMS to +4670*****67\nfailed"
    assert first["exc"].endswith("RuntimeError: Twilio said no to +4670*****67")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", first["time"])
    assert second["message"] == "Vikariebot started: channels sms" and "exc" not in second


def test_setup_logging_json_writes_masked_json_lines() -> None:
    stream = io.StringIO()
    with restored_logging():
        setup_logging("INFO", "json", secrets=[BOT_TOKEN], stream=stream)
        logging.getLogger("bot.app").info("token %s for +46701234567", BOT_TOKEN)
        logging.getLogger("telegram.ext.Application").debug("dropped below INFO")
    [line] = stream.getvalue().splitlines()
    assert json.loads(line)["message"] == "token [token] for +4670*****67"


def test_quiet_loggers_stay_quiet_at_debug_and_never_drop_below_the_level() -> None:
    with restored_logging():
        setup_logging("DEBUG", stream=io.StringIO())
        assert logging.getLogger("telegram.ext.Updater").getEffectiveLevel() == logging.INFO
        assert logging.getLogger("sqlalchemy.engine.Engine").getEffectiveLevel() == logging.WARNING
        assert logging.getLogger("apscheduler.executors.default").level == logging.WARNING
        assert logging.getLogger("bot.app").getEffectiveLevel() == logging.DEBUG
    with restored_logging():
        setup_logging("ERROR", stream=io.StringIO())
        assert logging.getLogger("telegram").level == logging.ERROR


def test_secret_values_are_the_configured_secrets() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, telegram_token=SecretStr(BOT_TOKEN), twilio_auth_token=SecretStr("tw"),
        twilio_account_sid="AC1", twilio_from="+46700000000")
    assert secret_values(settings) == [BOT_TOKEN, "tw"]


async def test_sql_parameters_are_hidden_from_errors(db: Database) -> None:
    await World(db).unit("norr")
    await World(db).staff("anna", "norr", telegram=False)
    with pytest.raises(sa.exc.IntegrityError) as raised:
        async with db.write() as conn:
            await conn.execute(sa.insert(t.people).values(
                id="anna", name="Anna Igen", phone="+46709876543", channel="sms"))
    assert "+46709876543" not in str(raised.value)
    assert "hidden" in str(raised.value)


# ---------- real flows at DEBUG ----------


@pytest.fixture(params=["as-configured", "chatty-libraries-at-debug"])
def debug_logs(request: pytest.FixtureRequest) -> Iterator[tuple[io.StringIO, bool]]:
    """Everything logged, at VIKARIE_LOG_LEVEL=DEBUG, as the CLI sets it up. The second run
    also lowers the quiet libraries to DEBUG, so the filter alone must mask what they dump.
    Yields the stream and whether the quiet loggers are as configured."""
    stream = io.StringIO()
    with restored_logging():
        setup_logging("DEBUG", secrets=[BOT_TOKEN, sms.TOKEN], stream=stream)
        configured = request.param == "as-configured"
        if not configured:
            for name in QUIET_LOGGERS:
                logging.getLogger(name).setLevel(logging.DEBUG)
        yield stream, configured


def _leaks(text: str, *, words: bool) -> list[str]:
    """Lines with a sample person's number in any spelling, the bot token or a Twilio token
    and, if `words`, an absence category."""
    bad = []
    for line in text.splitlines():
        digits = re.sub(r"[ \-]", "", line)
        if (
            re.search(r"70174\d{4}", digits)
            or SECRET_PART in line
            or sms.TOKEN in line
            or (words and re.search(r"sjuk|vab|sick", line, re.IGNORECASE))
        ):
            bad.append(line)
    return bad


async def _launch_telegram(stack: contextlib.AsyncExitStack, tmp: Path) -> Harness:
    fake = FakeTelegram(BOT_TOKEN)
    await fake.start()
    stack.push_async_callback(fake.stop)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=f"sqlite+aiosqlite:///{tmp / 'logs.db'}",
        telegram_token=SecretStr(BOT_TOKEN), telegram_api_url=fake.base_url,
        outbox_poll_seconds=0.05)
    clock = FakeClock(local("2026-12-01 05:45"))
    deps = await stack.enter_async_context(open_deps(settings, clock))
    w = World(deps.db)
    await w.unit("norr")
    await w.staff("anna", "norr", name="Anna Andersson", telegram=False)  # +46701740001
    await w.sub("sub1", name="Sara Vikarie")
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    bot = VikarieBot(deps, web=False, ticker=False)
    await bot.start()
    stack.push_async_callback(bot.stop)
    assert bot.telegram is not None
    await on_startup(bot.telegram)
    return Harness(fake, deps, clock, bot, {"anna": 990002, "sub1": 5002})


async def test_a_telegram_sick_report_at_debug_leaks_nothing(
    debug_logs: tuple[io.StringIO, bool], tmp_path: Path
) -> None:
    stream, configured = debug_logs
    async with contextlib.AsyncExitStack() as stack:  # closed inside the capture: shutdown too
        h = await _launch_telegram(stack, tmp_path)
        await _sick_over_telegram(h)
    text = stream.getvalue()
    assert "Vikariebot started" in text, "the capture saw the run"
    assert _leaks(text, words=configured) == []
    if not configured:  # the dumps were there, masked
        assert "+4670*****01" in text and "bot[token]" in text


async def _sick_over_telegram(h: Harness) -> None:
    await h.hello("sub1")
    await h.dialog([
        ("anna", "/start", "dela ditt telefonnummer"),
        ("anna", contact("46701740001"), "Välkommen Anna!"),  # her number, Telegram-style
        ("anna", "sjuk idag", "Vilka pass gäller frånvaron?"),
        ("anna", press("Nästa"), "Skicka anmälan?"),
        ("anna", press("Ja, skicka"), "Tack, din frånvaro är registrerad"),
    ])
    await h.message_with("sub1", "Ledigt pass")


async def test_sms_ja_and_sjuk_at_debug_leak_nothing(
    debug_logs: tuple[io.StringIO, bool], rig: Rig
) -> None:
    stream, configured = debug_logs
    w = rig.world
    await w.unit("norr")
    await w.staff("anna", "norr", telegram=False)
    await w.sub("sub0", telegram=False)
    await w.shift("s-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    anna, sub0 = phone_of(1), phone_of(2)
    await rig.text(anna, "sjuk")
    await rig.sms_to(sub0, lambda s: "JA" in s.body)
    await rig.text(sub0, "JA")
    await rig.sms_to(sub0, lambda s: s.body.startswith("Bokat"))
    await rig.text(sub0, "VAB")
    await rig.idle()
    text = stream.getvalue()
    assert "inbound SMS" in text, "the capture saw the run"
    assert _leaks(text, words=configured) == []
