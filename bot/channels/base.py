"""The channel-neutral face: "send this person this message with these choices"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.domain.model import Person
from bot.domain.outgoing import OutMessage


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where a message went: a Twilio SID or a Telegram message id."""

    external_id: str | None = None
    telegram_message_id: int | None = None


class TemporaryFailure(Exception):
    """Try again later (rate limit, network, 5xx)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """This channel cannot reach this person (blocked the bot, invalid number, opted out)."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class Sender(Protocol):
    channel: str

    async def send(
        self,
        person: Person | None,
        chat_id: int | None,
        msg: OutMessage,
        edit_message_id: int | None,
    ) -> Delivery:
        """Deliver one message; raise TemporaryFailure or PermanentFailure."""
        ...


@dataclass
class RecordingSender:
    """A sender for tests and the scripted demo: keeps every message it was given."""

    channel: str
    sent: list[tuple[str, OutMessage]] = field(default_factory=list)
    fail_for: set[str] = field(default_factory=set)  # person ids that fail permanently
    _next_id: int = 1000

    async def send(
        self,
        person: Person | None,
        chat_id: int | None,
        msg: OutMessage,
        edit_message_id: int | None,
    ) -> Delivery:
        who = person.id if person else f"chat:{chat_id}"
        if person is not None and person.id in self.fail_for:
            raise PermanentFailure(f"{self.channel} cannot reach {who}")
        self.sent.append((who, msg))
        self._next_id += 1
        return Delivery(
            external_id=f"{self.channel}-{self._next_id}",
            telegram_message_id=edit_message_id or self._next_id,
        )

    def to(self, person_id: str) -> list[OutMessage]:
        return [m for who, m in self.sent if who == person_id]
