"""SMS reply limits

  sms_unknown_replies                  answers to unregistered numbers (keyed hash, time):
                                       one a day per number, a cap per hour for all of them
  outbox (person_id, created_at)       a person's replies in the last hour

The once-a-day markers for unregistered numbers lived in `kv` under "sms_unknown:"; they
are a day old at most and are dropped (at worst a number is told how to join twice).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sms_unknown_replies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number_hash", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_unknown_replies")),
    )
    op.create_index(
        op.f("ix_sms_unknown_replies_sent_at"), "sms_unknown_replies", ["sent_at"], unique=False
    )
    op.create_index(
        "ix_sms_unknown_replies_number_sent",
        "sms_unknown_replies",
        ["number_hash", "sent_at"],
        unique=False,
    )
    op.create_index("ix_outbox_person_created", "outbox", ["person_id", "created_at"])
    op.execute("DELETE FROM kv WHERE key LIKE 'sms\\_unknown:%' ESCAPE '\\'")


def downgrade() -> None:
    op.drop_index("ix_outbox_person_created", table_name="outbox")
    op.drop_index("ix_sms_unknown_replies_number_sent", table_name="sms_unknown_replies")
    op.drop_index(op.f("ix_sms_unknown_replies_sent_at"), table_name="sms_unknown_replies")
    op.drop_table("sms_unknown_replies")
