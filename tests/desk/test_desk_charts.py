"""The desk's bar charts as geometry, pure: bars in proportion, nothing divides by zero."""

from __future__ import annotations

import pytest

from bot.desk.charts import BAR_HEIGHT, GAP, LABEL_WIDTH, PAD, VALUE_WIDTH, WIDTH, bar_chart


def test_bars_are_in_proportion_to_the_largest() -> None:
    c = bar_chart("Vem täckte", [("pool", 4, "4"), ("timvikarie", 2, "2"), ("för hand", 1, "1")])
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    assert [b.width for b in c.bars] == [plot, plot / 2, plot / 4]
    assert all(b.x == LABEL_WIDTH for b in c.bars)
    assert [b.value_x for b in c.bars] == [LABEL_WIDTH + b.width + GAP for b in c.bars]
    assert c.height == 2 * PAD + 3 * BAR_HEIGHT + 2 * GAP
    assert [b.y for b in c.bars] == [PAD, PAD + BAR_HEIGHT + GAP, PAD + 2 * (BAR_HEIGHT + GAP)]
    assert c.desc == "pool: 4; timvikarie: 2; för hand: 1"


@pytest.mark.parametrize("rows", [[], [("mån", 0, "0"), ("tis", 0, "0")], [("x", -3, "-3")]])
def test_nothing_to_draw_is_safe(rows: list[tuple[str, float, str]]) -> None:
    c = bar_chart("Tomt", rows)
    assert all(b.width == 0 for b in c.bars)
    assert len(c.bars) == len(rows) and c.height >= 2 * PAD


def test_fractions_and_a_narrow_chart() -> None:
    c = bar_chart("Timmar", [("pool", 7.5, "7,5 h"), ("ej", 2.5, "2,5 h")], width=300,
                  label_width=100)
    plot = 300 - 100 - VALUE_WIDTH
    assert c.bars[0].width == plot and c.bars[1].width == pytest.approx(plot / 3, abs=0.01)
    assert c.width == 300
