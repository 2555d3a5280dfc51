"""Which units a coordinator (samordnare) sees: the live board in a chat, and the one meaning
of a coordinator grant without a unit (no unit at all; only an admin sees every unit)."""

from __future__ import annotations

import pytest

from bot.domain.board import BoardRefusal, board_units
from bot.domain.model import Person, Role, RoleGrant, Unit
from bot.services.coordinator_views import coordinates
from bot.services.introduction import coordinator_units, handledare_units

NORR, SODER = Unit("norr", "Hemtjänst Norr", "N"), Unit("soder", "Hemtjänst Soder", "S")

# (units coordinated, units linked to the chat or None = private chat) -> shown or refused
BOARD: list[tuple[str, list[Unit], set[str] | None, tuple[Unit, ...] | BoardRefusal]] = [
    ("private chat: all their units", [NORR, SODER], None, (NORR, SODER)),
    ("their unit's group", [NORR, SODER], {"norr"}, (NORR,)),
    ("a group of both units", [NORR, SODER], {"norr", "soder"}, (NORR, SODER)),
    ("another unit's group", [NORR], {"soder"}, BoardRefusal.GROUP_NOT_LINKED),
    ("a group linked to no unit", [NORR], set(), BoardRefusal.GROUP_NOT_LINKED),
    ("no units, private chat", [], None, BoardRefusal.NO_UNITS),
    ("no units, a unit's group", [], {"norr"}, BoardRefusal.NO_UNITS),
]


@pytest.mark.parametrize(("case", "mine", "linked", "expected"), BOARD,
                         ids=[c for c, *_ in BOARD])
def test_which_units_a_board_shows(
    case: str, mine: list[Unit], linked: set[str] | None,
    expected: tuple[Unit, ...] | BoardRefusal,
) -> None:
    assert board_units(mine, linked) == expected


def who(*grants: RoleGrant) -> Person:
    return Person("p", "P", roles=grants)


def test_a_coordinator_grant_without_a_unit_gives_no_unit() -> None:
    unbound = who(RoleGrant(Role.COORDINATOR, None))
    assert not coordinates(unbound, "norr")
    assert coordinator_units(unbound) == frozenset()


def test_a_coordinator_sees_their_units_and_an_admin_every_unit() -> None:
    kim = who(RoleGrant(Role.COORDINATOR, "norr"), RoleGrant(Role.COORDINATOR, None))
    assert coordinates(kim, "norr") and not coordinates(kim, "soder")
    assert coordinator_units(kim) == {"norr"}
    ada = who(RoleGrant(Role.ADMIN, None))
    assert coordinates(ada, "soder")
    assert coordinator_units(ada) is None  # every unit


def test_a_handledare_grant_without_a_unit_gives_no_unit() -> None:
    """The same least privilege for handledare: no unit, not every unit."""
    unbound = who(RoleGrant(Role.HANDLEDARE, None))
    assert unbound.has_role(Role.HANDLEDARE)
    assert not unbound.has_role(Role.HANDLEDARE, "norr")
    assert handledare_units(unbound) == frozenset()
    karin = who(RoleGrant(Role.HANDLEDARE, "norr"))
    assert karin.has_role(Role.HANDLEDARE, "norr") and not karin.has_role(Role.HANDLEDARE, "soder")
    assert handledare_units(karin) == {"norr"}
