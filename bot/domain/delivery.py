"""Which channel a message goes out on, and what happens when it cannot be delivered.

Pure: a person and a message in, a decision out. The services do the I/O (enqueue on the
other channel, answer the offer); the dispatcher and Twilio's delivery reports both ask
here, so a failed send and a failed delivery are decided the same way.

Channels are the outbox's channel names, "telegram" and "sms".
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.domain.model import OfferState, Person
from bot.domain.outgoing import OutMessage

TELEGRAM = "telegram"
SMS = "sms"

# Twilio error codes (https://www.twilio.com/docs/api/errors), in one place with one meaning
# each. They arrive in two ways: as the API's answer when we send, and in a delivery report.
OPTED_OUT = 21610  # the recipient sent STOP (or similar) to our number
# The number itself is wrong: invalid 'To', not a mobile number (refused when we send) ...
REFUSED_NUMBER = frozenset({21211, 21614})
# ... and, in a delivery report, also unknown or a landline (30005, 30006). The coordinator
# is told about any of these.
WRONG_NUMBER = REFUSED_NUMBER | frozenset({30005, 30006})


def channel_for(person: Person) -> str | None:
    """The first channel to try: Telegram when linked (and wanted), else SMS."""
    if person.reachable_by_telegram:
        return TELEGRAM
    if person.reachable_by_sms:
        return SMS
    return None


def route(person: Person, msg: OutMessage) -> str | None:
    """The channel `msg` goes out on to `person`, or None when it is not sent at all:
    the person is unreachable, or only SMS is left and the message has no SMS form."""
    channel = channel_for(person)
    if channel == SMS and msg.sms is None:
        return None  # this message is only worth sending on Telegram
    return channel


def offer_closed(state: OfferState | None) -> bool:
    """An offer no longer open (filled, withdrawn, gone) is not delivered late: an offer
    for a shift that is gone would only confuse; the follow-up says what happened."""
    return state is not OfferState.OPEN


# --- after a failed send or an undelivered SMS ---


@dataclass(frozen=True, slots=True)
class FallBack:
    """Send the message again on the person's other channel."""

    channel: str
    message: OutMessage


@dataclass(frozen=True, slots=True)
class CountAsUnreachable:
    """No other way to reach the person about this offer: it closes as `unreachable` (a
    silent "no" in the tallies, never the person's own), so the call-out moves on."""


@dataclass(frozen=True, slots=True)
class GiveUp:
    """Nothing more to do: the failure stays on the outbox row."""


AfterFailure = FallBack | CountAsUnreachable | GiveUp


def other_channel(channel: str) -> str:
    return SMS if channel == TELEGRAM else TELEGRAM


def after_failure(
    failed: str, person: Person | None, msg: OutMessage, *, about_offer: bool
) -> AfterFailure:
    """What to do when `msg` could not reach `person` on the `failed` channel.

    The other channel counts when the person can be reached there at all (a phone not
    opted out; a linked Telegram chat), whatever their preferred channel: a message that
    failed is better late on the other one. SMS needs an SMS form of the message, and an
    SMS cannot edit an earlier message. Without another channel, or when the message was
    itself the fallback (both channels failed), an offer closes as unreachable; any other
    message, or one to nobody (a coordinator chat), is just given up."""
    if person is None:
        return GiveUp()
    other = other_channel(failed)
    if msg.fallback:  # it failed on both channels: back again would go round for ever
        return CountAsUnreachable() if about_offer else GiveUp()
    if other == SMS:
        reachable = person.phone is not None and not person.sms_opted_out
    else:
        reachable = person.telegram_chat_id is not None
    if reachable and (other == TELEGRAM or msg.sms is not None):
        if other == SMS and msg.edit_offer_id is not None:
            msg = replace(msg, edit_offer_id=None)  # an SMS cannot edit
        return FallBack(other, replace(msg, fallback=True))
    if about_offer:
        return CountAsUnreachable()
    return GiveUp()


def sms_form(msg: OutMessage) -> str:
    """The SMS text of a message for a coordinator without a Telegram chat: its own SMS
    form, else the Telegram text without the warning emoji (one emoji makes the whole SMS
    UCS-2, 70 characters a segment instead of 160) and with a plain hyphen for the dash."""
    if msg.sms:
        return msg.sms
    return msg.text.replace("⚠️ ", "").replace("–", "-")
