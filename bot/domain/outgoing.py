"""What the bot says to someone, independent of the channel it travels by."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str  # Telegram callback_data, at most 64 bytes: "acc:<offer_id>"


# The outbox kind of a row that only redraws the bundled offer holding its offer.
REDRAW = "offer_redraw"


@dataclass(frozen=True, slots=True)
class BundleLine:
    """An offer as one entry of a bundled offer (`bot.domain.messages.bundle_message`):
    its Telegram line, its SMS line (with its code) and its accept button's label."""

    text: str
    sms: str
    label: str


@dataclass(frozen=True, slots=True)
class OutMessage:
    kind: str  # offer, booked, taken, late, withdrawn, receipt, escalation, ...
    text: str  # Telegram text
    sms: str | None = None  # SMS text; None: this message is not worth an SMS
    buttons: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)
    # Telegram: replace the message that carried this offer instead of sending a new one.
    edit_offer_id: int | None = None
    # The vacancy a coordinator's alert is about: its Telegram message is remembered and
    # edited as the vacancy changes (`bot.services.alerts`).
    vacancy_id: int | None = None
    # A reply in a Telegram dialogue: its keyboard as Bot API JSON (inline buttons, a reply
    # keyboard, its removal or a forced reply), and the message it replaces (a pressed
    # button's message), if any.
    reply_markup: str | None = None
    edit_message_id: int | None = None
    # An offer: how it reads as one of several in a bundled offer.
    bundle: BundleLine | None = None
    # Sent again on the other channel after a failure: it does not fall back a second time.
    fallback: bool = False
