"""Builds the messages of the call-out. Pure: records in, OutMessage out.

An offer carries the unit, date, time, role and requirements only: never who is absent,
why, or anything about a care recipient (brukare). A booking confirmation and the
reminder the evening before add the unit's own office address and phone (the workplace,
a hemtjänstgrupp's office, never a care recipient's home) and, for someone not yet
introduced at the unit, the handledare's first name. Offers leave them out: they go to
many people, most of whom will not come, and stay one short SMS.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from zoneinfo import ZoneInfo

from bot.domain import callbacks as cb
from bot.domain.gsm7 import segments, to_gsm7
from bot.domain.model import Offer, OfferState, Person, Shift, Unit
from bot.domain.outgoing import BundleLine, Button, OutMessage
from bot.domain.phone import display_phone
from bot.texts import requirement_names, role_name, shift_times, t

# A booking confirmation or a reminder may cost two SMS segments, never more: a long
# address is shortened (then left out) to stay within them.
CONTACT_SMS_SEGMENTS = 2
_ELLIPSIS = "..."


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
            Button(t("btn_accept", lang), cb.encode(cb.ACCEPT, offer.id)),
            Button(t("btn_decline", lang), cb.encode(cb.DECLINE, offer.id)),
        ),
    )
    line = BundleLine(
        t("offer_line", lang, role=role_name(shift.role, lang), reqs=f", {reqs}" if reqs else "",
          intro=intro, **p),
        t("offer_line_sms", lang, role=role_name(shift.role, lang, sms=True),
          reqs=f", {reqs}" if reqs else "", intro=intro_sms, code=offer.code, **p),
        t("btn_accept_at", lang, day=p["day"], start=p["start"]),
    )
    return OutMessage("offer", text, sms, buttons, bundle=line)


# A bundled offer lists at most this many shifts (one button each); more go in another.
BUNDLE_MAX = 8
# A bundled SMS may cost two segments; longer, the offers go as separate texts.
BUNDLE_SMS_SEGMENTS = 2

_BUNDLE_STATE = {
    OfferState.TAKEN: "bundle_taken",
    OfferState.LATE: "bundle_taken",
    OfferState.DECLINED: "bundle_declined",
}


def bundle_message(
    entries: list[tuple[Offer, BundleLine]],
    lang: str,
    *,
    booked: Collection[int] = (),
) -> OutMessage:
    """Several offers to one person as one message, in the order given: a numbered line
    each; an open one has its own accept button (labelled with its day and start), a
    closed one says why instead ("Tillsatt", "✅ Ditt pass" ...), and while any is open a
    last button declines them all. "✅ Ditt pass" is for the offers in `booked` (the person
    holds a live booking for its shift, however it was booked), not for any accepted one:
    a booking cancelled since is no longer theirs. The same rendering serves the first
    send and every redraw after an answer, so the message shows the offers as they stand."""
    lines, lines_sms, rows = [], [], []
    open_ids = []
    for n, (offer, line) in enumerate(entries, start=1):
        if offer.id in booked:
            lines.append(f"{n}. {line.text}\n→ {t('bundle_yours', lang)}")
        elif offer.state == OfferState.OPEN:
            open_ids.append(offer.id)
            lines.append(f"{n}. {line.text}")
            rows.append((Button(line.label, cb.encode(cb.ACCEPT, offer.id)),))
        else:
            why = t(_BUNDLE_STATE.get(offer.state, "bundle_closed"), lang)
            lines.append(f"{n}. {line.text}\n→ {why}")
        lines_sms.append(line.sms)
    if open_ids:
        rows.append((Button(t("btn_decline_all", lang), cb.encode(cb.DECLINE_ALL, open_ids[0])),))
    code = entries[0][0].code if entries else 1
    text = t("offer_bundle", lang, lines="\n\n".join(lines))
    sms = t("offer_bundle_sms", lang, lines="\n".join(lines_sms), code=code)
    return OutMessage("offer", text, sms, tuple(rows))


def bundle_fits_sms(entries: list[tuple[Offer, BundleLine]], lang: str) -> bool:
    """Whether the bundled SMS of `entries` stays within BUNDLE_SMS_SEGMENTS."""
    sms = bundle_message(entries, lang).sms
    return sms is not None and segments(to_gsm7(sms)) <= BUNDLE_SMS_SEGMENTS


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


def _contact(unit: Unit, lang: str, handledare: str | None) -> str:
    parts = []
    if unit.address:
        parts.append(t("contact_address", lang, address=unit.address))
    if unit.phone:
        parts.append(t("contact_phone", lang, phone=display_phone(unit.phone)))
    if handledare:
        parts.append(t("contact_handledare", lang, name=handledare))
    return "".join(parts)


def _contact_sms(unit: Unit, lang: str, handledare: str | None, address: str | None) -> str:
    parts = []
    if address:
        parts.append(t("contact_address_sms", lang, address=address))
    if unit.phone:
        parts.append(t("contact_phone_sms", lang, phone=display_phone(unit.phone)))
    if handledare:
        parts.append(t("contact_handledare_sms", lang, name=handledare))
    return "".join(parts)


def fit_address(render: Callable[[str | None], str], address: str | None) -> str:
    """`render(address)` within CONTACT_SMS_SEGMENTS: the address shortened word by word
    (ending in "..."), else left out. The phone and the handledare always stay."""
    text = render(address)
    if not address or segments(to_gsm7(text)) <= CONTACT_SMS_SEGMENTS:
        return text
    words = address.split()
    for n in range(len(words) - 1, 0, -1):
        text = render(" ".join(words[:n]).rstrip(",.;") + _ELLIPSIS)
        if segments(to_gsm7(text)) <= CONTACT_SMS_SEGMENTS:
            return text
    return render(None)


def _contact_params(shift: Shift, unit: Unit, person: Person, tz: ZoneInfo) -> dict[str, str]:
    lang = person.language
    return {**_shift_params(shift, unit, tz, lang), "role": role_name(shift.role, lang)}


def booked_message(
    shift: Shift,
    unit: Unit,
    person: Person,
    tz: ZoneInfo,
    *,
    handledare: str | None = None,
    edit_offer_id: int | None = None,
) -> OutMessage:
    """Bokat!: the shift, the unit's address and phone, the handledare (not introduced)."""
    lang = person.language
    p = _contact_params(shift, unit, person, tz)
    text = t("booked", lang, contact=_contact(unit, lang, handledare), **p)
    sms = fit_address(
        lambda address: t(
            "booked_sms", lang, contact=_contact_sms(unit, lang, handledare, address), **p
        ),
        unit.address,
    )
    return OutMessage("booked", text, sms, (), edit_offer_id)


def reminder_message(
    booking_id: int,
    shift: Shift,
    unit: Unit,
    person: Person,
    tz: ZoneInfo,
    *,
    handledare: str | None = None,
) -> OutMessage:
    """The evening before: the shift and where; "Jag kan inte komma" opens the existing
    cancel confirmation (bk:c:<booking>), by SMS the answer is AVBOKA and the date."""
    lang = person.language
    p = _contact_params(shift, unit, person, tz)
    local = shift.starts_at.astimezone(tz)
    text = t("reminder", lang, contact=_contact(unit, lang, handledare), **p)
    sms = fit_address(
        lambda address: t(
            "reminder_sms",
            lang,
            contact=_contact_sms(unit, lang, handledare, address),
            date=f"{local.day}/{local.month}",
            **p,
        ),
        unit.address,
    )
    buttons = ((Button(t("btn_cannot_come", lang), cb.encode(cb.BOOKING, "c", booking_id)),),)
    return OutMessage("reminder", text, sms, buttons)
