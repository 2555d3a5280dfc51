"""TwilioSender: the real twilio library against FakeTwilio, errors mapped for the dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.base import PermanentFailure, TemporaryFailure
from bot.channels.sms import STATUS_PATH, TwilioSender
from bot.config import Settings
from bot.domain.model import Person
from bot.domain.outgoing import OutMessage
from bot.fakes.twilio_server import FakeTwilio
from tests.sms.conftest import OUR_NUMBER, SID, TOKEN, free_port

KIM = Person(id="kim", name="Kim Testsson", phone="+46701740610")


def _settings(api_url: str, **kw: object) -> Settings:
    values: dict[str, object] = {
        "twilio_account_sid": SID,
        "twilio_auth_token": TOKEN,
        "twilio_from": OUR_NUMBER,
        "twilio_api_url": api_url,
        **kw,
    }
    return Settings(_env_file=None, database_url="sqlite+aiosqlite:///unused.db", **values)  # type: ignore[call-arg, arg-type]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio(SID, TOKEN) as fake:
        yield fake


@pytest.fixture
async def sender(fake: FakeTwilio) -> AsyncIterator[TwilioSender]:
    sender = TwilioSender.from_settings(
        _settings(fake.base_url, public_url="https://vikarie.example.se/")
    )
    yield sender
    await sender.close()


def _msg(sms: str | None, kind: str = "offer") -> OutMessage:
    return OutMessage(kind, "telegram text", sms)


async def test_sends_gsm7_with_a_status_callback(fake: FakeTwilio, sender: TwilioSender) -> None:
    delivery = await sender.send(KIM, None, _msg("Kim’s pass 07:00–16:00 … “ok”"), None)
    (sms,) = fake.sent
    assert delivery.external_id == sms.sid
    assert (sms.to, sms.from_) == (KIM.phone, OUR_NUMBER)
    assert sms.body == 'Kim\'s pass 07:00-16:00 ... "ok"'
    assert sms.segments == 1
    assert sms.status_callback == "https://vikarie.example.se" + STATUS_PATH


async def test_no_status_callback_without_a_public_url(
    fake: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    # TWILIO_EDGE / TWILIO_REGION in the environment must not move the API host.
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    monkeypatch.setenv("TWILIO_REGION", "au1")
    sender = TwilioSender.from_settings(_settings(fake.base_url))
    try:
        await sender.send(KIM, None, _msg("Hej"), None)
    finally:
        await sender.close()
    assert [s.status_callback for s in fake.sent] == [None]


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        (21211, 400, PermanentFailure),
        (21614, 400, PermanentFailure),
        (21602, 400, PermanentFailure),
        (20429, 429, TemporaryFailure),
        (20500, 500, TemporaryFailure),
        (20503, 503, TemporaryFailure),
    ],
)
async def test_errors_are_mapped(
    fake: FakeTwilio, sender: TwilioSender, code: int, status: int, kind: type[Exception]
) -> None:
    fake.fail_number(KIM.phone or "", code, status)
    with pytest.raises(kind) as caught:
        await sender.send(KIM, None, _msg("Hej"), None)
    if isinstance(caught.value, PermanentFailure):
        assert caught.value.code == code
    assert "46701740610" not in str(caught.value)


async def test_opted_out_at_twilio_calls_the_hook(fake: FakeTwilio, sender: TwilioSender) -> None:
    marked: list[str] = []

    async def hook(person_id: str) -> None:
        marked.append(person_id)

    sender.on_opt_out = hook
    fake.fail_number(KIM.phone or "", 21610)
    with pytest.raises(PermanentFailure) as caught:
        await sender.send(KIM, None, _msg("Hej"), None)
    assert (caught.value.code, marked) == (21610, ["kim"])


async def test_refusals_before_any_api_call(fake: FakeTwilio, sender: TwilioSender) -> None:
    opted_out = Person(id="eva", name="Eva", phone="+46701740611", sms_opted_out=True)
    with pytest.raises(PermanentFailure, match="opted out"):
        await sender.send(opted_out, None, _msg("Ledigt pass"), None)
    await sender.send(opted_out, None, _msg("Du får inga fler SMS", "sms_stopped"), None)
    with pytest.raises(PermanentFailure):
        await sender.send(Person(id="x", name="X"), None, _msg("Hej"), None)
    with pytest.raises(PermanentFailure):
        await sender.send(KIM, None, _msg(None), None)
    with pytest.raises(PermanentFailure):
        await sender.send(None, -100, _msg("Hej"), None)
    assert [s.body for s in fake.sent] == ["Du får inga fler SMS"]


async def test_wrong_credentials_are_permanent(fake: FakeTwilio) -> None:
    settings = _settings(fake.base_url).model_copy(update={"twilio_auth_token": None})
    with pytest.raises(ValueError, match="AUTH_TOKEN"):
        TwilioSender.from_settings(settings)
    bad = _settings(fake.base_url, twilio_auth_token="wrong")
    sender = TwilioSender.from_settings(bad)
    try:
        with pytest.raises(PermanentFailure) as caught:
            await sender.send(KIM, None, _msg("Hej"), None)
    finally:
        await sender.close()
    assert caught.value.code == 20003


async def test_network_error_is_temporary() -> None:
    sender = TwilioSender.from_settings(_settings(f"http://127.0.0.1:{free_port()}"))
    try:
        with pytest.raises(TemporaryFailure, match="unreachable"):
            await sender.send(KIM, None, _msg("Hej"), None)
    finally:
        await sender.close()
