"""Logging in to the coordinators' desk without passwords.

A coordinator or admin asks with their phone number; a one-time code (and a link) goes to
them through their own linked channel, the outbox as every message. Nothing tells the asker
whether the number belongs to anyone. `vikariebot desk-link PERSON_ID` makes a link for the
first admin and for tests. Codes, links and session cookies are stored only as sha256
hashes; a code is bound to its person and stops working after MAX_FAILED_CODES wrong tries.
Room for SSO later: a session is just (person, csrf, expiry); another way in only has to
end in `_open_session`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import desk_auth as rules
from bot.domain.delivery import channel_for
from bot.domain.model import Person
from bot.domain.outgoing import OutMessage
from bot.domain.phone import InvalidPhoneNumber, normalise_phone
from bot.services.deps import Deps, send_to_person
from bot.texts import t
from storage import audit, desk, kv
from storage import people as people_repo

FAILED_KEY = "desk_failed:"  # kv: wrong codes per person, "<count> <first iso time>"


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str  # the cookie's value; only its hash is stored
    person: Person


@dataclass(frozen=True, slots=True)
class Current:
    person: Person
    csrf: str


def address_hash(deps: Deps, address: str) -> str:
    """A keyed hash of the asker's address (throttling without storing addresses)."""
    key = deps.settings.webhook_secret or deps.settings.board_token
    secret = key.get_secret_value().encode() if key else b"vikariebot-desk"
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()


def login_url(deps: Deps, token: str) -> str:
    base = (deps.settings.public_url or f"http://127.0.0.1:{deps.settings.http_port}")
    return f"{base.rstrip('/')}/desk/login/{token}"


async def request_code(deps: Deps, phone: str, address: str) -> None:
    """Send a one-time code and link to the coordinator or admin with this number, if there
    is one, it may use the desk, it is reachable and not throttled. Says nothing either way.
    Every request is counted against the asker's address, known number or not."""
    now, since = deps.now(), deps.now() - rules.THROTTLE_WINDOW
    where = address_hash(deps, address)
    try:
        e164: str | None = normalise_phone(phone)
    except InvalidPhoneNumber:
        e164 = None
    async with deps.db.write() as conn:
        if await desk.logins_since(conn, since, "ask", address_hash=where) >= (
                rules.MAX_REQUESTS_PER_ADDRESS):
            return  # a flood from one address: not even an audit row each
        person = await people_repo.person_by_phone(conn, e164) if e164 else None
        known = person is not None and rules.may_use_desk(person) and (
            channel_for(person) is not None)
        await desk.add_login(conn, rules.secret_hash(secrets.token_hex(16)),
                             person.id if known and person else None, "ask", where, now, now)
        if person is None or not known:
            return
        await people_repo.lock_person(conn, person.id)  # counts below stay true across workers
        window = await desk.logins_since(conn, since, "code", person_id=person.id)
        today = await desk.logins_since(conn, now - dt.timedelta(days=1), "code",
                                        person_id=person.id)
        if not rules.may_send_code(window, today):
            await audit.record(conn, now, person.id, "desk_login_throttled", "person", person.id,
                               "web")
            return
        code = f"{secrets.randbelow(10**rules.CODE_DIGITS):0{rules.CODE_DIGITS}d}"
        token = secrets.token_urlsafe(32)
        expires = now + rules.LOGIN_VALID
        await desk.add_login(conn, rules.secret_hash(person.id, code), person.id, "code",
                             where, now, expires)
        await desk.add_login(conn, rules.secret_hash(token), person.id, "link", where, now,
                             expires)
        lang, shown = person.language, rules.format_code(code)
        text = t("desk_login", lang, code=shown, url=login_url(deps, token))
        msg = OutMessage("desk_login", text, t("desk_login_sms", lang, code=shown))
        await send_to_person(conn, person, msg, now)
        await audit.record(conn, now, person.id, "desk_login_sent", "person", person.id, "web")
    deps.kick()


async def create_link(deps: Deps, person_id: str) -> str | None:
    """A one-time login URL for a coordinator or admin (the CLI); None for anyone else."""
    now = deps.now()
    async with deps.db.write() as conn:
        person = await people_repo.get_person(conn, person_id)
        if person is None or not rules.may_use_desk(person):
            return None
        token = secrets.token_urlsafe(32)
        await desk.add_login(conn, rules.secret_hash(token), person.id, "link", None, now,
                             now + rules.LOGIN_VALID)
        await audit.record(conn, now, "cli", "desk_link_created", "person", person.id, "cli")
    return login_url(deps, token)


async def login_with_link(deps: Deps, token: str) -> NewSession | None:
    if not token or len(token) > 200:
        return None
    async with deps.db.write() as conn:
        person_id = await desk.use_login(conn, rules.secret_hash(token), "link", deps.now())
        return await _open_session(deps, conn, person_id, "link")


async def login_with_code(deps: Deps, phone: str, code: str) -> NewSession | None:
    digits = "".join(c for c in code if c.isdigit())
    try:
        e164 = normalise_phone(phone)
    except InvalidPhoneNumber:
        return None
    now = deps.now()
    async with deps.db.write() as conn:
        person = await people_repo.person_by_phone(conn, e164)
        if person is None or len(digits) != rules.CODE_DIGITS:
            return None
        # One guess at a time per person, on every worker: the count below cannot be
        # outrun by guesses sent side by side.
        await people_repo.lock_person(conn, person.id)
        failed_key = FAILED_KEY + person.id
        count, first = _failures(await kv.get(conn, failed_key), now)
        if count >= rules.MAX_FAILED_CODES:
            return None
        person_id = await desk.use_login(conn, rules.secret_hash(person.id, digits), "code",
                                         now, person_id=person.id)
        if person_id is None:
            await kv.put(conn, failed_key, f"{count + 1} {first.isoformat()}")
            if count + 1 >= rules.MAX_FAILED_CODES:
                await desk.burn_codes(conn, person.id, now)  # a new code is needed now
            return None
        return await _open_session(deps, conn, person_id, "code")


def _failures(value: str | None, now: dt.datetime) -> tuple[int, dt.datetime]:
    if value:
        count, _, first = value.partition(" ")
        since = dt.datetime.fromisoformat(first)
        if since > now - rules.THROTTLE_WINDOW:
            return int(count), since
    return 0, now


async def _open_session(
    deps: Deps, conn: AsyncConnection, person_id: str | None, how: str
) -> NewSession | None:
    if person_id is None:
        return None
    person = await people_repo.get_person(conn, person_id)
    if person is None or not rules.may_use_desk(person):
        return None
    now = deps.now()
    token = secrets.token_urlsafe(32)
    hours = dt.timedelta(hours=deps.settings.desk_session_hours)
    await desk.add_session(conn, rules.secret_hash(token), person.id, secrets.token_urlsafe(32),
                           now, now + hours)
    await desk.purge(conn, now)
    await audit.record(conn, now, person.id, "desk_login", "person", person.id, "web", how=how)
    return NewSession(token, person)


async def current(deps: Deps, token: str | None) -> Current | None:
    """The person behind a session cookie, while they may still use the desk."""
    if not token or len(token) > 200:
        return None
    async with deps.db.read() as conn:
        found = await desk.session(conn, rules.secret_hash(token), deps.now())
        if found is None:
            return None
        person = await people_repo.get_person(conn, found[0])
    if person is None or not rules.may_use_desk(person):
        return None
    return Current(person, found[1])


async def logout(deps: Deps, token: str | None) -> None:
    if token and len(token) <= 200:
        async with deps.db.write() as conn:
            await desk.end_session(conn, rules.secret_hash(token))
