"""Every text the bot shows, in Swedish and English, in one catalog.

Handlers and services call `t(key, lang, **params)`; no user-facing literal lives elsewhere.
SMS texts (keys ending in `_sms`) use GSM-7 characters only and fit one 160-character segment.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CATALOG: dict[str, dict[str, str]] = {
    # --- offers (förfrågan): unit, date, time, role, requirements only ---
    "offer": {
        "sv": "Ledigt pass: {unit}\n{day} {start}–{end}\n{role}{reqs}{intro}\nVill du ta passet?",
        "en": "Open shift: {unit}\n{day} {start}–{end}\n{role}{reqs}{intro}\nDo you want it?",
    },
    "offer_sms": {
        "sv": "Vikariebot: pass {unit} {day} {start}-{end} {role}{reqs}.{intro} "
              "Svara JA {code} eller NEJ {code}",
        "en": "Vikariebot: shift {unit} {day} {start}-{end} {role}{reqs}.{intro} "
              "Reply YES {code} or NO {code}",
    },
    "offer_intro": {"sv": "\nHandledare {name} möter dig.", "en": "\nSupervisor {name} will meet you."},
    "offer_intro_sms": {"sv": " Handledare {name} möter dig.", "en": " {name} meets you."},
    "btn_accept": {"sv": "Ta passet", "en": "Take shift"},
    "btn_decline": {"sv": "Nej tack", "en": "No thanks"},
    # --- answers ---
    "booked": {
        "sv": "Bokat! Du har passet:\n{unit}\n{day} {start}–{end}\n{role}. Tack!",
        "en": "Booked! The shift is yours:\n{unit}\n{day} {start}–{end}\n{role}. Thank you!",
    },
    "booked_sms": {
        "sv": "Bokat: {unit} {day} {start}-{end}. Tack! Svara PASS för dina pass.",
        "en": "Booked: {unit} {day} {start}-{end}. Thanks! Reply PASS for your shifts.",
    },
    "taken": {
        "sv": "Tillsatt: {unit} {day} {start}–{end}. Tack ändå!",
        "en": "Filled: {unit} {day} {start}–{end}. Thanks anyway!",
    },
    "taken_sms": {
        "sv": "Passet {unit} {day} {start}-{end} är tillsatt. Tack ändå!",
        "en": "Shift {unit} {day} {start}-{end} is filled. Thanks anyway!",
    },
    "late": {
        "sv": "Någon hann före – passet {day} {start}–{end} är redan tillsatt.{others}",
        "en": "Someone was faster – the shift {day} {start}–{end} is already filled.{others}",
    },
    "late_sms": {
        "sv": "Någon hann före, passet {day} {start}-{end} är tillsatt.{others}",
        "en": "Someone was faster, shift {day} {start}-{end} is filled.{others}",
    },
    "late_others": {"sv": " Du har fler förfrågningar öppna.", "en": " You have other open offers."},
    "late_others_sms": {"sv": " Du har fler förfrågningar.", "en": " You have other offers."},
    "declined": {
        "sv": "Okej, tack för svaret!",
        "en": "OK, thanks for answering!",
    },
    "withdrawn": {
        "sv": "Passet {unit} {day} {start}–{end} behövs inte längre. Tack!",
        "en": "The shift {unit} {day} {start}–{end} is no longer needed. Thanks!",
    },
    "withdrawn_sms": {
        "sv": "Passet {unit} {day} {start}-{end} behövs inte längre. Tack!",
        "en": "Shift {unit} {day} {start}-{end} is no longer needed. Thanks!",
    },
    "released": {
        "sv": "Din bokning {unit} {day} {start}–{end} är avbokad: passet behövs inte längre.",
        "en": "Your booking {unit} {day} {start}–{end} is cancelled: the shift is not needed.",
    },
    "released_sms": {
        "sv": "Din bokning {unit} {day} {start}-{end} är avbokad, passet behövs inte.",
        "en": "Your booking {unit} {day} {start}-{end} is cancelled, not needed.",
    },
    "booking_cancelled": {
        "sv": "Du är avbokad från {unit} {day} {start}–{end}. Vi söker en ny vikarie.",
        "en": "You are off {unit} {day} {start}–{end}. We are finding someone new.",
    },
    "offer_expired": {
        "sv": "Förfrågan gällde {day} {start}–{end} och är inte längre öppen.",
        "en": "The offer for {day} {start}–{end} is no longer open.",
    },
    "not_eligible_now": {
        "sv": "Passet {day} {start}–{end} går inte att boka för dig längre (krockar med "
              "vila eller ett annat pass). Tack ändå!",
        "en": "You can no longer take the shift {day} {start}–{end} (rest rule or another "
              "shift). Thanks anyway!",
    },
    # --- staff ---
    "absence_receipt": {
        "sv": "Tack, din frånvaro är registrerad för:\n{shifts}\nVi söker vikarie – du behöver "
              "inte ringa någon. Friskanmäl dig med /frisk.",
        "en": "Thanks, your absence is registered for:\n{shifts}\nWe are finding a substitute – "
              "no need to call anyone. Report back with /frisk.",
    },
    "absence_receipt_sms": {
        "sv": "Frånvaro registrerad: {shifts}. Vi söker vikarie. Svara FRISK för att ångra.",
        "en": "Absence registered: {shifts}. We are finding cover. Reply FRISK to undo.",
    },
    "absence_no_shifts": {
        "sv": "Tack, din frånvaro är registrerad. Du har inget schemalagt pass då; "
              "samordnaren är informerad.",
        "en": "Thanks, your absence is registered. You have no scheduled shift then; "
              "the coordinator is informed.",
    },
    "well_receipt": {
        "sv": "Välkommen tillbaka! Frånvaron är avslutad för {count} pass.",
        "en": "Welcome back! Your absence is ended for {count} shift(s).",
    },
    "well_nothing": {
        "sv": "Du har ingen pågående frånvaro.",
        "en": "You have no ongoing absence.",
    },
    # --- coordinator ---
    "coord_escalation": {
        "sv": "⚠️ Ej tillsatt: {unit} {day} {start}–{end} ({role}).\nTillfrågade {asked}, "
              "nej {declined}, inget svar {silent}. {why}",
        "en": "⚠️ Not filled: {unit} {day} {start}–{end} ({role}).\nAsked {asked}, "
              "declined {declined}, silent {silent}. {why}",
    },
    "why_exhausted": {"sv": "Inga fler i poolen.", "en": "Nobody left in the pool."},
    "why_threshold": {"sv": "Passet börjar snart.", "en": "The shift starts soon."},
    "btn_widen": {"sv": "Bredda till ordinarie", "en": "Widen to regular staff"},
    "btn_fill": {"sv": "Tillsätt manuellt", "en": "Fill by hand"},
    "btn_cancel_vacancy": {"sv": "Avbryt vakansen", "en": "Cancel vacancy"},
    "coord_absence_no_shift": {
        "sv": "Frånvaro utan schemalagt pass: {person} ({category}), {period}.",
        "en": "Absence with no scheduled shift: {person} ({category}), {period}.",
    },
    "coord_booking_cancelled": {
        "sv": "Avbokning: {person} lämnade {unit} {day} {start}–{end}. Sökningen fortsätter.",
        "en": "Cancellation: {person} left {unit} {day} {start}–{end}. Search resumes.",
    },
    "coord_well_booked": {
        "sv": "{person} är frisk, men {unit} {day} {start}–{end} är bokat av {sub}. "
              "Behåll eller släpp vikarien?",
        "en": "{person} is back, but {unit} {day} {start}–{end} is booked by {sub}. "
              "Keep or release the substitute?",
    },
    "btn_keep": {"sv": "Behåll vikarien", "en": "Keep substitute"},
    "btn_release": {"sv": "Släpp vikarien", "en": "Release substitute"},
    "coord_short_notice": {
        "sv": "Kort varsel: {unit} {day} {start}–{end} börjar om under 30 minuter. "
              "Erbjudet till alla behöriga.",
        "en": "Short notice: {unit} {day} {start}–{end} starts within 30 minutes. "
              "Offered to everyone eligible.",
    },
    # --- SMS keywords help ---
    "sms_help": {
        "sv": "Vikariebot: JA/NEJ + kod svarar på pass, PASS visar dina pass, SJUK anmäler "
              "frånvaro, FRISK friskanmäler, STOPP avslutar SMS.",
        "en": "Vikariebot: YES/NO + code answers offers, PASS lists shifts, SJUK reports sick, "
              "FRISK reports well, STOP ends SMS.",
    },
}

ROLE_NAMES: dict[str, dict[str, str]] = {
    "usk": {"sv": "undersköterska", "en": "assistant nurse"},
    "vardbitrade": {"sv": "vårdbiträde", "en": "care assistant"},
}
ROLE_NAMES_SMS: dict[str, dict[str, str]] = {
    "usk": {"sv": "usk", "en": "nurse asst"},
    "vardbitrade": {"sv": "vårdbitr.", "en": "care asst"},
}
REQUIREMENT_NAMES: dict[str, dict[str, str]] = {
    "korkort": {"sv": "körkort", "en": "driving licence"},
    "delegering": {"sv": "delegering", "en": "medication delegation"},
    "usk": {"sv": "usk", "en": "assistant nurse"},
}
WEEKDAYS = {
    "sv": ["mån", "tis", "ons", "tor", "fre", "lör", "sön"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}
CATEGORY_NAMES = {
    "sjuk": {"sv": "sjuk", "en": "sick"},
    "vab": {"sv": "VAB", "en": "caring for a sick child"},
    "annat": {"sv": "annat", "en": "other"},
}


def t(key: str, lang: str = "sv", **params: object) -> str:
    entry = CATALOG[key]
    template = entry.get(lang) or entry["sv"]
    return template.format(**params)


def day_label(when: dt.datetime, tz: ZoneInfo, lang: str = "sv") -> str:
    """'tis 1/12' in Swedish, 'Tue 1/12' in English, in local time."""
    local = when.astimezone(tz)
    return f"{WEEKDAYS.get(lang, WEEKDAYS['sv'])[local.weekday()]} {local.day}/{local.month}"


def hhmm(when: dt.datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%H:%M")


def role_name(role: str, lang: str = "sv", sms: bool = False) -> str:
    table = ROLE_NAMES_SMS if sms else ROLE_NAMES
    return table.get(role, {}).get(lang, role)


def requirement_names(codes: tuple[str, ...], lang: str = "sv") -> str:
    return ", ".join(REQUIREMENT_NAMES.get(c, {}).get(lang, c) for c in codes)
