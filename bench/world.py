"""The simulated morning: six units, their staff and shifts, ~40 absences, a substitute
pool of ~120 and how each substitute answers. Everything comes from one seed.

Pure data plus one writer (`write_world`) that puts it in a migrated database with bulk
inserts. The response draws (`Behaviour.draw`) depend only on (seed, person, shift), so
every strategy sees the same answer from the same person for the same vacancy.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from storage import tables as t
from storage.db import Database

TZ = ZoneInfo("Europe/Stockholm")
DAY = dt.date(2026, 11, 17)  # a Tuesday, far from a daylight-saving change

UNITS = (  # id, name, area
    ("bjorkdalen", "Hemtjänst Björkdalen", "Norr"),
    ("ekbacken", "Hemtjänst Ekbacken", "Norr"),
    ("lindhagen", "Hemtjänst Lindhagen", "Norr"),
    ("sjostaden", "Hemtjänst Sjöstaden", "Söder"),
    ("hammarby", "Hemtjänst Hammarby", "Söder"),
    ("arsta", "Hemtjänst Årsta", "Söder"),
)

FIRST = ("Anna", "Maria", "Sara", "Emma", "Lena", "Karin", "Fatima", "Amina", "Sofia", "Elin",
         "Johan", "Erik", "Ali", "Omar", "Lars", "Mehmet", "Ida", "Hanna", "Nora", "Leila")
LAST = ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
        "Persson", "Svensson", "Gustafsson", "Hassan", "Mohammed", "Yilmaz", "Berg", "Lind")


def local(day: dt.date, hhmm: str) -> dt.datetime:
    """A local wall time on `day`, as aware UTC."""
    h, m = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=TZ).astimezone(dt.UTC)


@dataclass(frozen=True)
class Answer:
    answers: bool  # answers at all (for a phone call: picks up)
    delay: dt.timedelta  # after the offer reached them
    accepts: bool  # given that they answer


@dataclass(frozen=True)
class Behaviour:
    p_answer: float
    p_accept: float
    median_minutes: float
    sigma: float  # of the log-normal delay

    def draw(self, seed: int, person_id: str, shift_id: str) -> Answer:
        """The one answer this person gives for this shift, whoever asks and how."""
        r = random.Random(f"{seed}|{person_id}|{shift_id}")
        u_answer, z, u_accept = r.random(), r.gauss(0.0, 1.0), r.random()
        minutes = self.median_minutes * math.exp(self.sigma * z)
        return Answer(u_answer < self.p_answer, dt.timedelta(minutes=minutes),
                      u_accept < self.p_accept)


@dataclass(frozen=True)
class SimShift:
    id: str
    unit: str
    person: str | None
    start: dt.datetime
    end: dt.datetime
    role: str
    reqs: tuple[str, ...] = ()

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    @property
    def band(self) -> str:
        if self.start.astimezone(TZ).date() > DAY:
            return "tomorrow 07:00"
        return "today 07:00" if self.start.astimezone(TZ).hour < 12 else "today 15:00"


@dataclass(frozen=True)
class Report:
    at: dt.datetime
    person: str
    shift: str
    category: str


@dataclass
class Morning:
    seed: int
    people: list[dict[str, object]] = field(default_factory=list)
    roles: list[dict[str, object]] = field(default_factory=list)
    quals: list[dict[str, object]] = field(default_factory=list)
    intros: list[dict[str, object]] = field(default_factory=list)
    shifts: dict[str, SimShift] = field(default_factory=dict)
    reports: list[Report] = field(default_factory=list)
    behaviour: dict[str, Behaviour] = field(default_factory=dict)  # substitutes only
    sms_only: set[str] = field(default_factory=set)
    substitutes: set[str] = field(default_factory=set)

    def answer(self, person_id: str, shift_id: str) -> Answer:
        return self.behaviour[person_id].draw(self.seed, person_id, shift_id)


def person_row(pid: str, name: str, phone: str, telegram: int | None, tier: str | None,
               **extra: object) -> dict[str, object]:
    """A `people` row as the benches write it: SMS only when there is no Telegram id."""
    return {
        "id": pid, "name": name, "phone": phone,
        "telegram_user_id": telegram, "telegram_chat_id": telegram,
        "channel": "both" if telegram is not None else "sms", "tier": tier, "language": "sv",
        "active": True, "sms_opted_out": False, "available_days": "1234567",
        "paused_until": None, "available_from": None, "available_to": None,
        "max_hours_week": None, **extra,
    }


def build_morning(seed: int = 20261117, n_subs: int = 120, n_absences: int = 40) -> Morning:
    rng = random.Random(seed)
    w = Morning(seed)
    phone = 1_000_000
    tg = 700_000

    def add_person(pid: str, *, tier: str | None, sms_only: bool = False,
                   **extra: object) -> None:
        nonlocal phone, tg
        phone += 1
        tg += 1
        w.people.append(person_row(pid, f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                                   f"+4670{phone:07d}", None if sms_only else tg, tier,
                                   **extra))
        if sms_only:
            w.sms_only.add(pid)

    def add_shift(sid: str, unit: str, person: str | None, day: dt.date, a: str, b: str,
                  role: str = "usk", reqs: tuple[str, ...] = ()) -> SimShift:
        s = SimShift(sid, unit, person, local(day, a), local(day, b), role, reqs)
        w.shifts[sid] = s
        return s

    today, tomorrow, yesterday = DAY, DAY + dt.timedelta(days=1), DAY - dt.timedelta(days=1)

    # --- regular staff: 18 a unit, each with one upcoming shift ---
    staff_shifts: list[SimShift] = []
    for uid, _name, _area in UNITS:
        for i in range(18):
            pid = f"{uid}-st{i:02d}"
            add_person(pid, tier=None)
            w.roles.append({"person_id": pid, "role": "staff", "unit_id": uid})
            if i in (0, 1, 10, 14):
                w.roles.append({"person_id": pid, "role": "handledare", "unit_id": uid})
            w.quals.append({"person_id": pid, "code": "usk", "expires_on": None})
            w.intros.append({"person_id": pid, "unit_id": uid})
            role = "usk" if rng.random() < 0.75 else "vardbitrade"
            reqs = tuple(q for q, p in (("delegering", 0.3), ("korkort", 0.4))
                         if rng.random() < p)
            if i < 10:
                day, a, b = today, "07:00", "16:00"
            elif i < 14:
                day, a, b = today, "15:00", "22:00"
            else:
                day, a, b = tomorrow, "07:00", "16:00"
            staff_shifts.append(add_shift(f"{uid}-{day:%m%d}-{a[:2]}-{i:02d}", uid, pid, day,
                                          a, b, role, reqs))

    # --- substitutes: pool staff on stand-by and hourly substitutes ---
    unit_ids = [u[0] for u in UNITS]
    by_area = {a: [u[0] for u in UNITS if u[2] == a] for a in ("Norr", "Söder")}
    for n in range(n_subs):
        pool = n < n_subs // 8
        pid = f"{'pool' if pool else 'vik'}{n:03d}"
        home = rng.choice(("Norr", "Söder"))
        sms_only = rng.random() < 0.3
        extra: dict[str, object] = {}
        x = rng.random()
        if not pool and x < 0.06:
            extra["paused_until"] = local(tomorrow, "12:00")
        elif not pool and x < 0.14:
            extra["available_from"], extra["available_to"] = dt.time(14), dt.time(23)
        elif not pool and x < 0.20:
            extra["available_days"] = "13457"  # not on Tuesdays
        if not pool and rng.random() < 0.10:
            extra["max_hours_week"] = 20.0
        add_person(pid, tier="pool" if pool else "substitute", sms_only=sms_only, **extra)
        w.substitutes.add(pid)
        w.roles.append({"person_id": pid, "role": "substitute", "unit_id": None})
        usk = pool or rng.random() < 0.75
        if usk:
            w.quals.append({"person_id": pid, "code": "usk", "expires_on": None})
            if rng.random() < 0.5:
                w.quals.append({"person_id": pid, "code": "delegering", "expires_on": None})
        if rng.random() < 0.7:
            w.quals.append({"person_id": pid, "code": "korkort", "expires_on": None})
        if pool:
            intro = list(by_area[home])
        else:
            k = rng.choices((0, 1, 2, 3), weights=(15, 35, 30, 20))[0]
            near = list(by_area[home])
            rng.shuffle(near)
            intro = near[:k]
            if k and rng.random() < 0.2:
                intro[-1] = rng.choice([u for u in unit_ids if u not in by_area[home]])
        for u in sorted(set(intro)):
            w.intros.append({"person_id": pid, "unit_id": u})
        # Commitments that make some of them ineligible this morning.
        y = rng.random()
        where = intro[0] if intro else rng.choice(by_area[home])
        if not pool and y < 0.15:  # already booked for a day shift today
            add_shift(f"{pid}-today", where, pid, today, "07:00", "16:00")
            if where not in intro:
                w.intros.append({"person_id": pid, "unit_id": where})
        elif not pool and y < 0.23:  # worked last night: no 11 h rest before 07:00
            add_shift(f"{pid}-lastnight", where, pid, yesterday, "15:00", "22:00")
        # A little history: shifts worked in the last three weeks (continuity).
        for k in range(rng.choice((0, 0, 1, 2, 3))):
            d = today - dt.timedelta(days=rng.randint(2, 21))
            add_shift(f"{pid}-past{k}", where, pid, d, "07:00", "16:00")
        if pool:
            w.behaviour[pid] = Behaviour(0.92, 0.65, 3.0, 0.8)
        else:
            w.behaviour[pid] = Behaviour(
                p_answer=rng.uniform(0.45, 0.9), p_accept=rng.uniform(0.08, 0.4),
                median_minutes=min(12.0, max(1.5, 4.0 * math.exp(rng.gauss(0, 0.35)))),
                sigma=0.9)

    # --- the absences: most for 07:00 today, some 15:00 today, some tomorrow 07:00 ---
    day_shifts = [s for s in staff_shifts if s.band == "today 07:00"]
    eve_shifts = [s for s in staff_shifts if s.band == "today 15:00"]
    tmw_shifts = [s for s in staff_shifts if s.band == "tomorrow 07:00"]
    n_eve, n_tmw = round(n_absences * 0.175), round(n_absences * 0.125)
    chosen = (rng.sample(day_shifts, n_absences - n_eve - n_tmw) + rng.sample(eve_shifts, n_eve)
              + rng.sample(tmw_shifts, n_tmw))
    first, span = local(today, "05:30"), 90.0
    for s in chosen:
        if s.band == "today 07:00":
            minutes = 80.0 * rng.betavariate(1.6, 2.2)  # mostly 05:45-06:30, never after 06:50
        else:
            minutes = rng.uniform(0.0, span)
        at = first + dt.timedelta(minutes=round(minutes, 2))
        assert s.person is not None
        w.reports.append(Report(at, s.person, s.id, rng.choice(("sjuk", "sjuk", "vab", "annat"))))
    w.reports.sort(key=lambda r: r.at)
    return w


async def write_world(db: Database, w: Morning) -> None:
    """The units, people and shifts of the morning, in one transaction of bulk inserts."""
    async with db.write() as conn:
        await conn.execute(sa.insert(t.units), [
            {"id": uid, "name": name, "area": area, "coordinator_chat_id": -100 - i,
             "allow_staff_extra": False}
            for i, (uid, name, area) in enumerate(UNITS)
        ])
        await conn.execute(sa.insert(t.people), w.people)
        await conn.execute(sa.insert(t.person_roles), w.roles)
        await conn.execute(sa.insert(t.qualifications), w.quals)
        since = local(DAY - dt.timedelta(days=200), "08:00")
        await conn.execute(sa.insert(t.introductions),
                           [{**i, "since": since, "by_person_id": None} for i in w.intros])
        await conn.execute(sa.insert(t.shifts), [
            {"id": s.id, "unit_id": s.unit, "person_id": s.person, "starts_at": s.start,
             "ends_at": s.end, "role": s.role, "requirements": ";".join(s.reqs),
             "cancelled": False}
            for s in w.shifts.values()
        ])


HISTORY_PREFIX = "hist-"  # shift ids of the past call-outs written by `write_history`


async def write_history(db: Database, w: Morning, days: int = 20, per_offer: int = 12) -> int:
    """Past call-outs to learn from, drawn from the same response model: on each of the
    `days` mornings before DAY, one 07:00-16:00 vacancy a unit, offered at 06:00 to up to
    `per_offer` substitutes introduced there (a random draw). Each answers as
    `Behaviour.draw` says for that past shift: the first yes is `accepted`, later ones
    `late`, a no `declined`, silence `expired`. No bookings (they would bind the morning's
    rest and hour rules); the offers count in hours offered, as past offers do. Returns
    how many offers were written."""
    rng = random.Random(f"history|{w.seed}")
    at_unit: dict[str, list[str]] = {}
    for i in w.intros:
        pid = str(i["person_id"])
        if pid in w.behaviour:
            at_unit.setdefault(str(i["unit_id"]), []).append(pid)
    shifts, vacancies, offers = [], [], []
    vid = 0
    for back in range(days, 0, -1):
        day = DAY - dt.timedelta(days=back)
        for uid, _name, _area in UNITS:
            vid += 1
            sid = f"{HISTORY_PREFIX}{back}-{uid}"
            start, end, sent = local(day, "07:00"), local(day, "16:00"), local(day, "06:00")
            shifts.append({"id": sid, "unit_id": uid, "person_id": None, "starts_at": start,
                           "ends_at": end, "role": "usk", "requirements": "",
                           "cancelled": False})
            vacancies.append({"id": vid, "shift_id": sid, "absence_id": None,
                              "status": "expired", "wave": 1, "next_due_at": None,
                              "created_at": sent, "updated_at": sent})
            asked = sorted(set(at_unit.get(uid, [])))
            asked = rng.sample(asked, min(per_offer, len(asked)))
            draws = [(pid, w.behaviour[pid].draw(w.seed, pid, sid)) for pid in asked]
            first_yes = min((a.delay for _, a in draws if a.answers and a.accepts),
                            default=None)
            for rank, (pid, a) in enumerate(draws, start=1):
                if not a.answers:
                    state, answered = "expired", start
                elif not a.accepts:
                    state, answered = "declined", sent + a.delay
                else:
                    state = "accepted" if a.delay == first_yes else "late"
                    answered = sent + a.delay
                offers.append({"vacancy_id": vid, "person_id": pid, "wave": 1, "rank": rank,
                               "code": rank, "created_at": sent, "state": state,
                               "answered_at": answered})
    async with db.write() as conn:
        await conn.execute(sa.insert(t.shifts), shifts)
        await conn.execute(sa.insert(t.vacancies), vacancies)
        await conn.execute(sa.insert(t.offers), offers)
    return len(offers)
