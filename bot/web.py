"""One ASGI app: Telegram webhook, Twilio webhooks, health, the coordinators' board and the
substitutes' private calendars.

Endpoints only validate and enqueue: check the secret or signature, answer 4xx on bad input,
hand the payload to the application. A route exists only when its secret is configured:
/telegram in webhook mode, /board with VIKARIE_BOARD_TOKEN, the SMS routes with Twilio.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.desk import desk_routes
from bot.services.board import board_text
from bot.services.deps import Deps

if TYPE_CHECKING:
    from telegram.ext import Application

log = logging.getLogger(__name__)

# Telegram's updates are small; anything far larger is not Telegram.
MAX_UPDATE_BYTES = 1_000_000


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison that never raises (hmac.compare_digest refuses non-ASCII
    str; a header may carry any byte)."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def build_web_app(
    deps: Deps,
    telegram_app: Application | None = None,  # type: ignore[type-arg]
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    settings = deps.settings

    async def health(_: Request) -> Response:
        try:
            async with deps.db.read() as conn:
                await conn.exec_driver_sql("SELECT 1")
        except Exception:
            log.warning("health: the database does not answer", exc_info=True)
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def board(request: Request) -> Response:
        # Names of booked people: only for whoever holds the board token.
        assert settings.board_token is not None
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not same_secret(
            given.strip(), settings.board_token.get_secret_value()
        ):
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return PlainTextResponse(await board_text(deps))

    async def telegram_webhook(request: Request) -> Response:
        from telegram import Update

        assert telegram_app is not None and settings.webhook_secret is not None
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not same_secret(given, settings.webhook_secret.get_secret_value()):
            log.warning("Telegram webhook with a wrong secret token")
            return Response(status_code=403)
        body = await request.body()
        if len(body) > MAX_UPDATE_BYTES:
            return Response(status_code=413)
        data = _update_payload(body)
        if data is None:
            return Response(status_code=400)
        try:
            update = Update.de_json(data, telegram_app.bot)
        except Exception:  # a shape python-telegram-bot cannot read is the sender's fault
            log.warning("Telegram webhook: an update that does not parse")
            return Response(status_code=400)
        from handlers.inbox import store_updates

        await store_updates(deps, [update])  # committed before Telegram gets its 200
        return Response()

    routes: list[BaseRoute] = [Route("/health", health)]
    if settings.board_token is not None:
        routes.append(Route("/board", board))
    if settings.telegram_webhook and settings.webhook_secret is not None and telegram_app:
        routes.append(Route("/telegram", telegram_webhook, methods=["POST"]))
    routes.extend(calendar_routes(deps))
    routes.extend(desk_routes(deps))
    routes.extend(extra_routes)
    return Starlette(routes=routes)


def calendar_routes(deps: Deps) -> list[BaseRoute]:
    """GET /ical/<token>.ics: a substitute's bookings as iCalendar. The token is the secret;
    anything that is not a live token is 404, the same answer for every kind of wrong."""
    from bot.services.calendar import feed

    async def ical(request: Request) -> Response:
        token = request.path_params.get("token", "")
        body = await feed(deps, token) if isinstance(token, str) else None
        if body is None:
            return Response(status_code=404)
        return Response(
            body.encode("utf-8"),
            media_type="text/calendar; charset=utf-8",
            headers={"Cache-Control": "private, max-age=300"},
        )

    return [Route("/ical/{token}.ics", ical, methods=["GET"])]


def _update_payload(body: bytes) -> dict[str, Any] | None:
    """A JSON object with an integer update_id, or None."""
    try:
        data = json.loads(body)
    except ValueError:  # includes UnicodeDecodeError
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    return data
