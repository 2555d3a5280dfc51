"""`vikariebot run` as an installer starts it: a copy of .env.example runs and answers
/health; every start-up failure is one line, exit code 2, no traceback."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest

from bot.fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]

# Each test starts `vikariebot run` as a process (seconds of imports): `make test` runs them,
# `make test-fast` leaves them out.
pytestmark = pytest.mark.slow


def _env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIKARIE_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update({f"VIKARIE_{k.upper()}": v for k, v in settings.items()})
    return env


async def _run(cwd: Path, **settings: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        cwd=cwd,
        env=_env(**settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _fails_with(cwd: Path, expected: str, **settings: str) -> str:
    proc = await _run(cwd, **settings)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    text = (out + err).decode()
    assert proc.returncode == 2, text
    assert "Traceback" not in text, text
    last = [ln for ln in err.decode().splitlines() if ln.strip()][-1]
    assert expected in last, text  # the failure is the last line; log lines may come before
    return last


async def test_a_copy_of_env_example_starts_and_stops_cleanly(tmp_path: Path) -> None:
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    proc = await _run(tmp_path, http_port="0")
    assert proc.stderr is not None
    log: list[str] = []
    url = None
    while url is None:
        line = (await asyncio.wait_for(proc.stderr.readline(), timeout=120)).decode()
        assert line, "".join(log)
        log.append(line)
        if m := re.search(r"web (http://127\.0\.0\.1:\d+)", line):
            url = m.group(1)
    async with httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/health")).json() == {"status": "ok"}
        assert (await client.get("/board")).status_code == 404
        assert (await client.post("/telegram", json={"update_id": 1})).status_code == 404
        assert (await client.post("/sms/inbound", data={"Body": "JA"})).status_code == 404
    proc.send_signal(signal.SIGTERM)
    rest = (await asyncio.wait_for(proc.stderr.read(), timeout=60)).decode()
    assert await proc.wait() == 0
    text = "".join(log) + rest
    assert "Traceback" not in text, text
    for off in (
        "Telegram är av: VIKARIE_TELEGRAM_TOKEN är inte satt",
        "SMS är av:",
        "/board är av: VIKARIE_BOARD_TOKEN är inte satt",
        "Vikariebot stopped",
    ):
        assert off in text, text
    assert (tmp_path / "data" / "vikariebot.db").exists()


async def test_a_short_board_token_stops_start_up(tmp_path: Path) -> None:
    await _fails_with(
        tmp_path, "Ogiltig inställning VIKARIE_BOARD_TOKEN: minst 32 tecken", board_token="abc"
    )


async def test_webhook_mode_without_its_secret_stops_start_up(tmp_path: Path) -> None:
    await _fails_with(
        tmp_path,
        "webhook-läget behöver VIKARIE_PUBLIC_URL",
        telegram_mode="webhook",
        telegram_token="123:TEST",
    )


async def test_an_unreachable_database_stops_start_up(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    line = await _fails_with(
        tmp_path,
        f"Databasen går inte att öppna (127.0.0.1:{port}/test)",
        database_url=f"postgresql+asyncpg://vikarie:hemligt@127.0.0.1:{port}/test",
    )
    assert "hemligt" not in line


async def test_an_unopenable_sqlite_file_stops_start_up(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where a folder should be")
    await _fails_with(
        tmp_path,
        "Databasen går inte att öppna",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'taken' / 'x.db'}",
    )


async def test_a_busy_port_stops_start_up(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        await _fails_with(
            tmp_path,
            f"Kan inte lyssna på 127.0.0.1:{port}",
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
            http_port=str(port),
        )


async def test_a_token_telegram_refuses_stops_start_up(tmp_path: Path) -> None:
    async with FakeTelegram("123:RIGHT") as fake:
        line = await _fails_with(
            tmp_path,
            "avvisar VIKARIE_TELEGRAM_TOKEN",
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
            telegram_token="123:WRONG",
            telegram_api_url=fake.base_url,
            http_port="0",
        )
    assert "WRONG" not in line


def test_vikariebot_secret_prints_a_usable_secret() -> None:
    import subprocess

    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "secret"],
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", out)
