"""All settings in one object, read from the environment and `.env`.

Every setting is listed, with a comment, in `.env.example`. Rules the domain notes mark
as uncertain are settings here, not constants in the code.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import fields
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.domain.pay_periods import PayWindows
from bot.domain.rules import RuleSettings
from bot.domain.sms_limits import ReplyLimits
from bot.i18n import valid_language

SECRET_MIN_LENGTH = 32
# Telegram's alphabet for the webhook secret token (Bot API setWebhook: 1-256 characters).
_TELEGRAM_SECRET = re.compile(rf"[A-Za-z0-9_-]{{{SECRET_MIN_LENGTH},256}}")
_MAKE_ONE = "skapa en med `vikariebot secret`"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VIKARIE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    @model_validator(mode="before")
    @classmethod
    def _empty_means_unset(cls, data: Any) -> Any:
        """`VIKARIE_X=` (as `.env.example` ships it) is the same as leaving X out: the
        default applies, and a secret stays None rather than becoming the empty string."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    # --- core ---
    database_url: str = "sqlite+aiosqlite:///data/vikariebot.db"
    timezone: str = "Europe/Stockholm"
    language: str = "sv"  # one of bot.i18n.LANGUAGES
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object per line

    # --- Telegram ---
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_mode: Literal["polling", "webhook"] = "polling"

    # --- Twilio SMS ---
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    # Messages per second the sending number (or Messaging Service) may send; the outbox
    # keeps to it across every worker (a Swedish long code: 1).
    twilio_mps: int = Field(default=1, ge=1)

    # --- SMS replies ---
    # Answers to texts the bot cannot act on, per number per rolling hour (cost, loops).
    sms_unactionable_replies_per_hour: int = Field(default=3, ge=0)
    # Answers to unregistered numbers, all together, per rolling hour.
    sms_unknown_replies_per_hour: int = Field(default=50, ge=0)

    # --- web (webhooks, health, board) ---
    public_url: str | None = None
    webhook_secret: SecretStr | None = None
    board_token: SecretStr | None = None  # GET /board needs 'Authorization: Bearer <token>'
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port
    desk_session_hours: float = Field(default=12.0, gt=0, le=24 * 14)
    # Proxies whose X-Forwarded-For names the client (comma-separated addresses, or *).
    trusted_proxies: str = "127.0.0.1"

    # --- working-time rules (Arbetstidslagen / AB) ---
    rest_daily_hours: float = Field(default=11.0, ge=0, le=24)
    rest_weekly_hours: float = Field(default=36.0, ge=0, le=168)
    rest_weekly_may_include_daily: bool = True  # under review in AB: a setting
    max_shift_hours: float = Field(default=13.0, gt=0, le=24)
    week_hours_warn: float = Field(default=44.0, gt=0)
    week_hours_block: float = Field(default=48.0, gt=0)
    month_hours_warn: float = Field(default=165.0, gt=0)
    max_consecutive_days_warn: int = Field(default=11, ge=1)
    night_min_hours: float = Field(default=3.0, gt=0)
    night_work_hours_warn: float = Field(default=8.0, gt=0)
    overtime_month_hours_block: float = Field(default=50.0, gt=0)
    overtime_year_hours_block: float = Field(default=200.0, gt=0)
    overtime_warn_share: float = Field(default=0.8, gt=0, le=1)

    # --- call-out waves ---
    wave_far_hours: float = Field(default=24.0, gt=0)  # "more than a day ahead"
    wave_far_size: int = Field(default=3, ge=1)
    wave_far_wait_minutes: int = Field(default=60, ge=1)
    wave_near_hours: float = Field(default=4.0, gt=0)  # "a few hours ahead"
    wave_mid_size: int = Field(default=5, ge=1)
    wave_mid_wait_minutes: int = Field(default=20, ge=1)
    wave_near_size: int = Field(default=8, ge=1)
    wave_near_wait_minutes: int = Field(default=7, ge=1)
    wave_all_at_once_minutes: int = Field(default=45, ge=0)
    # fixed: a wave is the band's size. learned (svarsmodell; near band only, further ahead
    # the band's size): people in ranked order until the wave's median time to a first yes
    # is at most wave_slowdown x everyone's ("everyone": the first wave_max_size in order).
    wave_sizing: Literal["fixed", "learned"] = "fixed"
    wave_slowdown: float = Field(default=1.1, ge=1)
    wave_min_size: int = Field(default=2, ge=1)
    wave_max_size: int = Field(default=20, ge=1)
    wave_min_wait_minutes: int = Field(default=2, ge=1)
    quiet_hours_start: int = Field(default=21, ge=0, le=23)
    quiet_hours_end: int = Field(default=7, ge=0, le=23)
    escalate_before_start_minutes: int = Field(default=60, ge=0)
    # Reported inside the escalation window: the coordinator's alert says "searching among N"
    # for this long (or until everyone asked has answered) before it says "not filled".
    escalate_grace_minutes: int = Field(default=5, ge=0)

    # --- outbox delivery ---
    outbox_max_attempts: int = Field(default=6, ge=1)
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    # What people send: a row whose handling fails is tried this many times (with backoff)
    # before it is set aside as failed and the person told something went wrong.
    inbox_max_attempts: int = Field(default=5, ge=1)
    tick_seconds: float = Field(default=5.0, gt=0)

    # --- introduction ---
    supervised_shifts: int = Field(default=2, ge=0)

    # --- reminder the evening before (påminnelse) ---
    # Local time HH:MM from which tomorrow's bookings are reminded; "off" sends none.
    reminder_time: str = "18:00"

    # --- privacy ---
    absence_retention_days: int = Field(default=730, ge=1)
    # Handled inbox rows (no message text, only source, times and outcome) are kept this long.
    inbox_retention_days: int = Field(default=30, ge=1)

    # --- exports ---
    # Pay periods (OB) for `vikariebot export bookings`, local wall clock, HH:MM. Defaults
    # to check against the local agreement: evening 19-22, night 22-06, weekend Fri 19 - Mon 06.
    pay_evening_start: str = Field(default="19:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    pay_night_start: str = Field(default="22:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    pay_night_end: str = Field(default="06:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    pay_weekend_start_day: int = Field(default=5, ge=1, le=7)  # ISO weekday, 5 = Friday
    pay_weekend_start: str = Field(default="19:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    pay_weekend_end_day: int = Field(default=1, ge=1, le=7)  # 1 = Monday
    pay_weekend_end: str = Field(default="06:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return valid_language(value)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("reminder_time")
    @classmethod
    def _reminder_time(cls, value: str) -> str:
        value = value.strip().lower()
        if value != "off" and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("HH:MM i lokal tid (t.ex. 18:00), eller off")
        return value

    @property
    def reminder_at(self) -> dt.time | None:
        """The local time reminders are due from, or None when they are off."""
        if self.reminder_time == "off":
            return None
        return dt.time.fromisoformat(self.reminder_time)

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        hint = "use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB"
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(hint)
        try:
            make_url(value).port  # noqa: B018 (a port that is not a number raises here)
        except (ValueError, ArgumentError):
            raise ValueError(f"an address that does not parse ({hint})") from None
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TELEGRAM_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError(
                f"minst {SECRET_MIN_LENGTH} tecken av A-Z a-z 0-9 _ - ({_MAKE_ONE})"
            )
        return value

    @field_validator("board_token")
    @classmethod
    def _long_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < SECRET_MIN_LENGTH:
            raise ValueError(f"minst {SECRET_MIN_LENGTH} tecken ({_MAKE_ONE})")
        return value

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value):
            raise ValueError("en adress som börjar med https:// (eller http:// lokalt)")
        return value

    @model_validator(mode="after")
    def _complete_channels(self) -> Settings:
        """A half-configured channel is a mistake to report, not a channel to run."""
        if self.telegram_mode == "webhook":
            missing = [
                name
                for name, value in (
                    ("VIKARIE_TELEGRAM_TOKEN", self.telegram_token),
                    ("VIKARIE_PUBLIC_URL", self.public_url),
                    ("VIKARIE_WEBHOOK_SECRET", self.webhook_secret),
                )
                if value is None
            ]
            if missing:
                raise ValueError(f"webhook-läget behöver {', '.join(missing)}")
        twilio = {
            "VIKARIE_TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "VIKARIE_TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "VIKARIE_TWILIO_FROM": self.twilio_from,
        }
        given = [name for name, value in twilio.items() if value is not None]
        if given and len(given) < len(twilio):
            missing = [name for name, value in twilio.items() if value is None]
            raise ValueError(f"SMS behöver också {', '.join(missing)}")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sms_enabled(self) -> bool:
        return self.twilio_account_sid is not None

    @property
    def telegram_webhook(self) -> bool:
        """The /telegram route exists only in webhook mode (its secret is then required)."""
        return self.telegram_token is not None and self.telegram_mode == "webhook"

    def rule_settings(self) -> RuleSettings:
        """Every rule field that Settings also has, by name; the time zone as a ZoneInfo.
        Fields Settings does not have (short notice, full time, quiet-hold lead) keep
        their defaults. Built here so the domain's rules never import the settings."""
        shared = {
            f.name: getattr(self, f.name)
            for f in fields(RuleSettings)
            if f.name != "tz" and f.name in type(self).model_fields
        }
        return RuleSettings(**shared, tz=self.tz)

    def reply_limits(self) -> ReplyLimits:
        """How often the bot may answer SMS texts it cannot act on (bot/domain/sms_limits.py)."""
        return ReplyLimits(
            self.sms_unactionable_replies_per_hour, self.sms_unknown_replies_per_hour
        )

    def pay_windows(self) -> PayWindows:
        """The agreement's pay periods (OB) as wall-clock times (bot/domain/pay_periods.py)."""

        def hhmm(text: str) -> dt.time:
            hours, minutes = text.split(":")
            return dt.time(int(hours), int(minutes))

        return PayWindows(
            evening_start=hhmm(self.pay_evening_start),
            night_start=hhmm(self.pay_night_start),
            night_end=hhmm(self.pay_night_end),
            weekend_start_day=self.pay_weekend_start_day,
            weekend_start=hhmm(self.pay_weekend_start),
            weekend_end_day=self.pay_weekend_end_day,
            weekend_end=hhmm(self.pay_weekend_end),
        )

    def off_reasons(self) -> list[str]:
        """One line for each channel or route that is off, and why (logged at start)."""
        lines = []
        if self.telegram_token is None:
            lines.append("Telegram är av: VIKARIE_TELEGRAM_TOKEN är inte satt")
        elif not self.telegram_webhook:
            lines.append("Telegram hämtar uppdateringar (polling): ingen /telegram-webhook")
        if not self.sms_enabled:
            lines.append(
                "SMS är av: VIKARIE_TWILIO_ACCOUNT_SID, _AUTH_TOKEN och _FROM är inte satta"
            )
        elif self.public_url is None:
            lines.append(
                "SMS skickas men svar tas inte emot: VIKARIE_PUBLIC_URL är inte satt "
                "(Twilios signatur kontrolleras mot den)"
            )
        if self.board_token is None:
            lines.append("/board är av: VIKARIE_BOARD_TOKEN är inte satt")
        if self.public_url is None:
            lines.append("Skrivbordet /desk/ är av: VIKARIE_PUBLIC_URL är inte satt")
        return lines


class StartupError(Exception):
    """Start-up stops with this: one clear line in Swedish, exit code 2, no traceback."""


class SettingsError(StartupError):
    """A bad setting: one line per setting."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            msg = str(err["msg"]).removeprefix("Value error, ")
            if err["loc"]:
                name = "VIKARIE_" + "_".join(str(p) for p in err["loc"]).upper()
                lines.append(f"Ogiltig inställning {name}: {msg}")
            else:
                lines.append(f"Ogiltiga inställningar: {msg}")
        raise SettingsError("\n".join(lines)) from None


def new_secret() -> str:
    """A secret good for VIKARIE_WEBHOOK_SECRET and VIKARIE_BOARD_TOKEN (43 characters)."""
    return secrets.token_urlsafe(SECRET_MIN_LENGTH)
