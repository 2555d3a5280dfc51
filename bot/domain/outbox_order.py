"""Which outbox message goes first, and how fast a channel may send.

A burst of sick reports queues hundreds of offers at once. Sent in arrival order, the
shift starting soonest waits behind every vacancy reported before it, and a person in
the middle of a dialogue waits behind all of them. So every row gets a priority class
from its kind alone, and offers are ordered by wave, then rank, then the shift's start:
every vacancy's best candidates hear first (soonest shift first) before any vacancy's
later fan-out.

The send budget mirrors Telegram's published limits (30 messages a second per bot,
one a second per chat, 20 a minute per group); an SMS number sends `twilio_mps` a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Priority(IntEnum):
    """Lower goes first."""

    DIALOGUE = 0  # a reply to someone who is waiting for it
    RECEIPT = 1  # receipts and booking confirmations: someone just acted
    OFFER = 2  # offers, ordered among themselves by wave, rank, shift start
    NOTICE = 3  # "taken", "withdrawn", reminders, coordinators' alerts and boards


DIALOGUE_KINDS = frozenset(
    {
        "reply",  # an answer in a Telegram dialogue (handlers/telegram/common.py)
        "desk_login",
        "desk_login_sms",
        "telegram_unlinked",
        "tg_unlinked",
        "number_invalid",
        "coord_sms_invalid",
    }
)
NOTICE_KINDS = frozenset(
    {"taken", "withdrawn", "late", "expired", "reminder", "escalation", "board", "alert"}
)


def priority(kind: str, *, to_group: bool = False) -> Priority:
    """The class of a message, from its kind (and whether it goes to a group chat).

    SMS replies (`sms_*`) and the introduction's steps answer someone who just wrote;
    a message to a coordinators' group chat is a board or an alert. An unknown kind
    counts as a receipt: better early than behind a burst of offers.
    """
    if to_group:
        return Priority.NOTICE
    if kind in DIALOGUE_KINDS or kind.startswith(("sms_", "intro_")):
        return Priority.DIALOGUE
    if kind == "offer":
        return Priority.OFFER
    if kind in NOTICE_KINDS:
        return Priority.NOTICE
    return Priority.RECEIPT  # receipts, booked, booking_cancelled, well_*, released ...


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `count` sends in any window of `seconds`."""

    count: int
    seconds: float


TELEGRAM_PER_BOT = Limit(30, 1.0)
TELEGRAM_PER_CHAT = Limit(1, 1.0)
TELEGRAM_PER_GROUP = Limit(20, 60.0)


def is_group_chat(chat_id: int | None) -> bool:
    """Telegram gives groups and channels negative chat ids, people positive ones."""
    return chat_id is not None and chat_id < 0


def sms_limit(mps: int) -> Limit:
    """A sending number (or Messaging Service) sends `mps` messages a second."""
    return Limit(max(1, mps), 1.0)
