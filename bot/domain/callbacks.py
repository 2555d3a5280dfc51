"""Telegram button data (callback_data), every prefix in one place.

A button's data is `<prefix>:<part>:<part>…`, at most 64 bytes (Telegram's limit). The
strings are on the wire: a message sent before an upgrade keeps its buttons, so a prefix or
a part's spelling never changes. Handlers match a press with `pattern`, and read the parts
back by splitting on `SEP`; the dialogue prefixes (`DIALOGUES`) are also the keys their
drafts are kept under (`handlers.telegram.common`).
"""

from __future__ import annotations

import re

SEP = ":"
MAX_BYTES = 64  # Telegram's limit for callback_data

# --- offers and bookings (substitutes) ---
ACCEPT = "acc"  # acc:<offer>  Ta passet
DECLINE = "dec"  # dec:<offer>  Nej tack
DECLINE_ALL = "dca"  # dca:<offer>  Nej tack till alla: every open offer on that offer's message
BOOKING = "bk"  # bk:c:<booking> asks "Är du säker?", bk:y:<booking> cancels, bk:n:… keeps
AVAILABILITY = "av"  # av:d:<1-7> weekday, av:p:<days> pause (0 ends it), av:t:0 any time
CALENDAR = "cal"  # cal:l the link, cal:n a new link, cal:r remove it
CHANNEL = "ch"  # ch:telegram|sms|both

# --- introduction checklists ---
CHECKLIST_OPEN = "cko"  # cko:<checklist>  open it as one new message
CHECKLIST_VIEW = "ckv"  # ckv:<checklist>  redraw it in place
CHECKLIST_TICK = "ck"  # ck:<checklist>:<item>  tick / untick an item
CHECKLIST_SIGN = "cks"  # cks:<checklist>  sign off (Signera)
CHECKLIST_CONFIRM = "ckc"  # ckc:<checklist>:<item>  the substitute confirms an item

# --- coordinators ---
ESCALATION = "esc"  # esc:w|f|c|cy|cn:<vacancy>  widen, fill, cancel (ask, yes, no)
RELEASE = "rel"  # rel:k|r:<vacancy>  keep or release the substitute

# --- dialogues: the prefix is also the draft's key ---
ABSENCE = "abs"  # abs:s:<i>, abs:d:<i>, abs:next, abs:c:<category>, abs:ok, abs:x
FILL = "fill"  # fill:<i>, fill:x
NEW_VACANCY = "new"  # new:u:<i>, new:d:0|1, new:r:<role>, new:ok, new:x
DIALOGUES = (ABSENCE, FILL, NEW_VACANCY)
CANCEL = "x"  # <dialogue>:x  a dialogue's Avbryt button

PREFIXES = (
    ACCEPT,
    DECLINE,
    DECLINE_ALL,
    BOOKING,
    AVAILABILITY,
    CALENDAR,
    CHANNEL,
    CHECKLIST_OPEN,
    CHECKLIST_VIEW,
    CHECKLIST_TICK,
    CHECKLIST_SIGN,
    CHECKLIST_CONFIRM,
    ESCALATION,
    RELEASE,
    *DIALOGUES,
)


def encode(prefix: str, *parts: object) -> str:
    """`encode(ACCEPT, 12)` -> "acc:12". Refuses data Telegram would refuse (over 64 bytes),
    so a too-long button fails where it is built, not when it is sent."""
    data = SEP.join((prefix, *(str(p) for p in parts)))
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data[:20]}…")
    return data


def pattern(prefix: str | tuple[str, ...], *parts: str) -> str:
    """An anchored regex for a press: `pattern(BOOKING, "[cyn]", r"\\d+")` -> r"^bk:[cyn]:\\d+$";
    a tuple of prefixes matches any of them. `parts` are regexes, the prefixes are literal."""
    alternatives = (prefix,) if isinstance(prefix, str) else prefix
    head = "|".join(re.escape(p) for p in alternatives)
    if len(alternatives) > 1:
        head = f"({head})"
    return "^" + SEP.join((head, *parts)) + "$"


def prefix_of(data: str | None) -> str:
    """The prefix of a button's data ("" for none): which kind of button was pressed."""
    return (data or "").split(SEP)[0]
