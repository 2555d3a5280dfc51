"""The introduction checklist (introduktion av vikarie): progress, what is left, sign-off.

Pure: typed records in, values out; no I/O. The storage layer hands back these records,
`bot.services.introduction` decides what to do with the answers.

Item kinds:
  tick     the handledare ticks it (bock);
  note     the handledare ticks it and may write a short note (anteckning);
  confirm  the handledare ticks it AND the substitute confirms it (bekräftelse), e.g.
           "Tystnadsplikt – påskrift": done only when both have.
Sign-off needs every item done and `supervised_required` supervised shifts (bredvidgång)
worked: shifts at the unit booked while the checklist was open, counted once they start.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain import callbacks as cb
from bot.domain.model import Person, Unit
from bot.domain.outgoing import Button, OutMessage
from bot.texts import day_label, t

STALE_AFTER = dt.timedelta(days=7)  # no progress this long: remind the handledare
ESCALATE_AFTER = dt.timedelta(days=7)  # still nothing this long after that: the coordinator


class ItemKind(enum.StrEnum):
    TICK = "tick"
    NOTE = "note"
    CONFIRM = "confirm"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: int
    position: int
    text: str
    kind: ItemKind


@dataclass(frozen=True, slots=True)
class Tick:
    """A handledare's tick on one item (bock), the note, the substitute's confirmation."""

    item_id: int
    done_at: dt.datetime
    by_person_id: str | None = None
    note: str | None = None
    confirmed_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Checklist:
    id: int
    person_id: str  # the substitute being introduced
    unit_id: str
    template_id: int
    started_at: dt.datetime
    last_activity_at: dt.datetime
    signed_off_at: dt.datetime | None = None
    signed_off_by: str | None = None

    @property
    def open(self) -> bool:
        return self.signed_off_at is None


@dataclass(frozen=True, slots=True)
class SupervisedShift:
    """A live booking at the unit made while the checklist was open (a bredvidgång)."""

    booking_id: int
    booked_at: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime


class ItemState(enum.StrEnum):
    TODO = "todo"
    AWAITING_CONFIRMATION = "awaiting"  # ticked, the substitute has not confirmed yet
    DONE = "done"


def item_state(item: ChecklistItem, tick: Tick | None) -> ItemState:
    if tick is None:
        return ItemState.TODO
    if item.kind == ItemKind.CONFIRM and tick.confirmed_at is None:
        return ItemState.AWAITING_CONFIRMATION
    return ItemState.DONE


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int
    todo: tuple[ChecklistItem, ...]  # not ticked yet, in position order
    awaiting_confirmation: tuple[ChecklistItem, ...]  # ticked, waiting for the substitute
    supervised_done: int
    supervised_booked: int  # booked supervised shifts still to come
    supervised_required: int

    @property
    def label(self) -> str:
        """'7/20'."""
        return f"{self.done}/{self.total}"

    @property
    def supervised_label(self) -> str:
        """'1/2': supervised shifts worked of those required."""
        return f"{min(self.supervised_done, self.supervised_required)}/{self.supervised_required}"

    @property
    def all_items_done(self) -> bool:
        return self.done == self.total

    @property
    def supervised_missing(self) -> int:
        return max(0, self.supervised_required - self.supervised_done)

    @property
    def can_sign_off(self) -> bool:
        return self.total > 0 and self.all_items_done and self.supervised_missing == 0


def progress(
    items: Sequence[ChecklistItem], ticks: Mapping[int, Tick],
    supervised: Iterable[SupervisedShift], supervised_required: int, now: dt.datetime,
) -> Progress:
    ordered = sorted(items, key=lambda i: i.position)
    states = [(i, item_state(i, ticks.get(i.id))) for i in ordered]
    worked, coming = supervised_counts(supervised, now)
    return Progress(
        done=sum(s == ItemState.DONE for _, s in states),
        total=len(ordered),
        todo=tuple(i for i, s in states if s == ItemState.TODO),
        awaiting_confirmation=tuple(i for i, s in states if s == ItemState.AWAITING_CONFIRMATION),
        supervised_done=worked,
        supervised_booked=coming,
        supervised_required=supervised_required,
    )


def supervised_counts(shifts: Iterable[SupervisedShift], now: dt.datetime) -> tuple[int, int]:
    """(worked, still to come): a supervised shift counts as worked once it has started, so a
    handledare can sign off at the end of the last one."""
    worked = coming = 0
    for s in shifts:
        if s.starts_at <= now:
            worked += 1
        else:
            coming += 1
    return worked, coming


def is_supervised(booked_at: dt.datetime, checklist: Checklist) -> bool:
    """A booking belongs to the introduction when made while the checklist was open."""
    if booked_at < checklist.started_at:
        return False
    return checklist.signed_off_at is None or booked_at < checklist.signed_off_at


class SignOffBlock(enum.StrEnum):
    SIGNED = "signed"  # already signed off
    ITEMS_LEFT = "items_left"
    SUPERVISED_MISSING = "supervised_missing"
    EMPTY = "empty"  # a template without items cannot be signed


def sign_off_blocks(checklist: Checklist, p: Progress) -> tuple[SignOffBlock, ...]:
    """Why the checklist cannot be signed off now; empty when it can."""
    out: list[SignOffBlock] = []
    if not checklist.open:
        out.append(SignOffBlock.SIGNED)
    if p.total == 0:
        out.append(SignOffBlock.EMPTY)
    if not p.all_items_done:
        out.append(SignOffBlock.ITEMS_LEFT)
    if p.supervised_missing:
        out.append(SignOffBlock.SUPERVISED_MISSING)
    return tuple(out)


# --- stale checklists: who is reminded, once per quiet period ---


class Remind(enum.StrEnum):
    HANDLEDARE = "handledare"
    COORDINATOR = "coordinator"


@dataclass(frozen=True, slots=True)
class ReminderState:
    """Reminders sent for one period without progress (the period starts at `since`)."""

    since: dt.datetime  # the checklist's last_activity_at when the reminders were sent
    handledare_at: dt.datetime | None = None
    coordinator_at: dt.datetime | None = None


def reminder_due(
    last_activity_at: dt.datetime, state: ReminderState | None, now: dt.datetime
) -> Remind | None:
    """Who to remind now, if anyone. After `STALE_AFTER` without progress the handledare,
    `ESCALATE_AFTER` later the coordinator; each once per period. Progress (a newer
    `last_activity_at`) starts a new period."""
    if state is not None and state.since != last_activity_at:
        state = None  # there was progress since: a new period
    if not stalled(last_activity_at, now):
        return None
    if state is None or state.handledare_at is None:
        return Remind.HANDLEDARE
    if state.coordinator_at is None and now - state.handledare_at >= ESCALATE_AFTER:
        return Remind.COORDINATOR
    return None


def stalled(last_activity_at: dt.datetime, now: dt.datetime) -> bool:
    """No progress for `STALE_AFTER` (står still): the reminders' definition, and the desk's."""
    return now - last_activity_at >= STALE_AFTER


def stale_days(last_activity_at: dt.datetime, now: dt.datetime) -> int:
    return max(0, (now - last_activity_at) // dt.timedelta(days=1))


# --- the messages of the introduction (Telegram first; buttons are channel-neutral) ---

LABEL_CHARS = 40  # item text on a button, shortened


@dataclass(frozen=True, slots=True)
class ChecklistView:
    """One checklist with everything needed to show it."""

    checklist: Checklist
    person: Person  # the substitute
    unit: Unit
    items: tuple[ChecklistItem, ...]
    ticks: Mapping[int, Tick]
    progress: Progress


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _booked(p: Progress, lang: str) -> str:
    return t("intro_booked", lang, n=p.supervised_booked) if p.supervised_booked else ""


_MARK = {ItemState.DONE: "✅", ItemState.AWAITING_CONFIRMATION: "⏳", ItemState.TODO: "⬜"}


def handledare_message(v: ChecklistView, lang: str, tz: ZoneInfo) -> OutMessage:
    """The ONE checklist message: a toggle button per item, Signera when all is done."""
    c, p = v.checklist, v.progress
    if not c.open:
        assert c.signed_off_at is not None
        text = t("intro_signed", lang, name=v.person.name, unit=v.unit.name,
                 day=day_label(c.signed_off_at, tz, lang))
        return OutMessage("intro_checklist", text)
    lines = [t("intro_head", lang, name=v.person.name, unit=v.unit.name, progress=p.label,
               supervised=p.supervised_label, booked=_booked(p, lang))]
    if p.awaiting_confirmation:
        lines.append(t("intro_waiting", lang, name=v.person.first_name,
                       items=", ".join(str(i.position) for i in p.awaiting_confirmation)))
    notes = [(i, v.ticks[i.id].note) for i in v.items if i.id in v.ticks and v.ticks[i.id].note]
    if notes:
        lines.append(t("intro_notes_head", lang))
        lines += [f"{i.position}. {note}" for i, note in notes]
    if p.can_sign_off:
        lines.append(t("intro_ready", lang))
    else:
        if not p.all_items_done:
            lines.append(t("intro_left", lang, n=p.total - p.done))
        if p.supervised_missing:
            lines.append(t("intro_need_supervised", lang, of=p.supervised_required,
                           done=p.supervised_done))
    rows: list[tuple[Button, ...]] = []
    for item in v.items:
        tick = v.ticks.get(item.id)
        mark = _MARK[item_state(item, tick)]
        pen = " 📝" if tick is not None and tick.note else ""
        label = f"{mark} {item.position}. {_short(item.text)}{pen}"
        rows.append((Button(label, cb.encode(cb.CHECKLIST_TICK, c.id, item.id)),))
    last = [Button(t("intro_btn_refresh", lang), cb.encode(cb.CHECKLIST_VIEW, c.id))]
    if p.can_sign_off:
        last.append(Button(t("intro_btn_sign", lang), cb.encode(cb.CHECKLIST_SIGN, c.id)))
    rows.append(tuple(last))
    return OutMessage("intro_checklist", "\n".join(lines), None, tuple(rows))


def substitute_message(v: ChecklistView, lang: str, tz: ZoneInfo) -> OutMessage:
    """The substitute's own progress, with a button per item waiting for their confirmation."""
    c, p = v.checklist, v.progress
    if not c.open:
        return OutMessage("intro_own", t("intro_signed_sub", lang, unit=v.unit.name))
    lines = [t("intro_own_head", lang, unit=v.unit.name, progress=p.label,
               supervised=p.supervised_label, booked=_booked(p, lang))]
    if p.awaiting_confirmation:
        lines.append(t("intro_own_confirm", lang))
    if p.todo:
        lines.append(t("intro_own_left_head", lang))
        lines += [f"{i.position}. {i.text}" for i in p.todo]
    rows = tuple(
        (Button(t("intro_btn_confirm", lang, pos=i.position, text=_short(i.text)),
                cb.encode(cb.CHECKLIST_CONFIRM, c.id, i.id)),)
        for i in p.awaiting_confirmation
    )
    return OutMessage("intro_own", "\n".join(lines), None, rows)


def list_message(views: Sequence[ChecklistView], lang: str) -> OutMessage:
    """A handledare's open checklists, one button each."""
    if not views:
        return OutMessage("intro_list", t("intro_none", lang))
    rows = tuple(
        (Button(t("intro_list_item", lang, name=v.person.name, unit=v.unit.name,
                  progress=v.progress.label), cb.encode(cb.CHECKLIST_OPEN, v.checklist.id)),)
        for v in views
    )
    return OutMessage("intro_list", t("intro_list_head", lang), None, rows)


def overview_message(views: Sequence[ChecklistView], lang: str, tz: ZoneInfo) -> OutMessage:
    """For coordinators: who is being introduced where, and how far."""
    if not views:
        return OutMessage("intro_overview", t("intro_none", lang))
    lines = [t("intro_overview_head", lang)]
    for v in sorted(views, key=lambda v: (v.unit.name, v.person.name)):
        lines.append(t("intro_overview_line", lang, unit=v.unit.name, name=v.person.name,
                       progress=v.progress.label, supervised=v.progress.supervised_label,
                       last=day_label(v.checklist.last_activity_at, tz, lang)))
    return OutMessage("intro_overview", "\n".join(lines))
