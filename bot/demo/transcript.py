"""The demo's readable transcript: who got what, on which channel, when (simulated time)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.fakes.telegram_server import FakeTelegram
from bot.fakes.twilio_server import FakeTwilio

WIDTH = 120


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _buttons(markup: object) -> str:
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            return ""
    if not isinstance(markup, dict):
        return ""
    rows = markup.get("inline_keyboard") or []
    labels = [b.get("text", "") for row in rows for b in row if isinstance(b, dict)]
    return f"  [{' | '.join(labels)}]" if labels else ""


@dataclass
class Transcript:
    """Reads what the local servers received since the last call and prints it."""

    telegram: FakeTelegram
    twilio: FakeTwilio
    clock: Clock
    tz: ZoneInfo
    name_of_chat: Callable[[int], str]
    name_of_phone: Callable[[str], str]
    out: Callable[[str], None] = print
    lines: list[str] = field(default_factory=list)
    _tg_seen: int = 0
    _sms_seen: int = 0

    def _emit(self, line: str) -> None:
        if len(line) > WIDTH:
            line = line[: WIDTH - 1] + "…"
        self.lines.append(line)
        self.out(line)

    def stamp(self) -> str:
        return self.clock.now().astimezone(self.tz).strftime("%H:%M")

    def action(self, who: str, channel: str, what: str) -> None:
        """Something a person does (the script plays them)."""
        self._emit(f"{self.stamp()}  {who} ({channel}): {_one_line(what)}")

    def note(self, text: str) -> None:
        self._emit(f"{self.stamp()}  -- {text}")

    def skip_past(self) -> None:
        """Start the transcript from here: what was sent before is not shown."""
        self._tg_seen = len(self.telegram.requests)
        self._sms_seen = len(self.twilio.sent)

    def flush(self) -> None:
        """Print what the bot sent since the last call. The same message to several people
        (a wave of offers, "Tillsatt" to the others) is one line with their names."""
        groups: dict[tuple[str, str], list[str]] = {}
        for req in self.telegram.requests[self._tg_seen :]:
            method = req.method.lower()
            p = req.params
            if method not in ("sendmessage", "editmessagetext"):
                continue
            try:
                chat = int(p.get("chat_id", 0))
            except (TypeError, ValueError):
                continue
            verb = "→" if method == "sendmessage" else "✎"
            text = _one_line(str(p.get("text", ""))) + _buttons(p.get("reply_markup"))
            groups.setdefault((f"Telegram {verb}", text), []).append(self.name_of_chat(chat))
        self._tg_seen = len(self.telegram.requests)
        for sms in self.twilio.sent[self._sms_seen :]:
            text = _one_line(sms.body)
            groups.setdefault(("SMS →", text), []).append(self.name_of_phone(sms.to))
        self._sms_seen = len(self.twilio.sent)
        for (how, text), names in groups.items():
            if len(names) == 1:
                self._emit(f"{self.stamp()}    {how} {names[0]}: {text}")
            else:
                short = ", ".join(n.split(" (")[0] for n in names)
                self._emit(f"{self.stamp()}    {how} {len(names)} personer: {text}")
                for line in textwrap.wrap(f"({short})", WIDTH - 13):
                    self._emit("             " + line)
