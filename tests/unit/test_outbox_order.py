"""The outbox's priority classes come from the message kind alone."""

from __future__ import annotations

import pytest

from bot.domain.outbox_order import Priority, is_group_chat, priority, sms_limit


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("sms_reply", Priority.DIALOGUE),
        ("sms_fallback", Priority.DIALOGUE),
        ("intro_overview", Priority.DIALOGUE),
        ("desk_login", Priority.DIALOGUE),
        ("booked", Priority.RECEIPT),
        ("booking_cancelled", Priority.RECEIPT),
        ("well_booked", Priority.RECEIPT),
        ("absence_no_shift", Priority.RECEIPT),
        ("something_new", Priority.RECEIPT),  # unknown: early rather than behind offers
        ("offer", Priority.OFFER),
        ("taken", Priority.NOTICE),
        ("withdrawn", Priority.NOTICE),
        ("reminder", Priority.NOTICE),
        ("escalation", Priority.NOTICE),
    ],
)
def test_priority_by_kind(kind: str, expected: Priority) -> None:
    assert priority(kind) == expected


def test_classes_go_in_the_order_the_issue_names() -> None:
    assert Priority.DIALOGUE < Priority.RECEIPT < Priority.OFFER < Priority.NOTICE


def test_anything_to_a_group_chat_is_a_board_or_alert() -> None:
    assert priority("booked", to_group=True) == Priority.NOTICE
    assert is_group_chat(-1001) and not is_group_chat(42) and not is_group_chat(None)


def test_sms_rate_is_at_least_one() -> None:
    assert sms_limit(0).count == 1 and sms_limit(3).count == 3
