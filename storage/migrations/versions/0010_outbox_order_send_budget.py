"""Urgent first, and one send budget shared by every worker

  outbox.priority/wave/rank/sort_at  the claim order (`bot.domain.outbox_order`):
                 dialogue replies, then receipts, then offers by wave, rank and the
                 shift's start, then notices and boards
  send_slots     sends of the last minute per budget ("telegram", "sms"), so several
                 processes together keep to Telegram's and Twilio's rates

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("priority", sa.SmallInteger(), server_default="1", nullable=False)
        )
        batch.add_column(sa.Column("wave", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("rank", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("sort_at", sa.DateTime(timezone=True), nullable=True))
    # Rows queued before: offers in their class, everything in the order it was queued.
    op.execute("UPDATE outbox SET sort_at = created_at")
    op.execute("UPDATE outbox SET priority = 2 WHERE kind = 'offer'")
    op.create_index(
        "ix_outbox_claim", "outbox", ["state", "priority", "wave", "rank", "sort_at", "id"]
    )
    op.create_index("ix_outbox_chat", "outbox", ["chat_id"])
    op.create_table(
        "send_slots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("budget", sa.String(length=40), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_send_slots")),
    )
    op.create_index("ix_send_slots_budget_at", "send_slots", ["budget", "at"])
    op.create_index("ix_send_slots_budget_chat_at", "send_slots", ["budget", "chat_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_send_slots_budget_chat_at", table_name="send_slots")
    op.drop_index("ix_send_slots_budget_at", table_name="send_slots")
    op.drop_table("send_slots")
    op.drop_index("ix_outbox_chat", table_name="outbox")
    op.drop_index("ix_outbox_claim", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("sort_at")
        batch.drop_column("rank")
        batch.drop_column("wave")
        batch.drop_column("priority")
