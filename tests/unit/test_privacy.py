"""When erasure is refused and what identifies someone (bot/domain/privacy.py)."""

from __future__ import annotations

import pytest

from bot.domain.privacy import (
    ERASED_NAME,
    ERASED_NUMBER,
    ErasureFacts,
    ErasureRefused,
    identifying,
    other_names,
    refuse_erasure,
    scrubs,
)


@pytest.mark.parametrize(
    ("facts", "refused"),
    [
        (ErasureFacts("kim", known=True), None),
        (ErasureFacts("nobody", known=False), "okänd person nobody"),
        (ErasureFacts("mio", True, bookings_ahead=1), "mio har 0 schemalagda och 1 bokade pass"),
        (ErasureFacts("mio", True, shifts_ahead=2), "mio har 2 schemalagda och 0 bokade pass"),
    ],
)
def test_refuse_erasure(facts: ErasureFacts, refused: str | None) -> None:
    if refused is None:
        refuse_erasure(facts)
        return
    with pytest.raises(ErasureRefused, match=refused):
        refuse_erasure(facts)


def test_what_identifies_someone() -> None:
    assert identifying("Bo Ek") and identifying("Kristina") and not identifying(" Bo ")
    pattern = other_names(
        [("a", "Anna Berg"), ("b", "Bo"), ("c", "Karin"), ("me", "Me Self")], "me"
    )
    assert pattern.sub("X", "Anna Berg, Bo och Karin; Me Self") == "X, Bo och Karin; Me Self"
    assert other_names([], "me").sub("X", "Anna") == "Anna"


def test_scrubs() -> None:
    assert scrubs(" Anna Berg ", "+46701234567") == [
        ("Anna Berg", ERASED_NAME),
        ("+46701234567", ERASED_NUMBER),
    ]
    assert scrubs("Bo", None) == []
