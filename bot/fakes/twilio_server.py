"""A local server that speaks Twilio's Messages API, for tests and the demo.

The real twilio library runs against it unchanged, over real HTTP:

    fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)
    await fake.start()
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=AsyncTwilioHttpClient())
    client.api.base_url = fake.base_url  # the Api domain builds every REST URL from it
    await client.messages.create_async(to=..., from_=..., body=..., status_callback=...)

It checks HTTP Basic auth, records what is sent (with segment counts), fails on demand
per destination number with Twilio-shaped errors, and plays Twilio's side of the
webhooks: signed inbound SMS and signed status callbacks.

JSON control interface, for another process or a browser page:
    GET  /_control/sent[?to=+46...&since=N]  what was sent (each with its "index")
    POST /_control/inbound {"from", "body", "to"?}  -> POSTed, signed, to inbound_webhook_url
TwiML returned by a webhook is not acted on; the caller gets the response as is.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import email.utils
import hmac
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import httpx
import phonenumbers
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from bot.asgi import LocalAsgiServer
from bot.domain.gsm7 import segments

API_VERSION = "2010-04-01"
FICTIONAL_NUMBER = "+46701740605"  # PTS reserves 070-174 06 05..99 for fiction
_ERROR_MESSAGES: Mapping[int, str] = MappingProxyType(
    {
        20003: "Authenticate",
        20429: "Too Many Requests",
        20500: "Internal Server Error",
        21211: "Invalid 'To' Phone Number",
        21602: "Message body is required.",
        21603: "A 'From' phone number is required.",
        21604: "A 'To' phone number is required.",
        21610: "Attempt to send to unsubscribed recipient",
        21614: "'To' number is not a valid mobile number",
        21617: "The concatenated message body exceeds the 1600 character limit.",
    }
)


def new_sid(prefix: str = "SM") -> str:
    """A Twilio-looking SID: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


def twilio_error(code: int, status: int, message: str | None = None) -> JSONResponse:
    """The REST API's error body; the twilio library raises TwilioRestException(status, code)."""
    content = {
        "code": code,
        "message": message or _ERROR_MESSAGES.get(code, f"Error {code}"),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return JSONResponse(content, status_code=status)


@dataclass(slots=True)
class SentSms:
    """One message the fake Messages API accepted. `status` follows send_status()."""

    sid: str
    to: str
    from_: str | None
    body: str
    segments: int
    status_callback: str | None
    messaging_service_sid: str | None
    date_created: dt.datetime
    status: str = "queued"
    error_code: int | None = None

    def resource(self, account_sid: str) -> dict[str, Any]:
        """The Message resource JSON, as Twilio answers a create."""
        uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{self.sid}"
        created = email.utils.format_datetime(self.date_created)  # RFC 2822, like Twilio
        return {
            "account_sid": account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": created,
            "date_sent": None,
            "date_updated": created,
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(self.segments),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": self.to,
            "uri": f"{uri}.json",
        }


@dataclass(frozen=True, slots=True)
class RejectedSms:
    """A create the fake answered with an error (injected, or invalid input)."""

    to: str
    body: str
    code: int
    status: int


@dataclass(slots=True)
class _Failure:
    code: int
    status: int
    remaining: int | None  # None: every time
    sent_anyway: bool


class FakeTwilio:
    """Twilio's Messages API and webhooks, in-process: `async with FakeTwilio(...) as fake`.

    `number` is our Twilio number (the default `To` of inbound SMS). `webhook_transport`
    (e.g. httpx.ASGITransport(app)) delivers webhooks to an app in-process instead of HTTP.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        number: str = FICTIONAL_NUMBER,
        messaging_service_sid: str | None = None,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.number = number
        self.messaging_service_sid = messaging_service_sid
        self.inbound_webhook_url: str | None = None  # for POST /_control/inbound
        self.inbound_signature_url: str | None = None  # the public URL to sign, if different
        self.sent: list[SentSms] = []
        self.rejected: list[RejectedSms] = []
        self._auth_token = auth_token
        self._validator = RequestValidator(auth_token)
        self._failures: dict[str, _Failure] = {}
        self._changed = asyncio.Condition()
        self._webhook_transport = webhook_transport
        self._http: httpx.AsyncClient | None = None
        self._server = LocalAsgiServer(self._app(), host, port)

    async def start(self) -> None:
        self._http = httpx.AsyncClient(transport=self._webhook_transport, timeout=10.0)
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> FakeTwilio:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What to set the twilio client's `client.api.base_url` to."""
        return self._server.url

    def messages_to(self, number: str) -> list[SentSms]:
        return [sms for sms in self.sent if sms.to == number]

    async def wait_for_sms(
        self,
        to: str,
        predicate: Callable[[SentSms], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentSms:
        """The first SMS to `to`, already sent or still to come, that matches `predicate`."""

        def find() -> SentSms | None:
            matches = (s for s in self.sent if predicate is None or predicate(s))
            return next((s for s in matches if s.to == to), None)

        async with self._changed:
            try:
                async with asyncio.timeout(timeout):
                    found = await self._changed.wait_for(find)
            except TimeoutError:
                got = [s.body for s in self.messages_to(to)]
                raise TimeoutError(f"no matching SMS to {to} in {timeout}s; got {got!r}") from None
        assert found is not None
        return found

    def fail_number(
        self,
        number: str,
        code: int,
        status: int = 400,
        times: int | None = None,
        *,
        sent_anyway: bool = False,
    ) -> None:
        """Answer creates to `number` with a Twilio error, `times` times (None: always).

        `sent_anyway` records the SMS as sent although the client gets the error: Twilio
        took it but the answer was lost, the case where a retry would send it twice.
        """
        self._failures[number] = _Failure(code, status, times, sent_anyway)

    def signature(self, url: str, params: Mapping[str, str]) -> str:
        """The X-Twilio-Signature of a POST of `params` to `url`."""
        return str(self._validator.compute_signature(url, dict(params)))

    async def deliver_inbound(
        self,
        webhook_url: str,
        from_: str,
        body: str,
        *,
        to: str | None = None,
        message_sid: str | None = None,
        sign: bool = True,
        signature_url: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """POST an inbound SMS as Twilio does. `signature_url`: the public URL the app
        validates against; `extra` adds or overrides fields (OptOutType, ...)."""
        to = to or self.number
        sid = message_sid or new_sid()
        params = dict.fromkeys(
            ("ToState", "ToCity", "ToZip", "FromState", "FromCity", "FromZip"), ""
        )
        params.update(MessageSid=sid, SmsMessageSid=sid, SmsSid=sid, SmsStatus="received")
        params.update(AccountSid=self.account_sid, From=from_, To=to, Body=body, NumMedia="0")
        params.update(NumSegments=str(segments(body)), ApiVersion=API_VERSION)
        params.update(FromCountry=_country(from_), ToCountry=_country(to))
        if self.messaging_service_sid:
            params["MessagingServiceSid"] = self.messaging_service_sid
        params.update(extra or {})
        return await self._post_webhook(webhook_url, params, sign, signature_url)

    async def send_status(
        self, sid: str, status: str, *, error_code: int | None = None
    ) -> httpx.Response:
        """POST a signed status callback for message `sid` to its StatusCallback URL."""
        sms = next((s for s in self.sent if s.sid == sid), None)
        if sms is None:
            raise LookupError(f"no message {sid} was sent")
        if sms.status_callback is None:
            raise ValueError(f"message {sid} was created without a StatusCallback")
        sms.status, sms.error_code = status, error_code
        params = dict(MessageSid=sid, SmsSid=sid, MessageStatus=status, SmsStatus=status)
        params.update(AccountSid=self.account_sid, From=sms.from_ or self.number, To=sms.to)
        params.update(ApiVersion=API_VERSION)
        if sms.messaging_service_sid:
            params["MessagingServiceSid"] = sms.messaging_service_sid
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        return await self._post_webhook(sms.status_callback, params, True, None)

    async def _post_webhook(
        self, url: str, params: dict[str, str], sign: bool, signature_url: str | None
    ) -> httpx.Response:
        if self._http is None:
            raise RuntimeError("call FakeTwilio.start() first")
        headers = {"User-Agent": "TwilioProxy/1.1", "I-Twilio-Idempotency-Token": str(uuid.uuid4())}
        if sign:
            headers["X-Twilio-Signature"] = self.signature(signature_url or url, params)
        return await self._http.post(url, data=params, headers=headers)

    # -- the HTTP side -----------------------------------------------------------------

    def _app(self) -> Starlette:
        messages = f"/{API_VERSION}/Accounts/{{account_sid}}/Messages.json"
        return Starlette(
            routes=[
                Route(messages, self._create, methods=["POST"]),
                Route("/_control/sent", self._control_sent, methods=["GET"]),
                Route("/_control/inbound", self._control_inbound, methods=["POST"]),
            ],
        )

    def _check_auth(self, request: Request) -> Response | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        try:
            user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user = password = ""
        ok_user = hmac.compare_digest(user.encode(), self.account_sid.encode())
        ok_password = hmac.compare_digest(password.encode(), self._auth_token.encode())
        if scheme.lower() != "basic" or not (ok_user and ok_password):
            response = twilio_error(20003, 401)
            response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
            return response
        if request.path_params["account_sid"] != self.account_sid:
            return twilio_error(20404, 404, f"No account {request.path_params['account_sid']}")
        return None

    async def _create(self, request: Request) -> Response:
        if (denied := self._check_auth(request)) is not None:
            return denied
        form = await request.form()
        body, from_ = _field(form, "Body") or "", _field(form, "From")
        service = _field(form, "MessagingServiceSid")
        sms = SentSms(
            sid=new_sid(),
            to=_field(form, "To") or "",
            from_=from_,
            body=body,
            segments=segments(body),
            status_callback=_field(form, "StatusCallback"),
            messaging_service_sid=service,
            date_created=dt.datetime.now(dt.UTC),
            status="accepted" if service and not from_ else "queued",
        )
        error = self._check_create(sms, form)
        if error is None or error[2]:
            async with self._changed:
                self.sent.append(sms)
                self._changed.notify_all()
        if error is None:
            return JSONResponse(sms.resource(self.account_sid), status_code=201)
        code, status, _ = error
        self.rejected.append(RejectedSms(sms.to, body, code, status))
        return twilio_error(code, status)

    def _check_create(self, sms: SentSms, form: FormData) -> tuple[int, int, bool] | None:
        """None to accept, else (code, HTTP status, record it as sent all the same)."""
        invalid = [
            (not sms.to, 21604),
            (not sms.to.startswith("+") or not sms.to[1:].isdigit(), 21211),
            (not sms.from_ and not sms.messaging_service_sid, 21603),
            (not sms.body and not form.getlist("MediaUrl"), 21602),
            (len(sms.body) > 1600, 21617),
        ]
        for failed, code in invalid:
            if failed:
                return code, 400, False
        failure = self._failures.get(sms.to)
        if failure is None:
            return None
        if failure.remaining is not None:
            failure.remaining -= 1
            if failure.remaining <= 0:
                del self._failures[sms.to]
        return failure.code, failure.status, failure.sent_anyway

    async def _control_sent(self, request: Request) -> Response:
        to = request.query_params.get("to")
        since_text = request.query_params.get("since", "0")
        since = int(since_text) if since_text.isdigit() else 0
        items = [
            {"index": i, **sms.resource(self.account_sid), "status_callback": sms.status_callback}
            for i, sms in enumerate(self.sent)
            if i >= since and (to is None or sms.to == to)
        ]
        return JSONResponse(items)

    async def _control_inbound(self, request: Request) -> Response:
        data = await _json_object(request)
        if self.inbound_webhook_url is None:
            return JSONResponse({"error": "set fake.inbound_webhook_url first"}, status_code=409)
        from_, body, to = data.get("from"), data.get("body"), data.get("to")
        if not isinstance(from_, str) or not isinstance(body, str):
            return JSONResponse({"error": 'need {"from": str, "body": str}'}, status_code=400)
        sid = new_sid()
        try:
            response = await self.deliver_inbound(
                self.inbound_webhook_url,
                from_,
                body,
                to=str(to) if to else None,
                message_sid=sid,
                signature_url=self.inbound_signature_url,
            )
        except httpx.HTTPError as exc:
            return JSONResponse({"error": f"webhook unreachable: {exc!r}"}, status_code=502)
        return JSONResponse(
            {"message_sid": sid, "status": response.status_code, "body": response.text}
        )


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) and value else None


def _country(number: str) -> str:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None)) or ""
    except phonenumbers.NumberParseException:
        return ""


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
