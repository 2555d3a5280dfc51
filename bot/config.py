"""All settings in one object, read from the environment and `.env`.

Every setting is listed, with a comment, in `.env.example`. Rules the domain notes mark
as uncertain are settings here, not constants in the code.
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VIKARIE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- core ---
    database_url: str = "sqlite+aiosqlite:///data/vikariebot.db"
    timezone: str = "Europe/Stockholm"
    language: Literal["sv", "en"] = "sv"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # --- Telegram ---
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_mode: Literal["polling", "webhook"] = "polling"

    # --- Twilio SMS ---
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = None
    twilio_api_url: str = "https://api.twilio.com"

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
    http_port: int = Field(default=8080, ge=1, le=65535)

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
    quiet_hours_start: int = Field(default=21, ge=0, le=23)
    quiet_hours_end: int = Field(default=7, ge=0, le=23)
    escalate_before_start_minutes: int = Field(default=60, ge=0)

    # --- outbox delivery ---
    outbox_max_attempts: int = Field(default=6, ge=1)
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    tick_seconds: float = Field(default=5.0, gt=0)

    # --- introduction ---
    supervised_shifts: int = Field(default=2, ge=0)

    # --- privacy ---
    absence_retention_days: int = Field(default=730, ge=1)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class SettingsError(Exception):
    """Start-up stops with this: one line per bad setting, no traceback."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "VIKARIE_" + "_".join(str(p) for p in err["loc"]).upper()
            lines.append(f"  {name}: {err['msg']}")
        heading = "Ogiltiga inställningar (invalid settings):\n"
        raise SettingsError(heading + "\n".join(lines)) from None
