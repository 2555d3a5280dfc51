"""qualification catalogue (schema and data)

  qualification_types(id, name, requires_expiry)   the municipality's behörigheter
  qualification_aliases(alias, qualification_id)   other spellings people type

Aliases get a table of their own rather than a delimited column: no separator to escape,
one alias belongs to one entry (primary key), and removing an entry removes its aliases.

Seeded with the three codes the importer knew until now, written out here (not read from
bot.domain.qualifications) so this migration gives the same result forever; a test keeps
the two equal. `delegering` requires an end date (HSLF-FS 2017:37 ch. 9): every sample
and test file already gives one. Rows imported earlier keep their codes unchanged.
A municipality replaces the catalogue with `vikariebot import qualifications FILE`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

# (id, name, aliases, requires_expiry)
DEFAULTS: list[tuple[str, str, tuple[str, ...], bool]] = [
    ("delegering", "Läkemedelsdelegering", ("läkemedelsdelegering",), True),
    ("korkort", "Körkort", ("körkort",), False),
    ("usk", "Undersköterska", ("undersköterska",), False),
]


def upgrade() -> None:
    types = op.create_table(
        "qualification_types",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("requires_expiry", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualification_types")),
    )
    aliases = op.create_table(
        "qualification_aliases",
        sa.Column("alias", sa.String(length=64), nullable=False),
        sa.Column("qualification_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["qualification_id"],
            ["qualification_types.id"],
            name=op.f("fk_qualification_aliases_qualification_id_qualification_types"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_qualification_aliases")),
    )
    op.create_index(
        op.f("ix_qualification_aliases_qualification_id"),
        "qualification_aliases",
        ["qualification_id"],
        unique=False,
    )
    assert types is not None and aliases is not None
    op.bulk_insert(
        types,
        [{"id": i, "name": n, "requires_expiry": e} for i, n, _, e in DEFAULTS],
    )
    op.bulk_insert(
        aliases,
        [{"alias": a, "qualification_id": i} for i, _, names, _ in DEFAULTS for a in names],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_qualification_aliases_qualification_id"), table_name="qualification_aliases"
    )
    op.drop_table("qualification_aliases")
    op.drop_table("qualification_types")
