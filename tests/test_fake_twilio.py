"""The local Twilio fake, driven by the real twilio library over real HTTP."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.asgi import LocalAsgiServer
from bot.fakes.twilio_server import FICTIONAL_NUMBER, FakeTwilio

# twilio 9.13 still hands aiohttp a BasicAuth (twilio-python issue #931); aiohttp 3.14
# deprecates it. Only these two warnings are let through.
pytestmark = [
    pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'auth' parameter is deprecated:DeprecationWarning"),
]

SID = "AC" + "1" * 32
TOKEN = "test-auth-token"
OUR_NUMBER = FICTIONAL_NUMBER
ANNA = "+46701740610"  # fictional numbers (PTS 070-174 06 05..99)
OPTED_OUT = "+46701740611"
PUBLIC = "https://vikarie.example.se"


@dataclass
class Received:
    url: str
    form: dict[str, str]
    signature: str | None


@dataclass
class Receiver:
    """A small app standing in for ours: records every webhook it is sent."""

    url: str = ""
    calls: list[Received] = field(default_factory=list)

    def validates(self, call: Received, url: str) -> bool:
        return bool(RequestValidator(TOKEN).validate(url, call.form, call.signature or ""))


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio(SID, TOKEN) as fake:
        yield fake


@pytest.fixture
async def client(fake: FakeTwilio) -> AsyncIterator[Client]:
    http_client = AsyncTwilioHttpClient()  # inside the loop: it opens an aiohttp session
    client = Client(SID, TOKEN, http_client=http_client)
    client.api.base_url = fake.base_url
    yield client
    await http_client.close()


def _receiver_app(receiver: Receiver) -> Starlette:
    async def record(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        sig = request.headers.get("x-twilio-signature")
        receiver.calls.append(Received(str(request.url), form, sig))
        return PlainTextResponse("<Response/>", media_type="text/xml")

    return Starlette(routes=[Route("/{path:path}", record, methods=["POST"])])


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    server = LocalAsgiServer(_receiver_app(receiver))
    await server.start()
    receiver.url = server.url
    yield receiver
    await server.stop()


async def test_create_is_recorded_with_segments(fake: FakeTwilio, client: Client) -> None:
    body = "Hej! Kan du jobba ons 3/12 07:00-15:00 på Solgården? Svara JA 47 eller NEJ 47."
    msg = await client.messages.create_async(to=ANNA, from_=OUR_NUMBER, body=body)

    assert re.fullmatch(r"SM[0-9a-f]{32}", msg.sid)
    assert (msg.status, msg.to, msg.from_, msg.body) == ("queued", ANNA, OUR_NUMBER, body)
    assert (msg.num_segments, msg.account_sid, msg.direction) == ("1", SID, "outbound-api")
    assert msg.uri == f"/2010-04-01/Accounts/{SID}/Messages/{msg.sid}.json"
    assert msg.date_created is not None and msg.date_created.tzinfo is not None

    long_ucs2 = "Ja 👍 " + "x" * 70
    await client.messages.create_async(to=ANNA, from_=OUR_NUMBER, body=long_ucs2)
    first, second = fake.messages_to(ANNA)
    assert (first.sid, first.body, first.segments) == (msg.sid, body, 1)
    assert first.status_callback is None
    assert second.segments == 2  # one emoji makes it UCS-2: 76 characters > 70
    assert (await fake.wait_for_sms(ANNA, lambda s: "👍" in s.body)).body == long_ucs2


async def test_messaging_service_instead_of_from(fake: FakeTwilio, client: Client) -> None:
    service = "MG" + "2" * 32
    msg = await client.messages.create_async(to=ANNA, messaging_service_sid=service, body="x")
    assert (msg.status, msg.from_, msg.messaging_service_sid) == ("accepted", None, service)


async def test_wrong_auth_is_a_twilio_shaped_401(fake: FakeTwilio, client: Client) -> None:
    bad = Client(SID, "wrong-token", http_client=client.http_client)
    bad.api.base_url = fake.base_url
    with pytest.raises(TwilioRestException) as caught:
        await bad.messages.create_async(to=ANNA, from_=OUR_NUMBER, body="x")
    assert (caught.value.status, caught.value.code) == (401, 20003)

    async with httpx.AsyncClient() as http:
        url = f"{fake.base_url}/2010-04-01/Accounts/{SID}/Messages.json"
        response = await http.post(url, data={"To": ANNA, "From": OUR_NUMBER, "Body": "x"})
    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    assert fake.sent == []


async def test_injected_error_raises_twilio_rest_exception(
    fake: FakeTwilio, client: Client
) -> None:
    fake.fail_number(OPTED_OUT, code=21610, status=400)
    with pytest.raises(TwilioRestException) as caught:
        await client.messages.create_async(to=OPTED_OUT, from_=OUR_NUMBER, body="x")
    assert (caught.value.status, caught.value.code) == (400, 21610)
    assert "unsubscribed" in caught.value.msg
    with pytest.raises(TwilioRestException):  # still failing: no `times` given
        await client.messages.create_async(to=OPTED_OUT, from_=OUR_NUMBER, body="x")
    await client.messages.create_async(to=ANNA, from_=OUR_NUMBER, body="x")
    assert [s.to for s in fake.sent] == [ANNA]
    assert [(r.to, r.code, r.status) for r in fake.rejected] == [(OPTED_OUT, 21610, 400)] * 2


@pytest.mark.parametrize(("code", "status"), [(20500, 500), (20503, 503), (20429, 429)])
async def test_transient_errors_on_demand(
    fake: FakeTwilio, client: Client, code: int, status: int
) -> None:
    fake.fail_number(ANNA, code=code, status=status, times=1)
    with pytest.raises(TwilioRestException) as caught:
        await client.messages.create_async(to=ANNA, from_=OUR_NUMBER, body="x")
    assert (caught.value.status, caught.value.code) == (status, code)
    assert fake.sent == []
    await client.messages.create_async(to=ANNA, from_=OUR_NUMBER, body="x")  # then it works
    assert len(fake.sent) == 1


async def test_error_after_twilio_took_the_message(fake: FakeTwilio, client: Client) -> None:
    fake.fail_number(ANNA, code=20500, status=500, times=1, sent_anyway=True)
    with pytest.raises(TwilioRestException):
        await client.messages.create_async(to=ANNA, from_=OUR_NUMBER, body="x")
    assert len(fake.messages_to(ANNA)) == 1  # a blind retry would send it twice


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"From": OUR_NUMBER, "Body": "x"}, 21604),
        ({"To": "0701740610", "From": OUR_NUMBER, "Body": "x"}, 21211),
        ({"To": ANNA, "Body": "x"}, 21603),
        ({"To": ANNA, "From": OUR_NUMBER}, 21602),
        ({"To": ANNA, "From": OUR_NUMBER, "Body": "x" * 1601}, 21617),
    ],
)
async def test_invalid_creates_are_refused(
    fake: FakeTwilio, fields: dict[str, str], code: int
) -> None:
    async with httpx.AsyncClient(auth=(SID, TOKEN)) as http:
        url = f"{fake.base_url}/2010-04-01/Accounts/{SID}/Messages.json"
        response = await http.post(url, data=fields)
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert fake.sent == []


async def test_status_callback_is_signed(
    fake: FakeTwilio, client: Client, receiver: Receiver
) -> None:
    callback = f"{receiver.url}/twilio/status?outbox=7"
    msg = await client.messages.create_async(
        to=ANNA, from_=OUR_NUMBER, body="x", status_callback=callback
    )
    assert fake.sent[0].status_callback == callback

    response = await fake.send_status(msg.sid, "delivered")
    assert response.status_code == 200
    await fake.send_status(msg.sid, "undelivered", error_code=30003)

    delivered, undelivered = receiver.calls
    assert delivered.url == callback
    assert receiver.validates(delivered, callback)
    assert delivered.form["MessageSid"] == delivered.form["SmsSid"] == msg.sid
    assert (delivered.form["MessageStatus"], delivered.form["AccountSid"]) == ("delivered", SID)
    assert (delivered.form["To"], delivered.form["From"]) == (ANNA, OUR_NUMBER)
    assert "ErrorCode" not in delivered.form
    assert (undelivered.form["MessageStatus"], undelivered.form["ErrorCode"]) == (
        "undelivered",
        "30003",
    )
    assert receiver.validates(undelivered, callback)
    assert (fake.sent[0].status, fake.sent[0].error_code) == ("undelivered", 30003)


async def test_status_needs_a_callback(fake: FakeTwilio, client: Client) -> None:
    msg = await client.messages.create_async(to=ANNA, from_=OUR_NUMBER, body="x")
    with pytest.raises(ValueError, match="StatusCallback"):
        await fake.send_status(msg.sid, "delivered")
    with pytest.raises(LookupError):
        await fake.send_status("SM" + "0" * 32, "delivered")


async def test_inbound_is_signed_and_tampering_shows(fake: FakeTwilio, receiver: Receiver) -> None:
    url = f"{receiver.url}/twilio/sms"
    response = await fake.deliver_inbound(url, ANNA, "JA 47")
    assert response.status_code == 200

    (call,) = receiver.calls
    form = call.form
    assert re.fullmatch(r"SM[0-9a-f]{32}", form["MessageSid"])
    assert form["SmsSid"] == form["SmsMessageSid"] == form["MessageSid"]
    assert (form["From"], form["To"], form["Body"]) == (ANNA, OUR_NUMBER, "JA 47")
    assert (form["AccountSid"], form["ApiVersion"], form["SmsStatus"]) == (
        SID,
        "2010-04-01",
        "received",
    )
    assert (form["NumSegments"], form["NumMedia"], form["FromCountry"]) == ("1", "0", "SE")
    assert receiver.validates(call, url)

    for tampered in ({**form, "Body": "NEJ 47"}, {**form, "From": "+46701740699"}):
        assert not receiver.validates(Received(url, tampered, call.signature), url)
    assert not receiver.validates(call, f"{receiver.url}/twilio/other")

    unsigned = await fake.deliver_inbound(url, ANNA, "ja", sign=False)
    assert unsigned.status_code == 200 and receiver.calls[-1].signature is None


async def test_inbound_signed_for_the_public_url(fake: FakeTwilio, receiver: Receiver) -> None:
    """Behind a proxy Twilio calls (and signs) the public https URL, not the local one."""
    public_url = f"{PUBLIC}/twilio/sms"
    await fake.deliver_inbound(
        f"{receiver.url}/twilio/sms",
        ANNA,
        "sjuk",
        to="+46701740612",
        message_sid="SM" + "a" * 32,
        signature_url=public_url,
        extra={"OptOutType": "STOP"},
    )
    (call,) = receiver.calls
    assert receiver.validates(call, public_url)
    assert not receiver.validates(call, call.url)
    assert call.form["MessageSid"] == "SM" + "a" * 32
    assert (call.form["To"], call.form["OptOutType"]) == ("+46701740612", "STOP")


async def test_webhooks_in_process_through_an_asgi_transport() -> None:
    receiver = Receiver()
    transport = httpx.ASGITransport(app=_receiver_app(receiver))
    async with FakeTwilio(SID, TOKEN, webhook_transport=transport) as fake:
        await fake.deliver_inbound(f"{PUBLIC}/twilio/sms", ANNA, "frisk")
    (call,) = receiver.calls
    assert call.form["Body"] == "frisk"
    assert receiver.validates(call, f"{PUBLIC}/twilio/sms")


async def test_wait_for_sms(fake: FakeTwilio, client: Client) -> None:
    waiting = asyncio.create_task(fake.wait_for_sms(ANNA, lambda s: s.body.startswith("Pass")))
    await client.messages.create_async(to=ANNA, from_=OUR_NUMBER, body="Hej")
    await asyncio.sleep(0.01)
    assert not waiting.done()
    await client.messages.create_async(to=ANNA, from_=OUR_NUMBER, body="Pass ons")
    assert (await asyncio.wait_for(waiting, 2)).body == "Pass ons"

    with pytest.raises(TimeoutError, match="Hej"):
        await fake.wait_for_sms(ANNA, lambda s: s.body == "never", timeout=0.05)


async def test_control_interface(fake: FakeTwilio, client: Client, receiver: Receiver) -> None:
    callback = f"{receiver.url}/twilio/status"
    msg = await client.messages.create_async(
        to=ANNA, from_=OUR_NUMBER, body="Pass ons", status_callback=callback
    )
    await client.messages.create_async(to="+46701740613", from_=OUR_NUMBER, body="Annat")

    async with httpx.AsyncClient(base_url=fake.base_url) as http:
        sent = (await http.get("/_control/sent")).json()
        assert [(m["index"], m["to"], m["body"]) for m in sent] == [
            (0, ANNA, "Pass ons"),
            (1, "+46701740613", "Annat"),
        ]
        assert sent[0]["sid"] == msg.sid and sent[0]["status_callback"] == callback
        assert [m["index"] for m in (await http.get("/_control/sent?since=1")).json()] == [1]
        assert len((await http.get("/_control/sent", params={"to": ANNA})).json()) == 1

        no_webhook = await http.post("/_control/inbound", json={"from": ANNA, "body": "ja"})
        assert no_webhook.status_code == 409
        fake.inbound_webhook_url = f"{receiver.url}/twilio/sms"
        fake.inbound_signature_url = f"{PUBLIC}/twilio/sms"
        reply = await http.post("/_control/inbound", json={"from": ANNA, "body": "JA 47"})
        assert reply.status_code == 200
        assert (reply.json()["status"], reply.json()["body"]) == (200, "<Response/>")
        assert (await http.post("/_control/inbound", json={"body": "x"})).status_code == 400

    (inbound,) = receiver.calls
    assert inbound.form["Body"] == "JA 47"
    assert inbound.form["MessageSid"] == reply.json()["message_sid"]
    assert receiver.validates(inbound, f"{PUBLIC}/twilio/sms")
