"""Safe defaults: a copied .env.example is valid and opens nothing; a bad secret or a
half-set channel stops start-up with one line naming the setting."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, load_settings, new_secret

ROOT = Path(__file__).resolve().parents[2]
GOOD = "A" * 32
TELEGRAM = {"telegram_token": "123:TEST"}


@pytest.fixture(autouse=True)
def _no_env_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("VIKARIE_"):
            monkeypatch.delenv(name)


def test_a_copy_of_env_example_leaves_every_secret_unset() -> None:
    s = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert s.telegram_token is None and s.webhook_secret is None and s.board_token is None
    assert s.twilio_account_sid is None and s.twilio_auth_token is None and s.public_url is None
    assert not s.telegram_webhook and not s.sms_enabled
    assert s.database_url == "sqlite+aiosqlite:///data/vikariebot.db"
    assert s.off_reasons() == [
        "Telegram är av: VIKARIE_TELEGRAM_TOKEN är inte satt",
        "SMS är av: VIKARIE_TWILIO_ACCOUNT_SID, _AUTH_TOKEN och _FROM är inte satta",
        "/board är av: VIKARIE_BOARD_TOKEN är inte satt",
        "Skrivbordet /desk/ är av: VIKARIE_PUBLIC_URL är inte satt",
    ]


def test_env_example_lists_every_setting() -> None:
    listed = {
        line.split("=", 1)[0].removeprefix("VIKARIE_").lower()
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if line.startswith("VIKARIE_")
    }
    assert listed == set(Settings.model_fields)


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_means_unset_for_every_setting(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    for name in Settings.model_fields:
        monkeypatch.setenv(f"VIKARIE_{name.upper()}", value)
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    defaults = Settings.model_construct()
    for name in Settings.model_fields:
        assert getattr(s, name) == getattr(defaults, name), name


@pytest.mark.parametrize(
    ("settings", "line"),
    [
        ({"board_token": "abc"}, "Ogiltig inställning VIKARIE_BOARD_TOKEN: minst 32 tecken"),
        ({"webhook_secret": "x" * 31}, "Ogiltig inställning VIKARIE_WEBHOOK_SECRET: minst 32"),
        ({"webhook_secret": "å" * 40}, "VIKARIE_WEBHOOK_SECRET: minst 32 tecken av A-Z a-z"),
        ({"webhook_secret": "a b" * 20}, "VIKARIE_WEBHOOK_SECRET"),
        ({"public_url": "vikarie.example.se"}, "VIKARIE_PUBLIC_URL: en adress som börjar"),
        ({"telegram_mode": "webhook", **TELEGRAM},
         "webhook-läget behöver VIKARIE_PUBLIC_URL, VIKARIE_WEBHOOK_SECRET"),
        ({"telegram_mode": "webhook", **TELEGRAM, "public_url": "https://x.se"},
         "webhook-läget behöver VIKARIE_WEBHOOK_SECRET"),
        ({"telegram_mode": "webhook", "webhook_secret": GOOD, "public_url": "https://x.se"},
         "webhook-läget behöver VIKARIE_TELEGRAM_TOKEN"),
        ({"database_url": "postgresql+asyncpg://u:hemligt@db:notaport/x"},
         "Ogiltig inställning VIKARIE_DATABASE_URL: an address that does not parse"),
        ({"twilio_account_sid": "AC1"},
         "SMS behöver också VIKARIE_TWILIO_AUTH_TOKEN, VIKARIE_TWILIO_FROM"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(settings: dict[str, str], line: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None, **settings)
    message = str(caught.value)
    assert line in message and "hemligt" not in message
    assert len(message.splitlines()) == 1, message


def test_good_secrets_and_a_complete_webhook_setup_load() -> None:
    s = load_settings(_env_file=None, telegram_mode="webhook", **TELEGRAM,
                      public_url="https://vikarie.example.se", webhook_secret=new_secret(),
                      board_token=new_secret())
    assert s.telegram_webhook
    assert s.off_reasons() == [
        "SMS är av: VIKARIE_TWILIO_ACCOUNT_SID, _AUTH_TOKEN och _FROM är inte satta"]


def test_new_secret_is_good_for_every_secret_setting() -> None:
    one, two = new_secret(), new_secret()
    assert one != two and len(one) >= 32
    load_settings(_env_file=None, webhook_secret=one, board_token=two)
