"""Linking a Telegram account to a person on the roster (koppla konto).

Two ways in: the person shares their own phone number, which is matched to the roster
(people.phone), or opens a one-time invitation a coordinator made (/inbjud <id>).
A failed attempt tells the caller nothing about the roster: the outcome only.
Once linked, the person's other open invitations are revoked; a Telegram account that a new
one replaces is told (through the outbox) that it is no longer linked.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.model import Person, Role
from bot.domain.outgoing import OutMessage
from bot.domain.phone import InvalidPhoneNumber, mask_phone, normalise_phone
from bot.services.deps import Deps
from bot.texts import t
from storage import audit, invites, outbox, vacancies
from storage import people as people_repo

INVITE_TTL = dt.timedelta(days=7)
# Telegram deep-link payloads allow A-Z a-z 0-9 _ - (at most 64); token_urlsafe uses exactly these.
INVITE_BYTES = 9  # 12 characters


class LinkOutcome(enum.StrEnum):
    LINKED = "linked"
    UNKNOWN = "unknown"  # no active person with that number (or an invalid number)
    BAD_CODE = "bad_code"  # unknown, used or expired invitation


@dataclass(frozen=True, slots=True)
class LinkResult:
    outcome: LinkOutcome
    person: Person | None = None


class InviteOutcome(enum.StrEnum):
    CREATED = "created"
    NOT_IN_SCOPE = "not_in_scope"  # unknown person, or not at the coordinator's units


@dataclass(frozen=True, slots=True)
class InviteResult:
    outcome: InviteOutcome
    code: str | None = None
    person: Person | None = None
    expires_at: dt.datetime | None = None


async def link_by_phone(
    deps: Deps, raw_phone: str, telegram_user_id: int, chat_id: int
) -> LinkResult:
    """Match a shared number (with or without '+') to an active person and link them."""
    try:
        e164 = normalise_phone(raw_phone)
    except InvalidPhoneNumber:
        return LinkResult(LinkOutcome.UNKNOWN)
    now = deps.now()
    async with deps.db.write() as conn:
        person = await people_repo.person_by_phone(conn, e164)
        if person is None or not person.active:
            await audit.record(
                conn,
                now,
                audit.SYSTEM,
                "link_refused",
                "telegram",
                telegram_user_id,
                "telegram",
                phone=mask_phone(e164),
            )
            return LinkResult(LinkOutcome.UNKNOWN)
        linked = await _link(conn, now, person, telegram_user_id, chat_id, by="phone")
    deps.kick()
    return LinkResult(LinkOutcome.LINKED, linked)


async def _link(
    conn: AsyncConnection,
    now: dt.datetime,
    person: Person,
    telegram_user_id: int,
    chat_id: int,
    **how: object,
) -> Person | None:
    """Link the person's Telegram (recorded with `how`), revoke their other invitations, and
    tell the Telegram account this one replaces, through the outbox, that it is unlinked."""
    old_user, old_chat = person.telegram_user_id, person.telegram_chat_id
    await people_repo.link_telegram(conn, person.id, telegram_user_id, chat_id)
    await audit.record(
        conn, now, person.id, "telegram_linked", "person", person.id, "telegram", **how
    )
    revoked = await invites.revoke_open(conn, person.id, now)
    if revoked:
        await audit.record(
            conn, now, audit.SYSTEM, "invites_revoked", "person", person.id, "telegram",
            count=revoked,
        )
    if old_user is not None and old_user != telegram_user_id:
        # Message ids are per chat: the old chat's offer messages are not the new one's.
        await vacancies.forget_offer_messages(conn, person.id)
        if old_chat is not None:
            notice = OutMessage("telegram_unlinked", t("tg_unlinked", person.language))
            await outbox.enqueue(conn, notice, "telegram", now, chat_id=old_chat)
        await audit.record(
            conn, now, person.id, "telegram_unlinked", "person", person.id, "telegram",
            telegram_user_id=old_user, told=old_chat is not None,
        )
    return await people_repo.get_person(conn, person.id)


def may_manage(coordinator: Person, person: Person) -> bool:
    """A coordinator manages people of their own units: staff there, and substitutes
    introduced there. Coordinators and admins are invited by an admin only, so an invite
    can never hand someone else's elevated account to whoever opens the link."""
    if coordinator.has_role(Role.ADMIN):
        return True
    units = coordinator.units_for(Role.COORDINATOR)
    if not units or person.has_role(Role.COORDINATOR) or person.has_role(Role.ADMIN):
        return False
    their_units = {g.unit_id for g in person.roles if g.unit_id} | set(person.introduced_units)
    return bool(units & their_units)


async def create_invite(deps: Deps, by: Person, person_id: str) -> InviteResult:
    """A one-time code that links whoever opens it to `person_id` (valid INVITE_TTL)."""
    now = deps.now()
    async with deps.db.write() as conn:
        person = await people_repo.get_person(conn, person_id.strip())
        if person is None or not person.active or not may_manage(by, person):
            return InviteResult(InviteOutcome.NOT_IN_SCOPE)
        code = secrets.token_urlsafe(INVITE_BYTES)
        expires = now + INVITE_TTL
        await invites.create(conn, code, person.id, by.id, expires)
        await audit.record(
            conn,
            now,
            by.id,
            "invite_created",
            "person",
            person.id,
            "telegram",
            expires=expires.isoformat(),
        )
    return InviteResult(InviteOutcome.CREATED, code, person, expires)


async def redeem_invite(deps: Deps, code: str, telegram_user_id: int, chat_id: int) -> LinkResult:
    """Use an invitation once: marks it used and links the account, in one transaction."""
    now = deps.now()
    async with deps.db.write() as conn:
        invite = await invites.get(conn, code)
        if invite is None:
            return LinkResult(LinkOutcome.BAD_CODE)
        used = await invites.use(conn, code, now)
        person = await people_repo.get_person(conn, invite.person_id)
        if not used or person is None or not person.active:
            await audit.record(
                conn, now, audit.SYSTEM, "invite_refused", "person", invite.person_id, "telegram"
            )
            return LinkResult(LinkOutcome.BAD_CODE)
        linked = await _link(conn, now, person, telegram_user_id, chat_id,
                             by="invite", invited_by=invite.created_by)
    deps.kick()
    return LinkResult(LinkOutcome.LINKED, linked)
