"""The encoding of an imported file, decided on real bytes as Excel and editors write them."""

from __future__ import annotations

import pytest

from bot.domain.csvfile import UndecodableCsv, decode_csv

TEXT = "id;namn;område\r\nsoder;Hemtjänst Söder;Åkersberga\r\nnorr;Öster Ängby;\r\n"


@pytest.mark.parametrize(("data", "encoding"), [
    (TEXT.encode("utf-8"), "UTF-8"),
    (TEXT.encode("utf-8-sig"), "UTF-8 med BOM"),  # Excel's "CSV UTF-8"
    (TEXT.encode("cp1252"), "Windows-1252"),  # Excel's "CSV (semikolonavgränsad)"
    (TEXT.encode("latin-1"), "Windows-1252"),  # the same bytes for every Swedish letter
    (TEXT.encode("cp850"), "CP850 (MS-DOS)"),  # Excel's "CSV (MS-DOS)": Å is no cp1252 byte
])
def test_swedish_letters_in_every_encoding_excel_writes(data: bytes, encoding: str) -> None:
    assert decode_csv(data) == (TEXT, encoding)


@pytest.mark.parametrize("text", ["id;namn\r\ns;Hemtjänst Söder\r\n", "x\nBjörn Ekdahl\n"])
def test_short_dos_files_without_a_capital_a_ring(text: str) -> None:
    """Every CP850 byte here is defined in cp1252 too ('ä' -> '„', 'ö' -> '”'); a quote mark
    inside a word is no Windows-1252 text. charset-normalizer calls these cp1252."""
    assert decode_csv(text.encode("cp850")) == (text, "CP850 (MS-DOS)")


def test_quotation_marks_and_euro_stay_windows_1252() -> None:
    text = "id;namn\r\np1;”Kalle” Öberg – 5 €\r\np2;„Anna“ Ärlig\r\n"
    assert decode_csv(text.encode("cp1252")) == (text, "Windows-1252")


def test_ascii_is_utf8_and_empty_is_empty() -> None:
    assert decode_csv(b"id,name\n") == ("id,name\n", "UTF-8")
    assert decode_csv(b"") == ("", "UTF-8")


@pytest.mark.parametrize(("data", "line", "start"), [
    ("id;namn\r\n".encode("utf-16"), 0, "filen är sparad som Unicode-text (UTF-16)"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\xe5", 0, "filen är ingen CSV-text"),
    (b"id,name\nsoder,S\x81\xb0der\n", 2, "filen är inte UTF-8 och inte Windows-1252"),
])
def test_what_is_no_csv_text_is_refused(data: bytes, line: int, start: str) -> None:
    with pytest.raises(UndecodableCsv) as caught:
        decode_csv(data)
    assert caught.value.line == line
    assert caught.value.reason.startswith(start)
    assert caught.value.reason.endswith(
        'spara den som "CSV UTF-8" eller "CSV (semikolonavgränsad)" och försök igen')
