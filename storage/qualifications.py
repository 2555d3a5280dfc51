"""The qualification catalogue (behörigheter) as stored: read it whole, as one value."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.qualifications import Catalogue, QualificationType
from storage import tables as t


async def load_catalogue(conn: AsyncConnection) -> Catalogue:
    aliases: dict[str, list[str]] = defaultdict(list)
    q = sa.select(t.qualification_aliases).order_by(t.qualification_aliases.c.alias)
    for r in (await conn.execute(q)).all():
        aliases[r.qualification_id].append(r.alias)
    types = (await conn.execute(sa.select(t.qualification_types))).all()
    return Catalogue.of(
        QualificationType(r.id, r.name, tuple(aliases[r.id]), r.requires_expiry) for r in types
    )
