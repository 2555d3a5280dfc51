"""CSV import, the pure half: CSV text in, typed rows or row errors out.

No database and no file access here; `storage.imports` reads the file, adds the checks
that need the database and writes. Every message is Swedish and names the physical line
of the file (header = line 1), so an admin can fix the file in Excel and try again.

Format: what Excel saves. The bytes are decoded by `bot.domain.csvfile.decode_csv` (UTF-8 with or
without BOM, Windows-1252, ISO-8859-1, CP850); comma or semicolon separated (taken from the
header line). Lists inside a field use the other separator; both ';' and ',' are accepted.
Times may be written 7:00, 07.00 or 07:00:00; dates 2026-12-01 or 2026-12-01 00:00:00.

Columns are named in English or Swedish (`COLUMN_ALIASES`), in any case and with or without
å, ä, ö, in any order. Only the `REQUIRED` columns must be there:

- units: id, name (namn); area (område) may be left out;
- people: id, name, phone, roles (id, namn, telefon, roller); units, tier, qualifications,
  introduced_units, language, channel may be left out;
- shifts: id, unit, person, date, start, end, role; requirements (krav) may be left out.

A column left out is not "empty": for a row already in the database it keeps what is stored
(`Parsed.columns` says which were in the file), a new row gets the default. Codes people
type (roles, tier, channel, language, a shift's role) are compared with `fold`, so
`Samordnare`, `Undersköterska` and `SMS` are understood.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.codes import fold
from bot.domain.model import Channel, Qualification, Role, RoleGrant, Shift, Tier
from bot.domain.phone import InvalidPhoneNumber, normalise_phone, why_no_sms
from bot.domain.qualifications import DEFAULT_CATALOGUE, Catalogue, UnknownCode, resolve
from bot.i18n import LANGUAGES

ImportKind = Literal["units", "people", "shifts"]

SHIFT_ROLES = frozenset({"usk", "vardbitrade"})  # undersköterska / vårdbiträde
UNIT_ROLES = frozenset({Role.STAFF, Role.COORDINATOR, Role.HANDLEDARE})
_ROLES = frozenset(r.value for r in Role)
_TIERS = frozenset(t.value for t in Tier)
_CHANNELS = frozenset(c.value for c in Channel)
# Appended to the error for a coordinator row without units.
COORDINATOR_NEEDS_UNITS = (" (samordnare utan enhet ser ingenting: ange enheter, "
                           "eller rollen admin för att se alla enheter)")
# Keys are in fold() form: "Samordnare", "Undersköterska" and "vårdbiträde" find them.
ROLE_ALIASES = {"ordinarie": "staff", "vikarie": "substitute", "samordnare": "coordinator"}
SHIFT_ROLE_ALIASES = {"vardbitrade": "vardbitrade", "underskoterska": "usk"}

COLUMNS: dict[ImportKind, tuple[str, ...]] = {
    "units": ("id", "name", "area", "address", "phone"),
    "people": ("id", "name", "phone", "roles", "units", "tier", "qualifications",
               "introduced_units", "language", "channel"),
    "shifts": ("id", "unit", "person", "date", "start", "end", "role", "requirements"),
}
# The columns a file must have; the others may be left out (see the module docstring).
REQUIRED: dict[ImportKind, tuple[str, ...]] = {
    "units": ("id", "name"),
    "people": ("id", "name", "phone", "roles"),
    "shifts": ("id", "unit", "person", "date", "start", "end", "role"),
}
# Swedish column names (as they are shown to admins), matched in fold() form. An alias for
# a column not (yet) in COLUMNS is refused as unknown, like any other name.
COLUMN_ALIASES: dict[ImportKind, dict[str, str]] = {
    "units": {"namn": "name", "område": "area", "adress": "address", "telefon": "phone"},
    "people": {"namn": "name", "telefon": "phone", "roller": "roles", "enheter": "units",
               "nivå": "tier", "behörigheter": "qualifications",
               "introducerad_på": "introduced_units", "språk": "language", "kanal": "channel"},
    "shifts": {"enhet": "unit", "datum": "date", "slut": "end", "roll": "role",
               "krav": "requirements"},
}
_ID = re.compile(r"[\w.:-]{1,64}")
# 7:00, 07.00, 07:00:00 (Excel's time format), 7.00.00: one separator, seconds only :00.
_TIME = re.compile(r"(\d{1,2})([:.])(\d{2})(?:\2(\d{2}))?", re.ASCII)
# 2026-12-01, or Excel's datetime 2026-12-01 00:00:00 (the time must then be midnight).
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}[:.]\d{2}(?:[:.]\d{2})?))?", re.ASCII)
# C0 control characters but tab and line breaks (Excel writes a quoted line break inside a
# cell): no name, id or phone number holds one, and PostgreSQL refuses NUL in text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int  # physical line in the file, header = 1; 0 = the file as a whole
    message: str  # Swedish, ready to print: "rad 7: ogiltigt telefonnummer '070-12'"


def row_error(line: int, reason: str) -> RowError:
    return RowError(line, f"rad {line}: {reason}" if line > 0 else reason)


@dataclass(frozen=True, slots=True)
class UnitRow:
    line: int
    id: str
    name: str
    area: str
    # The workplace's own address and phone (never a care recipient's). None: the file has
    # no such column, keep what the database has; "": clear it.
    address: str | None = None
    phone: str | None = None  # E.164; a landline is fine


@dataclass(frozen=True, slots=True)
class PersonRow:
    line: int
    id: str
    name: str
    phone: str | None  # E.164; None = keep the number the database has
    roles: tuple[RoleGrant, ...]
    tier: Tier | None
    qualifications: tuple[Qualification, ...]
    introduced_units: tuple[str, ...]
    language: str
    channel: Channel

    @property
    def unit_ids(self) -> set[str]:
        """Every unit the row refers to (role scope and introductions)."""
        return {g.unit_id for g in self.roles if g.unit_id} | set(self.introduced_units)


@dataclass(frozen=True, slots=True)
class ShiftRow:
    line: int
    id: str
    unit_id: str
    person_id: str | None  # None = open shift
    starts_at: dt.datetime  # aware UTC
    ends_at: dt.datetime
    role: str
    requirements: tuple[str, ...]


RowT = TypeVar("RowT")


@dataclass(slots=True)
class Parsed(Generic[RowT]):
    rows: list[RowT] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # The columns the file has; a left-out one keeps what the database has for a known row.
    columns: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Record:
    line: int
    values: dict[str, str]


def read_records(
    text: str, header_of: Callable[[list[str]], list[str] | None], errors: list[RowError]
) -> tuple[list[str] | None, list[Record]]:
    """The one CSV reader of every import: a BOM, comma or semicolon, blank lines and
    Excel's trailing separators, line numbers that count quoted line breaks, a wrong field
    count or a control character refused with its line. `header_of` checks the first row
    (adding its problems to `errors`) and names the columns; None there ends the read."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        errors.append(row_error(0, "filen är tom (en rubrikrad krävs)"))
        return None, []
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    header: list[str] | None = None
    prev_line = 0
    try:
        for fields in reader:
            line, prev_line = prev_line + 1, reader.line_num
            if header is None:
                header = header_of(fields)
                if header is None:
                    return None, []
                continue
            if not any(f.strip() for f in fields):
                continue  # blank line, or an Excel row of separators only
            extra = fields[len(header):]
            if len(fields) < len(header) or any(f.strip() for f in extra):
                errors.append(row_error(
                    line, f"fel antal fält ({len(fields)}, rubrikraden har {len(header)})"))
                continue
            values = [f.strip() for f in fields[:len(header)]]
            if bad := control_char_errors(line, header, values):
                errors.extend(bad)
                continue
            records.append(Record(line, dict(zip(header, values, strict=True))))
    except csv.Error as exc:
        errors.append(row_error(prev_line + 1, f"kan inte läsa raden som CSV ({exc})"))
    return header, records


def _read_table(
    text: str, kind: ImportKind, out: Parsed[RowT]
) -> list[Record]:
    """Records keyed by column name; header problems end the read.

    Every record has every column of the kind: one the file leaves out is "" (the parsers'
    default), and `out.columns` tells the writer which columns the file has.
    """
    header, records = read_records(
        text, lambda fields: _check_header(fields, kind, out.errors), out.errors)
    if header is None:
        return []
    out.columns = frozenset(header)
    left_out = {c: "" for c in COLUMNS[kind] if c not in out.columns}
    return [Record(r.line, {**left_out, **r.values}) for r in records]


def control_char_errors(line: int, names: Sequence[str], values: Sequence[str]) -> list[RowError]:
    """One error per field holding a control character; the value itself is not repeated."""
    return [row_error(line, f"otillåtet tecken i fältet {name}")
            for name, value in zip(names, values, strict=True) if _CONTROL.search(value)]


def _check_header(fields: list[str], kind: ImportKind, errors: list[RowError]) -> list[str] | None:
    return check_header(fields, COLUMNS[kind], errors, required=REQUIRED[kind],
                        aliases=COLUMN_ALIASES[kind])


def column_key(name: str) -> str:
    """A header cell in comparison form: 'Introducerad på' -> 'introducerad_pa'."""
    return re.sub(r"[\s-]+", "_", fold(name))


def check_header(
    fields: list[str], known: Sequence[str], errors: list[RowError], *,
    required: Sequence[str] | None = None, aliases: Mapping[str, str] | None = None,
) -> list[str] | None:
    """The header's column names (from `known`), or None with every problem added to
    `errors` (line 1). A name is matched in `column_key` form, to a known name or to an
    alias of one; `required` defaults to every known column."""
    lookup = {column_key(c): c for c in known}
    swedish = {a: c for a, c in (aliases or {}).items() if c in known}
    lookup.update({column_key(a): c for a, c in swedish.items()})
    cells = [f.strip() for f in fields]
    while cells and not cells[-1]:
        cells.pop()  # Excel sometimes writes trailing separators
    names = [lookup.get(column_key(c), c.lower()) for c in cells]
    bad = [i + 1 for i, name in enumerate(names) if _CONTROL.search(name)]
    if bad:
        errors.extend(row_error(1, f"otillåtet tecken i rubriken för kolumn {i}") for i in bad)
        return None
    problems: list[str] = []
    if "" in names:
        problems.append(f"kolumn {names.index('') + 1} saknar rubrik")
    unknown = [n for n in names if n and n not in known]
    if unknown:
        also = f"; på svenska: {', '.join(swedish)}" if swedish else ""
        problems.append(f"okända kolumner: {', '.join(unknown)} "
                        f"(tillåtna: {', '.join(known)}{also})")
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        problems.append(f"kolumner som står två gånger: {', '.join(dupes)}")
    missing = [c for c in (known if required is None else required) if c not in names]
    if missing:
        in_swedish = {c: a for a, c in swedish.items()}
        problems.append("kolumner saknas: " + ", ".join(
            f"{c} ({in_swedish[c]})" if c in in_swedish else c for c in missing))
    errors.extend(row_error(1, p) for p in problems)
    return None if problems else names


def _split_list(value: str) -> list[str]:
    """A list inside a field: ';' in comma files, ',' in semicolon files (both accepted)."""
    seen: dict[str, None] = {}
    for item in re.split(r"[;,]", value):
        if item.strip():
            seen[item.strip()] = None
    return list(seen)


def _check_id(value: str, what: str, problems: list[str]) -> str:
    if not value:
        problems.append(f"{what} saknas")
    elif not _ID.fullmatch(value):
        problems.append(f"ogiltigt {what} {value!r} (bokstäver, siffror, . _ - :, högst 64 tecken)")
    return value


def _check_text(value: str, what: str, problems: list[str], *, required: bool = True) -> str:
    if required and not value:
        problems.append(f"{what} saknas")
    elif len(value) > 200:
        problems.append(f"{what} är längre än 200 tecken")
    return value


def _parse_date(value: str, what: str, problems: list[str]) -> dt.date | None:
    if m := _DATE.fullmatch(value):
        if m[2] is not None and _clock(m[2]) != dt.time(0):
            problems.append(f"datumet {value!r} i {what} har ett klockslag "
                            f"(skriv bara datumet, ÅÅÅÅ-MM-DD)")
            return None
        try:
            return dt.date.fromisoformat(m[1])
        except ValueError:
            pass
    problems.append(f"ogiltigt datum {value!r} i {what} (skriv ÅÅÅÅ-MM-DD)")
    return None


def _clock(value: str) -> dt.time | None:
    """07:00, 7.00, 07:00:00 -> 07:00; None for anything else, seconds other than 00 too."""
    m = _TIME.fullmatch(value)
    if m and int(m[1]) < 24 and int(m[3]) < 60 and int(m[4] or 0) == 0:
        return dt.time(int(m[1]), int(m[3]))
    return None


def _duplicates(
    records: Iterable[Record], key: Callable[[Record], str | None], what: str,
    errors: list[RowError],
) -> set[int]:
    """Lines repeating a key (id, phone) already on an earlier line, rows with errors too."""
    first: dict[str, int] = {}
    bad: set[int] = set()
    for rec in records:
        k = key(rec)
        if not k:
            continue
        if k in first:
            errors.append(row_error(rec.line, f"{what} {k!r} finns redan på rad {first[k]}"))
            bad.add(rec.line)
        else:
            first[k] = rec.line
    return bad


def _id_of(rec: Record) -> str:
    return rec.values["id"]


def _phone_of(rec: Record) -> str | None:
    try:
        return normalise_phone(rec.values["phone"]) if rec.values["phone"] else None
    except InvalidPhoneNumber:
        return None


def _finish(out: Parsed[RowT], rows: list[tuple[int, RowT]], bad: set[int]) -> Parsed[RowT]:
    out.rows = [r for line, r in rows if line not in bad]
    out.errors.sort(key=lambda e: e.line)
    return out


def parse_units(text: str) -> Parsed[UnitRow]:
    out: Parsed[UnitRow] = Parsed()
    rows: list[tuple[int, UnitRow]] = []
    records = _read_table(text, "units", out)
    for rec in records:
        v = rec.values
        problems: list[str] = []
        address = v.get("address")
        if address is not None:
            address = " ".join(_check_text(address, "address", problems, required=False).split())
        phone = v.get("phone")
        if phone:
            try:
                phone = normalise_phone(phone)  # the workplace: a landline is fine
            except InvalidPhoneNumber:
                problems.append(f"ogiltigt telefonnummer {phone!r}")
        row = UnitRow(rec.line, _check_id(v["id"], "id", problems),
                      _check_text(v["name"], "name", problems),
                      _check_text(v["area"], "area", problems, required=False),
                      address, phone)
        out.errors.extend(row_error(rec.line, p) for p in problems)
        if not problems:
            rows.append((rec.line, row))
    return _finish(out, rows, _duplicates(records, _id_of, "id", out.errors))


def parse_people(text: str, catalogue: Catalogue = DEFAULT_CATALOGUE) -> Parsed[PersonRow]:
    """`catalogue`: the qualifications (behörigheter) codes may name; the database's own
    is passed by `storage.imports`."""
    out: Parsed[PersonRow] = Parsed()
    rows: list[tuple[int, PersonRow]] = []
    records = _read_table(text, "people", out)
    for rec in records:
        problems: list[str] = []
        row = _person(rec, "channel" in out.columns, problems, catalogue)
        out.errors.extend(row_error(rec.line, p) for p in problems)
        if row is not None and not problems:
            rows.append((rec.line, row))
    bad = _duplicates(records, _id_of, "id", out.errors)
    bad |= _duplicates(records, _phone_of, "telefonnumret", out.errors)
    return _finish(out, rows, bad)


def _person(
    rec: Record, has_channel: bool, problems: list[str], catalogue: Catalogue
) -> PersonRow | None:
    v = rec.values
    id_ = _check_id(v["id"], "id", problems)
    name = _check_text(v["name"], "name", problems)
    phone: str | None = None
    if v["phone"]:
        try:
            phone = normalise_phone(v["phone"])
        except InvalidPhoneNumber:
            problems.append(f"ogiltigt telefonnummer {v['phone']!r}")
    roles: list[Role] = []
    for typed in _split_list(v["roles"]):
        raw = ROLE_ALIASES.get(fold(typed), fold(typed))
        if raw in _ROLES:
            roles.append(Role(raw))
        else:
            problems.append(f"okänd roll {typed!r} (tillåtna: {', '.join(r.value for r in Role)})")
    if not v["roles"].strip():
        problems.append("minst en roll krävs (roles)")
    units = [_check_id(u, "enhets-id", problems) for u in _split_list(v["units"])]
    grants: list[RoleGrant] = []
    for role in dict.fromkeys(roles):
        if role not in UNIT_ROLES:
            grants.append(RoleGrant(role, None))
        elif not units:
            # A unit role without a unit would give no unit at all (least privilege: only
            # an admin sees every unit), so the row is refused rather than imported idle.
            hint = COORDINATOR_NEEDS_UNITS if role is Role.COORDINATOR else ""
            problems.append(f"rollen {role.value!r} kräver minst en enhet i kolumnen units{hint}")
        else:
            grants.extend(RoleGrant(role, u) for u in units)
    if units and roles and not UNIT_ROLES.intersection(roles):
        problems.append("units gäller bara staff, coordinator och handledare "
                        "(använd introduced_units för vikarier)")
    tier: Tier | None = None
    if raw_tier := fold(v["tier"]):
        if raw_tier in _TIERS:
            tier = Tier(raw_tier)
        else:
            problems.append(f"okänd tier {raw_tier!r} (tillåtna: pool, substitute, staff_extra)")
    quals = _qualifications(v["qualifications"], problems, catalogue)
    intro = [_check_id(u, "enhets-id", problems)
             for u in _split_list(v["introduced_units"])]
    language = fold(v["language"]) or "sv"
    if language not in LANGUAGES:
        problems.append(f"okänt språk {language!r} (tillåtna: {', '.join(LANGUAGES)})")
    channel = fold(v["channel"]) or Channel.BOTH.value
    if channel not in _CHANNELS:
        problems.append(f"okänd kanal {channel!r} (tillåtna: telegram, sms, both)")
        channel = Channel.BOTH.value
    elif phone and has_channel and (no_sms := sms_refusal(
            v["phone"], phone, Channel(channel), given=bool(v["channel"]))):
        problems.append(no_sms)  # without the column the stored channel counts: storage checks
    if problems:
        return None
    return PersonRow(rec.line, id_, name, phone, tuple(grants), tier, tuple(quals),
                     tuple(intro), language, Channel(channel))


def sms_refusal(written: str, phone: str, channel: Channel, *, given: bool) -> str | None:
    """Why a number (E.164 `phone`, as `written`) cannot have `channel`, or None.

    A fixed line cannot take SMS: it may stay for someone on Telegram, not with sms or
    both (both sends SMS when Telegram is not linked). `given`: the channel was in the file,
    not the default."""
    if channel is Channel.TELEGRAM or (kind := why_no_sms(phone)) is None:
        return None
    how = channel.value if given else f"{channel.value}, som gäller när kanal inte anges"
    return f"{written} är {kind} och kan inte ta emot SMS (kanal {how})"


def _qualifications(
    value: str, problems: list[str], catalogue: Catalogue
) -> list[Qualification]:
    """`code` or `code:ÅÅÅÅ-MM-DD`; a code is any id or alias, stored as the catalogue id."""
    quals: dict[str, Qualification] = {}
    for item in _split_list(value):
        typed, _, expiry = (p.strip() for p in item.partition(":"))
        code = resolve(typed, catalogue)
        if isinstance(code, UnknownCode):
            problems.append(code.message)
            continue
        if code in quals:
            problems.append(f"behörigheten {code!r} står två gånger")
            continue
        expires = _parse_date(expiry, f"behörigheten {typed!r}", problems) if expiry else None
        kind = catalogue.get(code)
        if not expiry and kind is not None and kind.requires_expiry:
            problems.append(f"behörigheten {typed!r} ({kind.name}) kräver ett slutdatum: "
                            f"skriv {typed}:ÅÅÅÅ-MM-DD")
        quals[code] = Qualification(code, expires)
    return list(quals.values())


def local_to_utc(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime | str:
    """The UTC instant of a local wall-clock time, or a Swedish reason it has none/two."""
    naive = dt.datetime.combine(day, time)
    early, late = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early.astimezone(dt.UTC)
    stamp = f"{naive:%Y-%m-%d %H:%M}"
    if early.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != naive:
        return f"tiden {stamp} finns inte i {tz} (klockan ställs fram vid sommartid)"
    return f"tiden {stamp} är tvetydig i {tz} (klockan ställs tillbaka, timmen kommer två gånger)"


def _parse_time(value: str, what: str, problems: list[str]) -> dt.time | None:
    if (time := _clock(value)) is None:
        problems.append(f"ogiltig tid {value!r} i {what} (skriv TT:MM)")
    return time


def parse_shifts(
    text: str, tz: ZoneInfo, catalogue: Catalogue = DEFAULT_CATALOGUE
) -> Parsed[ShiftRow]:
    out: Parsed[ShiftRow] = Parsed()
    rows: list[tuple[int, ShiftRow]] = []
    records = _read_table(text, "shifts", out)
    for rec in records:
        problems: list[str] = []
        row = _shift(rec, tz, problems, catalogue)
        out.errors.extend(row_error(rec.line, p) for p in problems)
        if row is not None and not problems:
            rows.append((rec.line, row))
    bad = _duplicates(records, _id_of, "id", out.errors)
    out.errors.extend(file_overlap_errors([r for line, r in rows if line not in bad]))
    return _finish(out, rows, bad)


def _shift(
    rec: Record, tz: ZoneInfo, problems: list[str], catalogue: Catalogue
) -> ShiftRow | None:
    v = rec.values
    id_ = _check_id(v["id"], "id", problems)
    unit = _check_id(v["unit"], "enhet (unit)", problems)
    person = _check_id(v["person"], "person", problems) if v["person"] else None
    day = _parse_date(v["date"], "date", problems)
    start = _parse_time(v["start"], "start", problems)
    end = _parse_time(v["end"], "end", problems)
    role = SHIFT_ROLE_ALIASES.get(fold(v["role"]), fold(v["role"]))
    if role not in SHIFT_ROLES:
        problems.append(f"okänd roll {v['role']!r} för passet (tillåtna: usk, vardbitrade)")
    reqs = _requirements(v["requirements"], problems, catalogue)
    if len(";".join(reqs)) > 200:
        problems.append("requirements är längre än 200 tecken")
    if day is None or start is None or end is None:
        return None
    if start == end:
        problems.append(f"sluttiden {v['end']} är samma som starttiden")
        return None
    starts_at = local_to_utc(day, start, tz)
    # An end before the start means the shift ends the next day (nattpatrull).
    ends_at = local_to_utc(day + dt.timedelta(days=1) if end < start else day, end, tz)
    for t in (starts_at, ends_at):
        if isinstance(t, str):
            problems.append(t)
    if isinstance(starts_at, str) or isinstance(ends_at, str) or problems:
        return None
    return ShiftRow(rec.line, id_, unit, person, starts_at, ends_at, role, tuple(reqs))


def _requirements(value: str, problems: list[str], catalogue: Catalogue) -> list[str]:
    """A shift's requirements (krav): ids or aliases, stored as catalogue ids, in order."""
    reqs: dict[str, None] = {}
    for typed in _split_list(value):
        code = resolve(typed, catalogue, "okänt krav")
        if isinstance(code, UnknownCode):
            problems.append(code.message)
        else:
            reqs[code] = None
    return list(reqs)


def _by_person(rows: Iterable[ShiftRow]) -> dict[str, list[ShiftRow]]:
    out: dict[str, list[ShiftRow]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: r.line):
        if r.person_id is not None:
            out[r.person_id].append(r)
    return out


def file_overlap_errors(rows: Sequence[ShiftRow]) -> list[RowError]:
    """Rows that overlap an earlier row of the same person in the same file."""
    errors: list[RowError] = []
    for person, mine in _by_person(rows).items():
        for i, r in enumerate(mine):
            for other in mine[:i]:
                if other.starts_at < r.ends_at and r.starts_at < other.ends_at:
                    errors.append(row_error(
                        r.line, f"passet överlappar pass {other.id!r} på rad {other.line} "
                                f"för samma person ({person})"))
                    break
    return errors


def existing_overlap_errors(rows: Sequence[ShiftRow], existing: Iterable[Shift],
                            tz: ZoneInfo) -> list[RowError]:
    """Rows that overlap a shift the same person already has in the database.

    ``existing`` must leave out shifts whose id is in the file: the file replaces them.
    """
    known: dict[str, list[Shift]] = defaultdict(list)
    for s in existing:
        if s.person_id is not None and not s.cancelled:
            known[s.person_id].append(s)
    errors: list[RowError] = []
    for person, mine in _by_person(rows).items():
        for r in mine:
            for s in sorted(known.get(person, ()), key=lambda s: s.starts_at):
                if s.starts_at < r.ends_at and r.starts_at < s.ends_at:
                    a, b = s.starts_at.astimezone(tz), s.ends_at.astimezone(tz)
                    errors.append(row_error(
                        r.line, f"passet överlappar befintligt pass {s.id!r} "
                                f"({a:%Y-%m-%d %H:%M}–{b:%H:%M}) för samma person ({person})"))
                    break
    return errors
