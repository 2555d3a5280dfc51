"""Codes people type in files and messages, compared the way people mean them: without
regard to case, surrounding space or Swedish letters (`Körkort` = `korkort`)."""

from __future__ import annotations

import unicodedata

# å ä ö and other accented letters fold to their base letter; ß, æ, ø spelled out.
_SPELLED = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o"})


def fold(code: str) -> str:
    """The comparison form of a code: 'Undersköterska ' -> 'underskoterska'."""
    decomposed = unicodedata.normalize("NFKD", code.strip().casefold().translate(_SPELLED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
