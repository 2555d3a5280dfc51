"""Introduction of new substitutes (introduktion): checklists, ticks, sign-off, reminders.

A substitute not yet introduced at a unit may be booked there only with a handledare on
an overlapping shift (bot.domain.eligibility). The first such booking starts a checklist
(`on_booking`, called inside the booking's transaction) and tells the handledare who is
coming and when. The handledare ticks items, the substitute confirms the items that need
it, and the sign-off writes the introduction the call-out reads: from the next
assessment on the substitute is offered the unit's shifts as introduced.

Who may do what: the unit's handledare tick and sign (never their own checklist), the
substitute confirms their own items, coordinators (and admins) see an overview.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.checklist import (
    STALE_AFTER,
    Checklist,
    ChecklistItem,
    ChecklistView,
    ItemKind,
    Remind,
    ReminderState,
    SignOffBlock,
    is_supervised,
    progress,
    reminder_due,
    sign_off_blocks,
    stale_days,
)
from bot.domain.eligibility import is_introduced
from bot.domain.intents import TickChecklistItem
from bot.domain.model import Person, Role
from bot.domain.outgoing import OutMessage
from bot.domain.waves import in_quiet_hours
from bot.services.deps import Deps, send_to_coordinators, send_to_person
from bot.texts import day_label, hhmm, t
from storage import audit, checklists, history
from storage import people as people_repo
from storage import shifts as shifts_repo

log = logging.getLogger(__name__)

NOTE_WAIT = dt.timedelta(minutes=30)  # how long a pressed note item waits for its text
NOTE_MAX = 500
NO_NOTE = "-"


class Outcome(enum.StrEnum):
    TICKED = "ticked"
    UNTICKED = "unticked"
    NEEDS_NOTE = "needs_note"  # a note item: ask for the note text first
    CONFIRMED = "confirmed"
    SIGNED = "signed"
    SHOWN = "shown"
    NOT_READY = "not_ready"  # sign-off blocked, or a confirmation before the tick
    NOT_ALLOWED = "not_allowed"
    CLOSED = "closed"  # already signed off
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class IntroResult:
    outcome: Outcome
    view: ChecklistView | None = None
    item: ChecklistItem | None = None
    blocks: tuple[SignOffBlock, ...] = ()
    message_id: int | None = None  # the checklist message a note belongs to


# ---------- who may do what ----------


def may_supervise(person: Person, checklist: Checklist) -> bool:
    """The unit's handledare, never on their own checklist."""
    return person.id != checklist.person_id and person.has_role(Role.HANDLEDARE, checklist.unit_id)


def coordinator_units(person: Person) -> frozenset[str] | None:
    """Units a coordinator oversees; None = every unit (an admin only); an empty set = none.
    As in `coordinator_views.coordinates`: a coordinator grant without a unit gives no unit."""
    if person.has_role(Role.ADMIN):
        return None
    return person.units_for(Role.COORDINATOR)


def handledare_units(person: Person) -> frozenset[str]:
    """Units where the person is handledare. A grant without a unit gives none (least
    privilege, as for coordinators: the importer cannot make one, but old rows might)."""
    return person.units_for(Role.HANDLEDARE)


# ---------- loading ----------


async def _view(conn: AsyncConnection, deps: Deps, c: Checklist) -> ChecklistView:
    person = await people_repo.get_person(conn, c.person_id)
    unit = await people_repo.get_unit(conn, c.unit_id)
    assert person is not None and unit is not None
    items = tuple(await checklists.items_of(conn, c.template_id))
    ticks = await checklists.ticks_of(conn, c.id)
    bookings = await checklists.bookings_at_unit(conn, c.person_id, c.unit_id, c.started_at)
    supervised = [b for b in bookings if is_supervised(b.booked_at, c)]
    p = progress(items, ticks, supervised, deps.settings.supervised_shifts, deps.now())
    return ChecklistView(c, person, unit, items, ticks, p)


async def _views(conn: AsyncConnection, deps: Deps, cs: Iterable[Checklist]) -> list[ChecklistView]:
    return [await _view(conn, deps, c) for c in cs]


async def _load(
    conn: AsyncConnection, checklist_id: int, actor_id: str, *, for_update: bool = False
) -> tuple[Checklist, Person] | None:
    c = await checklists.get(conn, checklist_id, for_update=for_update)
    actor = await people_repo.get_person(conn, actor_id)
    return (c, actor) if c is not None and actor is not None else None


async def _to_supervise(
    conn: AsyncConnection, checklist_id: int, actor_id: str
) -> Checklist | IntroResult:
    """The checklist, locked, if the actor may supervise it; else the refusal."""
    loaded = await _load(conn, checklist_id, actor_id, for_update=True)
    if loaded is None:
        return IntroResult(Outcome.UNKNOWN)
    c, actor = loaded
    if not may_supervise(actor, c):
        return IntroResult(Outcome.NOT_ALLOWED)
    return c


async def _item_of(conn: AsyncConnection, c: Checklist, item_id: int) -> ChecklistItem | None:
    item = await checklists.get_item(conn, item_id)
    return (
        item
        if item is not None and item in await checklists.items_of(conn, c.template_id)
        else None
    )


# ---------- starting: the booking hook ----------


async def start_checklist(
    conn: AsyncConnection,
    deps: Deps,
    person_id: str,
    unit_id: str,
    *,
    by: str = audit.SYSTEM,
    channel: str = "engine",
) -> tuple[Checklist, bool] | None:
    """The person's checklist at the unit, started now from the unit's (or the default)
    template if there is none. (checklist, created); None when no template exists."""
    found = await checklists.for_person_unit(conn, person_id, unit_id)
    if found is not None:
        return found, False
    template_id = await checklists.template_id_for(conn, unit_id)
    if template_id is None:
        log.warning(
            "no checklist template for unit %s: introduction of %s not tracked", unit_id, person_id
        )
        return None
    now = deps.now()
    cid = await checklists.insert(conn, person_id, unit_id, template_id, now)
    await audit.record(
        conn,
        now,
        by,
        "checklist_started",
        "checklist",
        cid,
        channel,
        person=person_id,
        unit=unit_id,
        template=template_id,
    )
    c = await checklists.get(conn, cid)
    assert c is not None
    return c, True


async def on_booking(
    conn: AsyncConnection,
    deps: Deps,
    person: Person,
    unit_id: str,
    shift_id: str,
    booking_id: int,
) -> None:
    """A booking was made (inside its transaction). For someone not introduced at the unit:
    start the checklist on the first booking, count it as a supervised shift (bredvidgång)
    and tell the handledare who is coming and when: first name, date and time only."""
    if is_introduced(person, unit_id):
        return
    started = await start_checklist(conn, deps, person.id, unit_id)
    if started is None:
        return
    c, created = started
    if not c.open:
        return  # signed off but no introduction row: an admin removed it on purpose
    now = deps.now()
    if not created:
        await checklists.touch(conn, c.id, now)
    shift = await shifts_repo.get_shift(conn, shift_id)
    unit = await people_repo.get_unit(conn, unit_id)
    assert shift is not None and unit is not None
    bookings = [
        b
        for b in await checklists.bookings_at_unit(conn, person.id, unit_id, c.started_at)
        if is_supervised(b.booked_at, c)
    ]
    n = next((i for i, b in enumerate(bookings, 1) if b.booking_id == booking_id), len(bookings))
    of = deps.settings.supervised_shifts
    first = created or n <= 1
    for h in await _handledare_for(conn, unit_id, shift.starts_at, shift.ends_at, person.id):
        lang = h.language
        params = {
            "name": person.first_name,
            "unit": unit.name,
            "day": day_label(shift.starts_at, deps.tz, lang),
            "start": hhmm(shift.starts_at, deps.tz),
            "end": hhmm(shift.ends_at, deps.tz),
            "n": n,
            "of": max(of, n),
        }
        key = "intro_coming_first" if first else "intro_coming_next"
        msg = OutMessage("intro_coming", t(key, lang, **params), t(f"{key}_sms", lang, **params))
        await send_to_person(conn, h, msg, now)
    if created:
        welcome = t("intro_welcome", person.language, unit=unit.name)
        await send_to_person(conn, person, OutMessage("intro_welcome", welcome), now)
    await audit.record(
        conn,
        now,
        audit.SYSTEM,
        "supervised_shift_booked",
        "checklist",
        c.id,
        "engine",
        booking=booking_id,
        shift=shift_id,
        number=n,
    )


async def _handledare_for(
    conn: AsyncConnection, unit_id: str, start: dt.datetime, end: dt.datetime, except_id: str
) -> list[Person]:
    """The handledare working alongside, else every handledare of the unit."""
    working = await history.people_working_during(conn, unit_id, start, end)
    on_duty = [
        p
        for p in (await people_repo.get_people(conn, working)).values()
        if p.has_role(Role.HANDLEDARE, unit_id) and p.id != except_id
    ]
    if on_duty:
        return sorted(on_duty, key=lambda p: p.id)
    return [
        p
        for p in await people_repo.people_with_role(conn, Role.HANDLEDARE, unit_id)
        if p.id != except_id
    ]


# ---------- the handledare: tick, untick, note, sign off ----------


async def tick(deps: Deps, actor: Person, intent: TickChecklistItem, channel: str) -> IntroResult:
    """The TickChecklistItem intent from any channel: `_toggle_item`, whose scope check
    (`_to_supervise`: the actor supervises that checklist) answers NOT_ALLOWED."""
    return await _toggle_item(
        deps, intent.checklist_id, intent.item_id, actor.id, channel, message_id=intent.message_id
    )


async def _toggle_item(
    deps: Deps,
    checklist_id: int,
    item_id: int,
    by: str,
    channel: str,
    *,
    message_id: int | None = None,
) -> IntroResult:
    """Tick an item, or untick a ticked one. A note item asks for its note first."""
    async with deps.db.write() as conn:
        supervised = await _to_supervise(conn, checklist_id, by)
        if isinstance(supervised, IntroResult):
            return supervised
        c = supervised
        item = await _item_of(conn, c, item_id)
        if item is None:
            return IntroResult(Outcome.UNKNOWN)
        if not c.open:
            return IntroResult(Outcome.CLOSED, await _view(conn, deps, c), item)
        now = deps.now()
        if await checklists.delete_tick(conn, c.id, item.id):
            await checklists.touch(conn, c.id, now)
            await audit.record(
                conn, now, by, "checklist_unticked", "checklist", c.id, channel, item=item.position
            )
            return IntroResult(Outcome.UNTICKED, await _view(conn, deps, c), item)
        if item.kind == ItemKind.NOTE:
            await checklists.save_note_wait(
                conn, by, checklists.NoteWait(c.id, item.id, message_id, now + NOTE_WAIT)
            )
            return IntroResult(Outcome.NEEDS_NOTE, await _view(conn, deps, c), item)
        return await _tick(conn, deps, c, item, by, channel, None)


async def _tick(
    conn: AsyncConnection,
    deps: Deps,
    c: Checklist,
    item: ChecklistItem,
    by: str,
    channel: str,
    note: str | None,
    message_id: int | None = None,
) -> IntroResult:
    now = deps.now()
    await checklists.set_tick(conn, c.id, item.id, now, by, note)
    await checklists.touch(conn, c.id, now)
    # The note itself stays out of the audit log: it is free text.
    await audit.record(
        conn,
        now,
        by,
        "checklist_ticked",
        "checklist",
        c.id,
        channel,
        item=item.position,
        note=note is not None,
    )
    return IntroResult(Outcome.TICKED, await _view(conn, deps, c), item, message_id=message_id)


async def take_note(deps: Deps, person_id: str, text: str, channel: str) -> IntroResult | None:
    """The text a handledare sent after pressing a note item: tick it with the note ("-"
    for none). None when the person is not writing a note (let other handlers answer)."""
    async with deps.db.read() as conn:  # every text passes here: no write lock unless needed
        if await checklists.note_wait(conn, person_id) is None:
            return None
    async with deps.db.write() as conn:
        wait = await checklists.note_wait(conn, person_id)
        if wait is None:
            return None
        await checklists.clear_note_wait(conn, person_id)
        if wait.until < deps.now():
            return None
        supervised = await _to_supervise(conn, wait.checklist_id, person_id)
        if isinstance(supervised, IntroResult):
            return supervised
        c = supervised
        item = await _item_of(conn, c, wait.item_id)
        if item is None:
            return IntroResult(Outcome.UNKNOWN)
        if not c.open:
            return IntroResult(Outcome.CLOSED, await _view(conn, deps, c), item)
        note = text.strip()[:NOTE_MAX]
        return await _tick(
            conn,
            deps,
            c,
            item,
            person_id,
            channel,
            None if note in ("", NO_NOTE) else note,
            wait.message_id,
        )


async def sign_off(deps: Deps, checklist_id: int, by: str, channel: str) -> IntroResult:
    """All done: the substitute becomes introduced at the unit and is told."""
    async with deps.db.write() as conn:
        supervised = await _to_supervise(conn, checklist_id, by)
        if isinstance(supervised, IntroResult):
            return supervised
        c = supervised
        v = await _view(conn, deps, c)
        blocks = sign_off_blocks(c, v.progress)
        if SignOffBlock.SIGNED in blocks:
            return IntroResult(Outcome.CLOSED, v)
        if blocks:
            return IntroResult(Outcome.NOT_READY, v, blocks=blocks)
        now = deps.now()
        if not await checklists.mark_signed_off(conn, c.id, now, by):
            return IntroResult(Outcome.CLOSED, v)
        await people_repo.add_introduction(conn, c.person_id, c.unit_id, now, by)
        await checklists.clear_reminder_state(conn, c.id)
        sub, lang = v.person, v.person.language
        msg = OutMessage(
            "intro_signed",
            t("intro_signed_sub", lang, unit=v.unit.name),
            t("intro_signed_sub_sms", lang, unit=v.unit.name),
        )
        await send_to_person(conn, sub, msg, now)
        await audit.record(
            conn,
            now,
            by,
            "checklist_signed_off",
            "checklist",
            c.id,
            channel,
            person=c.person_id,
            unit=c.unit_id,
            supervised=v.progress.supervised_done,
        )
        await audit.record(
            conn, now, by, "introduced", "person", c.person_id, channel, unit=c.unit_id
        )
        signed = await checklists.get(conn, c.id)
        assert signed is not None
        result = IntroResult(Outcome.SIGNED, await _view(conn, deps, signed))
    deps.kick()
    return result


# ---------- the substitute ----------


async def confirm_item(
    deps: Deps, checklist_id: int, item_id: int, person_id: str, channel: str
) -> IntroResult:
    """The substitute confirms an item of kind confirm, once the handledare has ticked it."""
    async with deps.db.write() as conn:
        c = await checklists.get(conn, checklist_id, for_update=True)
        if c is None:
            return IntroResult(Outcome.UNKNOWN)
        if c.person_id != person_id:
            return IntroResult(Outcome.NOT_ALLOWED)
        item = await _item_of(conn, c, item_id)
        if item is None or item.kind != ItemKind.CONFIRM:
            return IntroResult(Outcome.UNKNOWN)
        if not c.open:
            return IntroResult(Outcome.CLOSED, await _view(conn, deps, c), item)
        now = deps.now()
        tick = (await checklists.ticks_of(conn, c.id)).get(item.id)
        if tick is None:
            return IntroResult(Outcome.NOT_READY, await _view(conn, deps, c), item)
        if await checklists.confirm_tick(conn, c.id, item.id, now):
            await checklists.touch(conn, c.id, now)
            await audit.record(
                conn,
                now,
                person_id,
                "checklist_confirmed",
                "checklist",
                c.id,
                channel,
                item=item.position,
            )
        return IntroResult(Outcome.CONFIRMED, await _view(conn, deps, c), item)


# ---------- reading ----------


async def show(deps: Deps, checklist_id: int, viewer_id: str) -> IntroResult:
    """One checklist, for its handledare, its substitute, or a coordinator of the unit."""
    async with deps.db.read() as conn:
        loaded = await _load(conn, checklist_id, viewer_id)
        if loaded is None:
            return IntroResult(Outcome.UNKNOWN)
        c, viewer = loaded
        units = coordinator_units(viewer)
        allowed = (
            may_supervise(viewer, c)
            or viewer.id == c.person_id
            or units is None
            or c.unit_id in units
        )
        if not allowed:
            return IntroResult(Outcome.NOT_ALLOWED)
        return IntroResult(Outcome.SHOWN, await _view(conn, deps, c))


async def open_for_handledare(deps: Deps, person_id: str) -> list[ChecklistView]:
    """Open checklists at the units where the person is handledare (not their own)."""
    async with deps.db.read() as conn:
        person = await people_repo.get_person(conn, person_id)
        if person is None or not person.has_role(Role.HANDLEDARE):
            return []
        cs = await checklists.open_checklists(conn, unit_ids=handledare_units(person))
        return await _views(conn, deps, [c for c in cs if may_supervise(person, c)])


async def own_open(deps: Deps, person_id: str) -> list[ChecklistView]:
    async with deps.db.read() as conn:
        return await _views(conn, deps, await checklists.open_checklists(conn, person_id=person_id))


async def overview(deps: Deps, person_id: str) -> list[ChecklistView] | None:
    """Open checklists at the coordinator's units; None when the person is no coordinator."""
    async with deps.db.read() as conn:
        person = await people_repo.get_person(conn, person_id)
        if person is None:
            return None
        units = coordinator_units(person)
        if units is not None and not units:
            return None
        return await _views(conn, deps, await checklists.open_checklists(conn, unit_ids=units))


# ---------- reminders ----------


async def remind_stale(deps: Deps) -> int:
    """Checklists without progress for 7 days: remind the handledare; 7 days after that,
    the coordinator. Each once per period without progress, never in quiet hours.
    Returns how many reminders were sent."""
    now = deps.now()
    if in_quiet_hours(now, deps.rules):
        return 0
    sent = 0
    async with deps.db.write() as conn:
        for c in await checklists.idle_since(conn, now - STALE_AFTER):
            state = await checklists.reminder_state(conn, c.id)
            due = reminder_due(c.last_activity_at, state, now)
            if due is None:
                continue
            if state is None or state.since != c.last_activity_at:
                state = ReminderState(c.last_activity_at)
            v = await _view(conn, deps, c)
            if due == Remind.HANDLEDARE:
                told = await _remind_handledare(conn, deps, v, now)
                state = ReminderState(state.since, now, state.coordinator_at)
                if not told:  # nobody to remind: go to the coordinator at once
                    due = Remind.COORDINATOR
            if due == Remind.COORDINATOR:
                await _remind_coordinator(conn, deps, v, now)
                state = ReminderState(state.since, state.handledare_at or now, now)
            await checklists.save_reminder_state(conn, c.id, state)
            await audit.record(
                conn,
                now,
                audit.SYSTEM,
                "checklist_reminded",
                "checklist",
                c.id,
                "engine",
                to=due.value,
                idle_days=stale_days(c.last_activity_at, now),
            )
            sent += 1
    if sent:
        deps.kick()
    return sent


def _stale_params(v: ChecklistView, now: dt.datetime) -> dict[str, object]:
    return {
        "name": v.person.first_name,
        "unit": v.unit.name,
        "progress": v.progress.label,
        "days": stale_days(v.checklist.last_activity_at, now),
    }


async def _remind_handledare(
    conn: AsyncConnection, deps: Deps, v: ChecklistView, now: dt.datetime
) -> int:
    told = 0
    for h in await people_repo.people_with_role(conn, Role.HANDLEDARE, v.unit.id):
        if h.id == v.person.id:
            continue
        p = _stale_params(v, now)
        msg = OutMessage(
            "intro_stale",
            t("intro_stale_handledare", h.language, **p),
            t("intro_stale_handledare_sms", h.language, **p),
        )
        told += await send_to_person(conn, h, msg, now)
    return told


async def _remind_coordinator(
    conn: AsyncConnection, deps: Deps, v: ChecklistView, now: dt.datetime
) -> None:
    lang = deps.settings.language
    p = _stale_params(v, now)
    msg = OutMessage(
        "intro_stale",
        t("intro_stale_coordinator", lang, **p),
        t("intro_stale_coordinator_sms", lang, **p),
    )
    await send_to_coordinators(conn, v.unit, msg, now)
