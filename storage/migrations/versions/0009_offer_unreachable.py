"""An offer no channel could deliver gets a state of its own

Until now the dispatcher closed such an offer as `declined` with answer channel
"unreachable": a state written into a channel column. It is now the offer state
`unreachable` with no answer channel; the tallies (boards, alerts, reports) count it
with the declines as before, and the person's own "no"s leave it out as before.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE offers SET state = 'unreachable', answer_channel = NULL "
        "WHERE state = 'declined' AND answer_channel = 'unreachable'"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE offers SET state = 'declined', answer_channel = 'unreachable' "
        "WHERE state = 'unreachable'"
    )
