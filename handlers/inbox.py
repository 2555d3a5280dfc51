"""What people send is as durable as what the bot sends (DESIGN section 5: the inbox).

In: every Telegram update (our own polling loop, or the webhook) and every Twilio webhook
from a registered number or about a delivery is stored by `store_*` and committed before
it is acknowledged: the poller asks for the next offset, a webhook answers 2xx, only after
the commit. A text from an unregistered number changes nothing but a capped "how to join"
answer in the webhook's own response, so it does not pass through here.

Handled: `InboxWorker` takes one row at a time inside one held write transaction
(`Database.hold`): the handler's writes, the replies it queues in the outbox and the mark
"handled" commit together or not at all. After a crash at any moment a row is handled once:
its effects once, its replies at least once (a reply sent straight to Telegram before the
commit is sent again when the row is handled again). A failing row rolls back and is tried
again with backoff; after `inbox_max_attempts` it is set aside as failed and the person is
told something went wrong. Answering a button press (the toast) waits for the commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import hashlib
import hmac
import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.domain.outgoing import OutMessage
from bot.domain.phone import InvalidPhoneNumber, normalise_phone
from bot.services import delivery
from bot.services.deps import Deps
from bot.texts import t
from handlers.sms import conversation
from storage import inbox, outbox
from storage import people as people_repo
from storage.db import is_transient

log = logging.getLogger(__name__)

TELEGRAM, SMS, SMS_STATUS = "telegram", "sms", "sms_status"
POLL_TIMEOUT = 10  # seconds a getUpdates call waits for news


def _where(exc: BaseException) -> str:
    """The traceback without the exception's message (it may quote what a person sent)."""
    return "".join(traceback.format_tb(exc.__traceback__)).rstrip()


def _retry_after(exc: BaseException) -> float:
    if isinstance(exc, RetryAfter):
        ra = exc.retry_after
        return ra.total_seconds() if isinstance(ra, dt.timedelta) else float(ra)
    return 0.0


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 ... seconds, at most a minute: a row's next try after a failure."""
    return dt.timedelta(seconds=min(60, 2 ** max(0, attempts - 1)))


class NotYetRecorded(Exception):
    """What the row needs is on its way (a reply sent, its record not yet written): the
    row is tried again shortly, without counting an attempt."""


# ---- while a row is handled ----


@dataclass
class Handling:
    """What the handlers of one row leave for the worker: errors PTB caught, and what
    must wait until the row's transaction has committed (answering a button press)."""

    deps: Deps
    errors: list[BaseException] = field(default_factory=list)
    after_commit: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)


_HANDLING: contextvars.ContextVar[Handling | None] = contextvars.ContextVar(
    "vikarie_inbox_handling", default=None
)


def handling() -> Handling | None:
    """The row being handled in this task, if any."""
    return _HANDLING.get()


# ---- storing ----


def telegram_key(update: Update) -> str:
    """A chat's updates are handled in order (a user's, when there is no chat)."""
    if update.effective_chat is not None:
        return f"tg:{update.effective_chat.id}"
    if update.effective_user is not None:
        return f"tg-user:{update.effective_user.id}"
    return "tg"


def number_key(deps: Deps, phone: str) -> str:
    """A number's texts are handled in order; the key is a keyed hash, never the number."""
    token = deps.settings.twilio_auth_token
    secret = token.get_secret_value().encode() if token else b"vikariebot"
    return "sms:" + hmac.new(secret, phone.encode(), hashlib.sha256).hexdigest()[:40]


async def store_updates(deps: Deps, updates: list[Update]) -> int:
    """Commit Telegram updates (one transaction); returns how many were new."""
    if not updates:
        return 0
    now = deps.now()
    new = 0
    # Update ids are per bot, and Telegram may start them anew after a quiet week: the id
    # is unique with the bot's id (the token's first part) and is kept only while handled
    # rows are (VIKARIE_INBOX_RETENTION_DAYS).
    token = deps.settings.telegram_token
    bot_id = token.get_secret_value().partition(":")[0] if token else "bot"
    async with deps.db.write() as conn:
        for update in updates:
            payload = json.dumps(update.to_dict(), ensure_ascii=False)
            new += await inbox.put(
                conn, TELEGRAM, f"{bot_id}:{update.update_id}", telegram_key(update), payload,
                now,
            )
    deps.kick_inbox()
    return new


async def store_sms(deps: Deps, sms: conversation.InboundSms) -> bool:
    """Commit a text from a registered number; False when the number is not registered
    (or not valid), and the webhook answers it itself. A MessageSid seen before is
    committed already: True, nothing stored twice."""
    try:
        phone = normalise_phone(sms.from_)
    except InvalidPhoneNumber:
        return False
    async with deps.db.read() as conn:
        person = await people_repo.person_by_phone(conn, phone)
    if person is None or not person.active:
        return False
    async with deps.db.write() as conn:
        payload = json.dumps(
            {"sid": sms.message_sid, "from": sms.from_, "body": sms.body,
             "opt_out_type": sms.opt_out_type},
            ensure_ascii=False,
        )
        await inbox.put(conn, SMS, sms.message_sid, number_key(deps, phone), payload, deps.now())
    deps.kick_inbox()
    return True


async def store_status(deps: Deps, report: delivery.StatusReport) -> None:
    """Commit a delivery report (a repeated one is stored once)."""
    payload = json.dumps(
        {"sid": report.message_sid, "status": report.status, "code": report.error_code}
    )
    async with deps.db.write() as conn:
        await inbox.put(
            conn, SMS_STATUS, f"{report.message_sid}:{report.status.lower()}",
            f"status:{report.message_sid}", payload, deps.now(),
        )
    deps.kick_inbox()


# ---- handling ----


Telegram = Application[Any, Any, Any, Any, Any, Any]


class InboxWorker:
    """Handles stored rows one at a time, each in one transaction with its effects."""

    def __init__(self, deps: Deps, telegram: Telegram | None = None) -> None:
        self.deps = deps
        self.telegram = telegram
        self._stopping = asyncio.Event()

    async def run_once(self) -> bool:
        """Handle the next due row, if any. Returns whether there was one."""
        deps = self.deps
        state = Handling(deps)
        token = _HANDLING.set(state)
        row: inbox.InboxRow | None = None
        try:
            async with deps.db.hold() as conn:
                row = await inbox.next_row(conn, deps.now())
                if row is None:
                    return False
                outcome = await self._handle(row)
                if state.errors:
                    raise state.errors[0]
                await inbox.finish(conn, row.id, deps.now(), outcome)
        except Exception as exc:
            if row is None:
                raise
            await self._failed(row, exc)
            return True
        finally:
            _HANDLING.reset(token)
        deps.kick()
        for later in state.after_commit:
            try:
                await later()
            except Exception as exc:  # a toast that came too late changes nothing
                log.info("inbox %s: after the commit: %s", row.id, type(exc).__name__)
        return True

    async def drain(self, max_rows: int = 10_000) -> int:
        """Handle every due row (tests and the scripted demo)."""
        n = 0
        while n < max_rows and await self.run_once():
            n += 1
        return n

    async def _handle(self, row: inbox.InboxRow) -> str:
        data = json.loads(row.payload)
        if row.source == TELEGRAM:
            if self.telegram is None:
                raise RuntimeError("a Telegram update but no Telegram channel")
            update = Update.de_json(data, self.telegram.bot)
            persistence = self.telegram.persistence
            refresh = getattr(persistence, "refresh_dialogue", None)
            if refresh is not None:  # another worker may have moved the dialogue on
                await refresh(self.telegram, update)
            await self.telegram.process_update(update)
            if persistence is not None:  # the dialogue's state, with the update's effects
                await self.telegram.update_persistence()
                write = getattr(persistence, "write", None)
                if write is not None:
                    await write()
            return "update"
        if row.source == SMS:
            sms = conversation.InboundSms(
                message_sid=data["sid"], from_=data["from"], body=data["body"],
                opt_out_type=data.get("opt_out_type"),
            )
            result = await conversation.handle_stored(self.deps, sms)
            log.info("inbound SMS %s: %s", sms.message_sid, result.logged)
            return result.logged
        if row.source == SMS_STATUS:
            report = delivery.StatusReport(data["sid"], data["status"], data.get("code"))
            return await delivery.handle_status(self.deps, report)
        raise ValueError(f"unknown inbox source {row.source!r}")

    async def _failed(self, row: inbox.InboxRow, exc: BaseException) -> None:
        """The row rolled back. A passing trouble (Telegram's 429, the network, a database
        deadlock) is tried again, as often as it takes, after `retry_after` at least; any
        other error counts as an attempt, and the last attempt sets the row aside."""
        deps = self.deps
        now = deps.now()
        await self._forget_dialogue_changes()
        error = type(exc).__name__  # not str(exc): it may quote what was sent
        passing = isinstance(
            exc, RetryAfter | TimedOut | NetworkError | NotYetRecorded
        ) or is_transient(exc)
        if isinstance(exc, NotYetRecorded):  # milliseconds away: again at once, after a nap
            async with deps.db.write() as conn:
                await inbox.retry_later(conn, row.id, now, error, count=False)
            await asyncio.sleep(0.05)
            return
        if passing:
            wait = max(backoff(row.attempts + 1), dt.timedelta(seconds=_retry_after(exc)))
            log.info("inbox %s (%s): %s, again in %.0f s", row.id, row.source, error,
                     wait.total_seconds())
            async with deps.db.write() as conn:
                await inbox.retry_later(conn, row.id, now + wait, error, count=False)
            return
        last = row.attempts + 1 >= deps.settings.inbox_max_attempts
        if not last:
            log.warning("inbox %s (%s) failed, try %d: %s\n%s", row.id, row.source,
                        row.attempts + 1, error, _where(exc))
            async with deps.db.write() as conn:
                await inbox.retry_later(conn, row.id, now + backoff(row.attempts + 1), error)
            return
        log.error("inbox %s (%s) failed %d times, set aside: %s\n%s", row.id, row.source,
                  row.attempts + 1, error, _where(exc))
        async with deps.db.write() as conn:
            await inbox.give_up(conn, row.id, now, error)
            await self._sorry(conn, row)
        deps.kick()

    async def _forget_dialogue_changes(self) -> None:
        """What PTB noted about the dialogue while the row ran was rolled back with it."""
        app = self.telegram
        if app is None or app.persistence is None:
            return
        await app.update_persistence()  # moves PTB's tracked changes into the buffer ...
        discard = getattr(app.persistence, "discard", None)
        if discard is not None:
            discard()  # ... which is dropped: the next update reads the database again

    async def _sorry(self, conn: Any, row: inbox.InboxRow) -> None:
        """Tell the person in a private chat (or by SMS) that it went wrong."""
        deps = self.deps
        data = json.loads(row.payload)
        now = deps.now()
        if row.source == TELEGRAM and self.telegram is not None:
            update = Update.de_json(data, self.telegram.bot)
            chat = update.effective_chat
            if chat is None or chat.type != "private":
                return
            person = await people_repo.person_by_telegram(conn, chat.id)
            lang = person.language if person is not None else deps.settings.language
            msg = OutMessage(kind="reply", text=t("tg_error", lang))
            await outbox.enqueue(conn, msg, "telegram", now, chat_id=chat.id)
        elif row.source == SMS:
            with contextlib.suppress(InvalidPhoneNumber):
                person = await people_repo.person_by_phone(conn, normalise_phone(data["from"]))
                if person is not None:
                    sorry = t("tg_error", person.language)
                    msg = OutMessage(kind="reply", text=sorry, sms=sorry)
                    await outbox.enqueue(conn, msg, "sms", now, person_id=person.id)

    async def run_forever(self) -> None:
        """The background loop: wakes on new rows or every poll interval; never dies."""
        poll = self.deps.settings.outbox_poll_seconds
        while not self._stopping.is_set():
            self.deps.inbox_wakeup.clear()
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("inbox round failed; continuing")
                handled = False
            if handled:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.deps.inbox_wakeup.wait(), timeout=poll)

    def stop(self) -> None:
        self._stopping.set()
        self.deps.inbox_wakeup.set()


class TelegramPoller:
    """Our own getUpdates loop: an update is committed to the inbox before the next call
    confirms it to Telegram (its offset). A crash before the commit: Telegram sends it
    again; after the commit but before the next call: sent again and stored once."""

    def __init__(self, deps: Deps, telegram: Telegram, timeout: int = POLL_TIMEOUT) -> None:
        self.deps = deps
        self.telegram = telegram
        self.timeout = timeout
        self._stopping = asyncio.Event()

    async def run_forever(self) -> None:
        offset: int | None = None
        pause = 1.0
        while not self._stopping.is_set():
            try:
                updates = await self.telegram.bot.get_updates(
                    offset=offset, timeout=self.timeout, allowed_updates=Update.ALL_TYPES
                )
                pause = 1.0
            except RetryAfter as exc:
                await self._sleep(float(exc.retry_after if isinstance(exc.retry_after, int | float)
                                        else exc.retry_after.total_seconds()))
                continue
            except TimedOut:
                continue
            except (Conflict, InvalidToken) as exc:
                log.error("Telegram polling refused: %s", exc.message)
                await self._sleep(5)
                continue
            except NetworkError as exc:
                log.warning("Telegram polling: %s; again in %.0f s", type(exc).__name__, pause)
                await self._sleep(pause)
                pause = min(30.0, pause * 2)
                continue
            except Exception:
                log.exception("Telegram polling failed; again in %.0f s", pause)
                await self._sleep(pause)
                pause = min(30.0, pause * 2)
                continue
            if not updates:
                continue
            try:
                await store_updates(self.deps, list(updates))
            except Exception:
                log.exception("could not store %d updates; asking for them again", len(updates))
                await self._sleep(pause)
                pause = min(30.0, pause * 2)
                continue
            offset = updates[-1].update_id + 1

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    def stop(self) -> None:
        self._stopping.set()
