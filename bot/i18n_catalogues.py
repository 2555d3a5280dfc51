"""Keep the translation catalogues in step with bot/texts.py, and measure them.

    python -m bot.i18n_catalogues update   # messages.pot + en.po from bot/texts.py,
                                           # every other .po merged with the new template
    python -m bot.i18n_catalogues check    # exit 1 when a catalogue is out of date
    python -m bot.i18n_catalogues init LANG   # start a new language from the template

Swedish and English are written in bot/texts.py (CATALOG, PLURALS, REASONS and the name
tables); this module turns them into `bot/locale/messages.pot` (msgctxt = key, msgid =
Swedish) and `bot/locale/en/LC_MESSAGES/messages.po` (msgstr = English, generated: edit
English in bot/texts.py). For the translated languages `update` keeps every translation
whose Swedish source is unchanged, marks changed ones fuzzy (they fall back to Swedish
until a translator looks again) and adds new keys untranslated. Reproducible: running it
twice changes nothing, so keys added on other branches are converted by one `update`
after the merge.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot import i18n, texts

PROJECT = "vikariebot"
# Fixed, so that regenerating a catalogue from unchanged texts changes no byte.
EPOCH = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
EN_HEADER = (
    "English texts of Vikariebot.\n"
    "GENERATED from bot/texts.py by `python -m bot.i18n_catalogues update`: "
    "edit English there, not here."
)
TEMPLATE_HEADER = (
    "Vikariebot's texts. msgctxt is the key used in the code, msgid the Swedish source.\n"
    "GENERATED from bot/texts.py by `python -m bot.i18n_catalogues update`."
)


@dataclass(frozen=True, slots=True)
class Source:
    """One text as written in bot/texts.py: Swedish and English, one form or (one, other)."""

    key: str
    sv: str | tuple[str, str]
    en: str | tuple[str, str]


def sources() -> Iterator[Source]:
    """Every translatable text, in the order of bot/texts.py."""
    for key, entry in texts.CATALOG.items():
        yield Source(key, entry["sv"], entry.get("en", entry["sv"]))
    for key, plural in texts.PLURALS.items():
        yield Source(key, plural["sv"], plural.get("en", plural["sv"]))
    for key, entry in texts.REASONS.items():
        yield Source(key, entry["sv"], entry.get("en", entry["sv"]))
    for prefix, table in texts.TABLES.items():
        for code, names in table.items():
            yield Source(f"{prefix}:{code}", names["sv"], names.get("en", names["sv"]))


def _catalog(lang: str | None, header: str) -> Catalog:
    return Catalog(
        locale=lang,
        domain=i18n.DOMAIN,
        project=PROJECT,
        version="1",
        header_comment="\n".join(f"# {line}" for line in header.splitlines()),
        creation_date=EPOCH,
        revision_date=EPOCH,
        fuzzy=False,
    )


def template() -> Catalog:
    catalog = _catalog(None, TEMPLATE_HEADER)
    for src in sources():
        scope = "coordinators (stays sv/en)" if i18n.for_coordinators(src.key) else "everyone"
        catalog.add(src.sv, "", context=src.key, auto_comments=[f"read by: {scope}"])
    return catalog


def english() -> Catalog:
    catalog = _catalog("en", EN_HEADER)
    for src in sources():
        catalog.add(src.sv, src.en, context=src.key)
    return catalog


def merged(lang: str) -> Catalog:
    """The language's catalogue updated to the current template (translations kept)."""
    catalog = i18n.read_catalogue(i18n.catalogue_path(lang), lang)
    catalog.update(template(), no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()  # a removed key is gone; git keeps its history
    catalog.revision_date = EPOCH
    catalog.creation_date = EPOCH
    return catalog


def render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=False)
    return out.getvalue()


def wanted() -> dict[Path, bytes]:
    """Every catalogue file as `update` would write it."""
    files = {
        i18n.TEMPLATE: render(template()),
        i18n.catalogue_path("en"): render(english()),
    }
    for lang in i18n.LANGUAGES:
        if lang not in i18n.AUTHORED_LANGUAGES:
            files[i18n.catalogue_path(lang)] = render(merged(lang))
    return files


def stale() -> list[Path]:
    """The catalogue files that differ from what `update` would write."""
    return [
        path for path, data in wanted().items() if not path.exists() or path.read_bytes() != data
    ]


def update() -> list[Path]:
    changed = []
    for path, data in wanted().items():
        if not path.exists() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            changed.append(path)
    return changed


def init(lang: str, translator: str) -> Path:
    """A new, empty catalogue for `lang` (a code Babel knows: 'ar', 'so', 'uk')."""
    Locale.parse(lang)  # raises for an unknown code
    path = i18n.catalogue_path(lang)
    if path.exists():
        raise FileExistsError(path)
    catalog = _catalog(lang, f"Vikariebot's texts in {lang}.\n{translator}")
    for src in sources():
        catalog.add(src.sv, "", context=src.key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(catalog))
    return path


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of one language is translated; the rest is shown in Swedish."""

    lang: str
    name: str
    translated: int
    total: int
    everyone_missing: int  # texts substitutes and staff read that fall back to Swedish
    coordinator_fallback: int  # coordinator texts, Swedish by design

    @property
    def share(self) -> float:
        return self.translated / self.total if self.total else 1.0


def coverage(lang: str) -> Coverage:
    keys = [src.key for src in sources()]
    name = i18n.native_name(lang)
    if lang in i18n.AUTHORED_LANGUAGES:
        return Coverage(lang, name, len(keys), len(keys), 0, 0)
    catalogue = i18n.translations(lang)
    done = set(catalogue.entries) if catalogue is not None else set()
    missing = [k for k in keys if k not in done]
    coordinators = [k for k in missing if i18n.for_coordinators(k)]
    return Coverage(
        lang,
        name,
        translated=len(keys) - len(missing),
        total=len(keys),
        everyone_missing=len(missing) - len(coordinators),
        coordinator_fallback=len(coordinators),
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bot.i18n_catalogues", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("update", help="regenerate messages.pot and en.po, merge the other .po")
    sub.add_parser("check", help="exit 1 when a catalogue is out of date")
    new = sub.add_parser("init", help="start a new language")
    new.add_argument("lang")
    new.add_argument(
        "--translator",
        default="Translated by: (name). Reviewed by a native speaker: no.",
        help="the header line that says who translated it and whether it was reviewed",
    )
    args = p.parse_args(argv)
    if args.command == "update":
        for path in update():
            print(f"wrote {path}")
        return 0
    if args.command == "init":
        print(f"wrote {init(args.lang, args.translator)}")
        return 0
    bad = stale()
    for path in bad:
        print(f"out of date: {path} (run python -m bot.i18n_catalogues update)", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
