"""Outbound SMS through Twilio's Messages API, with the real (async) twilio library.

One `TwilioSender` per process, built inside the running loop (`from_settings`), closed
on stop. It sends `OutMessage.sms` rewritten to GSM-7 (`to_gsm7`: curly quotes, dashes),
asks for delivery reports at VIKARIE_PUBLIC_URL + /sms/status, and maps Twilio's answers
onto the dispatcher's two failures:

    21610 (the person sent STOP)            PermanentFailure, and the person is opted out
    21211, 21614 (invalid, not a mobile)    PermanentFailure
    other 4xx (bad request, credentials)    PermanentFailure: the dispatcher falls back
    429, 5xx, network, timeout              TemporaryFailure: the dispatcher retries

The HTTP client never retries by itself (no `max_retries`): a retried POST can send an
SMS twice. A timeout or 5xx may still mean Twilio took the message, so a retry by the
dispatcher can, rarely, send it twice; delivery is at least once, never lost.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from bot.channels.base import Delivery, PermanentFailure, TemporaryFailure
from bot.config import Settings
from bot.domain.delivery import OPTED_OUT, REFUSED_NUMBER
from bot.domain.gsm7 import segments, to_gsm7
from bot.domain.model import Person
from bot.domain.outgoing import OutMessage
from bot.domain.phone import mask_phone

log = logging.getLogger(__name__)

INBOUND_PATH = "/sms/inbound"
STATUS_PATH = "/sms/status"
RATE_LIMITED = frozenset({20429})
SEND_TIMEOUT = 20.0  # seconds for one API call
MAX_CONCURRENT = 4  # API calls at once; Twilio queues the messages itself
# Kinds sent even to someone opted out of SMS: direct replies to a message they just sent
# (the STOPP confirmation among them). Everything else waits for START.
REPLY_KIND_PREFIX = "sms_"

OptOutHook = Callable[[str], Awaitable[None]]


class _HeaderAuthHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
    """Sends HTTP Basic auth as a header.

    twilio 9.13 hands aiohttp a `BasicAuth` through `auth=`, which aiohttp 3.14 deprecates
    with a warning on every request; the header is the same thing without the warning.
    """

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 (the parent's signature)
        allow_redirects: bool = False,
    ) -> Any:
        headers = dict(headers or {})
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        return await super().request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            auth=None,
            timeout=timeout if timeout is not None else self.timeout,
            allow_redirects=allow_redirects,
        )


class TwilioSender:
    """The SMS channel of the outbox dispatcher (see `bot.channels.base.Sender`)."""

    channel = "sms"

    def __init__(
        self,
        client: Any,
        http_client: Any,
        from_: str,
        status_callback: str | None,
        *,
        on_opt_out: OptOutHook | None = None,
    ) -> None:
        self.client = client
        self.http_client = http_client
        self.from_ = from_
        self.status_callback = status_callback
        self.on_opt_out = on_opt_out
        self._limit = asyncio.Semaphore(MAX_CONCURRENT)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, on_opt_out: OptOutHook | None = None
    ) -> TwilioSender:
        """Build the client. Call inside the running loop: it opens an aiohttp session.

        `on_opt_out(person_id)` is awaited when Twilio refuses a number with 21610, so the
        person can be marked opted out (see `bot.services.delivery.mark_opted_out`).
        """
        sid, token = settings.twilio_account_sid, settings.twilio_auth_token
        from_ = settings.twilio_from
        if not sid or token is None or not from_:
            raise ValueError("SMS needs VIKARIE_TWILIO_ACCOUNT_SID, _AUTH_TOKEN and _FROM")
        http_client = _HeaderAuthHttpClient(timeout=SEND_TIMEOUT)
        # A non-empty environment: twilio would otherwise read TWILIO_EDGE / TWILIO_REGION
        # from os.environ and rewrite the API host (and ignore twilio_api_url).
        client = Client(
            sid, token.get_secret_value(), http_client=http_client, environment={"VIKARIEBOT": "1"}
        )
        client.api.base_url = settings.twilio_api_url.rstrip("/")
        callback = (
            f"{settings.public_url.rstrip('/')}{STATUS_PATH}" if settings.public_url else None
        )
        return cls(client, http_client, from_, callback, on_opt_out=on_opt_out)

    async def send(
        self,
        person: Person | None,
        chat_id: int | None,
        msg: OutMessage,
        edit_message_id: int | None,
    ) -> Delivery:
        if person is None or not person.phone:
            raise PermanentFailure("no mobile number")
        if msg.sms is None:
            raise PermanentFailure(f"{msg.kind} has no SMS text")
        if person.sms_opted_out and not msg.kind.startswith(REPLY_KIND_PREFIX):
            raise PermanentFailure("opted out of SMS", code=OPTED_OUT)
        body = to_gsm7(msg.sms)
        if segments(body) > 1:
            log.info(
                "SMS %s to %s costs %d segments", msg.kind, mask_phone(person.phone), segments(body)
            )
        params: dict[str, str] = {"to": person.phone, "from_": self.from_, "body": body}
        if self.status_callback:
            params["status_callback"] = self.status_callback
        try:
            async with self._limit:
                message = await self.client.messages.create_async(**params)
        except TwilioException as exc:
            raise await self._failure(exc, person) from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise TemporaryFailure(f"Twilio unreachable ({type(exc).__name__})") from exc
        return Delivery(external_id=str(message.sid))

    async def _failure(
        self, exc: TwilioException, person: Person
    ) -> PermanentFailure | TemporaryFailure:
        status = int(getattr(exc, "status", 0) or 0)
        code = getattr(exc, "code", None)
        code = int(code) if isinstance(code, int | str) and str(code).isdigit() else None
        what = f"Twilio {status} error {code}"
        if code == OPTED_OUT:
            if self.on_opt_out is not None:
                try:
                    await self.on_opt_out(person.id)
                except Exception:
                    log.exception("could not mark %s as opted out", mask_phone(person.phone))
            return PermanentFailure(f"{what}: opted out", code=code)
        if code in REFUSED_NUMBER:
            return PermanentFailure(f"{what}: invalid or not a mobile number", code=code)
        if status == 429 or status >= 500 or code in RATE_LIMITED:
            return TemporaryFailure(what)
        if status in (401, 403):
            log.error("Twilio refused our credentials (%s): check VIKARIE_TWILIO_*", what)
        return PermanentFailure(what, code=code)

    async def close(self) -> None:
        await self.http_client.close()
