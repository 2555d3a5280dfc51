"""A local server speaking the Telegram Bot API, for tests and the demo.

Point the real client at it: ``Application.builder().token(T).base_url(fake.base_url)``.
Like Telegram: the bot may only write to chats whose user wrote first (else 400 "chat not found"),
blocked users give 403, identical edits 400 "message is not modified", getUpdates while a webhook
is set 409. Unlike Telegram: webhooks may be plain http on any port; HTML is not rendered.
The users' side: ``user_*`` methods in Python, or POST /_control/{text,contact,button} (JSON).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import Any, NamedTuple, TypeVar

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.asgi import LocalAsgiServer
from bot.clock import Clock, SystemClock

JSON = dict[str, Any]
T = TypeVar("T")
_JSON_FIELDS = ("reply_markup", "allowed_updates", "commands", "scope", "entities",
                "caption_entities", "link_preview_options", "reply_parameters")
_TRUE = (True, "true", "True", "1")
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message")


class ApiError(Exception):
    """A Bot API error reply: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.body: JSON = {"ok": False, "error_code": code, "description": description}
        self.code = code
        if parameters:
            self.body["parameters"] = parameters


@dataclass
class SentMessage:
    """One message in a chat as it stands now: edits applied, ``deleted`` only flagged."""

    chat_id: int
    message_id: int
    date: int
    sender: JSON  # the Bot API "from" user
    chat: JSON
    text: str | None = None
    caption: str | None = None
    reply_markup: JSON | None = None  # as sent, reply keyboards too (Telegram echoes inline only)
    parse_mode: str | None = None
    extra: JSON = field(default_factory=dict)  # document, photo, contact, entities
    from_bot: bool = True
    deleted: bool = False
    pinned: bool = False
    edit_date: int | None = None
    history: list[str | None] = field(default_factory=list)  # earlier texts, oldest first
    at: float = 0.0  # when it arrived, in seconds since the epoch of the server's clock

    @property
    def buttons(self) -> list[JSON]:
        """Every button of the inline (or reply) keyboard, row by row."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [b if isinstance(b, dict) else {"text": b} for row in rows for b in row]

    def button_data(self, label: str) -> str:
        """callback_data of the inline button whose text contains ``label``."""
        found = [b["callback_data"] for b in self.buttons
                 if label in b.get("text", "") and "callback_data" in b]
        if not found:
            raise KeyError(f"no inline button {label!r} in {self.buttons!r}")
        return str(found[0])

    def to_api(self) -> JSON:
        msg = {"message_id": self.message_id, "from": self.sender, "chat": self.chat,
               "date": self.date, **self.extra}
        msg |= {k: v for k in ("text", "caption", "edit_date") if (v := getattr(self, k))}
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            msg["reply_markup"] = self.reply_markup
        return msg


class RecordedRequest(NamedTuple):
    method: str  # as the client spelled it, e.g. "sendMessage"
    params: JSON  # decoded; uploads become {file_name, mime_type, file_size}


class FakeTelegram:
    """The Bot API of one bot token, plus the users' side of every chat. Use it from the event
    loop it was started in. ``pending_updates``: queued for getUpdates or the webhook."""

    def __init__(self, token: str, host: str = "127.0.0.1", port: int = 0, *,
                 bot_username: str = "vikarie_test_bot", clock: Clock | None = None,
                 webhook_retry_delay: float = 0.2) -> None:
        self.token, self.webhook_retry_delay = token, webhook_retry_delay
        head = token.split(":", 1)[0]
        self.bot_user: JSON = {
            "id": int(head) if head.isdigit() else 1000, "is_bot": True, "first_name": "Vikariebot",
            "username": bot_username, "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.requests: list[RecordedRequest] = []
        self.callback_answers: list[JSON] = []  # answerCallbackQuery params
        self.throttled = 0  # sendMessage calls answered 429 (`rate_limit`)
        self.chat_actions: list[JSON] = []  # sendChatAction params
        self.commands: dict[str, list[JSON]] = {}  # key: JSON of [scope, language_code]
        self.webhook: JSON = {"url": ""}  # url, secret_token, last_error_message, ...
        self.pending_updates: list[JSON] = []
        self._clock = clock or SystemClock()
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._blocked: set[int] = set()
        self._history: dict[int, list[SentMessage]] = {}
        self._allowed: list[str] | None = None
        self._update_ids, self._ids = itertools.count(1), itertools.count(1)
        self._callbacks: dict[str, bool] = {}  # callback query id -> answered
        self._failures: dict[str, list[ApiError]] = {}
        self._throttle: tuple[float, int, random.Random] | None = None
        self._activity, self._closing = asyncio.Event(), False
        self._http: httpx.AsyncClient | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self.app = Starlette(routes=[
            Route("/bot{token}/{method}", self._api, methods=["GET", "POST"]),
            Route("/_control/chats", self._control),
            Route("/_control/chats/{chat_id}/messages", self._control),
            Route("/_control/{action}", self._control, methods=["POST"]),
        ], middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"],
                                  allow_headers=["*"])])
        self._server = LocalAsgiServer(self.app, host, port)

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    @property
    def base_url(self) -> str:
        """For ``.base_url(...)`` of PTB's builder; the port is known once started."""
        return f"{self.url}/bot"

    async def start(self) -> None:
        self._closing, self._http = False, httpx.AsyncClient(timeout=5.0)
        await self._server.start()
        self._webhook_task = asyncio.create_task(self._deliver_webhooks())

    async def stop(self) -> None:
        self._closing = True
        self._notify()  # ends pending long polls
        if self._webhook_task:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        await self._server.stop()
        if self._http:
            await self._http.aclose()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- what users do (each returns the Update) ----
    def user_sends_text(self, user_id: int, text: str, *, first_name: str | None = None,
                        chat_id: int | None = None) -> JSON:
        """A message in the user's private chat, or in group ``chat_id`` (< 0)."""
        cmd = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        extra = {"entities": cmd} if text.startswith("/") else {}
        return self._user_message(user_id, first_name, chat_id, text=text, extra=extra)

    def user_shares_contact(self, user_id: int, phone_number: str, *,
                            contact_user_id: int | None = None, include_user_id: bool = True,
                            first_name: str | None = None, chat_id: int | None = None) -> JSON:
        """A shared contact: by default the user's own (contact.user_id == user_id)."""
        contact = {"phone_number": phone_number,
                   "first_name": self._user(user_id, first_name)["first_name"]}
        if include_user_id:
            contact["user_id"] = contact_user_id or user_id
        return self._user_message(user_id, first_name, chat_id, extra={"contact": contact})

    def user_presses_button(self, user_id: int, message_id: int, data: str, *,
                            chat_id: int | None = None) -> JSON:
        """A press on an inline button of a visible bot message, else ValueError."""
        chat = user_id if chat_id is None else chat_id
        msg = next((m for m in self.messages(chat) if m.message_id == message_id), None)
        if msg is None or msg.deleted:
            raise ValueError(f"no visible bot message {message_id} in chat {chat}")
        if data not in [b.get("callback_data") for b in msg.buttons]:
            raise ValueError(f"message {message_id} has no button {data!r}: {msg.buttons!r}")
        query_id = str(4_000_000_000 + next(self._ids))
        self._callbacks[query_id] = False
        self._blocked.discard(user_id)
        return self._enqueue({"callback_query": {
            "id": query_id, "from": self._user(user_id, None), "message": msg.to_api(),
            "chat_instance": str(chat), "data": data}})

    def user_blocks_bot(self, user_id: int) -> None:
        """Sends to this user give 403 until the user writes again."""
        self._blocked.add(user_id)

    # ---- observation ----
    def messages(self, chat_id: int, *, include_user: bool = False) -> list[SentMessage]:
        """The bot's messages in the chat, oldest first, deleted ones included (flagged)."""
        return [m for m in self._history.get(chat_id, []) if include_user or m.from_bot]

    def last_message(self, chat_id: int) -> SentMessage | None:
        """The newest bot message in the chat that is not deleted."""
        return next((m for m in reversed(self.messages(chat_id)) if not m.deleted), None)

    def calls(self, method: str) -> list[JSON]:
        """Params of every request to ``method`` (any case), oldest first."""
        return [r.params for r in self.requests if r.method.lower() == method.lower()]

    async def wait_for(self, condition: Callable[[], T | None], timeout: float = 5.0) -> T:  # noqa: ASYNC109
        """Wait until ``condition()`` is truthy; it is re-checked after every request/update."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    event = self._activity
                    if result := condition():
                        return result
                    await event.wait()
        except TimeoutError:
            raise TimeoutError(f"condition not met within {timeout}s") from None

    async def wait_for_message(self, chat_id: int,
                               predicate: Callable[[SentMessage], bool] | str | None = None,
                               timeout: float = 5.0) -> SentMessage:  # noqa: ASYNC109
        """The oldest visible bot message in the chat that matches ``predicate`` (a callable or
        a substring of text/caption) as it stands now; waits until there is one."""
        def match(m: SentMessage) -> bool:
            if isinstance(predicate, str):
                return predicate in (m.text or m.caption or "")
            return predicate is None or predicate(m)

        try:
            return await self.wait_for(lambda: next(
                (m for m in self.messages(chat_id) if not m.deleted and match(m)), None), timeout)
        except TimeoutError:
            seen = [(m.message_id, m.text or m.caption) for m in self.messages(chat_id)]
            raise TimeoutError(f"no message matching {predicate!r} in chat {chat_id} within "
                               f"{timeout}s; the bot's messages: {seen!r}") from None

    # ---- fault injection ----
    def fail_next(self, method: str, *, status: int = 429, retry_after: int = 1, count: int = 1,
                  description: str | None = None) -> None:
        """The next ``count`` calls of ``method`` fail: 429 with retry_after, or ``status``."""
        error = (ApiError(429, description or f"Too Many Requests: retry after {retry_after}",
                          {"retry_after": retry_after}) if status == 429
                 else ApiError(status, description or HTTPStatus(status).phrase))
        self._failures.setdefault(method.lower(), []).extend([error] * count)

    def rate_limit(self, fraction: float, *, retry_after: int = 1, seed: int = 1) -> None:
        """From now on answer about ``fraction`` of sendMessage calls with 429 and
        ``retry_after`` (drawn from a seeded generator), as Telegram does under load; 0 stops."""
        rng = random.Random(seed)  # noqa: S311 - a reproducible test double, not a secret
        self._throttle = (fraction, retry_after, rng) if fraction > 0 else None

    def _throttled(self, method: str) -> ApiError | None:
        if self._throttle is None or method != "sendmessage":
            return None
        fraction, retry_after, rng = self._throttle
        if rng.random() >= fraction:
            return None
        self.throttled += 1
        return ApiError(429, f"Too Many Requests: retry after {retry_after}",
                        {"retry_after": retry_after})

    # ---- internals ----
    def _notify(self) -> None:
        self._activity.set()
        self._activity = asyncio.Event()

    def _now(self) -> int:
        return int(self._clock.now().timestamp())

    def _user(self, user_id: int, first_name: str | None) -> JSON:
        user = self._users.setdefault(user_id, {"id": user_id, "is_bot": False,
                                                "first_name": "Anna", "language_code": "sv"})
        user["first_name"] = first_name or user["first_name"]
        return user

    def _user_message(self, user_id: int, first_name: str | None, chat_id: int | None,
                      **content: Any) -> JSON:
        user, cid = self._user(user_id, first_name), user_id if chat_id is None else chat_id
        chat = self._chats.setdefault(cid, {"id": cid, "type": "private"} if cid > 0 else {
            "id": cid, "type": "supergroup", "title": f"Grupp {cid}"})
        if cid == user_id:
            chat["first_name"] = user["first_name"]
        self._blocked.discard(user_id)
        return self._enqueue({"message": self._add(chat, user, from_bot=False, **content).to_api()})

    def _add(self, chat: JSON, sender: JSON, **fields: Any) -> SentMessage:
        history = self._history.setdefault(chat["id"], [])
        history.append(SentMessage(chat["id"], len(history) + 1, self._now(), sender, chat,
                                   at=self._clock.now().timestamp(), **fields))
        self._notify()
        return history[-1]

    def _enqueue(self, payload: JSON) -> JSON:
        update = {"update_id": next(self._update_ids), **payload}
        if self._allowed is None or next(iter(payload)) in self._allowed:
            self.pending_updates.append(update)
        self._notify()
        return update

    async def _deliver_webhooks(self) -> None:
        assert self._http is not None
        while True:
            event, url = self._activity, self.webhook["url"]
            secret = self.webhook.get("secret_token")
            if not url or not self.pending_updates:
                await event.wait()
                continue
            update = self.pending_updates[0]
            try:
                r = await self._http.post(url, json=update, headers={
                    "X-Telegram-Bot-Api-Secret-Token": secret} if secret else {})
                error = None if r.is_success else f"Wrong response: {r.status_code}"
            except httpx.HTTPError as exc:
                error = f"Connection failed: {exc!r}"
            if error is None:
                if self.pending_updates and self.pending_updates[0] is update:
                    self.pending_updates.pop(0)
                self._notify()
            else:
                self.webhook |= {"last_error_message": error, "last_error_date": self._now()}
                await asyncio.sleep(self.webhook_retry_delay)

    async def _api(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse(ApiError(401, "Unauthorized").body, 401)
        name = request.path_params["method"]
        try:
            params = await _read_params(request)
            self.requests.append(RecordedRequest(name, params))
            self._notify()
            if failures := self._failures.get(name.lower()):
                raise failures.pop(0)
            if throttled := self._throttled(name.lower()):
                raise throttled
            result = await self._call(name.lower(), params)
        except ApiError as err:
            return JSONResponse(err.body, err.code)
        finally:
            self._notify()
        return JSONResponse({"ok": True, "result": result})

    async def _call(self, method: str, p: JSON) -> Any:
        match method:
            case "getme":
                return self.bot_user
            case "getupdates":
                return await self._get_updates(p)
            case "setwebhook" | "deletewebhook":
                keep = ("url", "secret_token", "max_connections") if method == "setwebhook" else ()
                self.webhook = {"url": ""} | {k: p[k] for k in keep if p.get(k)}
                if p.get("allowed_updates") is not None:
                    self._allowed = p["allowed_updates"] or None
                if p.get("drop_pending_updates") in _TRUE:
                    self.pending_updates.clear()
                return True
            case "getwebhookinfo":
                return {k: v for k, v in self.webhook.items() if k != "secret_token"} | {
                    "has_custom_certificate": False,
                    "pending_update_count": len(self.pending_updates)}
            case "sendmessage":
                return self._send(p, text=_text(p.get("text")))
            case "senddocument" | "sendphoto":
                kind, n = method.removeprefix("send"), next(self._ids)
                if not (given := p.get(kind)):
                    raise ApiError(400, f"Bad Request: there is no {kind} in the request")
                info = {"file_id": f"{kind}-{n}", "file_unique_id": f"u{n}"} | (
                    given if isinstance(given, dict) else {"file_name": str(given)})
                file = [info | {"width": 640, "height": 480}] if kind == "photo" else info
                return self._send(p, caption=p.get("caption"), extra={kind: file})
            case "editmessagetext" | "editmessagereplymarkup":
                msg, markup = self._find(p, "message to edit not found"), _markup(p)
                text = _text(p.get("text")) if method == "editmessagetext" else msg.text
                if not msg.from_bot:
                    raise ApiError(400, "Bad Request: message can't be edited")
                if (text, markup) == (msg.text, msg.reply_markup):
                    raise ApiError(400, NOT_MODIFIED)
                if text != msg.text:
                    msg.history.append(msg.text)
                    msg.parse_mode = p.get("parse_mode")
                msg.text, msg.reply_markup, msg.edit_date = text, markup, self._now()
                return msg.to_api()
            case "answercallbackquery":
                if self._callbacks.get(qid := str(p.get("callback_query_id"))) is not False:
                    raise ApiError(400, "Bad Request: query is too old and response timeout "
                                        "expired or query ID is invalid")
                self._callbacks[qid] = True
                self.callback_answers.append(p | {"show_alert": p.get("show_alert") in _TRUE})
                return True
            case "deletemessage":
                self._find(p, "message to delete not found").deleted = True
                return True
            case "pinchatmessage":
                self._find(p, "message to pin not found").pinned = True
                return True
            case "setmycommands":
                self.commands[_commands_key(p)] = list(p.get("commands") or [])
                return True
            case "getmycommands":
                return self.commands.get(_commands_key(p), [])
            case "sendchataction":
                self.chat_actions.append(p | {"chat_id": self._chat(p)["id"]})
                return True
        raise ApiError(404, "Not Found")

    async def _get_updates(self, p: JSON) -> list[JSON]:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset, limit = int(p.get("offset") or 0), min(max(int(p.get("limit") or 100), 1), 100)
        if p.get("allowed_updates") is not None:
            self._allowed = p["allowed_updates"] or None
        if offset:  # confirms every update before offset; -N keeps the last N
            self.pending_updates[:] = (
                self.pending_updates[offset:] if offset < 0 else
                [u for u in self.pending_updates if u["update_id"] >= offset])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(p.get("timeout") or 0)
        while not self.pending_updates and not self._closing and loop.time() < deadline:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._activity.wait(), deadline - loop.time())
        return self.pending_updates[:limit]

    def _chat(self, p: JSON) -> JSON:
        raw = str(p.get("chat_id", ""))
        chat_id = int(raw) if raw.lstrip("-").isdigit() else 0
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self._chats:
            raise ApiError(400, f"Bad Request: {'chat not found' if raw else 'chat_id is empty'}")
        return self._chats[chat_id]

    def _find(self, p: JSON, missing: str) -> SentMessage:
        for msg in self._history.get(self._chat(p)["id"], []):
            if str(msg.message_id) == str(p.get("message_id")) and not msg.deleted:
                return msg
        raise ApiError(400, f"Bad Request: {missing}")

    def _send(self, p: JSON, **content: Any) -> JSON:
        sender = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        return self._add(self._chat(p), sender, reply_markup=_markup(p),
                         parse_mode=p.get("parse_mode"), **content).to_api()

    async def _control(self, request: Request) -> JSONResponse:
        """POST /_control/{text,contact,button}: the user_* method's keyword arguments as JSON;
        GET /_control/chats and /_control/chats/{chat_id}/messages (user messages included)."""
        if request.method == "GET" and "chat_id" in request.path_params:
            msgs = self.messages(int(request.path_params["chat_id"]), include_user=True)
            return JSONResponse({"ok": True, "result": [asdict(m) for m in msgs]})
        if request.method == "GET":
            return JSONResponse({"ok": True, "result": [c | {"message_count": len(
                self._history.get(c["id"], []))} for c in self._chats.values()]})
        actions: dict[str, Callable[..., JSON]] = {"text": self.user_sends_text,
            "contact": self.user_shares_contact, "button": self.user_presses_button}
        try:
            result = actions[request.path_params["action"]](**await request.json())
        except (KeyError, TypeError, ValueError) as exc:
            return JSONResponse({"ok": False, "description": f"bad request: {exc!r}"}, 400)
        return JSONResponse({"ok": True, "result": result})


async def _read_params(request: Request) -> JSON:
    """Query string plus a JSON, form-encoded or multipart body; JSON-valued fields parsed."""
    params: JSON = dict(request.query_params)
    if request.headers.get("content-type", "").startswith("application/json"):
        params.update(json.loads(await request.body() or b"{}"))
    elif request.method == "POST":
        async with request.form() as form:
            for key, value in form.multi_items():
                params[key] = value if isinstance(value, str) else {
                    "file_name": value.filename, "mime_type": value.content_type,
                    "file_size": len(await value.read())}
    for key in _JSON_FIELDS:
        if isinstance(params.get(key), str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
    return params


def _markup(p: JSON) -> JSON | None:
    for row in (p.get("reply_markup") or {}).get("inline_keyboard", []):
        if any(not 1 <= len(str(b.get("callback_data", "x")).encode()) <= 64 for b in row):
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return p.get("reply_markup") or None


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    if not text.strip() or len(text) > 4096:
        raise ApiError(400, "Bad Request: message is too long" if text.strip() else
                            "Bad Request: message text is empty")
    return text


def _commands_key(p: JSON) -> str:
    scope = p.get("scope") or {"type": "default"}
    return json.dumps([scope, p.get("language_code") or ""], sort_keys=True)
