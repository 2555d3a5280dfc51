"""CSV import, the pure half: CSV text in, typed rows or row errors out.

No database and no file access here; `storage.imports` reads the file, adds the checks
that need the database and writes. Every message is Swedish and names the physical line
of the file (header = line 1), so an admin can fix the file in Excel and try again.

Format: UTF-8 (a BOM is ignored), comma or semicolon separated (taken from the header
line). Lists inside a field use the other separator; both ';' and ',' are accepted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.model import Channel, Qualification, Role, RoleGrant, Shift, Tier
from bot.domain.phone import InvalidPhoneNumber, normalise_phone

ImportKind = Literal["units", "people", "shifts"]

# Qualification codes (behörigheter) a person may hold and a shift may require.
QUALIFICATION_CODES = frozenset({
    "usk",  # undersköterska
    "delegering",  # läkemedelsdelegering, personal and with an expiry date
    "korkort",  # körkort
})
SHIFT_ROLES = frozenset({"usk", "vardbitrade"})  # undersköterska / vårdbiträde
LANGUAGES = frozenset({"sv", "en"})
UNIT_ROLES = frozenset({Role.STAFF, Role.COORDINATOR, Role.HANDLEDARE})
_ROLES = frozenset(r.value for r in Role)
_TIERS = frozenset(t.value for t in Tier)
_CHANNELS = frozenset(c.value for c in Channel)
# Appended to the error for a coordinator row without units.
COORDINATOR_NEEDS_UNITS = (" (samordnare utan enhet ser ingenting: ange enheter, "
                           "eller rollen admin för att se alla enheter)")
ROLE_ALIASES = {"ordinarie": "staff", "vikarie": "substitute", "samordnare": "coordinator"}
SHIFT_ROLE_ALIASES = {"vårdbiträde": "vardbitrade", "undersköterska": "usk"}

COLUMNS: dict[ImportKind, tuple[str, ...]] = {
    "units": ("id", "name", "area", "address", "phone"),
    "people": ("id", "name", "phone", "roles", "units", "tier", "qualifications",
               "introduced_units", "language", "channel"),
    "shifts": ("id", "unit", "person", "date", "start", "end", "role", "requirements"),
}
# Columns a file may leave out: the database keeps what it has (files from before them).
OPTIONAL_COLUMNS: dict[ImportKind, frozenset[str]] = {"units": frozenset({"address", "phone"})}
_ID = re.compile(r"[\w.:-]{1,64}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})", re.ASCII)
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


@dataclass(frozen=True, slots=True)
class _Record:
    line: int
    values: dict[str, str]


def _read_table(text: str, kind: ImportKind, errors: list[RowError]) -> list[_Record]:
    """Split the text into records keyed by column name; header problems end the read."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        errors.append(row_error(0, "filen är tom (en rubrikrad krävs)"))
        return []
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[_Record] = []
    header: list[str] | None = None
    prev_line = 0
    try:
        for fields in reader:
            line, prev_line = prev_line + 1, reader.line_num
            if header is None:
                header = _check_header(fields, kind, errors)
                if header is None:
                    return []
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
            records.append(_Record(line, dict(zip(header, values, strict=True))))
    except csv.Error as exc:
        errors.append(row_error(prev_line + 1, f"kan inte läsa raden som CSV ({exc})"))
    return records


def control_char_errors(line: int, names: Sequence[str], values: Sequence[str]) -> list[RowError]:
    """One error per field holding a control character; the value itself is not repeated."""
    return [row_error(line, f"otillåtet tecken i fältet {name}")
            for name, value in zip(names, values, strict=True) if _CONTROL.search(value)]


def _check_header(fields: list[str], kind: ImportKind, errors: list[RowError]) -> list[str] | None:
    return check_header(fields, COLUMNS[kind], errors, OPTIONAL_COLUMNS.get(kind, frozenset()))


def check_header(
    fields: list[str], known: Sequence[str], errors: list[RowError],
    optional: frozenset[str] = frozenset(),
) -> list[str] | None:
    """The header's column names, or None with every problem added to `errors` (line 1)."""
    names = [f.strip().lower() for f in fields]
    while names and not names[-1]:
        names.pop()  # Excel sometimes writes trailing separators
    bad = [i + 1 for i, name in enumerate(names) if _CONTROL.search(name)]
    if bad:
        errors.extend(row_error(1, f"otillåtet tecken i rubriken för kolumn {i}") for i in bad)
        return None
    problems: list[str] = []
    if "" in names:
        problems.append(f"kolumn {names.index('') + 1} saknar rubrik")
    unknown = [n for n in names if n and n not in known]
    if unknown:
        problems.append(f"okända kolumner: {', '.join(unknown)} (tillåtna: {', '.join(known)})")
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        problems.append(f"kolumner som står två gånger: {', '.join(dupes)}")
    # Every column, so none is half-updated; an optional one left out is left alone.
    missing = [c for c in known if c not in names and c not in optional]
    if missing:
        problems.append(f"kolumner saknas: {', '.join(missing)}")
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
    if _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(f"ogiltigt datum {value!r} i {what} (skriv ÅÅÅÅ-MM-DD)")
    return None


def _duplicates(
    records: Iterable[_Record], key: Callable[[_Record], str | None], what: str,
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


def _id_of(rec: _Record) -> str:
    return rec.values["id"]


def _phone_of(rec: _Record) -> str | None:
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
    records = _read_table(text, "units", out.errors)
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


def parse_people(text: str) -> Parsed[PersonRow]:
    out: Parsed[PersonRow] = Parsed()
    rows: list[tuple[int, PersonRow]] = []
    records = _read_table(text, "people", out.errors)
    for rec in records:
        problems: list[str] = []
        row = _person(rec, problems)
        out.errors.extend(row_error(rec.line, p) for p in problems)
        if row is not None and not problems:
            rows.append((rec.line, row))
    bad = _duplicates(records, _id_of, "id", out.errors)
    bad |= _duplicates(records, _phone_of, "telefonnumret", out.errors)
    return _finish(out, rows, bad)


def _person(rec: _Record, problems: list[str]) -> PersonRow | None:
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
    for raw in _split_list(v["roles"].lower()):
        raw = ROLE_ALIASES.get(raw, raw)
        if raw in _ROLES:
            roles.append(Role(raw))
        else:
            problems.append(f"okänd roll {raw!r} (tillåtna: {', '.join(r.value for r in Role)})")
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
    if raw_tier := v["tier"].lower():
        if raw_tier in _TIERS:
            tier = Tier(raw_tier)
        else:
            problems.append(f"okänd tier {raw_tier!r} (tillåtna: pool, substitute, staff_extra)")
    quals = _qualifications(v["qualifications"], problems)
    intro = [_check_id(u, "enhets-id", problems)
             for u in _split_list(v["introduced_units"])]
    language = v["language"].lower() or "sv"
    if language not in LANGUAGES:
        problems.append(f"okänt språk {language!r} (tillåtna: sv, en)")
    channel = v["channel"].lower() or Channel.BOTH.value
    if channel not in _CHANNELS:
        problems.append(f"okänd kanal {channel!r} (tillåtna: telegram, sms, both)")
        channel = Channel.BOTH.value
    if problems:
        return None
    return PersonRow(rec.line, id_, name, phone, tuple(grants), tier, tuple(quals),
                     tuple(intro), language, Channel(channel))


def _qualifications(value: str, problems: list[str]) -> list[Qualification]:
    quals: dict[str, Qualification] = {}
    for item in _split_list(value):
        code, _, expiry = (p.strip() for p in item.lower().partition(":"))
        if code not in QUALIFICATION_CODES:
            problems.append(f"okänd behörighet {code!r} "
                            f"(tillåtna: {', '.join(sorted(QUALIFICATION_CODES))})")
            continue
        if code in quals:
            problems.append(f"behörigheten {code!r} står två gånger")
            continue
        expires = _parse_date(expiry, f"behörigheten {code!r}", problems) if expiry else None
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
    m = _TIME.fullmatch(value)
    if m and int(m[1]) < 24 and int(m[2]) < 60:
        return dt.time(int(m[1]), int(m[2]))
    problems.append(f"ogiltig tid {value!r} i {what} (skriv TT:MM)")
    return None


def parse_shifts(text: str, tz: ZoneInfo) -> Parsed[ShiftRow]:
    out: Parsed[ShiftRow] = Parsed()
    rows: list[tuple[int, ShiftRow]] = []
    records = _read_table(text, "shifts", out.errors)
    for rec in records:
        problems: list[str] = []
        row = _shift(rec, tz, problems)
        out.errors.extend(row_error(rec.line, p) for p in problems)
        if row is not None and not problems:
            rows.append((rec.line, row))
    bad = _duplicates(records, _id_of, "id", out.errors)
    out.errors.extend(file_overlap_errors([r for line, r in rows if line not in bad]))
    return _finish(out, rows, bad)


def _shift(rec: _Record, tz: ZoneInfo, problems: list[str]) -> ShiftRow | None:
    v = rec.values
    id_ = _check_id(v["id"], "id", problems)
    unit = _check_id(v["unit"], "enhet (unit)", problems)
    person = _check_id(v["person"], "person", problems) if v["person"] else None
    day = _parse_date(v["date"], "date", problems)
    start = _parse_time(v["start"], "start", problems)
    end = _parse_time(v["end"], "end", problems)
    role = SHIFT_ROLE_ALIASES.get(v["role"].lower(), v["role"].lower())
    if role not in SHIFT_ROLES:
        problems.append(f"okänd roll {v['role']!r} för passet (tillåtna: usk, vardbitrade)")
    reqs = [r.lower() for r in _split_list(v["requirements"])]
    for r in reqs:
        if r not in QUALIFICATION_CODES:
            allowed = ", ".join(sorted(QUALIFICATION_CODES))
            problems.append(f"okänt krav {r!r} (tillåtna: {allowed})")
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
