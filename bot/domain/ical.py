"""A minimal iCalendar (RFC 5545) writer for a person's booked shifts.

Lines end in CRLF and are folded at 75 octets (never inside a UTF-8 character); TEXT
values escape backslash, `;`, `,` and newlines. Times are UTC with a Z.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

MAX_OCTETS = 75
CRLF = "\r\n"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    uid: str  # stable per booking, so calendar apps update rather than duplicate
    starts_at: dt.datetime
    ends_at: dt.datetime
    stamp: dt.datetime  # when the booking was made
    summary: str
    location: str = ""


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def utc_stamp(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("an iCalendar time needs an aware datetime")
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """One content line, folded: each physical line at most 75 octets, continuation lines
    start with a space (which counts)."""
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, MAX_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1  # the leading space is 1 octet
        current.append(char)
        size += octets
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def render_calendar(name: str, events: Iterable[CalendarEvent]) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Vikariebot//Vikariebot//SV",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape_text(e.uid)}",
            f"DTSTAMP:{utc_stamp(e.stamp)}",
            f"DTSTART:{utc_stamp(e.starts_at)}",
            f"DTEND:{utc_stamp(e.ends_at)}",
            f"SUMMARY:{escape_text(e.summary)}",
        ]
        if e.location:
            lines.append(f"LOCATION:{escape_text(e.location)}")
        lines += ["TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
