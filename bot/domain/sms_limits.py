"""May the bot answer this text? Pure: counts and limits in, a decision out.

Every answer by SMS costs money, and two auto-responders answering each other never stop.
So a text the bot cannot act on (a word it does not know, HJÄLP, KANAL without a choice,
JA with nothing to answer, START/STOPP confirmations, anything from an unregistered
number) gets an answer only within limits, all counted over the last hour:

- per number: at most `per_number_per_hour` such answers, registered or not;
- unregistered numbers: one answer a day each (how to join), and at most
  `unknown_per_hour` answers to all unregistered numbers together.

Texts the bot acts on (JA to an open offer, SJUK, PASS, ...) are always answered: the
answer is the receipt. Over a limit the text is still handled; only the answer is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class ReplyLimits:
    per_number_per_hour: int  # VIKARIE_SMS_UNACTIONABLE_REPLIES_PER_HOUR
    unknown_per_hour: int  # VIKARIE_SMS_UNKNOWN_REPLIES_PER_HOUR (Settings.reply_limits)


@dataclass(frozen=True, slots=True)
class ReplyCounts:
    """Answers already given, counted in the database (so across workers and restarts)."""

    number_last_hour: int  # to this number, to texts we could not act on
    unknown_last_hour: int = 0  # to all unregistered numbers (only asked for those)
    number_today: int = 0  # to this unregistered number since local midnight


class Verdict(StrEnum):
    REPLY = "reply"
    ALREADY_TODAY = "already_today"  # an unregistered number was told today
    NUMBER_CAP = "number_cap"  # this number had its answers this hour
    UNKNOWN_CAP = "unknown_cap"  # unregistered numbers together had theirs


@dataclass(frozen=True, slots=True)
class ReplyDecision:
    verdict: Verdict

    @property
    def reply(self) -> bool:
        return self.verdict is Verdict.REPLY


def may_reply(counts: ReplyCounts, limits: ReplyLimits, *, registered: bool) -> ReplyDecision:
    """Whether to answer a text the bot cannot act on, and if not, why not."""
    if not registered and counts.number_today > 0:
        return ReplyDecision(Verdict.ALREADY_TODAY)
    if counts.number_last_hour >= limits.per_number_per_hour:
        return ReplyDecision(Verdict.NUMBER_CAP)
    if not registered and counts.unknown_last_hour >= limits.unknown_per_hour:
        return ReplyDecision(Verdict.UNKNOWN_CAP)
    return ReplyDecision(Verdict.REPLY)
