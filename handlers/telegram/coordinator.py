"""Coordinators (samordnare): the live board (/status), the unit's group chat (/enhetschatt),
escalation buttons (widen, cancel), keep/release after a report of being well, and
/avbryt, /forklara with a vacancy number. Every action is scoped to the coordinator's units
by the service itself (`bot.services.coordinator`'s intent functions); NOT_ALLOWED is said
as for an unknown vacancy.

Filling by hand (esc:f, /tillsatt) is a dialogue: see fill.py. /nytt: new_vacancy.py.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import Application, BaseHandler, CallbackQueryHandler, CommandHandler

from bot.channels.telegram import keyboard
from bot.domain import callbacks as cb
from bot.domain.board import BoardRefusal, board_units
from bot.domain.intents import CancelVacancy, Release, Widen
from bot.domain.model import Person, Role, Unit
from bot.services import alerts, coordinator, coordinator_views, live_board
from bot.services.coordinator import ActOutcome
from bot.services.deps import Deps
from bot.texts import t
from handlers.telegram.common import (
    Context,
    data_parts,
    deps_of,
    edit,
    inline,
    int_arg,
    is_private,
    requires,
    say,
    say_now,
    toast,
)

log = logging.getLogger(__name__)

# The live board is redrawn at most this often (Telegram dislikes rapid edits).
BOARD_REFRESH_SECONDS = 5.0

REFUSAL_TEXT = {
    BoardRefusal.NO_UNITS: "tg_no_units",
    BoardRefusal.GROUP_NOT_LINKED: "tg_board_group_not_linked",
}


async def board_scope(
    update: Update, context: Context, person: Person
) -> tuple[Unit, ...] | BoardRefusal:
    """Which units /status may show here: see `bot.domain.board.board_units`."""
    deps = deps_of(context)
    mine = await coordinator_views.units_of(deps, person)
    chat = update.effective_chat
    linked: set[str] | None = None  # the private chat
    if not is_private(update):
        linked = set() if chat is None else {
            u.id for u in await coordinator_views.units_of_chat(deps, chat.id)}
    return board_units(mine, linked)


# ---------- the live board ----------

@requires(Role.COORDINATOR)
async def status(update: Update, context: Context, person: Person) -> None:
    """/status: the board for the coordinator's units, kept up to date by `refresh_boards`."""
    deps = deps_of(context)
    units = await board_scope(update, context, person)
    if isinstance(units, BoardRefusal):
        await say(update, t(REFUSAL_TEXT[units], person.language))
        return
    unit_ids = tuple(sorted(u.id for u in units))
    day = live_board.today(deps)
    text = await live_board.render(deps, unit_ids, day)
    sent = await say_now(update, text)  # its message id is kept: the board is edited
    if sent is not None:
        await live_board.save(deps, live_board.LiveBoard(sent.chat_id, day, sent.message_id,
                                                         unit_ids, text))


class Edit(enum.Enum):
    DONE = "done"  # edited, or already showing this
    GONE = "gone"  # the message cannot be edited any more: forget it
    SKIP = "skip"  # failed this round; the next round tries again
    STOP = "stop"  # rate limited: stop this round


async def _edit(
    app: Application[Any, Any, Any, Any, Any, Any], what: str, chat_id: int, message_id: int,
    text: str, markup: InlineKeyboardMarkup | None = None,
) -> Edit:
    """Edit one message the boards and alerts keep up to date, and say how it went."""
    try:
        await app.bot.edit_message_text(text[:4096], chat_id=chat_id, message_id=message_id,
                                        reply_markup=markup)
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return Edit.DONE
        log.info("%s cannot be edited any more (%s); forgetting it", what, exc)
        return Edit.GONE
    except RetryAfter:
        return Edit.STOP
    except TelegramError as exc:
        log.info("%s: %s", what, exc)
        return Edit.SKIP
    return Edit.DONE


async def refresh_boards(app: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Redraw today's live boards whose text changed; returns how many were edited."""
    deps = app.bot_data["deps"]
    assert isinstance(deps, Deps)
    day = live_board.today(deps)
    await live_board.prune(deps, day)
    edited = 0
    for board in await live_board.boards_of(deps, day):
        units = await live_board.units_still_shown(deps, board)
        if not units:
            log.info("board %s: the group is linked to none of its units; forgetting it",
                     board.key)
            await live_board.forget(deps, board)
            continue
        text = await live_board.render(deps, units, day)
        if text == board.text:
            continue
        done = await _edit(app, f"board {board.key}", board.chat_id, board.message_id, text)
        if done is Edit.GONE:
            await live_board.forget(deps, board)
        if done is Edit.STOP:
            break
        if done is not Edit.DONE:
            continue
        await live_board.save(deps, dataclasses.replace(board, unit_ids=units, text=text))
        edited += 1
    return edited


async def refresh_alerts(app: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Edit the coordinators' alerts whose vacancy changed (filled, declined, cancelled,
    reopened, the grace over); returns how many were edited. Like the boards: derived from
    the database each round, so an edit missed now is made next round."""
    deps = app.bot_data["deps"]
    assert isinstance(deps, Deps)
    edited = 0
    for alert, msg in await alerts.stale_alerts(deps):
        done = await _edit(app, f"alert {alert.key}", alert.chat_id, alert.message_id,
                           msg.text, keyboard(msg))
        if done is Edit.GONE:
            await alerts.forget(deps, alert)
        if done is Edit.STOP:
            break
        if done is not Edit.DONE:
            continue
        await alerts.redrawn(deps, alert, msg)
        edited += 1
    return edited


async def board_job(context: Context) -> None:
    """The JobQueue's repeating job (boards and alerts); never lets an error stop the next
    round."""
    try:
        await refresh_boards(context.application)
    except Exception:
        log.exception("live board refresh failed; the next round will try again")
    try:
        await refresh_alerts(context.application)
    except Exception:
        log.exception("alert refresh failed; the next round will try again")


# ---------- the unit's group chat ----------

@requires(Role.COORDINATOR)
async def register_group(update: Update, context: Context, person: Person) -> None:
    """/enhetschatt [enhet] in a group: escalations and notices of the unit go here."""
    lang, chat = person.language, update.effective_chat
    if chat is None or is_private(update):
        await say(update, t("tg_group_only", lang))
        return
    units = await coordinator_views.units_of(deps_of(context), person)
    wanted = (context.args or [""])[0].lower()
    chosen = [u for u in units if u.id.lower() == wanted] if wanted else units
    if len(chosen) != 1:
        await say(update, t("tg_group_which", lang, units=", ".join(u.id for u in units)))
        return
    unit = await coordinator_views.register_group(deps_of(context), person, chosen[0].id, chat.id)
    if unit is None:
        await say(update, t("tg_not_allowed", lang))
        return
    await say(update, t("tg_group_registered", lang, unit=unit.name))


# ---------- escalation buttons and vacancy commands ----------

async def _vacancy(
    update: Update, context: Context, person: Person, vid: int | None
) -> coordinator_views.VacancyInfo | None:
    """The vacancy if it is in the person's scope; otherwise says so and returns None."""
    info = None if vid is None else await coordinator_views.vacancy_for(deps_of(context), person,
                                                                        vid)
    if info is None:
        await _unknown(update, person, vid)
    return info


async def _unknown(update: Update, person: Person, vid: int | None) -> None:
    """An unknown vacancy, or one outside the person's units (NOT_ALLOWED): the same words."""
    text = t("tg_vacancy_unknown", person.language, vid=vid if vid is not None else "?")
    if update.callback_query is not None:
        await toast(update, text, alert=True)
    else:
        await say(update, text)


def _without(markup: InlineKeyboardMarkup | None, prefix: str) -> InlineKeyboardMarkup | None:
    """The same buttons minus those whose callback_data starts with `prefix`."""
    if markup is None:
        return None
    rows = [[b for b in row if not str(b.callback_data or "").startswith(prefix)]
            for row in markup.inline_keyboard]
    kept: list[list[InlineKeyboardButton]] = [r for r in rows if r]
    return InlineKeyboardMarkup(kept) if kept else None


@requires(Role.COORDINATOR)
async def widen(update: Update, context: Context, person: Person) -> None:
    """esc:w:<vid>: ask regular staff on extra time too."""
    vid = int(data_parts(update)[2])
    lang = person.language
    acted = await coordinator.widen_vacancy(deps_of(context), person, Widen(vid), "telegram")
    if acted.outcome == ActOutcome.NOT_ALLOWED:
        await _unknown(update, person, vid)
        return
    if acted.outcome != ActOutcome.DONE:
        await toast(update, t("tg_not_searching", lang, vid=vid), alert=True)
        return
    await toast(update)
    message = update.effective_message
    original = message.text if message and message.text else ""
    markup = _without(message.reply_markup if message else None, cb.encode(cb.ESCALATION, "w", ""))
    await edit(update, f"{original}\n{t('tg_widened', lang, name=person.first_name)}", markup)


@requires(Role.COORDINATOR)
async def cancel_button(update: Update, context: Context, person: Person) -> None:
    """esc:c:<vid> asks first; esc:cy:<vid> cancels; esc:cn:<vid> keeps it."""
    step, raw = data_parts(update)[1:3]
    vid = int(raw)
    deps, lang = deps_of(context), person.language
    if step == "cy":
        acted = await coordinator.cancel(deps, person, CancelVacancy(vid), "telegram")
        if acted.outcome == ActOutcome.NOT_ALLOWED:
            await _unknown(update, person, vid)
            return
        await toast(update)
        done = acted.outcome == ActOutcome.DONE
        await edit(update, t("tg_vacancy_cancelled" if done else "tg_not_searching", lang,
                             vid=vid))
        return
    info = await _vacancy(update, context, person, vid)
    if info is None:
        return
    await toast(update)
    if step == "c":
        await say(update, t("tg_cancel_confirm", lang, vid=vid, line=info.line(deps, lang)),
                  inline([[(t("tg_btn_cancel_yes", lang), cb.encode(cb.ESCALATION, "cy", vid)),
                           (t("tg_btn_no", lang), cb.encode(cb.ESCALATION, "cn", vid))]]))
    else:
        await edit(update, t("tg_vacancy_kept", lang, vid=vid))


@requires(Role.COORDINATOR)
async def cancel_command(update: Update, context: Context, person: Person) -> None:
    """/avbryt <vakans>: cancel a searching vacancy (the people asked are told)."""
    lang, vid = person.language, int_arg(context.args)
    if vid is None:
        await say(update, t("tg_vacancy_usage", lang, cmd="avbryt"))
        return
    acted = await coordinator.cancel(deps_of(context), person, CancelVacancy(vid), "telegram")
    if acted.outcome == ActOutcome.NOT_ALLOWED:
        await _unknown(update, person, vid)
        return
    ok = acted.outcome == ActOutcome.DONE
    await say(update, t("tg_vacancy_cancelled" if ok else "tg_not_searching", lang, vid=vid))


@requires(Role.COORDINATOR)
async def release(update: Update, context: Context, person: Person) -> None:
    """rel:k:<vid> keeps the booked substitute, rel:r:<vid> releases them."""
    kind, raw = data_parts(update)[1:3]
    vid = int(raw)
    lang = person.language
    keep = kind == "k"
    acted = await coordinator.release_substitute(deps_of(context), person, Release(vid, keep),
                                                 "telegram")
    if acted.outcome == ActOutcome.NOT_ALLOWED:
        await _unknown(update, person, vid)
        return
    if acted.outcome != ActOutcome.DONE:
        await toast(update, t("tg_release_failed", lang), alert=True)
        return
    await toast(update)
    message = update.effective_message
    original = message.text if message and message.text else ""
    line = t("tg_release_kept" if keep else "tg_release_done", lang, name=person.first_name)
    await edit(update, f"{original}\n{line}")


@requires(Role.COORDINATOR)
async def explain(update: Update, context: Context, person: Person) -> None:
    """/forklara <vakans>: who is ranked where, and why others are excluded."""
    vid = int_arg(context.args)
    if vid is None:
        await say(update, t("tg_vacancy_usage", person.language, cmd="forklara"))
        return
    if await _vacancy(update, context, person, vid) is None:
        return
    await say(update, "\n".join(await coordinator.explain(deps_of(context), vid)))


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("status", status),
        CommandHandler("enhetschatt", register_group),
        CallbackQueryHandler(widen, pattern=cb.pattern(cb.ESCALATION, "w", r"\d+")),
        CallbackQueryHandler(cancel_button, pattern=cb.pattern(cb.ESCALATION, "(c|cy|cn)", r"\d+")),
        CallbackQueryHandler(release, pattern=cb.pattern(cb.RELEASE, "[kr]", r"\d+")),
        # With a number only: a bare /avbryt ends a dialogue (see the conversations).
        CommandHandler("avbryt", cancel_command, has_args=True),
        CommandHandler("forklara", explain),
    ]
