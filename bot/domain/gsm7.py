"""SMS encoding: is a text GSM-7, how many segments it costs, and a GSM-7 friendly rewrite.

GSM 03.38: the basic set holds å ä ö Å Ä Ö é É ü Ü, so Swedish fits in GSM-7
(160 characters in one SMS, 153 per segment of a longer one). A single
character outside it (an emoji, a curly quote from a phone keyboard) turns the
whole message into UCS-2: 70 characters in one SMS, 67 per segment, counted in
UTF-16 code units (an emoji is two). Extension-table characters (€ [ ] { } ^ ~ \\ |)
are GSM-7 but cost two septets. Arabic, Persian and Tigrinya texts are always UCS-2;
Somali, like Swedish and English, is GSM-7. No I/O here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

# GSM 03.38 basic character set (ESC, 0x1B, left out: it is not text).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each is sent as ESC + character, two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE = 160
GSM7_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67

# Common characters outside GSM-7 and what to write instead.
_REPLACEMENTS: Mapping[str, str] = MappingProxyType(
    {
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’ (iPhone apostrophe)
        "\u201a": "'",  # ‚
        "\u201b": "'",  # ‛
        "\u2032": "'",  # ′
        "\u00b4": "'",  # ´
        "`": "'",
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u201f": '"',  # ‟
        "\u2033": '"',  # ″
        "\u00ab": '"',  # «
        "\u00bb": '"',  # »
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # – en dash
        "\u2014": "-",  # — em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # − minus
        "\u2026": "...",  # …
        "\u00a0": " ",  # no-break space
        "\u2007": " ",  # figure space
        "\u2009": " ",  # thin space
        "\u202f": " ",  # narrow no-break space (Swedish number formatting)
        "\t": " ",
        "\u2022": "-",  # • bullet
        "\u00b7": "-",  # · middle dot
        "\u200b": "",  # zero-width space
        "\u200c": "",  # zero-width non-joiner
        "\u200d": "",  # zero-width joiner
        "\u2060": "",  # word joiner
        "\ufeff": "",  # byte order mark
    }
)


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 basic set or its extension table."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def encoding(text: str) -> Literal["GSM-7", "UCS-2"]:
    """The encoding a text is sent in: GSM-7 when every character allows, else UCS-2."""
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def _gsm7_units(text: str) -> list[int]:
    return [2 if ch in GSM7_EXTENSION else 1 for ch in text]


def _ucs2_units(text: str) -> list[int]:
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _count(units: list[int], single: int, part: int) -> int:
    """Segments needed; a character (ESC pair or surrogate pair) never straddles two parts."""
    if sum(units) <= single:
        return 1
    parts, used = 1, 0
    for size in units:
        if used + size > part:
            parts += 1
            used = 0
        used += size
    return parts


def segments(text: str) -> int:
    """How many SMS segments `text` is billed as (an empty text is still one message)."""
    if is_gsm7(text):
        return _count(_gsm7_units(text), GSM7_SINGLE, GSM7_PART)
    return _count(_ucs2_units(text), UCS2_SINGLE, UCS2_PART)


def _plain(ch: str) -> str:
    """A character's GSM-7 look-alike: 'á' -> 'a', 'ﬁ' -> 'fi'; unchanged when there is none."""
    decomposed = unicodedata.normalize("NFKD", ch)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    if stripped and is_gsm7(stripped):
        return stripped
    return ch


def to_gsm7(text: str) -> str:
    """Rewrite common non-GSM characters so the text stays GSM-7 (and cheap).

    Curly quotes become straight ones, dashes '-', '…' '...', odd spaces a plain
    space, zero-width characters go, and accented letters outside GSM-7 lose their
    accent ('á' -> 'a'; å ä ö é ü are GSM-7 and kept). Best effort: what has no
    look-alike (an emoji, Arabic script) is kept, so check `is_gsm7` on the result.
    A text that stays UCS-2 all the same keeps its zero-width (non-)joiners and
    isolates: Persian spelling and right-to-left order need them, and they save nothing.
    """
    rewritten = _rewrite(text, keep=frozenset())
    if is_gsm7(rewritten):
        return rewritten
    return _rewrite(text, keep=_SCRIPT_CONTROLS)


# Invisible characters that carry meaning in a UCS-2 text: ZWNJ, ZWJ, FSI, PDI.
_SCRIPT_CONTROLS = frozenset("\u200c\u200d\u2068\u2069")


def _rewrite(text: str, keep: frozenset[str]) -> str:
    out: list[str] = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENSION or ch in keep:
            out.append(ch)
        elif ch in _REPLACEMENTS:
            out.append(_REPLACEMENTS[ch])
        else:
            out.append(_plain(ch))
    return "".join(out)
