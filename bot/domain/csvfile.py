"""The character encoding of an imported CSV file: bytes in, text and the encoding's name out.

Swedish Excel saves "CSV (semikolonavgränsad)" in Windows-1252, "CSV UTF-8" in UTF-8 with a
BOM, and "CSV (MS-DOS)" in code page 850. The decision is small and deterministic:

1. strict UTF-8 (a BOM is dropped): a Windows-1252 file with å, ä or ö is never valid
   UTF-8, so UTF-8 that decodes is UTF-8;
2. otherwise Windows-1252, unless the result has a DOS letter in it ('„' or '”' inside a
   word: "Hemtj„nst S”der" is CP850's "Hemtjänst Söder"), or a byte Windows-1252 does not
   define (CP850's Å and É) – then CP850, if that gives letters only;
3. otherwise the file is refused, with the line of the first byte that is not UTF-8.

ISO-8859-1 gives the same text as Windows-1252 for every letter (they differ only in
0x80–0x9F, control characters in ISO-8859-1), so such a file is read as, and named,
Windows-1252. charset-normalizer is not used: on short files it guesses wrong (cp1250,
where å becomes ĺ, for Swedish Windows-1252; Windows-1252 for short CP850 files).
"""

from __future__ import annotations

import codecs
import re

UTF8 = "UTF-8"
UTF8_BOM = "UTF-8 med BOM"
WINDOWS_1252 = "Windows-1252"
CP850 = "CP850 (MS-DOS)"

# Characters CP850's Swedish letters become when read as Windows-1252:
# ä 0x84 -> „, å 0x86 -> †, ö 0x94 -> ”, é 0x82 -> ‚, Ä 0x8E -> Ž, Ö 0x99 -> ™.
_DOS_LETTER = re.compile(r"(?<=[^\W\d_])[„†”‚™](?=[^\W\d_])")  # inside a word: no quote mark
_SAVE_AS = "spara den som \"CSV UTF-8\" eller \"CSV (semikolonavgränsad)\" och försök igen"


class UndecodableCsv(ValueError):
    """The bytes are no CSV text we can read; `line` is 1-based, 0 = the file as a whole."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def decode_csv(data: bytes) -> tuple[str, str]:
    """The file's text (without BOM) and the name of the encoding it was read in."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UndecodableCsv(0, f"filen är sparad som Unicode-text (UTF-16); {_SAVE_AS}")
    try:
        return data.decode("utf-8-sig"), UTF8_BOM if data.startswith(codecs.BOM_UTF8) else UTF8
    except UnicodeDecodeError as exc:
        first_bad = data[: exc.start].count(b"\n") + 1
    if b"\x00" in data:  # an .xlsx (zip) or UTF-16 without BOM, renamed to .csv
        raise UndecodableCsv(0, f"filen är ingen CSV-text (en Excel-arbetsbok?); {_SAVE_AS}")
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    if text and not _DOS_LETTER.search(text):
        return text, WINDOWS_1252
    dos = data.decode("cp850")  # defines every byte: trusted only if it gives letters
    if all(ch.isascii() or ch.isalpha() for ch in dos):
        return dos, CP850
    raise UndecodableCsv(first_bad, f"filen är inte UTF-8 och inte Windows-1252; {_SAVE_AS}")
