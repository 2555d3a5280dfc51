"""GSM-7 detection, segment counting and the GSM-7 friendly rewrite."""

from __future__ import annotations

import pytest

from bot.domain.gsm7 import is_gsm7, segments, to_gsm7


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Hej! Kan du jobba ons 3/12 07:00-15:00 på Solgården? Svara JA 47 eller NEJ 47.",
        "åäöÅÄÖéÉüÜ",
        "Pris: 100 € [ok] {x} ~ ^ | \\",
        "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡¿§",
        "rad ett\nrad två\r\n",
    ],
)
def test_gsm7_texts(text: str) -> None:
    assert is_gsm7(text)


@pytest.mark.parametrize(
    "text",
    [
        "Tack’",  # curly apostrophe from a phone keyboard
        "“citat”",
        "Ja 👍",
        "07:00–15:00",  # en dash
        "á",
        "ç",  # only the capital Ç is in GSM 03.38
        "\t",
        "مرحبا",
    ],
)
def test_not_gsm7(text: str) -> None:
    assert not is_gsm7(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 1),
        ("a", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("ö" * 160, 1),  # Swedish letters are single septets
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters cost two septets: 160
        ("€" * 81, 2),
        ("a" * 158 + "€", 1),  # 160 septets
        ("a" * 159 + "€", 2),  # 161 septets
        ("a" * 152 + "€" + "a" * 152, 3),  # the ESC pair never straddles two parts
        ("ä" * 69 + "’", 1),  # UCS-2: 70
        ("ä" * 70 + "’", 2),  # 71
        ("’" * 134, 2),
        ("’" * 135, 3),
        ("👍" * 35, 1),  # an emoji is two UTF-16 units: 70
        ("👍" * 36, 2),
        ("a" * 66 + "👍" + "a" * 66, 3),  # 134 units, but the pair cannot be split at 67
    ],
)
def test_segments(text: str, expected: int) -> None:
    assert segments(text) == expected


def test_segment_boundaries_160_161_and_70_71() -> None:
    assert segments("x" * 160) == 1
    assert segments("x" * 161) == 2
    assert segments("😀" + "x" * 68) == 1  # 70 UTF-16 units
    assert segments("😀" + "x" * 69) == 2  # 71


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tack’ “ok”", 'Tack\' "ok"'),
        ("07:00–15:00 — klart", "07:00-15:00 - klart"),
        ("Vänta…", "Vänta..."),
        ("1\u00a0000\u202fkr", "1 000 kr"),
        ("Solgården, Älvsjö, Café", "Solgården, Älvsjö, Café"),  # already GSM-7: untouched
        ("José Ángel", "José Angel"),  # é is GSM-7, Á is not
        ("zero\u200bwidth", "zerowidth"),
        ("ﬁka", "fika"),
        ("ja 👍", "ja 👍"),  # no look-alike: kept, the caller checks is_gsm7
    ],
)
def test_to_gsm7(text: str, expected: str) -> None:
    assert to_gsm7(text) == expected


def test_to_gsm7_makes_typical_offers_single_segment() -> None:
    offer = "Hej! Pass ons 3/12 07:00–15:00 på Solgården. Svara ”JA 47” eller ”NEJ 47”…"
    assert not is_gsm7(offer)
    fixed = to_gsm7(offer)
    assert is_gsm7(fixed)
    assert segments(fixed) == 1


def test_encoding_and_ucs2_segments_of_arabic() -> None:
    from bot.domain.gsm7 import encoding

    arabic = "وردية شاغرة"
    assert encoding("Ledigt pass") == "GSM-7" and encoding(arabic) == "UCS-2"
    assert segments("ش" * 70) == 1  # one UCS-2 segment: 70 UTF-16 units
    assert segments("ش" * 71) == 2  # concatenated: 67 a segment
    assert segments("ش" * 134) == 2
    assert segments("ش" * 135) == 3
    assert segments("ሽ" * 134) == 2  # Ge'ez (Tigrinya): one unit a character too


def test_to_gsm7_keeps_persian_joiners_and_isolates() -> None:
    persian = "می\u200cبیند \u206807:00\u2069 – ok"
    assert to_gsm7(persian) == "می\u200cبیند \u206807:00\u2069 - ok"
    assert to_gsm7("ok\u200c") == "ok"  # GSM-7 after the rewrite: the joiner goes
