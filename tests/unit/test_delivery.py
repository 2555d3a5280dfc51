"""Routing and what a failed delivery leads to (bot/domain/delivery.py): a table per rule."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.delivery import (
    SMS,
    TELEGRAM,
    CountAsUnreachable,
    FallBack,
    GiveUp,
    after_failure,
    channel_for,
    offer_closed,
    route,
    sms_form,
)
from bot.domain.model import Channel, OfferState, Person
from bot.domain.outgoing import OutMessage
from tests.unit.builders import person

BOTH_WAYS = person(telegram_chat_id=11)  # phone and Telegram
SMS_ONLY = person()
TELEGRAM_ONLY = person(phone=None, telegram_chat_id=11)
OPTED_OUT = person(sms_opted_out=True)
NOBODY = person(phone=None)
WITH_SMS = OutMessage("offer", "Pass?", "Pass? Svara JA", edit_offer_id=None)
AGAIN = replace(WITH_SMS, fallback=True)  # sent again on the other channel
TELEGRAM_TEXT_ONLY = OutMessage("taken", "Tillsatt")


@pytest.mark.parametrize(
    ("who", "msg", "channel"),
    [
        (BOTH_WAYS, WITH_SMS, TELEGRAM),
        (person(telegram_chat_id=11, channel=Channel.SMS), WITH_SMS, SMS),
        (SMS_ONLY, WITH_SMS, SMS),
        (SMS_ONLY, TELEGRAM_TEXT_ONLY, None),  # not worth an SMS
        (TELEGRAM_ONLY, TELEGRAM_TEXT_ONLY, TELEGRAM),
        (OPTED_OUT, WITH_SMS, None),
        (NOBODY, WITH_SMS, None),
    ],
)
def test_route(who: Person, msg: OutMessage, channel: str | None) -> None:
    assert route(who, msg) == channel


def test_channel_for_ignores_the_message() -> None:
    assert channel_for(SMS_ONLY) == SMS and channel_for(NOBODY) is None


@pytest.mark.parametrize(
    ("failed", "who", "msg", "offer", "outcome"),
    [
        (TELEGRAM, BOTH_WAYS, WITH_SMS, True, FallBack(SMS, AGAIN)),
        (SMS, BOTH_WAYS, WITH_SMS, True, FallBack(TELEGRAM, AGAIN)),
        # the fallback failed too: it does not go back (that would go round for ever)
        (SMS, BOTH_WAYS, AGAIN, True, CountAsUnreachable()),
        (TELEGRAM, BOTH_WAYS, AGAIN, False, GiveUp()),
        # the other channel counts even when the person prefers this one
        (
            SMS,
            person(telegram_chat_id=11, channel=Channel.SMS),
            WITH_SMS,
            True,
            FallBack(TELEGRAM, AGAIN),
        ),
        (TELEGRAM, BOTH_WAYS, TELEGRAM_TEXT_ONLY, True, CountAsUnreachable()),  # no SMS form
        (TELEGRAM, BOTH_WAYS, TELEGRAM_TEXT_ONLY, False, GiveUp()),
        (SMS, SMS_ONLY, WITH_SMS, True, CountAsUnreachable()),
        (SMS, SMS_ONLY, WITH_SMS, False, GiveUp()),
        (
            TELEGRAM,
            person(telegram_chat_id=11, sms_opted_out=True),
            WITH_SMS,
            True,
            CountAsUnreachable(),
        ),
        (TELEGRAM, None, WITH_SMS, True, GiveUp()),  # a coordinator chat: nobody to ask
    ],
)
def test_after_failure(
    failed: str, who: Person | None, msg: OutMessage, offer: bool, outcome: object
) -> None:
    assert after_failure(failed, who, msg, about_offer=offer) == outcome


def test_an_sms_fallback_does_not_edit() -> None:
    edit = OutMessage("taken", "Tillsatt", "Tillsatt", edit_offer_id=7)
    assert after_failure(TELEGRAM, BOTH_WAYS, edit, about_offer=True) == FallBack(
        SMS, OutMessage("taken", "Tillsatt", "Tillsatt", fallback=True)
    )
    assert after_failure(SMS, BOTH_WAYS, edit, about_offer=True) == FallBack(
        TELEGRAM, replace(edit, fallback=True)
    )


def test_only_an_open_offer_is_delivered() -> None:
    assert not offer_closed(OfferState.OPEN)
    assert all(offer_closed(s) for s in (*set(OfferState) - {OfferState.OPEN}, None))


def test_sms_form_of_a_coordinator_message() -> None:
    assert sms_form(OutMessage("x", "⚠️ Ej tillsatt 07:00–15:00")) == "Ej tillsatt 07:00-15:00"
    assert sms_form(OutMessage("x", "⚠️ Ej tillsatt", "Eget SMS")) == "Eget SMS"
    assert sms_form(OutMessage("x", "⚠️ Ej tillsatt", "")) == "Ej tillsatt"
