"""The languages the bot speaks, read from the translation catalogues in bot/locale.

Swedish is the source language: its texts (and English, the second language the
developers write) live in `bot.texts`. Every other language is one gettext catalogue,
`bot/locale/<lang>/LC_MESSAGES/messages.po`, in which `msgctxt` is the text's key,
`msgid` the Swedish text and `msgstr` the translation. Adding a language is adding
that file: `LANGUAGES` is derived from the catalogues present (docs/translating.md).

The .po files are read at start (Babel's reader), not compiled to .mo: there is no
build step to forget and no binary file that can go stale; reading all of them
takes a few milliseconds. A text a catalogue lacks (a key not yet translated, a
fuzzy entry, or a coordinator text, which stays Swedish and English by design) falls
back to Swedish, and `vikariebot languages` lists how many do so per language.

This module sits at the bottom of the layers with `bot.texts`: it imports nothing
of the bot's own.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

SOURCE_LANGUAGE = "sv"
# English is written in bot/texts.py next to Swedish; its en.po is generated from
# there (`python -m bot.i18n_catalogues update`) for translators who read English.
AUTHORED_LANGUAGES = ("sv", "en")
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"

# Unicode isolates (UAX #9): FSI ... PDI keeps a time, a date or a unit name in its own
# order inside right-to-left text.
FSI = "\u2068"
PDI = "\u2069"

# Texts only coordinators and handledare see: they stay Swedish and English. A person
# whose language is another gets them in Swedish (listed by `vikariebot languages`).
COORDINATOR_PREFIXES = (
    "desk_",
    "board_",
    "explain_",
    "coord_",
    "alert_",
    "intro_",
    "why_",
    "reason_",
    "weekday_plural:",
    "tg_invite_",
    "tg_board_",
    "tg_group_",
    "tg_vacancy_",
    "tg_fill_",
    "tg_new_",
    "tg_release_",
    "tg_can_coordinator",
    "tg_can_handledare",
    "tg_widened",
    "tg_not_searching",
    "tg_cancel_confirm",
    "tg_btn_cancel_yes",
    "tg_no_units",
    "tg_btn_create",
    "tg_cmd_status",
    "tg_cmd_nytt",
    "tg_cmd_intro",
    "btn_widen",
    "btn_fill",
    "btn_cancel_vacancy",
    "btn_keep",
    "btn_release",
)


def for_coordinators(key: str) -> bool:
    """Whether only coordinators and handledare read this text (it stays sv/en)."""
    return key.startswith(COORDINATOR_PREFIXES)


@dataclass(frozen=True, slots=True)
class Entry:
    """One translated text: the singular, or every plural form in the catalogue's order."""

    forms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Translations:
    """One language's catalogue as the bot uses it: key -> translation, plural rule."""

    lang: str
    entries: Mapping[str, Entry]
    plural: Callable[[int], int]
    fuzzy_or_empty: frozenset[str]
    header_comment: str

    def get(self, key: str) -> str | None:
        entry = self.entries.get(key)
        return entry.forms[0] if entry else None

    def get_plural(self, key: str, n: int) -> str | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        index = self.plural(n)
        return entry.forms[index] if index < len(entry.forms) else entry.forms[-1]


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(path: Path, lang: str) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def _discover() -> tuple[str, ...]:
    """sv, en, then every other language with a catalogue, alphabetically."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    others = [lang for lang in found if lang not in AUTHORED_LANGUAGES]
    return (*AUTHORED_LANGUAGES, *others)


# The one list of languages: /sprak, the SMS keyword SPRÅK, the importer's `language`
# column and the VIKARIE_LANGUAGE setting all accept exactly these.
LANGUAGES: tuple[str, ...] = _discover()


@functools.cache
def translations(lang: str) -> Translations | None:
    """The catalogue of a translated language (None for sv/en and unknown codes)."""
    if lang in AUTHORED_LANGUAGES or lang not in LANGUAGES:
        return None
    catalog = read_catalogue(catalogue_path(lang), lang)
    entries: dict[str, Entry] = {}
    missing: set[str] = set()
    for message in catalog:
        key = message.context
        if not message.id or key is None:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(forms):
            missing.add(key)
            continue
        entries[key] = Entry(tuple(str(f) for f in forms))
    return Translations(
        lang=lang,
        entries=MappingProxyType(entries),
        plural=gettext.c2py(catalog.plural_expr),
        fuzzy_or_empty=frozenset(missing),
        header_comment=catalog.header_comment,
    )


def is_rtl(lang: str) -> bool:
    """Arabic and Persian (and any other right-to-left locale Babel knows)."""
    return lang in rtl_languages()


@functools.cache
def rtl_languages() -> frozenset[str]:
    return frozenset(
        lang for lang in LANGUAGES if Locale.parse(lang).character_order == "right-to-left"
    )


def isolate(value: str) -> str:
    """`value` between FSI and PDI, so its own direction survives inside RTL text."""
    return f"{FSI}{value}{PDI}"


def native_name(lang: str) -> str:
    """'svenska', 'English', 'العربية': what the language calls itself."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def valid_language(value: str) -> str:
    """A language code the bot speaks (for settings and imports), else ValueError."""
    if value not in LANGUAGES:
        raise ValueError(f"unknown language {value!r} (known: {', '.join(LANGUAGES)})")
    return value
