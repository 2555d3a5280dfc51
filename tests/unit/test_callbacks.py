"""Telegram button data: one prefix per kind of button, the strings on the wire unchanged
(buttons sent before an upgrade still work), every datum within Telegram's 64 bytes."""

from __future__ import annotations

import re
import string

import pytest

from bot.domain import callbacks as cb
from bot.domain.model import AbsenceCategory, Channel
from bot.texts import ROLE_NAMES

BIG = 2**63 - 1  # the largest database id


def test_prefixes_are_unique_short_and_plain() -> None:
    assert len(set(cb.PREFIXES)) == len(cb.PREFIXES)
    allowed = set(string.ascii_lowercase)
    assert all(p and set(p) <= allowed for p in (*cb.PREFIXES, cb.CANCEL))


def test_no_prefix_pattern_takes_another_prefixes_buttons() -> None:
    """ "ck" is the start of "cko": the separator keeps their patterns apart."""
    for mine in cb.PREFIXES:
        for other in cb.PREFIXES:
            if other != mine:
                assert not re.match(cb.pattern(mine, ".*"), cb.encode(other, 1, 2)), (mine, other)


@pytest.mark.parametrize(
    ("data", "wire"),
    [
        (cb.encode(cb.ACCEPT, 12), "acc:12"),
        (cb.encode(cb.DECLINE, 12), "dec:12"),
        (cb.encode(cb.BOOKING, "c", 7), "bk:c:7"),
        (cb.encode(cb.AVAILABILITY, "p", 0), "av:p:0"),
        (cb.encode(cb.CALENDAR, "l"), "cal:l"),
        (cb.encode(cb.CHANNEL, Channel.SMS.value), "ch:sms"),
        (cb.encode(cb.CHECKLIST_OPEN, 3), "cko:3"),
        (cb.encode(cb.CHECKLIST_VIEW, 3), "ckv:3"),
        (cb.encode(cb.CHECKLIST_TICK, 3, 4), "ck:3:4"),
        (cb.encode(cb.CHECKLIST_SIGN, 3), "cks:3"),
        (cb.encode(cb.CHECKLIST_CONFIRM, 3, 4), "ckc:3:4"),
        (cb.encode(cb.ESCALATION, "cy", 9), "esc:cy:9"),
        (cb.encode(cb.RELEASE, "k", 9), "rel:k:9"),
        (cb.encode(cb.ABSENCE, "c", AbsenceCategory.VAB.value), "abs:c:vab"),
        (cb.encode(cb.FILL, cb.CANCEL), "fill:x"),
        (cb.encode(cb.NEW_VACANCY, "ok"), "new:ok"),
    ],
)
def test_the_strings_on_the_wire_are_unchanged(data: str, wire: str) -> None:
    assert data == wire


@pytest.mark.parametrize(
    ("regex", "old"),
    [
        (cb.pattern((cb.ACCEPT, cb.DECLINE), r"\d+"), r"^(acc|dec):\d+$"),
        (cb.pattern(cb.BOOKING, "[cyn]", r"\d+"), r"^bk:[cyn]:\d+$"),
        (cb.pattern((cb.CHECKLIST_OPEN, cb.CHECKLIST_VIEW), r"\d+"), r"^ck[ov]:\d+$"),
        (cb.pattern(cb.CHECKLIST_TICK, r"\d+", r"\d+"), r"^ck:\d+:\d+$"),
        (cb.pattern(cb.ESCALATION, "(c|cy|cn)", r"\d+"), r"^esc:(c|cy|cn):\d+$"),
        (cb.pattern(cb.FILL, cb.CANCEL), r"^fill:x$"),
    ],
)
def test_patterns_match_what_the_old_ones_did(regex: str, old: str) -> None:
    samples = [
        "acc:1",
        "dec:22",
        "bk:y:3",
        "cko:4",
        "ckv:4",
        "ck:4:5",
        "cks:4",
        "ckc:4:5",
        "esc:cy:6",
        "esc:w:6",
        "fill:x",
        "fill:1",
        "acc:",
        "acc:1:2",
        "xacc:1",
    ]
    for s in samples:
        assert bool(re.match(regex, s)) == bool(re.match(old, s)), (regex, s)


def test_every_button_fits_in_64_bytes() -> None:
    longest_role = max(ROLE_NAMES, key=len)
    longest_channel = max((c.value for c in Channel), key=len)
    longest_category = max((c.value for c in AbsenceCategory), key=len)
    for data in (
        cb.encode(cb.ACCEPT, BIG),
        cb.encode(cb.BOOKING, "y", BIG),
        cb.encode(cb.CHECKLIST_CONFIRM, BIG, BIG),
        cb.encode(cb.CHECKLIST_TICK, BIG, BIG),
        cb.encode(cb.ESCALATION, "cy", BIG),
        cb.encode(cb.RELEASE, "r", BIG),
        cb.encode(cb.CHANNEL, longest_channel),
        cb.encode(cb.ABSENCE, "c", longest_category),
        cb.encode(cb.NEW_VACANCY, "r", longest_role),
        cb.encode(cb.FILL, 10_000),
    ):
        assert len(data.encode()) <= cb.MAX_BYTES


def test_encode_refuses_what_telegram_would() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        cb.encode(cb.NEW_VACANCY, "r", "x" * 60)


def test_prefix_of() -> None:
    assert cb.prefix_of("fill:3") == cb.FILL
    assert cb.prefix_of(None) == ""
