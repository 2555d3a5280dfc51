"""unit contact details and booking reminders

  units.address       the workplace's address (the hemtjänstgrupp's office, never a
                      care recipient's), shown in booking confirmations and reminders
  units.phone         the workplace's phone (E.164; a landline is fine)
  bookings.reminded_at  when the evening-before reminder was enqueued: set in the same
                      transaction, so a reminder goes out once however often the job runs

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("units") as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
    with op.batch_alter_table("bookings") as batch_op:
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bookings") as batch_op:
        batch_op.drop_column("reminded_at")
    with op.batch_alter_table("units") as batch_op:
        batch_op.drop_column("phone")
        batch_op.drop_column("address")
