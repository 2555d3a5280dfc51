"""deploy/: the files a server needs agree with the code (settings names, commands), and
`vikariebot db backup` writes a consistent copy while the bot writes."""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cli import main as cli_main
from bot.config import Settings
from storage import tables as t
from storage.backup import BackupError, backup_sqlite
from storage.db import Database
from storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = ["vikariebot.service", "vikariebot-backup.service", "vikariebot-backup.timer"]


# Named in deploy/ but read by Caddy, not by the bot (the bot ignores unknown VIKARIE_ names).
NOT_SETTINGS = {"VIKARIE_DOMAIN"}


def _setting_names() -> set[str]:
    return {f"VIKARIE_{name.upper()}" for name in Settings.model_fields}


@pytest.mark.parametrize(
    "path",
    [
        *(DEPLOY / u for u in UNITS[:2]),
        DEPLOY / "Dockerfile",
        DEPLOY / "compose.yaml",
        DEPLOY / "Caddyfile",
        ROOT / ".env.example",
    ],
    ids=lambda p: p.name,
)
def test_every_setting_named_in_deploy_files_exists(path: Path) -> None:
    names = set(re.findall(r"\bVIKARIE_[A-Z0-9_]+", path.read_text(encoding="utf-8")))
    assert names or path.suffix in (".service", ".timer"), f"{path.name} names no setting"
    assert names - NOT_SETTINGS <= _setting_names(), sorted(names - NOT_SETTINGS - _setting_names())


def _compose_services() -> dict[str, dict[str, list[str]]]:
    """compose.yaml's services: key -> the key's own value and its list items, as text.

    A small reader for this one file's block style (no PyYAML in the venv, no docker here):
    services at two spaces, their keys at four, list items under a key at six.
    """
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    body = text.split("\nservices:\n", 1)[1].split("\nvolumes:", 1)[0]
    services: dict[str, dict[str, list[str]]] = {}
    key = ""
    for line in body.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if m := re.fullmatch(r"  ([\w-]+):", line):
            services[m[1]] = {}
        elif m := re.fullmatch(r"    ([\w-]+):\s*(.*)", line):
            key = m[1]
            services[list(services)[-1]][key] = [m[2]] if m[2] else []
        elif m := re.fullmatch(r"      - (.*)", line):
            services[list(services)[-1]][key].append(m[1].strip().strip('"'))
    return services


def test_compose_publishes_the_bot_on_loopback_only() -> None:
    services = _compose_services()
    assert set(services) == {"db", "bot", "caddy"}
    assert services["bot"]["ports"] == ["127.0.0.1:8080:8080"]
    assert "ports" not in services["db"]
    for name, spec in services.items():
        if "profiles" not in spec:  # what a plain `docker compose up` starts
            assert all(p.startswith("127.0.0.1:") for p in spec.get("ports", [])), name


def test_caddy_is_opt_in_and_proxies_only_the_webhooks_and_health() -> None:
    from bot.channels.sms import INBOUND_PATH, STATUS_PATH

    caddy = _compose_services()["caddy"]
    assert caddy["profiles"] == ['["tls"]']
    assert caddy["image"] == ["caddy:2"]
    assert {"80:80", "443:443"} <= set(caddy["ports"])
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    text = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert text.count("{$VIKARIE_DOMAIN} {") == 1
    (matcher,) = re.findall(r"^\s*@bot path (.+)$", text, re.MULTILINE)
    assert set(matcher.split()) == {
        "/telegram", INBOUND_PATH, STATUS_PATH, "/health", "/ical/*", "/desk", "/desk/*"}
    assert "reverse_proxy bot:8080" in text and "respond 404" in text
    assert text.count("reverse_proxy") == 1  # /board and the rest are not proxied


def test_a_configuration_error_is_not_restarted() -> None:
    """Exit code 2 = configuration error: systemd does not restart it; compose gives up."""
    unit = (DEPLOY / "vikariebot.service").read_text(encoding="utf-8")
    service = unit.split("[Service]", 1)[1].split("\n[", 1)[0]
    assert "RestartPreventExitStatus=2" in service.splitlines()
    assert "Restart=on-failure" in service.splitlines()
    restart = _compose_services()["bot"]["restart"]
    assert re.fullmatch(r"on-failure:\d+", restart[0]), restart  # never "always"/unbounded


def test_units_run_commands_the_cli_has() -> None:
    commands = []
    for unit in UNITS[:2]:
        text = (DEPLOY / unit).read_text(encoding="utf-8")
        (line,) = [x for x in text.splitlines() if x.startswith("ExecStart=")]
        commands.append(line.split("bin/vikariebot ", 1)[1].split('"')[0].split())
    assert commands == [["run"], ["db", "backup"]]
    with pytest.raises(SystemExit) as usage:  # argparse accepts both
        cli_main(["db", "backup", "--help"])
    assert usage.value.code == 0


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    """`systemd-analyze verify`, with the install paths pointed at this checkout's venv."""
    exe = Path(sys.executable).parent / "vikariebot"
    assert exe.exists()
    for unit in UNITS:
        text = (DEPLOY / unit).read_text(encoding="utf-8")
        text = text.replace("/opt/vikariebot/.venv/bin/vikariebot", str(exe))
        (tmp_path / unit).write_text(text, encoding="utf-8")
    out = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / u) for u in UNITS)],
        capture_output=True,
        text=True,
        check=False,
    )
    # Users and paths of a server do not exist here; anything else is a mistake in a unit.
    problems = [
        line
        for line in (out.stdout + out.stderr).splitlines()
        if line.strip()
        and "vikariebot" in line
        and "User" not in line
        and "/opt/vikariebot" not in line
        and "/etc/vikariebot.env" not in line
    ]
    assert not problems, problems


async def test_backup_is_a_consistent_copy_while_the_bot_writes(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    db = Database(url)
    await upgrade(db)
    done = asyncio.Event()

    async def writer() -> int:
        n = 0
        while not done.is_set():
            async with db.write() as conn:
                await conn.execute(sa.insert(t.units).values(id=f"u{n:05d}", name="x", area="a"))
            n += 1
            await asyncio.sleep(0)
        return n

    task = asyncio.create_task(writer())
    await asyncio.sleep(0.05)
    size = await asyncio.to_thread(backup_sqlite, url, tmp_path / "copies" / "copy.db")
    done.set()
    written = await task
    await db.close()
    assert size > 0 and not (tmp_path / "copies" / "copy.db.part").exists()
    copy = sqlite3.connect(tmp_path / "copies" / "copy.db")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (version,) = copy.execute("SELECT version_num FROM alembic_version").fetchone()
        copied = copy.execute("SELECT count(*) FROM units").fetchone()[0]
    finally:
        copy.close()
    newest = max(p.name[:4] for p in (ROOT / "storage/migrations/versions").glob("0*.py"))
    assert version == newest
    assert 0 < copied <= written  # one moment of a database that kept changing


def test_backup_refuses_what_it_cannot_copy(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="pg_dump"):
        backup_sqlite("postgresql+asyncpg://u@localhost/db", tmp_path / "x.db")
    with pytest.raises(BackupError, match="ingen databasfil"):
        backup_sqlite(f"sqlite+aiosqlite:///{tmp_path / 'missing.db'}", tmp_path / "x.db")
    live = tmp_path / "live.db"
    sqlite3.connect(live).close()
    with pytest.raises(BackupError, match="skrivas över"):
        backup_sqlite(f"sqlite+aiosqlite:///{live}", live)


def test_backup_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "live.db"
    con = sqlite3.connect(live)
    con.execute("CREATE TABLE x (a)")
    con.commit()
    con.close()
    monkeypatch.setenv("VIKARIE_DATABASE_URL", f"sqlite+aiosqlite:///{live}")
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    assert cli_main(["db", "backup", str(tmp_path / "b.db")]) == 0
    assert "Säkerhetskopia skriven" in capsys.readouterr().out
    assert cli_main(["db", "backup"]) == 2
    assert "vikariebot db backup FIL" in capsys.readouterr().err
