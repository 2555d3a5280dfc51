"""Write the sample municipality (units.csv, people.csv, shifts.csv, qualifications.csv)
next to this file.

Deterministic (seeded): run it again and the files come out byte for byte the same.
Everyone is fictional; phone numbers are in the 070-174 0x xx range.

    .venv/bin/python bot/data/sample/make_sample.py

Shifts: two weeks from Monday 2026-11-30, assigned greedily to each unit's own staff
with at least 11 hours' rest between shifts (dygnsvila), at most five shifts a week, at
most five days in a row and at most one working weekend; what nobody can take stays open.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20261130
FIRST_DAY = dt.date(2026, 11, 30)  # a Monday
DAYS = 14
REST = dt.timedelta(hours=11)

# Each unit's office (never a care recipient's address) and workplace phone, in the range
# PTS keeps for fiction (08-465 004 00 to 99).
UNITS = (
    ("norr", "Hemtjänst Norr", "Centrum", "Norra Storgatan 12, Vikby", "08-465 004 10"),
    ("soder", "Hemtjänst Söder", "Centrum", "Södra Parkvägen 3, Vikby", "08-465 004 20"),
)

FIRST_NAMES = (
    "Anna", "Maria", "Karin", "Sara", "Lena", "Emma", "Elin", "Ida", "Johanna", "Linnea",
    "Sofia", "Hanna", "Malin", "Fatima", "Amina", "Leila", "Erik", "Johan", "Anders", "Lars",
    "Mikael", "Oskar", "Ahmed", "Yusuf", "Daniel", "Peter", "Nils", "Astrid", "Greta", "Maja",
    "Ebba", "Selma", "Tove", "Aisha", "Hiba", "Mohammed", "Viktor", "Lukas", "Alva", "Saga",
    "Wilma", "Frida", "Jonas",
)
LAST_NAMES = (
    "Lindqvist", "Bergström", "Holmgren", "Sandberg", "Ekström", "Nyberg", "Lundin", "Hedlund",
    "Sjöberg", "Åberg", "Forsberg", "Björklund", "Wikström", "Engström", "Dahlberg", "Strand",
    "Blom", "Hellström", "Axelsson", "Mattsson", "Falk", "Norén", "Ali", "Hassan", "Yilmaz",
    "Rahimi", "Korhonen", "Virtanen", "Öberg", "Lind", "Sundqvist", "Ågren", "Borg", "Hägg",
)


@dataclass
class Staff:
    id: str
    unit: str
    profession: str  # usk / vardbitrade
    quals: dict[str, dt.date | None]
    night: bool = False
    shifts: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    weekends: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Slot:
    name: str
    start: dt.time
    end: dt.time
    role: str
    requirements: tuple[str, ...] = ()


DAG1 = Slot("dag1", dt.time(6, 30), dt.time(15, 30), "usk", ("delegering",))
DAG2 = Slot("dag2", dt.time(7, 0), dt.time(16, 0), "usk")
DAG3 = Slot("dag3", dt.time(7, 0), dt.time(16, 0), "vardbitrade")
KVALL1 = Slot("kvall1", dt.time(15, 0), dt.time(22, 0), "usk")
KVALL1_BIL = Slot("kvall1", dt.time(15, 0), dt.time(22, 0), "usk", ("korkort",))
KVALL2 = Slot("kvall2", dt.time(15, 0), dt.time(22, 0), "vardbitrade")
NATT = Slot("natt", dt.time(21, 0), dt.time(7, 0), "usk", ("korkort",))
# Extra needs nobody on the schedule covers: these stay open for the call-out.
EXTRA = {
    (dt.date(2026, 12, 1), "norr"): Slot("extra", dt.time(7, 0), dt.time(12, 0), "usk",
                                         ("korkort",)),
    (dt.date(2026, 12, 4), "soder"): Slot("extra", dt.time(16, 0), dt.time(22, 0), "vardbitrade"),
    (dt.date(2026, 12, 8), "norr"): Slot("extra", dt.time(6, 30), dt.time(15, 30), "usk",
                                         ("delegering",)),
    (dt.date(2026, 12, 12), "soder"): Slot("extra", dt.time(8, 0), dt.time(14, 0), "usk",
                                           ("korkort",)),
}


def slots_for(day: dt.date, unit: str) -> list[Slot]:
    evening = KVALL1_BIL if unit == "soder" else KVALL1
    slots = [DAG1, DAG2, DAG3, evening, KVALL2] if day.weekday() < 5 else [DAG1, evening]
    if unit == "norr":
        slots.append(NATT)
    if (day, unit) in EXTRA:
        slots.append(EXTRA[(day, unit)])
    return slots


def staff_list() -> list[Staff]:
    d = dt.date
    spec: list[tuple[str, str, dict[str, dt.date | None], bool]] = [
        ("norr", "usk", {"usk": None, "delegering": d(2027, 6, 30), "korkort": None}, False),
        ("norr", "usk", {"usk": None, "delegering": d(2027, 3, 31), "korkort": None}, False),
        ("norr", "usk", {"usk": None, "delegering": d(2026, 12, 31), "korkort": None}, False),
        ("norr", "usk", {"usk": None, "korkort": None}, False),
        ("norr", "vardbitrade", {"korkort": None}, False),
        ("norr", "vardbitrade", {}, False),
        ("norr", "usk", {"usk": None, "delegering": d(2027, 9, 30), "korkort": None}, True),
        ("norr", "usk", {"usk": None, "delegering": d(2027, 5, 31), "korkort": None}, True),
        ("soder", "usk", {"usk": None, "delegering": d(2027, 8, 31), "korkort": None}, False),
        ("soder", "usk", {"usk": None, "delegering": d(2027, 2, 28)}, False),
        ("soder", "usk", {"usk": None, "delegering": d(2027, 4, 30), "korkort": None}, False),
        ("soder", "usk", {"usk": None, "korkort": None}, False),
        ("soder", "usk", {"usk": None, "delegering": d(2027, 1, 31), "korkort": None}, False),
        ("soder", "vardbitrade", {"korkort": None}, False),
        ("soder", "vardbitrade", {}, False),
    ]
    return [Staff(f"anst{i:02d}", u, p, q, n) for i, (u, p, q, n) in enumerate(spec, 1)]


HANDLEDARE = {"anst01", "anst02", "anst09", "anst10"}
STAFF_EXTRA = {"anst03", "anst06", "anst11"}


def can_take(s: Staff, slot: Slot, start: dt.datetime, end: dt.datetime) -> bool:
    if s.night != (slot.name == "natt"):
        return False
    if slot.role == "usk" and "usk" not in s.quals:
        return False
    day = start.date()
    for code in slot.requirements:
        if code not in s.quals:
            return False
        expires = s.quals[code]
        if expires is not None and day > expires:
            return False
    if any(a.date() == day for a, _ in s.shifts):
        return False  # one shift a day, no split shifts
    if any(a - REST < end and start < b + REST for a, b in s.shifts):
        return False  # overlap or less than 11 hours' rest (dygnsvila)
    week = day.isocalendar()[1]
    if sum(1 for a, _ in s.shifts if a.isocalendar()[1] == week) >= (4 if s.night else 5):
        return False
    run = 0
    while any(a.date() == day - dt.timedelta(days=run + 1) for a, _ in s.shifts):
        run += 1
    if run >= 5:
        return False
    # Day and evening staff work at most one of the two weekends; night staff rotate.
    return s.night or not (day.weekday() >= 5 and s.weekends and week not in s.weekends)


def schedule(staff: list[Staff], rng: random.Random) -> list[list[str]]:
    rows: list[list[str]] = []
    for offset in range(DAYS):
        day = FIRST_DAY + dt.timedelta(days=offset)
        for unit, *_ in UNITS:
            for slot in sorted(slots_for(day, unit), key=lambda s: s.start):
                start = dt.datetime.combine(day, slot.start)
                end_day = day + dt.timedelta(days=1) if slot.end < slot.start else day
                end = dt.datetime.combine(end_day, slot.end)
                person = ""
                if slot.name != "extra":
                    pool = [s for s in staff if s.unit == unit and can_take(s, slot, start, end)]
                    rng.shuffle(pool)
                    week = day.isocalendar()[1]
                    pool.sort(key=lambda s: (
                        slot.role == "vardbitrade" and s.profession != "vardbitrade",
                        day.weekday() >= 5 and week not in s.weekends,  # keep weekends whole
                        sum(1 for a, _ in s.shifts if a.isocalendar()[1] == week),
                        len(s.shifts),
                    ))
                    if pool:
                        chosen = pool[0]
                        chosen.shifts.append((start, end))
                        if day.weekday() >= 5:
                            chosen.weekends.add(week)
                        person = chosen.id
                rows.append([f"{unit}-{day:%m%d}-{slot.name}", unit, person, day.isoformat(),
                             f"{slot.start:%H:%M}", f"{slot.end:%H:%M}", slot.role,
                             ";".join(slot.requirements)])
    return rows


def phone(i: int) -> str:
    """The i-th sample number, written the different ways people write numbers."""
    d = f"0701740{100 + i:03d}"
    style = i % 3
    if style == 0:
        return f"{d[:3]}-{d[3:6]} {d[6:8]} {d[8:]}"  # 070-174 01 03
    if style == 1:
        return d  # 0701740104
    return f"+46 {d[1:3]} {d[3:6]} {d[6:8]} {d[8:]}"  # +46 70 174 01 05


def people_rows(staff: list[Staff], rng: random.Random) -> list[list[str]]:
    names = [f"{f} {last}" for f, last in zip(FIRST_NAMES, rng.sample(LAST_NAMES, 34) * 2,
                                               strict=False)]
    rng.shuffle(names)
    rows: list[list[str]] = []

    def add(pid: str, roles: str, units: str, tier: str, quals: str, intro: str,
            language: str = "", channel: str = "", with_phone: bool = True) -> None:
        i = len(rows) + 1
        rows.append([pid, names[i - 1], phone(i) if with_phone else "", roles, units, tier,
                     quals, intro, language, channel])

    for s in staff:
        roles = "staff;handledare" if s.id in HANDLEDARE else "staff"
        held = ";".join(c if e is None else f"{c}:{e}" for c, e in s.quals.items())
        channel = "telegram" if s.id in ("anst04", "anst12") else ""
        add(s.id, roles, s.unit, "staff_extra" if s.id in STAFF_EXTRA else "", held, s.unit,
            channel=channel)
    # Delegations that run out during, or just after, the two sample weeks.
    expiring = {4: dt.date(2026, 12, 5), 12: dt.date(2026, 12, 20), 17: dt.date(2027, 1, 15)}
    for n in range(1, 26):
        quals: list[str] = []
        if rng.random() < 0.65 or n in expiring:
            quals.append("usk")
            if rng.random() < 0.6 or n in expiring:
                expiry = expiring.get(n) or dt.date(
                    2027 + rng.randint(0, 1), rng.randint(1, 12), 28)
                quals.append(f"delegering:{expiry}")
        if rng.random() < 0.6:
            quals.append("korkort")
        intro = "" if n >= 22 else rng.choice(["norr", "soder", "norr;soder", "norr;soder"])
        language = "en" if n in (11, 19) else ""
        channel = {3: "sms", 8: "sms", 15: "sms", 20: "sms", 6: "telegram", 13: "telegram",
                   24: "telegram"}.get(n, "")
        add(f"vik{n:02d}", "substitute", "", "pool" if n <= 5 else "substitute",
            ";".join(quals), intro, language, channel, with_phone=n != 24)
    add("sam-norr", "coordinator", "norr", "", "", "", channel="telegram")
    add("sam-soder", "coordinator", "soder", "", "", "", channel="telegram")
    add("admin", "admin", "", "", "", "")
    return rows


# The default catalogue (migration 0005) and two of the municipality's own: import this
# file before people and shifts that use them.
QUALIFICATIONS = (
    ("usk", "Undersköterska", "undersköterska", ""),
    ("korkort", "Körkort", "körkort", ""),
    ("delegering", "Läkemedelsdelegering", "läkemedelsdelegering", "ja"),
    ("insulin", "Insulindelegering", "insulindelegering|insulin-delegering", "ja"),
    ("taklyft", "Taklyftsutbildning", "taklyftsutbildning|lyftutbildning", ""),
)


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def render() -> dict[str, str]:
    """File name -> CSV text, the same on every run."""
    rng = random.Random(SEED)  # noqa: S311 - sample data, not security
    staff = staff_list()
    return {
        "units.csv": to_csv(["id", "name", "area", "address", "phone"], [list(u) for u in UNITS]),
        "people.csv": to_csv(["id", "name", "phone", "roles", "units", "tier", "qualifications",
                              "introduced_units", "language", "channel"],
                             people_rows(staff, rng)),
        "shifts.csv": to_csv(["id", "unit", "person", "date", "start", "end", "role",
                              "requirements"], schedule(staff, rng)),
        "qualifications.csv": to_csv(["id", "name", "aliases", "expires"],
                                     [list(q) for q in QUALIFICATIONS]),
    }


def main() -> None:
    for name, text in render().items():
        (HERE / name).write_text(text, encoding="utf-8", newline="")


if __name__ == "__main__":
    main()
