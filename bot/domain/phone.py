"""Phone numbers: normalise Swedish input to E.164 and mask numbers for logs."""

from __future__ import annotations

import phonenumbers


class InvalidPhoneNumber(ValueError):
    pass


def normalise_phone(raw: str, region: str = "SE") -> str:
    """Return E.164 (+46701234567) for any usual way of writing a number.

    Accepts 070-123 45 67, 0701234567, +46701234567, 0046701234567 and 46701234567
    (the last is how Telegram shares contacts: digits without '+').
    """
    text = raw.strip()
    if not text:
        raise InvalidPhoneNumber("tomt telefonnummer")
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("00"):
        text = "+" + digits[2:]
    elif not text.startswith("+") and digits.startswith("46") and len(digits) >= 11:
        text = "+" + digits
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"ogiltigt telefonnummer: {raw!r}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(f"ogiltigt telefonnummer: {raw!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(number: str | None) -> str:
    """+46701234567 -> +4670*****67: enough to tell numbers apart in a log, no more."""
    if not number:
        return "-"
    if len(number) <= 6:
        return "*" * len(number)
    return number[:5] + "*" * (len(number) - 7) + number[-2:]


def display_phone(number: str) -> str:
    """+46846500410 -> 08-465 004 10: how a Swede writes it (and can call it from a text)."""
    try:
        parsed = phonenumbers.parse(number, "SE")
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
