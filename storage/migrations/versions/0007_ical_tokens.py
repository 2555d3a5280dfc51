"""Private calendar links (kalenderlänk)

  ical_tokens    one row per person: the sha256 of their calendar token and when it was
                 made; a new token replaces the row, deleting it revokes the link

Revision ID: 0007
Revises: 0004 (re-chained after 0005 and 0006 when merged)
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ical_tokens",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_ical_tokens_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_ical_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_ical_tokens_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("ical_tokens")
