"""Dialogue state in the database

  dialogue_state   what a person has answered so far in a Telegram dialogue (the
                   ConversationHandler's state per chat and user, kind "conv", and the
                   chat's drafts, kind "chat"), written in the same transaction as the
                   update that changed it, so a restart continues the dialogue.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dialogue_state",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "name", "key", name=op.f("pk_dialogue_state")),
    )


def downgrade() -> None:
    op.drop_table("dialogue_state")
