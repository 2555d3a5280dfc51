"""The catalogue of qualifications (behörigheter) and how a typed code finds its entry.

A municipality keeps its own catalogue (`vikariebot import qualifications FILE`): each
entry has a canonical id (what the database stores on people and shifts), a name people
read and any number of aliases (other spellings people type). A code in a file is compared
with `fold` against every id and alias, so `Körkort`, `körkort` and `korkort` are one
qualification; an unknown code is refused with the nearest known spelling.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from bot.domain.codes import fold


@dataclass(frozen=True, slots=True)
class QualificationType:
    id: str  # canonical code: usk, korkort, insulin ...
    name: str  # what people read: "Läkemedelsdelegering"
    aliases: tuple[str, ...] = ()  # other spellings, as written in the catalogue file
    requires_expiry: bool = False  # a person must hold it with an end date (delegering)


@dataclass(frozen=True, slots=True)
class UnknownCode:
    """A code that names no catalogue entry; `message` is the Swedish reason."""

    code: str
    suggestion: str | None
    message: str


@dataclass(frozen=True, slots=True)
class Catalogue:
    types: tuple[QualificationType, ...]
    # fold(id or alias) -> canonical id; fold(...) -> the spelling to suggest
    _ids: dict[str, str] = field(init=False, repr=False, compare=False)
    _spelling: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids: dict[str, str] = {}
        spelling: dict[str, str] = {}
        for q in self.types:  # ids first: an alias never hides another entry's id
            ids[fold(q.id)] = q.id
            spelling[fold(q.id)] = q.id
        for q in self.types:
            for alias in q.aliases:
                ids.setdefault(fold(alias), q.id)
                spelling.setdefault(fold(alias), alias)
        object.__setattr__(self, "_ids", ids)
        object.__setattr__(self, "_spelling", spelling)

    @classmethod
    def of(cls, types: Iterable[QualificationType]) -> Catalogue:
        return cls(tuple(sorted(types, key=lambda q: q.id)))

    def __iter__(self) -> Iterator[QualificationType]:
        return iter(self.types)

    def get(self, qualification_id: str) -> QualificationType | None:
        return next((q for q in self.types if q.id == qualification_id), None)

    def name(self, qualification_id: str) -> str:
        """The name to show for a stored code; the code itself if the catalogue lacks it."""
        q = self.get(qualification_id)
        return q.name if q is not None else qualification_id

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.types]


def resolve(
    code: str, catalogue: Catalogue, unknown: str = "okänd behörighet"
) -> str | UnknownCode:
    """The canonical id for `code` (an id or alias, any case, with or without å ä ö), or
    an UnknownCode: "okänd behörighet 'korkot' – menade du 'korkort'?"."""
    found = catalogue._ids.get(fold(code))
    if found is not None:
        return found
    close = difflib.get_close_matches(fold(code), list(catalogue._spelling), n=1, cutoff=0.75)
    if close:
        suggestion = catalogue._spelling[close[0]]
        return UnknownCode(code, suggestion,
                           f"{unknown} {code!r} – menade du {suggestion!r}?")
    allowed = ", ".join(catalogue.ids) or "inga – importera behörigheterna först"
    return UnknownCode(code, None, f"{unknown} {code!r} (tillåtna: {allowed})")


# The catalogue a new database starts with (migration 0005 writes the same rows; a test
# keeps the two equal). Medication delegation is personal and ends on a date
# (HSLF-FS 2017:37 ch. 9), so it is refused without one.
DEFAULT_CATALOGUE = Catalogue.of([
    QualificationType("usk", "Undersköterska", ("undersköterska",)),
    QualificationType("korkort", "Körkort", ("körkort",)),
    QualificationType("delegering", "Läkemedelsdelegering", ("läkemedelsdelegering",),
                      requires_expiry=True),
])
