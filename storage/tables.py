"""The database schema, defined once (SQLAlchemy Core).

Every time column is a timezone-aware UTC timestamp; local (Europe/Stockholm)
times exist only at the edges (CSV import, messages, CLI output).
Swedish words users see are noted in comments.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            # SQLite stores text; keep it naive UTC so string order == time order.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class hours_between(FunctionElement[float]):
    """`hours_between(a, b)`: b - a in hours, in SQL, so sums of shift hours are added up
    in the database rather than row by row in Python."""

    type = sa.Float()
    name = "hours_between"
    inherit_cache = True


@compiles(hours_between, "sqlite")
def _hours_between_sqlite(element: hours_between, compiler: Any, **kw: Any) -> str:
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({b}) - julianday({a})) * 24.0)"


@compiles(hours_between, "postgresql")
def _hours_between_postgresql(element: hours_between, compiler: Any, **kw: Any) -> str:
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({b} - {a})) / 3600.0)"


def _ts(name: str, nullable: bool = True, **kw: Any) -> sa.Column[Any]:
    return sa.Column(name, UTCDateTime(), nullable=nullable, **kw)


ROLES = ("staff", "substitute", "coordinator", "handledare", "admin")
TIERS = ("pool", "substitute", "staff_extra")
CHANNELS = ("telegram", "sms", "both")
ABSENCE_CATEGORIES = ("sjuk", "vab", "annat")

units = sa.Table(
    "units",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("area", sa.String(200), nullable=False, server_default=""),
    sa.Column("coordinator_chat_id", sa.BigInteger, nullable=True),
    # Whether regular staff may be offered extra time / overtime here (mertid/övertid).
    sa.Column("allow_staff_extra", sa.Boolean, nullable=False, server_default=sa.false()),
    # The workplace (the group's office), never a care recipient's address (migration 0006).
    sa.Column("address", sa.String(200), nullable=True),
    sa.Column("phone", sa.String(20), nullable=True),  # E.164, a landline is fine
)

people = sa.Table(
    "people",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("phone", sa.String(20), nullable=True, unique=True),  # E.164
    sa.Column("telegram_user_id", sa.BigInteger, nullable=True, unique=True),
    sa.Column("telegram_chat_id", sa.BigInteger, nullable=True),
    sa.Column("language", sa.String(5), nullable=False, server_default="sv"),
    sa.Column("channel", sa.String(10), nullable=False, server_default="both"),
    sa.Column("tier", sa.String(20), nullable=True),  # pool / substitute / staff_extra
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    _ts("paused_until"),
    sa.Column("sms_opted_out", sa.Boolean, nullable=False, server_default=sa.false()),
    # ISO weekdays (1=Monday) the person takes shifts on; times in local time.
    sa.Column("available_days", sa.String(7), nullable=False, server_default="1234567"),
    sa.Column("available_from", sa.Time, nullable=True),
    sa.Column("available_to", sa.Time, nullable=True),
    sa.Column("max_hours_week", sa.Float, nullable=True),
    sa.CheckConstraint("channel IN ('telegram','sms','both')", name="channel"),
    sa.CheckConstraint("tier IS NULL OR tier IN ('pool','substitute','staff_extra')", name="tier"),
)

person_roles = sa.Table(
    "person_roles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "person_id",
        sa.String(64),
        sa.ForeignKey("people.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("role", sa.String(20), nullable=False),
    # Home unit for staff; scope for coordinator and handledare; NULL = not unit-bound.
    sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id"), nullable=True),
    sa.CheckConstraint(
        "role IN ('staff','substitute','coordinator','handledare','admin')", name="role"
    ),
)

qualifications = sa.Table(
    "qualifications",
    metadata,
    sa.Column(
        "person_id", sa.String(64), sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("code", sa.String(40), primary_key=True),  # usk, delegering, korkort, ...
    sa.Column("expires_on", sa.Date, nullable=True),
)

# The municipality's catalogue of qualifications (behörigheter); people and shifts store
# the id. No foreign key from qualifications.code or shifts.requirements (a ';'-joined
# list): the catalogue import refuses to remove an id that is still held or required.
qualification_types = sa.Table(
    "qualification_types",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),  # usk, korkort, insulin, ...
    sa.Column("name", sa.String(200), nullable=False),  # Läkemedelsdelegering
    # A person must hold it with an end date (delegering, HSLF-FS 2017:37).
    sa.Column("requires_expiry", sa.Boolean, nullable=False, server_default=sa.false()),
)

qualification_aliases = sa.Table(  # other spellings: körkort, undersköterska, ...
    "qualification_aliases",
    metadata,
    sa.Column("alias", sa.String(64), primary_key=True),  # as written in the catalogue file
    sa.Column(
        "qualification_id",
        sa.String(40),
        sa.ForeignKey("qualification_types.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
)

introductions = sa.Table(  # introducerad på enheten
    "introductions",
    metadata,
    sa.Column(
        "person_id", sa.String(64), sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id"), primary_key=True),
    _ts("since", nullable=False),
    sa.Column("by_person_id", sa.String(64), sa.ForeignKey("people.id"), nullable=True),
)

shifts = sa.Table(  # pass
    "shifts",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id"), nullable=False, index=True),
    sa.Column("person_id", sa.String(64), sa.ForeignKey("people.id"), nullable=True, index=True),
    _ts("starts_at", nullable=False, index=True),
    _ts("ends_at", nullable=False),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("requirements", sa.String(200), nullable=False, server_default=""),  # ';'-joined
    sa.Column("cancelled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
)

# A person's (or a unit's) shifts in a time window: seek, then range (migration 0003).
sa.Index("ix_shifts_person_starts", shifts.c.person_id, shifts.c.starts_at)
sa.Index("ix_shifts_unit_starts", shifts.c.unit_id, shifts.c.starts_at)

absences = sa.Table(  # frånvaro
    "absences",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("person_id", sa.String(64), sa.ForeignKey("people.id"), nullable=False, index=True),
    # Category only (sjuk / vab / annat): never a free-text reason.
    sa.Column("category", sa.String(10), nullable=False),
    _ts("starts_at", nullable=False),
    _ts("ends_at", nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    _ts("reported_at", nullable=False),
    _ts("ended_at"),  # friskanmäld
    sa.CheckConstraint("category IN ('sjuk','vab','annat')", name="category"),
)

vacancies = sa.Table(  # vakans
    "vacancies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("shift_id", sa.String(64), sa.ForeignKey("shifts.id"), nullable=False, unique=True),
    sa.Column("absence_id", sa.Integer, sa.ForeignKey("absences.id"), nullable=True),
    # searching -> filled | cancelled | expired; filled -> searching on a cancelled booking
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("wave", sa.Integer, nullable=False, server_default="0"),
    _ts("next_due_at", index=True),
    _ts("escalated_at"),
    sa.Column("widened", sa.Boolean, nullable=False, server_default=sa.false()),
    _ts("created_at", nullable=False),
    _ts("updated_at", nullable=False),
    sa.CheckConstraint("status IN ('searching','filled','cancelled','expired')", name="status"),
)

offers = sa.Table(  # förfrågan
    "offers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("vacancy_id", sa.Integer, sa.ForeignKey("vacancies.id"), nullable=False),
    sa.Column("person_id", sa.String(64), sa.ForeignKey("people.id"), nullable=False, index=True),
    sa.Column("wave", sa.Integer, nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("code", sa.Integer, nullable=False),  # short SMS code, "JA 47"
    _ts("created_at", nullable=False),
    # open -> accepted | declined | taken | withdrawn | expired | late
    sa.Column("state", sa.String(12), nullable=False, server_default="open"),
    _ts("answered_at"),
    sa.Column("answer_channel", sa.String(20), nullable=True),
    # Reference to the delivered message, so it can be edited ("Tillsatt").
    sa.Column("telegram_message_id", sa.BigInteger, nullable=True),
    sa.UniqueConstraint("vacancy_id", "person_id", name="uq_offers_vacancy_person"),
)

# Hours offered to a person in the last 28 days (fairness, migration 0003).
sa.Index("ix_offers_person_created", offers.c.person_id, offers.c.created_at)

bookings = sa.Table(  # bokning
    "bookings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("vacancy_id", sa.Integer, sa.ForeignKey("vacancies.id"), nullable=False),
    sa.Column("shift_id", sa.String(64), sa.ForeignKey("shifts.id"), nullable=False, index=True),
    sa.Column("person_id", sa.String(64), sa.ForeignKey("people.id"), nullable=False, index=True),
    _ts("booked_at", nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("override_reason", sa.String(500), nullable=True),
    sa.Column("by_person_id", sa.String(64), sa.ForeignKey("people.id"), nullable=True),
    _ts("cancelled_at"),
    sa.Column("cancel_kind", sa.String(20), nullable=True),  # substitute / released
    _ts("reminded_at"),  # the evening-before reminder was enqueued (påminnelse, 0006)
)
# At most one live booking per vacancy: the backstop behind "first accept wins".
sa.Index(
    "uq_bookings_live_vacancy",
    bookings.c.vacancy_id,
    unique=True,
    sqlite_where=bookings.c.cancelled_at.is_(None),
    postgresql_where=bookings.c.cancelled_at.is_(None),
)

unavailability = sa.Table(  # ej tillgänglig
    "unavailability",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "person_id",
        sa.String(64),
        sa.ForeignKey("people.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    _ts("starts_at", nullable=False),
    _ts("ends_at", nullable=False),
)

checklist_templates = sa.Table(
    "checklist_templates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id"), nullable=True, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
)

checklist_items = sa.Table(
    "checklist_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "template_id",
        sa.Integer,
        sa.ForeignKey("checklist_templates.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("text", sa.String(300), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False, server_default="tick"),  # tick/note/confirm
    sa.UniqueConstraint("template_id", "position", name="uq_checklist_items_position"),
)

checklists = sa.Table(  # introduktion pågår
    "checklists",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("person_id", sa.String(64), sa.ForeignKey("people.id"), nullable=False),
    sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id"), nullable=False),
    sa.Column("template_id", sa.Integer, sa.ForeignKey("checklist_templates.id"), nullable=False),
    _ts("started_at", nullable=False),
    _ts("last_activity_at", nullable=False),
    _ts("signed_off_at"),
    sa.Column("signed_off_by", sa.String(64), sa.ForeignKey("people.id"), nullable=True),
    sa.UniqueConstraint("person_id", "unit_id", name="uq_checklists_person_unit"),
)

checklist_ticks = sa.Table(
    "checklist_ticks",
    metadata,
    sa.Column(
        "checklist_id",
        sa.Integer,
        sa.ForeignKey("checklists.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("checklist_items.id"), primary_key=True),
    _ts("done_at", nullable=False),
    sa.Column("by_person_id", sa.String(64), sa.ForeignKey("people.id"), nullable=True),
    sa.Column("note", sa.String(500), nullable=True),
    _ts("confirmed_at"),  # the substitute's own confirmation, for kind='confirm'
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _ts("at", nullable=False, index=True),
    sa.Column("actor", sa.String(64), nullable=False),  # person id, or "system"
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("object_type", sa.String(20), nullable=False),
    sa.Column("object_id", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),  # JSON, no health data
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("person_id", sa.String(64), sa.ForeignKey("people.id"), nullable=True, index=True),
    sa.Column("chat_id", sa.BigInteger, nullable=True),  # for group chats (coordinators)
    sa.Column("channel", sa.String(10), nullable=False),  # telegram / sms
    sa.Column("kind", sa.String(30), nullable=False),  # offer, taken, booked, escalation, ...
    sa.Column("payload", sa.Text, nullable=False),  # JSON: text, buttons, edit target
    sa.Column("offer_id", sa.Integer, sa.ForeignKey("offers.id"), nullable=True, index=True),
    # pending -> sent -> delivered | failed ; pending -> dead after max attempts
    sa.Column("state", sa.String(10), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    _ts("next_attempt_at", nullable=False, index=True),
    _ts("created_at", nullable=False),
    _ts("sent_at"),
    sa.Column("external_id", sa.String(64), nullable=True, index=True),  # Twilio SID / msg id
    sa.Column("error", sa.String(300), nullable=True),
    # The claim order (migration 0010, `bot.domain.outbox_order`): priority class, then
    # for offers wave, rank and the shift's start; else the time it was queued.
    sa.Column("priority", sa.SmallInteger, nullable=False, server_default="1"),
    sa.Column("wave", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rank", sa.Integer, nullable=False, server_default="0"),
    _ts("sort_at"),
)

# The dispatcher's claim: pending rows in send order (migration 0010).
sa.Index(
    "ix_outbox_claim",
    outbox.c.state,
    outbox.c.priority,
    outbox.c.wave,
    outbox.c.rank,
    outbox.c.sort_at,
    outbox.c.id,
)

# A group chat's earlier messages, which go before its later ones (migration 0010).
sa.Index("ix_outbox_chat", outbox.c.chat_id)

# Sends of the last minute per channel budget ("telegram", "sms"), shared by every worker
# (migration 0010): a send takes a slot only if its budget has room (`storage.send_budget`).
send_slots = sa.Table(
    "send_slots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("budget", sa.String(40), nullable=False),
    sa.Column("chat_id", sa.BigInteger, nullable=True),
    _ts("at", nullable=False),
)
sa.Index("ix_send_slots_budget_at", send_slots.c.budget, send_slots.c.at)
sa.Index("ix_send_slots_budget_chat_at", send_slots.c.budget, send_slots.c.chat_id, send_slots.c.at)

# A person's recent SMS replies, counted against the hourly cap (migration 0004).
sa.Index("ix_outbox_person_created", outbox.c.person_id, outbox.c.created_at)

# Answers sent to unregistered numbers (in the webhook's TwiML). The number itself is never
# stored, only a keyed hash; rows older than two days are deleted as new ones come.
sms_unknown_replies = sa.Table(
    "sms_unknown_replies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number_hash", sa.String(40), nullable=False),
    _ts("sent_at", nullable=False, index=True),
)
sa.Index(
    "ix_sms_unknown_replies_number_sent",
    sms_unknown_replies.c.number_hash,
    sms_unknown_replies.c.sent_at,
)

inbound_seen = sa.Table(  # dedupe of webhooks (Twilio MessageSid, Telegram update_id)
    "inbound_seen",
    metadata,
    sa.Column("source", sa.String(20), primary_key=True),
    sa.Column("external_id", sa.String(64), primary_key=True),
    _ts("at", nullable=False),
)

# What people send, committed before it is acknowledged (migration 0011): one row per
# Telegram update or Twilio webhook, handled once in order per key (storage/inbox.py).
inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(20), nullable=False),  # telegram / sms / sms_status
    sa.Column("external_id", sa.String(80), nullable=False),  # update_id, MessageSid, ...
    sa.Column("key", sa.String(64), nullable=False),  # order key: a chat, a hashed number
    sa.Column("payload", sa.Text, nullable=True),  # the raw input; None once handled
    # pending -> handled | failed
    sa.Column("state", sa.String(10), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    _ts("received_at", nullable=False, index=True),
    _ts("next_attempt_at", nullable=False),
    _ts("handled_at"),
    sa.Column("outcome", sa.String(40), nullable=True),  # what it was, as a log may say it
    sa.Column("error", sa.String(300), nullable=True),
    sa.UniqueConstraint("source", "external_id", name="uq_inbox_source_external_id"),
)
sa.Index("ix_inbox_state_key", inbox.c.state, inbox.c.key, inbox.c.id)
sa.Index("ix_inbox_state_due", inbox.c.state, inbox.c.next_attempt_at)

# A Telegram dialogue's state (migration 0012): the ConversationHandler's state per chat and
# user ("conv") and a chat's drafts ("chat"), pickled; written with the update that changed
# it (handlers/telegram/persistence.py), so a restart continues the dialogue.
dialogue_state = sa.Table(
    "dialogue_state",
    metadata,
    sa.Column("kind", sa.String(10), primary_key=True),
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    _ts("updated_at", nullable=False),
)

invites = sa.Table(
    "invites",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("person_id", sa.String(64), sa.ForeignKey("people.id"), nullable=False),
    sa.Column("created_by", sa.String(64), sa.ForeignKey("people.id"), nullable=True),
    _ts("expires_at", nullable=False),
    _ts("used_at"),
)

kv = sa.Table(  # small persistent state: board and alert message ids, ...
    "kv",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

ical_tokens = sa.Table(  # kalenderlänk: a substitute's private calendar address
    "ical_tokens",
    metadata,
    # One link per person: a new one replaces the old, deleting the row revokes it.
    sa.Column(
        "person_id", sa.String(64), sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    ),
    # sha256 of the token, hex: the token itself is only ever in the link the person holds.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    _ts("created_at", nullable=False),
)

# The coordinators' desk (/desk/): one-time logins and sessions, stored as sha256 hashes.
desk_logins = sa.Table(  # a one-time login: a link token or a code, 10 minutes, single use
    "desk_logins",
    metadata,
    # sha256 of the token or code; for an "ask" (any request, counted per address) random
    sa.Column("secret_hash", sa.String(64), primary_key=True),
    sa.Column(  # None: an ask for a number that is nobody's (or nobody who may log in)
        "person_id", sa.String(64), sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=True
    ),
    sa.Column("kind", sa.String(8), nullable=False),  # ask | link | code
    sa.Column("address_hash", sa.String(64), nullable=True),  # who asked (keyed hash), throttle
    _ts("created_at", nullable=False),
    _ts("expires_at", nullable=False),
    _ts("used_at"),
)
sa.Index("ix_desk_logins_person_created", desk_logins.c.person_id, desk_logins.c.created_at)

desk_sessions = sa.Table(
    "desk_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # sha256 of the cookie
    sa.Column(
        "person_id", sa.String(64), sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("csrf", sa.String(64), nullable=False),  # the forms' token, per session
    _ts("created_at", nullable=False),
    _ts("expires_at", nullable=False),
)
