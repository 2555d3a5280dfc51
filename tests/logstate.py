"""Logging is process-wide: a test that runs `setup_logging` (the CLI does) must not leave
its filters and quiet levels behind for the next test."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from bot.runtime import QUIET_LOGGERS


@contextlib.contextmanager
def restored_logging() -> Iterator[None]:
    """Put the root logger, its handlers' filters and the quiet loggers back as they were."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    filters = {h: list(h.filters) for h in handlers}
    levels = {n: logging.getLogger(n).level for n in QUIET_LOGGERS}
    root_level = root.level
    try:
        yield
    finally:
        for h in list(root.handlers):
            if h not in handlers:
                root.removeHandler(h)
        for h, fs in filters.items():
            h.filters[:] = fs
        for n, lvl in levels.items():
            logging.getLogger(n).setLevel(lvl)
        root.setLevel(root_level)
