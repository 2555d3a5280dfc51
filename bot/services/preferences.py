"""How a person wants to be reached: channel, language, SMS opt-out. One use case each,
called alike by Telegram (/kanal, /sprak) and the SMS conversation (KANAL, STOPP, START).

Every change is recorded in the audit log with the channel it came through.
"""

from __future__ import annotations

import enum

from bot.domain.intents import SetChannel, SetLanguage
from bot.domain.model import Channel, Person
from bot.i18n import LANGUAGES
from bot.services.deps import Deps
from storage import audit
from storage import people as people_repo


class PreferenceError(LookupError):
    """The person does not exist."""


class ChannelOutcome(enum.StrEnum):
    SET = "set"
    NOT_SAID = "not_said"  # "KANAL" without a choice: the channel shows help
    NO_PHONE = "no_phone"  # SMS wanted, but no number on record
    NO_TELEGRAM = "no_telegram"  # Telegram wanted, but no chat linked


async def choose_channel(
    deps: Deps, person: Person, intent: SetChannel, via: str
) -> ChannelOutcome:
    """Telegram, SMS or both, from any channel.

    Decision (one rule for both channels): SMS or both needs a phone number on record;
    Telegram alone needs a linked chat (both still reaches the person by SMS). Choosing
    SMS or both, through any channel, means the person wants SMS: it clears
    `sms_opted_out` (an earlier STOPP) as a START would.
    """
    channel = intent.channel
    if channel is None:
        return ChannelOutcome.NOT_SAID
    async with deps.db.write() as conn:
        current = await people_repo.get_person(conn, person.id)
        if current is None:
            raise PreferenceError(person.id)
        if channel in (Channel.SMS, Channel.BOTH) and current.phone is None:
            return ChannelOutcome.NO_PHONE
        if channel is Channel.TELEGRAM and current.telegram_chat_id is None:
            return ChannelOutcome.NO_TELEGRAM
        values: dict[str, object] = {"channel": channel.value}
        if channel is not Channel.TELEGRAM:
            values["sms_opted_out"] = False  # asking for SMS is asking for SMS
        await people_repo.update_person(conn, person.id, **values)
        await audit.record(
            conn, deps.now(), person.id, "channel_set", "person", person.id, via, changes=values
        )
    return ChannelOutcome.SET


def next_language(current: str) -> str:
    """/sprak alone: Swedish and English toggle; from any other language, back to Swedish."""
    return "en" if current == "sv" else "sv"


async def set_language(deps: Deps, person: Person, intent: SetLanguage, via: str) -> Person:
    """The person's language; an unknown or missing one means the next (/sprak alone)."""
    language = intent.language
    if language not in LANGUAGES:
        language = next_language(person.language)
    values = {"language": language}
    async with deps.db.write() as conn:
        if await people_repo.get_person(conn, person.id) is None:
            raise PreferenceError(person.id)
        await people_repo.update_person(conn, person.id, **values)
        await audit.record(
            conn, deps.now(), person.id, "language_set", "person", person.id, via, changes=values
        )
        updated = await people_repo.get_person(conn, person.id)
    assert updated is not None
    return updated


async def set_sms_opt_out(deps: Deps, person: Person, opted_out: bool, via: str = "sms") -> bool:
    """STOPP / START (and a bare YES, Twilio's opt-in). Returns whether anything changed."""
    async with deps.db.write() as conn:
        current = await people_repo.get_person(conn, person.id)
        if current is None or current.sms_opted_out == opted_out:
            return False
        await people_repo.update_person(conn, person.id, sms_opted_out=opted_out)
        await audit.record(
            conn,
            deps.now(),
            person.id,
            "sms_opted_out" if opted_out else "sms_opted_in",
            "person",
            person.id,
            via,
        )
    return True
