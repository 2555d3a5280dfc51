"""One ASGI app: Telegram webhook, Twilio webhooks, health and the coordinators' board.

Endpoints only validate and enqueue: check the secret or signature, answer 4xx on bad input,
hand the payload to the application.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.services.board import board_text
from bot.services.deps import Deps

if TYPE_CHECKING:
    from telegram.ext import Application

log = logging.getLogger(__name__)


def build_web_app(
    deps: Deps,
    telegram_app: Application | None = None,  # type: ignore[type-arg]
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    async def health(_: Request) -> Response:
        async with deps.db.read() as conn:
            await conn.exec_driver_sql("SELECT 1")
        return JSONResponse({"status": "ok"})

    async def board(request: Request) -> Response:
        # Names of booked people: only for whoever holds the board token.
        token = deps.settings.board_token
        if token is None:
            return Response(status_code=404)
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(given, token.get_secret_value()):
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return PlainTextResponse(await board_text(deps))

    async def telegram_webhook(request: Request) -> Response:
        from telegram import Update

        secret = deps.settings.webhook_secret
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if secret is None or not hmac.compare_digest(given, secret.get_secret_value()):
            log.warning("Telegram webhook with a wrong secret token")
            return Response(status_code=403)
        if telegram_app is None:
            return Response(status_code=503)
        try:
            data = await request.json()
        except ValueError:
            return Response(status_code=400)
        await telegram_app.update_queue.put(Update.de_json(data, telegram_app.bot))
        return Response()

    routes: list[BaseRoute] = [
        Route("/health", health),
        Route("/board", board),
        Route("/telegram", telegram_webhook, methods=["POST"]),
        *extra_routes,
    ]
    return Starlette(routes=routes)
