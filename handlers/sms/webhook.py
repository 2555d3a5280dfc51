"""Twilio webhooks: an inbound SMS and a delivery report. They check, parse and hand over.

Both verify `X-Twilio-Signature` against the URL Twilio called, built from
VIKARIE_PUBLIC_URL + path + query (behind a proxy the request's own URL is not the one
Twilio signed). A missing or wrong signature is 403, logged without the body.

A text from a registered number and every delivery report are committed to the inbox
(`handlers.inbox`) before Twilio gets its 2xx: a crash after that loses nothing, and a
webhook Twilio sends again is stored once. The inbox worker handles them (the
conversation, `bot.services.delivery`); replies leave through the outbox. A text from an
unregistered number changes nothing but the capped "how to join" line, which goes back in
the webhook's own response (TwiML).
"""

from __future__ import annotations

import logging
from xml.sax.saxutils import escape

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from bot.channels.sms import INBOUND_PATH, STATUS_PATH
from bot.services import delivery
from bot.services.deps import Deps
from handlers import inbox
from handlers.sms import conversation

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
XML = '<?xml version="1.0" encoding="UTF-8"?>'


def twiml(message: str | None = None) -> Response:
    body = (
        f"<Response><Message>{escape(message)}</Message></Response>" if message else ("<Response/>")
    )
    return Response(XML + body, media_type="text/xml")


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if not isinstance(value, str):
        return None
    return value.replace("\x00", "") or None  # PostgreSQL text refuses NUL


def sms_routes(deps: Deps) -> list[Route]:
    """POST /sms/inbound and POST /sms/status, mounted on the bot's web app."""
    settings = deps.settings
    token = settings.twilio_auth_token
    validator = RequestValidator(token.get_secret_value()) if token is not None else None

    async def signed_form(request: Request) -> FormData | None:
        """The form if Twilio signed it, else None (logged without the body)."""
        signature = request.headers.get(SIGNATURE_HEADER)
        if validator is None or not settings.public_url:
            log.error(
                "Twilio webhook %s refused: VIKARIE_PUBLIC_URL and the auth token are "
                "needed to check signatures",
                request.url.path,
            )
            return None
        if not signature:
            log.warning("Twilio webhook %s refused: no signature", request.url.path)
            return None
        url = settings.public_url.rstrip("/") + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        # Twilio posts url-encoded forms only; a multipart body (file parts) is not Twilio.
        content_type = request.headers.get("Content-Type", "").partition(";")[0].strip()
        if content_type.lower() != "application/x-www-form-urlencoded":
            log.warning("Twilio webhook %s refused: not a url-encoded form", request.url.path)
            return None
        form = await request.form()
        if not validator.validate(url, form, signature):
            log.warning("Twilio webhook %s refused: wrong signature for %s", request.url.path, url)
            return None
        return form

    async def inbound(request: Request) -> Response:
        form = await signed_form(request)
        if form is None:
            return Response(status_code=403)
        sid = _field(form, "MessageSid") or _field(form, "SmsSid")
        if sid is None:
            return Response(status_code=400)
        sms = conversation.InboundSms(
            message_sid=sid,
            from_=_field(form, "From") or "",
            body=_field(form, "Body") or "",
            opt_out_type=_field(form, "OptOutType"),
        )
        if await inbox.store_sms(deps, sms):
            log.info("inbound SMS %s: stored", sid)
            return twiml()
        result = await conversation.handle_sms(deps, sms)
        log.info("inbound SMS %s: %s", sid, result.logged)
        return twiml(result.twiml_reply)

    async def status(request: Request) -> Response:
        form = await signed_form(request)
        if form is None:
            return Response(status_code=403)
        sid = _field(form, "MessageSid") or _field(form, "SmsSid")
        state = _field(form, "MessageStatus") or _field(form, "SmsStatus")
        if sid is None or state is None:
            return Response(status_code=400)
        code = _field(form, "ErrorCode")
        report = delivery.StatusReport(sid, state, int(code) if code and code.isdigit() else None)
        await inbox.store_status(deps, report)
        return twiml()

    return [
        Route(INBOUND_PATH, inbound, methods=["POST"]),
        Route(STATUS_PATH, status, methods=["POST"]),
    ]
