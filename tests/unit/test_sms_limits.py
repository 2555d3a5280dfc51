"""May the bot answer a text it cannot act on? (counts, limits -> answer or why not)."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.domain.sms_limits import ReplyCounts, ReplyLimits, Verdict, may_reply
from bot.domain.sms_reply import Keyword, parse_sms, twilio_opted_out
from tests.unit.test_sms_reply import TODAY

LIMITS = ReplyLimits(per_number_per_hour=3, unknown_per_hour=50)


@pytest.mark.parametrize(
    ("counts", "registered", "verdict"),
    [
        (ReplyCounts(0), True, Verdict.REPLY),
        (ReplyCounts(2), True, Verdict.REPLY),
        (ReplyCounts(3), True, Verdict.NUMBER_CAP),
        (ReplyCounts(9), True, Verdict.NUMBER_CAP),
        # Unregistered numbers together do not limit a registered person.
        (ReplyCounts(0, unknown_last_hour=500), True, Verdict.REPLY),
        (ReplyCounts(0), False, Verdict.REPLY),
        (ReplyCounts(0, unknown_last_hour=49), False, Verdict.REPLY),
        (ReplyCounts(0, unknown_last_hour=50), False, Verdict.UNKNOWN_CAP),
        (ReplyCounts(0, number_today=1), False, Verdict.ALREADY_TODAY),
        (ReplyCounts(3, unknown_last_hour=50, number_today=3), False, Verdict.ALREADY_TODAY),
    ],
)
def test_may_reply(counts: ReplyCounts, registered: bool, verdict: Verdict) -> None:
    decision = may_reply(counts, LIMITS, registered=registered)
    assert decision.verdict is verdict
    assert decision.reply is (verdict is Verdict.REPLY)


def test_a_cap_of_zero_means_no_answers() -> None:
    none = ReplyLimits(per_number_per_hour=0, unknown_per_hour=0)
    assert may_reply(ReplyCounts(0), none, registered=True).verdict is Verdict.NUMBER_CAP
    assert may_reply(ReplyCounts(0), none, registered=False).verdict is Verdict.NUMBER_CAP
    only_known = ReplyLimits(per_number_per_hour=3, unknown_per_hour=0)
    assert may_reply(ReplyCounts(0), only_known, registered=False).verdict is Verdict.UNKNOWN_CAP


def test_limits_come_from_settings() -> None:
    s = Settings(
        _env_file=None,  # type: ignore[call-arg]
        sms_unactionable_replies_per_hour=4,
        sms_unknown_replies_per_hour=7,
    )
    assert s.reply_limits() == ReplyLimits(4, 7)
    assert Settings(_env_file=None).reply_limits() == ReplyLimits(3, 50)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("body", "twilio"),
    [
        ("STOP", True),
        ("stop", True),
        (" Stop. ", True),
        ("STOP ALL", True),
        ("stopall", True),
        ("Unsubscribe", True),
        ("cancel", True),
        ("END", True),
        ("quit!", True),
        ("revoke", True),
        ("OPTOUT", True),
        ("STOPP", False),  # Swedish: Twilio does not know it, we confirm it ourselves
        ("stop tack", False),
        ("stop 12", False),
        ("START", False),
        ("", False),
    ],
)
def test_twilio_opted_out(body: str, twilio: bool) -> None:
    assert twilio_opted_out(body) is twilio


@pytest.mark.parametrize("body", ["revoke", "OPTOUT", "STOPP", "Stop all"])
def test_every_opt_out_word_is_stop(body: str) -> None:
    assert parse_sms(body, TODAY).keyword is Keyword.STOP
