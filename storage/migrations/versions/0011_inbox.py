"""The inbox: what people send is committed before it is acknowledged

  inbox    one row per inbound Telegram update or Twilio webhook (source, external id
           unique per source, ordering key, raw payload, received at). A worker handles
           each row once, in one transaction with its effects, in order per key (a chat, or
           a keyed hash of a phone number). A handled row keeps no payload.

`inbound_seen` (the MessageSid marks) stays for texts from unregistered numbers, which
are answered in the webhook's own response and change nothing else.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=10), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("source", "external_id", name="uq_inbox_source_external_id"),
    )
    op.create_index("ix_inbox_state_key", "inbox", ["state", "key", "id"])
    op.create_index("ix_inbox_state_due", "inbox", ["state", "next_attempt_at"])
    op.create_index(op.f("ix_inbox_received_at"), "inbox", ["received_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_inbox_received_at"), table_name="inbox")
    op.drop_index("ix_inbox_state_due", table_name="inbox")
    op.drop_index("ix_inbox_state_key", table_name="inbox")
    op.drop_table("inbox")
