"""Builders for the pure-core unit tests: Stockholm wall time, a substitute (vikarie), a member
of staff (ordinarie), the 07:00–15:00 shift at Norr A and its vacancy context."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.eligibility import VacancyContext
from bot.domain.model import Person, Qualification, Role, RoleGrant, Shift, Tier, Unit
from bot.domain.rules import RuleSettings

TZ = ZoneInfo("Europe/Stockholm")
RULES = RuleSettings()
UNIT = Unit("u1", "Norr A", "norr")
AREAS = {"u1": "norr", "u2": "norr", "u3": "soder"}


def at(when: str, hm: str | None = None) -> dt.datetime:
    """Local Stockholm wall time: at("2026-04-15 07:00") or at("2026-04-15", "07:00")."""
    return dt.datetime.fromisoformat(when if hm is None else f"{when}T{hm}").replace(tzinfo=TZ)


SHIFT = Shift("s1", "u1", at("2026-04-15", "07:00"), at("2026-04-15", "15:00"), "usk")
NOW = at("2026-04-14", "20:00")


def person(pid: str = "p1", **kw: Any) -> Person:
    """A reachable undersköterska, introduced at u1 (the shift's unit); kw replaces fields."""
    base = Person(
        id=pid,
        name=f"Person {pid.upper()}",
        phone="+46701234567",
        tier=Tier.SUBSTITUTE,
        roles=(RoleGrant(Role.SUBSTITUTE),),
        qualifications=(Qualification("usk"),),
        introduced_units=frozenset({"u1"}),
    )
    return dataclasses.replace(base, **kw)


def staff(pid: str = "p1", unit: str = "u1", **kw: Any) -> Person:
    """Ordinary staff of `unit`, without a tier."""
    return person(pid, **{"roles": (RoleGrant(Role.STAFF, unit),), "tier": None, **kw})


def ctx(**kw: Any) -> VacancyContext:
    """The vacancy context of SHIFT at NOW; kw replaces fields."""
    base = VacancyContext(shift=SHIFT, unit=UNIT, now=NOW, unit_areas=AREAS)
    return dataclasses.replace(base, **kw)
