"""Vikariebot: substitute call-out for Swedish municipal home care."""

import os

# python-telegram-bot 22 returns time periods (RetryAfter.retry_after ...) as timedelta when
# this is set, and warns on every read otherwise. We always want the timedelta form.
os.environ.setdefault("PTB_TIMEDELTA", "true")
