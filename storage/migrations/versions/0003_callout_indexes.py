"""indexes for the call-out at scale

Composite indexes that let the engine's per-candidate queries seek by person (or unit)
and then range over time, instead of reading every shift a person or unit ever had:
  shifts (person_id, starts_at)   storage.history.loads_for, own scheduled shifts
  shifts (unit_id, starts_at)     storage.history.people_working_during
  offers (person_id, created_at)  storage.history.loads_for, hours offered in 28 days
  bookings (shift_id)             storage.history.people_working_during, bookings of a shift

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_shifts_person_starts", "shifts", ["person_id", "starts_at"])
    op.create_index("ix_shifts_unit_starts", "shifts", ["unit_id", "starts_at"])
    op.create_index("ix_offers_person_created", "offers", ["person_id", "created_at"])
    op.create_index("ix_bookings_shift_id", "bookings", ["shift_id"])


def downgrade() -> None:
    op.drop_index("ix_bookings_shift_id", table_name="bookings")
    op.drop_index("ix_offers_person_created", table_name="offers")
    op.drop_index("ix_shifts_unit_starts", table_name="shifts")
    op.drop_index("ix_shifts_person_starts", table_name="shifts")
