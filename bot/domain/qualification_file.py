"""The qualifications catalogue file (`vikariebot import qualifications FILE`), pure half.

Columns `id,name,aliases` and optionally `expires`:

    id,name,aliases,expires
    usk,Undersköterska,undersköterska,
    delegering,Läkemedelsdelegering,läkemedelsdelegering|delegation,ja
    insulin,Insulindelegering,insulindelegering,ja

The file is the whole catalogue. Same style as the other imports: UTF-8, comma or
semicolon separated (taken from the header line), Swedish errors naming the line.
Aliases inside the cell are separated by `|` (in any file); `;` in a comma file and `,`
in a semicolon file work too, as in the other imports' lists. `expires`: ja/yes/1/x =
a person must hold the qualification with an end date; nej/no/0 or empty = not.
An id is lower-case a–z, digits, `.`, `_` or `-` (it is what the database stores and
what the other files may always write); every id and alias must differ from every other
after `fold` (case, space and å ä ö ignored).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.codes import fold
from bot.domain.importer import RowError, check_header, read_records, row_error
from bot.domain.qualifications import QualificationType

COLUMNS = ("id", "name", "aliases")
OPTIONAL = ("expires",)
YES = frozenset({"ja", "j", "yes", "y", "1", "x", "true", "sant"})
NO = frozenset({"", "nej", "n", "no", "0", "false", "falskt"})
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,39}", re.ASCII)
# No ':' (a person's cell says code:date) and no list separators.
_ALIAS = re.compile(r"[^:;,|]{1,64}")


@dataclass(frozen=True, slots=True)
class QualificationRow:
    line: int
    type: QualificationType


@dataclass(slots=True)
class ParsedCatalogue:
    rows: list[QualificationRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_qualifications(text: str) -> ParsedCatalogue:
    """CSV text in, catalogue rows or line-numbered Swedish errors out."""
    out = ParsedCatalogue()

    def header_of(fields: list[str]) -> list[str] | None:
        has_expires = any(f.strip().lower() == "expires" for f in fields)
        return check_header(fields, COLUMNS + OPTIONAL if has_expires else COLUMNS, out.errors)

    header, records = read_records(text, header_of, out.errors)
    seen: dict[str, tuple[int, str]] = {}  # fold(id or alias) -> (line, as written)
    for rec in records:
        row = _row(rec.line, rec.values, seen, out.errors)
        if row is not None:
            out.rows.append(row)
    if header is not None and not out.rows and not out.errors:
        out.errors.append(row_error(0, "filen har inga behörigheter (minst en rad krävs)"))
    out.errors.sort(key=lambda e: e.line)
    return out


def _row(
    line: int, v: dict[str, str], seen: dict[str, tuple[int, str]], errors: list[RowError]
) -> QualificationRow | None:
    problems: list[str] = []
    id_ = v["id"]
    if not id_:
        problems.append("id saknas")
    elif not _ID.fullmatch(id_):
        problems.append(f"ogiltigt id {id_!r} (små bokstäver a–z, siffror, . _ -, högst 40 "
                        "tecken; skriv stavningar med å, ä, ö i aliases)")
    name = v["name"]
    if not name:
        problems.append("name saknas")
    elif len(name) > 200:
        problems.append("name är längre än 200 tecken")
    aliases: dict[str, None] = {}
    for alias in (a.strip() for a in re.split(r"[|;,]", v["aliases"])):
        if not alias:
            continue
        if not _ALIAS.fullmatch(alias):
            problems.append(f"ogiltigt alias {alias[:70]!r} (högst 64 tecken, utan kolon)")
        else:
            aliases[alias] = None
    raw_expires = v.get("expires", "").lower()
    if raw_expires not in YES | NO:
        problems.append(f"okänt värde {v['expires']!r} i expires (skriv ja eller nej)")
    # Every id and alias names one entry only, whatever the case or å ä ö.
    for code in (id_, *aliases):
        key = fold(code)
        if not key or (key == fold(id_) and code != id_):
            continue  # alias 'körkort' for id korkort: the same spelling, welcome
        if key in seen and seen[key][0] != line:
            other_line, other = seen[key]
            problems.append(f"{code!r} står redan på rad {other_line} (som {other!r})")
        elif key in seen:
            problems.append(f"{code!r} står två gånger på raden")
        else:
            seen[key] = (line, code)
    errors.extend(row_error(line, p) for p in problems)
    if problems:
        return None
    return QualificationRow(line, QualificationType(id_, name, tuple(aliases),
                                                    raw_expires in YES))
