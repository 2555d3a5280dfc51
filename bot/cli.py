"""`vikariebot` command line: run, demo, db upgrade|current|backup, import, explain, board,
person export|erase, export bookings|absences, report, ical revoke, secret."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TextIO

from bot.config import Settings, StartupError, load_settings, new_secret
from bot.runtime import open_deps, secret_values, setup_logging


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vikariebot", description="Vikariebot – vikarieutskick")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="starta boten (Telegram, SMS, webb, schemaläggare)")
    link = sub.add_parser("desk-link", help="en engångslänk till skrivbordet (/desk/)")
    link.add_argument("person_id")
    sub.add_parser(
        "secret", help="skriv ut en ny slumpad hemlighet (VIKARIE_WEBHOOK_SECRET, _BOARD_TOKEN)"
    )
    demo = sub.add_parser("demo", help="lokal demo utan konton")
    demo.add_argument("--interactive", action="store_true", help="öppna en lokal webbsida")
    demo.add_argument("--fresh", action="store_true", help="börja från en tom databas")
    db = sub.add_parser("db", help="databasen")
    db.add_argument("action", choices=["upgrade", "current", "backup"])
    db.add_argument("file", type=Path, nargs="?", help="backup: filen att skriva kopian till")
    imp = sub.add_parser(
        "import", help="importera CSV (enheter, personer, pass, checklista, behörigheter)"
    )
    imp.add_argument("kind", choices=["units", "people", "shifts", "checklist", "qualifications"])
    imp.add_argument("file", type=Path)
    ex = sub.add_parser("explain", help="varför vem får en vakans erbjuden")
    ex.add_argument("vacancy", type=int)
    sub.add_parser("board", help="dagens tillsättningsläge")
    person = sub.add_parser("person", help="en persons uppgifter: utdrag eller radering")
    person.add_argument("action", choices=["export", "erase"])
    person.add_argument("person_id")
    person.add_argument("--out", type=Path, help="export: skriv till filen i stället för skärmen")
    person.add_argument("--yes", action="store_true", help="erase: ja, radera")
    export = sub.add_parser("export", help="CSV för lön och tidrapportering (Excel, ';')")
    export.add_argument("kind", choices=["bookings", "absences"], help="bokningar / frånvaro")
    export.add_argument("--from", dest="first", required=True, help="första dag, ÅÅÅÅ-MM-DD")
    export.add_argument("--to", dest="last", required=True, help="sista dag (med), ÅÅÅÅ-MM-DD")
    export.add_argument("--unit", help="bara en enhet (enhetens id)")
    export.add_argument("--out", type=Path, help="skriv till filen i stället för skärmen")
    report = sub.add_parser("report", help="bemanningssiffror för en period, per enhet")
    report.add_argument("--from", dest="first", required=True, help="första dag, ÅÅÅÅ-MM-DD")
    report.add_argument("--to", dest="last", required=True, help="sista dag (med), ÅÅÅÅ-MM-DD")
    report.add_argument(
        "--unit", dest="units", action="append", default=[], help="en enhet (flera: upprepa)"
    )
    report.add_argument(
        "--format", choices=["text", "csv"], default="text", help="text (standard) eller csv"
    )
    sub.add_parser("languages", help="språken boten talar och hur mycket som är översatt")
    ical = sub.add_parser("ical", help="personliga kalenderlänkar")
    ical.add_argument("action", choices=["revoke"], help="revoke: stäng av länken")
    ical.add_argument("person_id")
    return p


def main(argv: list[str] | None = None) -> int:
    """Every start-up failure (a bad setting, a database that does not answer, a busy port,
    a token Telegram refuses) is one line on stderr and exit code 2, never a traceback."""
    args = _parser().parse_args(argv)
    if args.command == "secret":
        print(new_secret())
        return 0
    if args.command == "languages":
        return _languages()
    try:
        settings = load_settings()
        setup_logging(settings.log_level, settings.log_format, secrets=secret_values(settings))
        return asyncio.run(_dispatch(args, settings))
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _languages() -> int:
    """One line per language: code, own name, share translated, and what is shown in
    Swedish instead (texts not yet translated; coordinator texts, Swedish by design)."""
    from bot.i18n import LANGUAGES, is_rtl
    from bot.i18n_catalogues import coverage

    for lang in LANGUAGES:
        c = coverage(lang)
        line = f"{c.lang:<3} {c.name:<12} {c.share:6.1%}  {c.translated}/{c.total}"
        if c.everyone_missing or c.coordinator_fallback:
            line += (
                f"  på svenska: {c.everyone_missing} ej översatta, "
                f"{c.coordinator_fallback} för samordnare"
            )
        if is_rtl(lang):
            line += "  (höger till vänster)"
        print(line)
    return 0


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":
        if args.action == "backup":
            return _backup(args.file, settings)
        return await _db(args.action, settings)
    if args.command == "import":
        return await _import(args.kind, args.file, settings)
    if args.command == "explain":
        from bot.services.coordinator import explain

        async with open_deps(settings) as deps:
            for line in await explain(deps, args.vacancy):
                print(line)
        return 0
    if args.command == "board":
        from bot.services.board import board_text

        async with open_deps(settings) as deps:
            print(await board_text(deps))
        return 0
    if args.command == "person":
        return await _person(args, settings)
    if args.command == "export":
        return await _export(args, settings)
    if args.command == "report":
        return await _report(args, settings)
    if args.command == "ical":
        return await _ical(args, settings)
    if args.command == "demo":
        from bot.demo import run_demo

        return await run_demo(settings, interactive=args.interactive, fresh=args.fresh)
    if args.command == "desk-link":
        from bot.services import desk_auth

        async with open_deps(settings) as deps:
            url = await desk_auth.create_link(deps, args.person_id)
        if url is None:
            print(f"{args.person_id} är inte samordnare eller admin: ingen länk till "
                  "skrivbordet.", file=sys.stderr)
            return 2
        if settings.public_url is None:
            print("Obs: VIKARIE_PUBLIC_URL är inte satt, så /desk/ är av tills den är det.",
                  file=sys.stderr)
        print(url)
        return 0
    if args.command == "run":
        from bot.app import run_bot

        return await run_bot(settings)
    raise AssertionError(args.command)


async def _db(action: str, settings: Settings) -> int:
    from storage.migrate import current_revision

    async with open_deps(settings, migrate=action == "upgrade") as deps:
        print(f"Databasens version: {await current_revision(deps.db)}")
    return 0


async def _person(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from bot.domain.privacy import ErasureRefused
    from bot.services import privacy

    if args.action == "erase" and not args.yes:
        print(
            f"Raderar {args.person_id}: namn, telefon, Telegram, roller, behörigheter, "
            "introduktioner, tillgänglighet, frånvaro och meddelanden. Pass, förfrågningar och "
            "bokningar finns kvar under id:t som arbetstidshistorik. Kör igen med --yes.",
            file=sys.stderr,
        )
        return 2
    async with open_deps(settings) as deps:
        if args.action == "export":
            data = await privacy.export_person(deps, args.person_id, "cli")
            if data is None:
                print(f"Okänd person: {args.person_id}", file=sys.stderr)
                return 1
            text = json.dumps(data, ensure_ascii=False, indent=2)
            if args.out is None:
                print(text)
            else:
                with _private_file(args.out, "utf-8") as f:
                    f.write(text + "\n")
                print(f"Utdrag för {args.person_id} skrivet till {args.out}")
            return 0
        try:
            done = await privacy.erase_person(deps, args.person_id, "cli")
        except ErasureRefused as exc:
            print(f"Inget raderat: {exc}", file=sys.stderr)
            return 1
    gone = ", ".join(f"{k} {n}" for k, n in done.deleted.items() if n) or "inget mer"
    kept = ", ".join(f"{k} {n}" for k, n in done.kept.items())
    print(f"{args.person_id} raderad. Borttaget: {gone}. Kvar under id:t: {kept}.")
    return 0


def _private_file(path: Path, encoding: str) -> TextIO:
    """A file only its owner may read (0600): exports hold names, hours and absences."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT
    return open(fd, "w", encoding=encoding, newline="")  # the caller closes it


def _period(args: argparse.Namespace) -> tuple[dt.date, dt.date] | None:
    """--from and --to as dates, or None after one line on stderr."""
    try:
        return dt.date.fromisoformat(args.first), dt.date.fromisoformat(args.last)
    except ValueError:
        print(f"Ogiltigt datum: --from {args.first} --to {args.last} (ÅÅÅÅ-MM-DD)", file=sys.stderr)
        return None


async def _export(args: argparse.Namespace, settings: Settings) -> int:

    from bot.services import exports

    if (period := _period(args)) is None:
        return 2
    first, last = period
    async with open_deps(settings) as deps:
        make = exports.bookings_table if args.kind == "bookings" else exports.absences_table
        try:
            table = await make(deps, first, last, args.unit)
        except exports.ExportError as exc:
            print(f"Ingen export: {exc}", file=sys.stderr)
            return 2
    if args.out is None:
        exports.write_csv(table, sys.stdout)
        target = "skärmen"
    else:
        with _private_file(args.out, exports.ENCODING) as f:
            exports.write_csv(table, f)
        target = str(args.out)
    what = "bokningar" if args.kind == "bookings" else "frånvarorader"
    print(f"{len(table.rows)} {what}, {first}–{last} → {target}", file=sys.stderr)
    return 0


async def _report(args: argparse.Namespace, settings: Settings) -> int:

    from bot.services import reports

    if (period := _period(args)) is None:
        return 2
    first, last = period
    async with open_deps(settings) as deps:
        try:
            report = await reports.staffing_report(deps, first, last, args.units)
        except reports.ReportError as exc:
            print(f"Ingen rapport: {exc}", file=sys.stderr)
            return 2
    if args.format == "csv":
        reports.write_report_csv(report, sys.stdout)
    else:
        print(reports.report_text(report))
    return 0


async def _ical(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import calendar

    async with open_deps(settings) as deps:
        if not await calendar.revoke(deps, args.person_id, "cli", "cli"):
            print(f"{args.person_id} har ingen kalenderlänk.", file=sys.stderr)
            return 1
    print(f"Kalenderlänken för {args.person_id} är avstängd.")
    return 0


def _backup(target: Path | None, settings: Settings) -> int:
    from storage.backup import BackupError, backup_sqlite

    if target is None:
        print("Ange filen att skriva till: vikariebot db backup FIL", file=sys.stderr)
        return 2
    try:
        size = backup_sqlite(settings.database_url, target)
    except BackupError as exc:
        print(f"Ingen säkerhetskopia: {exc}", file=sys.stderr)
        return 1
    print(f"Säkerhetskopia skriven: {target} ({size / 1e6:.1f} MB)")
    return 0


async def _import(kind: str, path: Path, settings: Settings) -> int:
    import sqlalchemy as sa

    from storage.checklist_import import import_checklist
    from storage.imports import db_reason, import_csv
    from storage.qualification_import import import_qualifications

    try:
        async with open_deps(settings) as deps:
            if kind == "checklist":
                result = await import_checklist(deps.db, path, deps.now())
            elif kind == "qualifications":
                result = await import_qualifications(deps.db, path, deps.now())
            else:
                result = await import_csv(deps.db, kind, path, settings.tz, deps.now())  # type: ignore[arg-type]
    except sa.exc.SQLAlchemyError as exc:
        # One line, never the traceback: SQLAlchemy's message repeats the statement's
        # parameters, i.e. the row with its phone number. The write was rolled back.
        reason = db_reason(exc) if isinstance(exc, sa.exc.DBAPIError) else type(exc).__name__
        print(f"{path}: databasfel – inget importerades ({reason})", file=sys.stderr)
        return 1
    if result.errors:
        print(f"{path}: {len(result.errors)} fel – inget importerades.", file=sys.stderr)
        for err in result.errors:
            print(f"  {err.message}", file=sys.stderr)
        return 1
    removed = f", {result.removed} borttagna" if result.removed else ""
    print(
        f"{path} ({result.encoding}): {result.created} nya, {result.updated} ändrade, "
        f"{result.unchanged} oförändrade{removed}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
