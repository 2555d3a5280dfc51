"""A consistent copy of the SQLite database while the bot runs (SQLite's online backup).

PostgreSQL deployments use `pg_dump`; this is for the embedded default.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """Why no backup was written, in Swedish, for the command line."""


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the SQLite database behind `database_url` to `target` (written beside it, then
    renamed into place, so a half-written file never carries the name). Readers and the
    writer go on meanwhile; the copy is of one moment. Returns the bytes written."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError("databasen är inte SQLite: använd pg_dump för PostgreSQL")
    source = url.database
    if not source or source == ":memory:" or not Path(source).exists():
        raise BackupError(f"hittar ingen databasfil: {source or '(ingen)'}")
    target = target.resolve()
    if target == Path(source).resolve():
        raise BackupError("säkerhetskopian kan inte skrivas över databasen själv")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    src, dest = sqlite3.connect(source), sqlite3.connect(partial)
    try:
        src.backup(dest, pages=1024)  # in steps, so the writer is not held up for long
        ok = dest.execute("PRAGMA integrity_check").fetchone()
    finally:
        dest.close()
        src.close()
    if ok is None or ok[0] != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"kopian klarade inte integritetskontrollen: {ok}")
    partial.replace(target)
    return target.stat().st_size
