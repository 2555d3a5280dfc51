"""Phone numbers: normalise Swedish input to E.164, tell a fixed line from a mobile, and
mask numbers for logs."""

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


# Number types that cannot receive an SMS, in the words an admin knows (Swedish).
_NO_SMS = {
    phonenumbers.PhoneNumberType.FIXED_LINE: "ett fast nummer",
    phonenumbers.PhoneNumberType.TOLL_FREE: "ett gratisnummer",
    phonenumbers.PhoneNumberType.PREMIUM_RATE: "ett betalnummer",
    phonenumbers.PhoneNumberType.SHARED_COST: "ett nummer med delad kostnad",
    phonenumbers.PhoneNumberType.UAN: "ett företagsnummer",
    phonenumbers.PhoneNumberType.VOICEMAIL: "ett röstbrevlådenummer",
}


def why_no_sms(number: str) -> str | None:
    """What kind of number this is if it cannot receive SMS ("ett fast nummer"), else None.

    Only numbers known not to be mobiles are refused. FIXED_LINE_OR_MOBILE (every North
    American number, where the numbering plan cannot tell) is accepted: refusing it would
    refuse every mobile there, and a landline among them fails at Twilio, visibly, as today.
    Mobile, VoIP, personal (075) and unknown numbers are accepted too.
    """
    try:
        parsed = phonenumbers.parse(number, "SE")
    except phonenumbers.NumberParseException:
        return None
    return _NO_SMS.get(phonenumbers.number_type(parsed))


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
