from __future__ import annotations

import pytest

from bot.domain.codes import fold


@pytest.mark.parametrize(("typed", "folded"), [
    ("körkort", "korkort"), ("KÖRKORT", "korkort"), (" Undersköterska ", "underskoterska"),
    ("Läkemedelsdelegering", "lakemedelsdelegering"), ("vårdbiträde", "vardbitrade"),
    ("Café", "cafe"), ("usk", "usk"), ("", ""),
])
def test_fold(typed: str, folded: str) -> None:
    assert fold(typed) == folded
