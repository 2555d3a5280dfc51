"""Which units a coordinator's (samordnare) live board shows in a chat."""

from __future__ import annotations

import pytest

from bot.domain.board import BoardRefusal, board_units
from bot.domain.model import Unit

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

