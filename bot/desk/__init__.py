"""The coordinators' desk (skrivbordet) at /desk/: server-rendered pages on the bot's own
web app, live by server-sent events, login without passwords (bot.services.desk_auth).

Routes exist only with VIKARIE_PUBLIC_URL (the login links point there, and Secure cookies
follow its scheme). Every page checks the session and scopes to the person's units; every
form carries the session's CSRF token (the login forms: a double-submit cookie). Assets ship
in the package: no CDN, no build step.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.desk import intro, report, vacancy
from bot.desk.kit import Handler, Kit
from bot.desk.views import board_days
from bot.services import board as board_service
from bot.services import coordinator_views, desk_auth
from bot.services.deps import Deps
from bot.texts import t

HERE = Path(__file__).parent
COOKIE = "vikarie_desk"
PRE_COOKIE = "vikarie_desk_login"  # the login forms' CSRF (double submit)
BOARD_DAYS = 8  # today and the next 7
LIVE_EVERY = 1.0  # seconds between two looks at the board for a live page
HEARTBEAT = 15.0  # seconds between keep-alive comments on the event stream
MAX_FORM_BYTES = 4096

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a login link never leaks through Referer
    "Cache-Control": "no-store",
}

def desk_routes(deps: Deps) -> list[BaseRoute]:
    """The /desk/ mount, or nothing when VIKARIE_PUBLIC_URL is not set."""
    if deps.settings.public_url is None:
        return []
    secure = deps.settings.public_url.startswith("https://")
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True), enable_async=False)
    env.globals["t"] = t

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                            secure=secure, path="/desk")

    async def form_of(request: Request) -> dict[str, str] | None:
        """A small url-encoded form, or None (wrong type, too big, not readable)."""
        kind = request.headers.get("Content-Type", "").partition(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            return None
        declared = request.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
            return None  # refused before reading it
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return None
        try:
            form = await request.form()
        except Exception:
            return None
        return {k: v for k, v in form.items() if isinstance(v, str)}

    def lang_of(request: Request) -> str:
        return "en" if request.query_params.get("lang") == "en" else "sv"

    def authed(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            me = await desk_auth.current(deps, request.cookies.get(COOKIE))
            if me is None:
                if request.method == "GET" and "text/event-stream" not in request.headers.get(
                        "Accept", ""):
                    return RedirectResponse("/desk/login", status_code=303)
                return Response(status_code=401)
            if request.method == "POST":
                form = await form_of(request)
                if form is None or not _same(form.get("csrf", ""), me.csrf):
                    return Response(status_code=403)
                request.state.form = form
            return await handler(request, me)
        return endpoint

    # ---------- login ----------
    async def login_page(request: Request) -> Response:
        pre = secrets.token_urlsafe(24)
        response = page("login.html", lang=lang_of(request), csrf=pre, step="phone")
        set_cookie(response, PRE_COOKIE, pre, 3600)
        return response

    def pre_checked(form: dict[str, str] | None, request: Request) -> bool:
        cookie = request.cookies.get(PRE_COOKIE)
        return form is not None and bool(cookie) and _same(form.get("csrf", ""), cookie or "")

    async def login_send(request: Request) -> Response:
        form = await form_of(request)
        if not pre_checked(form, request):
            return Response(status_code=403)
        assert form is not None
        phone = form.get("phone", "")[:40]
        address = request.client.host if request.client else "?"
        await desk_auth.request_code(deps, phone, address)
        return page("login.html", lang=lang_of(request), csrf=form["csrf"], step="code",
                    phone=phone)

    async def login_code(request: Request) -> Response:
        form = await form_of(request)
        if not pre_checked(form, request):
            return Response(status_code=403)
        assert form is not None
        session = await desk_auth.login_with_code(deps, form.get("phone", "")[:40],
                                                  form.get("code", "")[:20])
        if session is None:
            return page("login.html", status=400, lang=lang_of(request), csrf=form["csrf"],
                        step="code", phone=form.get("phone", "")[:40], failed=True)
        return started(session)

    async def login_link(request: Request) -> Response:
        """The link only shows a button: a GET changes nothing, so a link preview or a mail
        scanner fetching it neither uses it up nor logs itself in."""
        pre = secrets.token_urlsafe(24)
        response = page("login.html", lang=lang_of(request), csrf=pre, step="link",
                        token=request.path_params["token"][:200])
        set_cookie(response, PRE_COOKIE, pre, 3600)
        return response

    async def login_link_use(request: Request) -> Response:
        form = await form_of(request)
        if not pre_checked(form, request):
            return Response(status_code=403)
        assert form is not None
        session = await desk_auth.login_with_link(deps, form.get("token", ""))
        if session is None:
            return page("login.html", status=400, lang=lang_of(request), csrf=form["csrf"],
                        step="phone", link_failed=True)
        return started(session)

    def started(session: desk_auth.NewSession) -> Response:
        response = RedirectResponse("/desk/", status_code=303, headers=SECURITY_HEADERS)
        set_cookie(response, COOKIE, session.token,
                   int(deps.settings.desk_session_hours * 3600))
        response.delete_cookie(PRE_COOKIE, path="/desk")
        return response

    async def logout(request: Request, me: desk_auth.Current) -> Response:
        await desk_auth.logout(deps, request.cookies.get(COOKIE))
        response = RedirectResponse("/desk/login", status_code=303)
        response.delete_cookie(COOKIE, path="/desk")
        return response

    # ---------- the board ----------
    async def board_context(me: desk_auth.Current) -> dict[str, Any]:
        lang = me.person.language
        units = await coordinator_views.units_of(deps, me.person)
        today = deps.now().astimezone(deps.tz).date()
        _, rows = await board_service.board_rows(deps, today, [u.id for u in units],
                                                 days=BOARD_DAYS)
        days = board_days(rows, {u.id: u for u in units}, today, deps.tz, lang, deps.now())
        return {"lang": lang, "me": me.person, "csrf": me.csrf, "days": days,
                "units": ", ".join(u.name for u in units)}

    async def board(request: Request, me: desk_auth.Current) -> Response:
        return page("board.html", **await board_context(me))

    async def events(request: Request, me: desk_auth.Current) -> Response:
        """The board again whenever it changes (SSE event `board`, an HTML fragment)."""

        async def stream() -> AsyncIterator[str]:
            last, quiet = "", 0.0
            while not await request.is_disconnected():
                # Who they are now: a unit taken from them leaves the board at once.
                now_me = await desk_auth.current(deps, request.cookies.get(COOKIE))
                if now_me is None:
                    yield "event: logout\ndata: \n\n"
                    return
                html = env.get_template("_board.html").render(**await board_context(now_me))
                digest = hashlib.sha256(html.encode()).hexdigest()
                if digest != last:
                    last, quiet = digest, 0.0
                    data = "".join(f"data: {line}\n" for line in html.splitlines())
                    yield f"event: board\n{data}\n"
                elif quiet >= HEARTBEAT:
                    quiet = 0.0
                    yield ": alive\n\n"
                await asyncio.sleep(LIVE_EVERY)
                quiet += LIVE_EVERY

        headers = {**SECURITY_HEADERS, "X-Accel-Buffering": "no"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    routes: list[BaseRoute] = [
        Route("/", authed(board)),
        Route("/events", authed(events)),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_send, methods=["POST"]),
        Route("/login/code", login_code, methods=["POST"]),
        Route("/login/link", login_link_use, methods=["POST"]),
        Route("/login/{token}", login_link, methods=["GET"]),
        Route("/logout", authed(logout), methods=["POST"]),
        *vacancy.routes(kit := Kit(deps, page, authed)),
        *report.routes(kit),
        *intro.routes(kit),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="desk-static"),
    ]
    return [Mount("/desk", routes=routes)]


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))
