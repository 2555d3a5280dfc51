"""A bundled offer as it reads: a line and a button per open shift, the state of a closed
one in place of its button, and an SMS with each shift's code."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.domain import callbacks as cb
from bot.domain.gsm7 import segments
from bot.domain.messages import bundle_fits_sms, bundle_message, offer_message
from bot.domain.model import Offer, OfferState, Shift, Unit
from bot.domain.outgoing import BundleLine
from tests.unit.builders import person

TZ = ZoneInfo("Europe/Stockholm")
UNIT = Unit("norr", "Hemtjänst Norr", "Centrum")


def _entry(oid: int, day: int, state: OfferState = OfferState.OPEN) -> tuple[Offer, BundleLine]:
    start = dt.datetime(2026, 12, day, 11, 0, tzinfo=dt.UTC)  # 12:00 in Stockholm
    shift = Shift(f"s{day}", "norr", start, start + dt.timedelta(hours=8), "usk", "anna")
    offer = Offer(oid, oid, "kim", 1, 1, oid, start, state)
    line = offer_message(offer, shift, UNIT, person("kim"), TZ).bundle
    assert line is not None
    return offer, line


def test_every_open_shift_has_its_button_and_one_declines_them_all() -> None:
    msg = bundle_message([_entry(11, 1), _entry(12, 2)], "sv")
    assert msg.text == (
        "Lediga pass – vill du ta något av dem?\n\n"
        "1. tis 1/12 12:00–20:00, Hemtjänst Norr\nundersköterska\n\n"
        "2. ons 2/12 12:00–20:00, Hemtjänst Norr\nundersköterska\n\n"
        "Tryck på det pass du vill ta."
    )
    assert [(b.label, b.data) for row in msg.buttons for b in row] == [
        ("Ta tis 1/12 12:00", "acc:11"),
        ("Ta ons 2/12 12:00", "acc:12"),
        ("Nej tack till alla", "dca:11"),
    ]
    assert msg.sms is not None and "11: Hemtjänst Norr tis 1/12 12:00-20:00 usk." in msg.sms


def test_a_closed_shift_says_why_instead_of_a_button() -> None:
    states = [OfferState.ACCEPTED, OfferState.TAKEN, OfferState.LATE, OfferState.DECLINED,
              OfferState.WITHDRAWN, OfferState.EXPIRED, OfferState.OPEN]
    # Offer 1 was taken and its booking stands; offer 5 was closed by a booking by hand.
    entries = [_entry(i + 1, i + 1, s) for i, s in enumerate(states)]
    msg = bundle_message(entries, "sv", booked={1, 5})
    whys = [part.split("→ ")[1] for part in msg.text.split("\n\n") if "→ " in part]
    assert whys == ["✅ Ditt pass", "Tillsatt", "Tillsatt", "Du tackade nej",
                    "✅ Ditt pass", "Inte längre öppet"]
    assert [b.data for row in msg.buttons for b in row] == ["acc:7", "dca:7"]


def test_an_accepted_shift_whose_booking_was_cancelled_is_not_yours() -> None:
    msg = bundle_message([_entry(1, 1, OfferState.ACCEPTED), _entry(2, 2)], "sv", booked=())
    assert "Ditt pass" not in msg.text and "→ Inte längre öppet" in msg.text


def test_nothing_open_no_buttons_and_english() -> None:
    msg = bundle_message([_entry(1, 1, OfferState.TAKEN), _entry(2, 2, OfferState.DECLINED)],
                         "en")
    assert msg.buttons == ()
    assert msg.text.startswith("Open shifts – do you want one of them?")
    assert "→ Filled" in msg.text and "→ You declined" in msg.text


def test_the_sms_fits_two_segments_or_is_not_bundled() -> None:
    entries = [_entry(i, i) for i in range(1, 8)]
    assert bundle_fits_sms(entries[:3], "sv")
    assert not bundle_fits_sms(entries, "sv")
    sms = bundle_message(entries[:3], "sv").sms
    assert sms is not None and segments(sms) <= 2


def test_button_data_fits_telegram_at_any_offer_id() -> None:
    big = 10**15
    data = cb.encode(cb.DECLINE_ALL, big)
    assert len(data.encode()) <= cb.MAX_BYTES
