"""What reaches a log line: phone numbers masked, tokens removed, one JSON object if asked.

`MaskFilter` goes on the root logger's *handlers*, not on a logger: a filter on a logger
does not see records propagated from its children (``telegram.ext.Updater``,
``sqlalchemy.engine.Engine``, ...), a filter on a handler sees every record it writes.
It renders the record's final text (``msg % args``, the traceback, the stack) once, masks
it and stores it back, so any formatter after it only sees the masked text.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable

from bot.domain.phone import mask_phone

TOKEN_MARK = "[token]"  # noqa: S105 - the replacement, not a secret

# A Telegram bot token (bot id ':' secret), also URL-encoded (%3A) as in some request logs.
_BOT_TOKEN = re.compile(r"\d{6,12}(?::|%3[Aa])[A-Za-z0-9_-]{30,}")

# Phone numbers: Swedish ones however written ("070-123 45 67", "+46 70 123 45 67",
# 0046..., URL-encoded %2B46..., Telegram's contact form 46 7x... without '+'), other E.164
# numbers written compact. A Swedish number has 7-9 digits after 46 or the leading 0; the
# bound keeps a match from running on into the next number. Not inside a word, decimal or
# number.
_SE = r"46(?:[ -]?\d){7,9}"
_PHONE = re.compile(
    r"(?<![\w+%.])"
    rf"(?:(?:\+|%2[Bb]|00)(?:{_SE}|[1-9]\d{{6,14}})"
    r"|0[1-9](?:[ -]?\d){6,8}"
    r"|467\d{8})"
    r"(?!\w)"
)

_MIN_SECRET = 6  # shorter configured values are not replaced everywhere they occur


def _as_e164(number: str) -> str:
    """The matched text as +<digits>, Swedish when written nationally."""
    if number[:1] == "%":
        number = number[3:]
    digits = re.sub(r"\D", "", number)
    if number.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+46" + digits[1:]
    return "+" + digits


class Masker:
    """Rewrites text: configured secrets and bot tokens -> [token], phone numbers masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = sorted({s for s in secrets if len(s) >= _MIN_SECRET}, key=len, reverse=True)
        self._secrets = re.compile("|".join(map(re.escape, values))) if values else None

    def __call__(self, text: str) -> str:
        if self._secrets is not None:
            text = self._secrets.sub(TOKEN_MARK, text)
        text = _BOT_TOKEN.sub(TOKEN_MARK, text)
        return _PHONE.sub(lambda m: mask_phone(_as_e164(m.group(0))), text)


class MaskFilter(logging.Filter):
    """Masks every record a handler writes; never drops one."""

    _render = logging.Formatter()

    def __init__(self, masker: Masker) -> None:
        super().__init__()
        self.mask = masker

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line, nor its numbers
            message = f"{record.msg!s} {record.args!r}"
        record.msg, record.args = self.mask(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._render.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


def install(handler: logging.Handler, masker: Masker) -> None:
    """Put one MaskFilter (for `masker`) on `handler`, replacing an earlier one."""
    for old in [f for f in handler.filters if isinstance(f, MaskFilter)]:
        handler.removeFilter(old)
    handler.addFilter(MaskFilter(masker))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO-8601 UTC), level, logger, message, exc if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        exc = "\n".join(p for p in (record.exc_text, record.stack_info) if p)
        if exc:
            line["exc"] = exc
        return json.dumps(line, ensure_ascii=False)
