"""`vikariebot demo --interactive`: a local page with one phone per person.

Each pane talks to the real bot through the local servers: Telegram panes type into and press
buttons of the local Bot API server, SMS panes send signed inbound SMS through the local
Twilio server. The clock stands still until you move it ("+5 min"); the tick job runs.
Beside the phones, /desk opens the coordinators' desk (skrivbordet) on the bot's own address,
logged in as the demo's coordinator.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.asgi import LocalAsgiServer
from bot.demo.stage import Stage
from bot.services import desk_auth

PAGE = Path(__file__).parent / "static" / "index.html"
FEATURED = ("anst03", "vik06", "vik03", "vik11", "sam-norr", "anst01")
DESK_COORDINATOR = "sam-norr"  # whose desk the demo page opens


def _role(stage: Stage, person_id: str) -> str:
    return stage.label(person_id).rsplit("(", 1)[-1].rstrip(")")


def build_app(stage: Stage) -> Starlette:
    sms_inbox: dict[str, list[dict[str, Any]]] = {}

    def chat(person_id: str) -> list[dict[str, Any]]:
        person = stage.people[person_id]
        if stage.uses_telegram(person_id):
            uid = stage.user_ids[person_id]
            out = []
            for m in stage.telegram.messages(uid, include_user=True):
                if m.deleted:
                    continue
                text = m.text or ("📱 Kontakt delad" if "contact" in m.extra else "")
                buttons = (
                    [
                        {
                            "text": str(b.get("text", "")),
                            "data": str(b.get("callback_data", "")),
                            "contact": bool(b.get("request_contact")),
                        }
                        for b in m.buttons
                    ]
                    if m.from_bot
                    else []
                )
                out.append(
                    {
                        "message_id": m.message_id,
                        "from_bot": m.from_bot,
                        "text": text,
                        "buttons": buttons,
                    }
                )
            return out
        sent = [
            {
                "at": s.date_created.timestamp(),
                "message_id": 0,
                "from_bot": True,
                "text": s.body,
                "buttons": [],
            }
            for s in stage.twilio.sent
            if s.to == person.phone
        ]
        merged = sorted(sent + sms_inbox.get(person_id, []), key=lambda m: m["at"])
        return [{k: v for k, v in m.items() if k != "at"} for m in merged]

    async def page(_: Request) -> Response:
        return FileResponse(PAGE)

    async def people(_: Request) -> Response:
        order = {pid: i for i, pid in enumerate(FEATURED)}
        rows = sorted(stage.people.values(), key=lambda p: (order.get(p.id, 99), p.name))
        return JSONResponse(
            [
                {
                    "id": p.id,
                    "name": p.name,
                    "role": _role(stage, p.id),
                    "featured": p.id in order,
                    "channel": "telegram" if stage.uses_telegram(p.id) else "sms",
                }
                for p in rows
                if stage.uses_telegram(p.id) or p.phone
            ]
        )

    async def state(request: Request) -> Response:
        wanted = [p for p in request.query_params.get("people", "").split(",") if p in stage.people]
        clock = stage.clock.now().astimezone(stage.settings.tz).strftime("%a %d/%m %H:%M")
        return JSONResponse({"clock": clock, "chats": {p: chat(p) for p in wanted}})

    async def send(request: Request) -> Response:
        body = await request.json()
        person_id, text = str(body.get("person", "")), str(body.get("text", "")).strip()
        if person_id not in stage.people or not text:
            return JSONResponse({"error": "okänd person eller tom text"}, status_code=400)
        if stage.uses_telegram(person_id):
            stage.act_telegram(person_id, text)
        else:
            sms_inbox.setdefault(person_id, []).append(
                {
                    "at": dt.datetime.now(dt.UTC).timestamp(),
                    "message_id": 0,
                    "from_bot": False,
                    "text": text,
                    "buttons": [],
                }
            )
            await stage.act_sms(person_id, text)
        await stage.settle(rounds=100)
        return JSONResponse({"ok": True})

    async def press(request: Request) -> Response:
        body = await request.json()
        person_id = str(body.get("person", ""))
        if not stage.uses_telegram(person_id):
            return JSONResponse({"error": "bara Telegram har knappar"}, status_code=400)
        uid = stage.user_ids[person_id]
        data = str(body.get("data") or "")
        try:
            if data:
                stage.telegram.user_presses_button(uid, int(body["message_id"]), data)
            elif body.get("contact"):
                phone = stage.people[person_id].phone or ""
                stage.telegram.user_shares_contact(uid, phone.lstrip("+"))
            else:  # a reply-keyboard button sends its label as text
                stage.act_telegram(person_id, str(body.get("text", "")))
        except (ValueError, KeyError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        await stage.settle(rounds=100)
        return JSONResponse({"ok": True})

    async def desk(_: Request) -> Response:
        """To the desk, logged in: a fresh one-time link on every visit (a link works once,
        so one made at start would fail on the second tab)."""
        url = await desk_auth.create_link(stage.deps, DESK_COORDINATOR)
        if url is None:
            return JSONResponse({"error": "skrivbordet är av (ingen publik adress)"},
                                status_code=404)
        return RedirectResponse(url, status_code=303)

    async def clock(request: Request) -> Response:
        body = await request.json()
        minutes = max(1, min(240, int(body.get("minutes", 5))))
        stage.clock.advance(dt.timedelta(minutes=minutes))
        await stage.bot.tick()
        await stage.settle(rounds=100)
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/", page),
            Route("/desk", desk),
            Route("/api/people", people),
            Route("/api/state", state),
            Route("/api/send", send, methods=["POST"]),
            Route("/api/press", press, methods=["POST"]),
            Route("/api/clock", clock, methods=["POST"]),
        ]
    )


async def serve(stage: Stage, port: int | None = None) -> int:
    port = port or int(os.environ.get("VIKARIE_DEMO_PORT", "8765"))
    server = LocalAsgiServer(build_app(stage), "127.0.0.1", port)
    await server.start()
    print(f"\nÖppna http://127.0.0.1:{server.port}/ i webbläsaren (samordnarens skrivbord: "
          f"http://127.0.0.1:{server.port}/desk). Avsluta med Ctrl+C.")
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()
    return 0
