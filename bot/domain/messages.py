"""Builds the messages of the call-out. Pure: records in, OutMessage out.

An offer carries the unit, date, time, role and requirements only: never who is absent,
why, or anything about a care recipient (brukare).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.model import Offer, Person, Shift, Unit
from bot.domain.outgoing import Button, OutMessage
from bot.texts import requirement_names, role_name, shift_times, t


def _shift_params(shift: Shift, unit: Unit, tz: ZoneInfo, lang: str) -> dict[str, str]:
    return {"unit": unit.name, **shift_times(shift.starts_at, shift.ends_at, tz, lang)}


def shift_line(shift: Shift, unit: Unit, tz: ZoneInfo, lang: str = "sv") -> str:
    p = _shift_params(shift, unit, tz, lang)
    return f"{p['unit']} {p['day']} {p['start']}–{p['end']}"


def offer_message(
    offer: Offer,
    shift: Shift,
    unit: Unit,
    person: Person,
    tz: ZoneInfo,
    handledare_first_name: str | None = None,
) -> OutMessage:
    lang = person.language
    p = _shift_params(shift, unit, tz, lang)
    reqs = requirement_names(shift.requirements, lang)
    intro = t("offer_intro", lang, name=handledare_first_name) if handledare_first_name else ""
    intro_sms = (
        t("offer_intro_sms", lang, name=handledare_first_name) if handledare_first_name else ""
    )
    text = t(
        "offer",
        lang,
        role=role_name(shift.role, lang),
        reqs=f", {reqs}" if reqs else "",
        intro=intro,
        **p,
    )
    sms = t(
        "offer_sms",
        lang,
        role=role_name(shift.role, lang, sms=True),
        reqs=f", {reqs}" if reqs else "",
        intro=intro_sms,
        code=offer.code,
        **p,
    )
    buttons = (
        (
            Button(t("btn_accept", lang), f"acc:{offer.id}"),
            Button(t("btn_decline", lang), f"dec:{offer.id}"),
        ),
    )
    return OutMessage("offer", text, sms, buttons)


def simple(
    kind: str,
    shift: Shift,
    unit: Unit,
    person: Person,
    tz: ZoneInfo,
    *,
    edit_offer_id: int | None = None,
    sms: bool = True,
    **extra: str,
) -> OutMessage:
    """A message about one shift: booked, taken, withdrawn, released, late ..."""
    lang = person.language
    p = {**_shift_params(shift, unit, tz, lang), **extra}
    if "role" not in p:
        p["role"] = role_name(shift.role, lang)
    sms_text = None
    if sms:
        sms_params = dict(p)
        if "others" in extra:
            sms_params["others"] = extra.get("others_sms", "")
        sms_text = t(f"{kind}_sms", lang, **sms_params)
    return OutMessage(kind, t(kind, lang, **p), sms_text, (), edit_offer_id)
