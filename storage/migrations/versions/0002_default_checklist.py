"""default introduction checklist (data)

The default template (unit_id NULL) with the 20 items of the introduction programme in
docs/domain "intro-checklist": items 1–4 before the first supervised shift (bredvidgång).
The data is written out here, not read from bot/data/checklist_default.csv, so this
migration gives the same result forever; a test keeps the two equal.

Kinds: 5 (tystnadsplikt, signed) and 6 (login never lent) need the substitute's own
confirmation; 8 (keys: which key or tag was handed over) and 15 (car, licence, logbook:
e.g. "ej aktuellt, cykel") may carry a note; the rest, the supervised shifts 19/20
included, are ticks by the handledare. A unit gets its own items with
`vikariebot import checklist FILE`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

TEMPLATE_NAME = "Standard – introduktion av vikarie"

ITEMS: list[tuple[int, str, str]] = [
    (1, "Socialstyrelsens introduktionsutbildning – intyg uppvisat", "tick"),
    (2, "Basala hygienrutiner (webbkurs)", "tick"),
    (3, "Säkra förflyttningar", "tick"),
    (4, "Värdegrund och genomförandeplan", "tick"),
    (5, "Tystnadsplikt och sekretess – påskrift", "confirm"),
    (6, "Inloggning i mobil och verksamhetssystem (BankID/SITHS) – lånas aldrig ut", "confirm"),
    (7, "Social dokumentation", "tick"),
    (8, "Nyckelhantering och digitala lås – kvittens", "note"),
    (9, "Trygghetslarm – ta emot och kvittera", "tick"),
    (10, "Läkemedel – vad du får och inte får utan delegering", "tick"),
    (11, "Avvikelserapportering", "tick"),
    (12, "Lex Sarah – rapporteringsskyldighet", "tick"),
    (13, "Hot och våld, ensamarbete, larmrutin", "tick"),
    (14, "Brandskydd och hemmet som arbetsmiljö", "tick"),
    (15, "Bil, körkort och körjournal", "note"),
    (16, "Arbetskläder, id-bricka, knacka och ring på", "tick"),
    (17, "Rapportering mellan passen, kontakt med sjuksköterska", "tick"),
    (18, "Sjuk- och friskanmälan, bokningsregler", "tick"),
    (19, "Bredvidgång 1 signerad", "tick"),
    (20, "Bredvidgång 2 signerad", "tick"),
]

templates = sa.table(
    "checklist_templates",
    sa.column("id", sa.Integer),
    sa.column("unit_id", sa.String),
    sa.column("name", sa.String),
)
items = sa.table(
    "checklist_items",
    sa.column("template_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("text", sa.String),
    sa.column("kind", sa.String),
)


def upgrade() -> None:
    conn = op.get_bind()
    existing = conn.execute(
        sa.select(templates.c.id).where(templates.c.unit_id.is_(None))
    ).scalar()
    if existing is not None:  # someone imported a default template already: keep theirs
        return
    template_id = conn.execute(
        sa.insert(templates).values(unit_id=None, name=TEMPLATE_NAME).returning(templates.c.id)
    ).scalar_one()
    op.bulk_insert(
        items,
        [{"template_id": template_id, "position": p, "text": text, "kind": kind}
         for p, text, kind in ITEMS],
    )


def downgrade() -> None:
    conn = op.get_bind()
    template_id = conn.execute(
        sa.select(templates.c.id).where(
            templates.c.unit_id.is_(None), templates.c.name == TEMPLATE_NAME
        )
    ).scalar()
    if template_id is None:
        return
    conn.execute(sa.delete(items).where(items.c.template_id == template_id))
    conn.execute(sa.delete(templates).where(templates.c.id == template_id))
