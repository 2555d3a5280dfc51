"""Every text the bot shows: Swedish (the source) and English here, other languages in
the gettext catalogues of `bot.i18n` (bot/locale/<lang>/LC_MESSAGES/messages.po).

Handlers and services call `t(key, lang, **params)` (and `tn(key, n, lang, **params)` for
texts with plural forms); no user-facing literal lives elsewhere. SMS texts (keys ending in
`_sms`) use GSM-7 characters only in sv/en and fit one 160-character segment.
After adding or changing a text here, run `python -m bot.i18n_catalogues update`
(docs/translating.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_day_names
from babel.numbers import get_decimal_symbol

from bot.i18n import FSI, is_rtl, isolate, translations

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
    "offer_intro": {
        "sv": "\nHandledare {name} möter dig.",
        "en": "\nSupervisor {name} will meet you.",
    },
    "offer_intro_sms": {"sv": " Handledare {name} möter dig.", "en": " {name} meets you."},
    "btn_accept": {"sv": "Ta passet", "en": "Take shift"},
    "btn_decline": {"sv": "Nej tack", "en": "No thanks"},
    # --- bundled offers: several open shifts for one person in one message ---
    "offer_line": {
        "sv": "{day} {start}–{end}, {unit}\n{role}{reqs}{intro}",
        "en": "{day} {start}–{end}, {unit}\n{role}{reqs}{intro}",
    },
    "offer_line_sms": {
        "sv": "{code}: {unit} {day} {start}-{end} {role}{reqs}.{intro}",
        "en": "{code}: {unit} {day} {start}-{end} {role}{reqs}.{intro}",
    },
    "offer_bundle": {
        "sv": "Lediga pass – vill du ta något av dem?\n\n{lines}\n\nTryck på det pass du vill ta.",
        "en": "Open shifts – do you want one of them?\n\n{lines}\n\nPress the shift you want.",
    },
    "offer_bundle_sms": {
        "sv": "Vikariebot, lediga pass:\n{lines}\nSvara JA och koden för passet du vill ta, "
        "t.ex. JA {code}. NEJ och koden: nej tack.",
        "en": "Vikariebot, open shifts:\n{lines}\nReply YES and the code of the shift you "
        "want, e.g. YES {code}. NO and the code: no thanks.",
    },
    "btn_accept_at": {"sv": "Ta {day} {start}", "en": "Take {day} {start}"},
    "btn_decline_all": {"sv": "Nej tack till alla", "en": "No thanks to all"},
    "bundle_yours": {"sv": "✅ Ditt pass", "en": "✅ Yours"},
    "bundle_taken": {"sv": "Tillsatt", "en": "Filled"},
    "bundle_declined": {"sv": "Du tackade nej", "en": "You declined"},
    "bundle_closed": {"sv": "Inte längre öppet", "en": "No longer open"},
    # --- answers ---
    "booked": {
        "sv": "Bokat! Du har passet:\n{unit}\n{day} {start}–{end}\n{role}.{contact}\nTack!",
        "en": "Booked! The shift is yours:\n{unit}\n{day} {start}–{end}\n{role}.{contact}"
        "\nThank you!",
    },
    # {contact}: the contact_*_sms parts; the whole text may take two SMS segments.
    "booked_sms": {
        "sv": "Bokat: {unit} {day} {start}-{end}.{contact} Tack! Svara PASS för dina pass.",
        "en": "Booked: {unit} {day} {start}-{end}.{contact} Thanks! Reply PASS for your shifts.",
    },
    # The unit's own office and phone (never a care recipient's address), and the
    # handledare for someone not yet introduced at the unit.
    "contact_address": {"sv": "\nAdress: {address}", "en": "\nAddress: {address}"},
    "contact_phone": {"sv": "\nTelefon: {phone}", "en": "\nPhone: {phone}"},
    "contact_handledare": {"sv": "\nDin handledare: {name}", "en": "\nYour supervisor: {name}"},
    "contact_address_sms": {"sv": " Adress: {address}.", "en": " Address: {address}."},
    "contact_phone_sms": {"sv": " Tel {phone}.", "en": " Phone {phone}."},
    "contact_handledare_sms": {
        "sv": " Din handledare: {name}.",
        "en": " Your supervisor: {name}.",
    },
    # --- reminder the evening before (påminnelse) ---
    "reminder": {
        "sv": "Påminnelse: i morgon har du passet\n{unit}\n{day} {start}–{end}\n{role}."
        "{contact}\nKan du inte komma? Tryck på knappen.",
        "en": "Reminder: tomorrow you have the shift\n{unit}\n{day} {start}–{end}\n{role}."
        "{contact}\nCannot come? Press the button.",
    },
    "btn_cannot_come": {"sv": "Jag kan inte komma", "en": "I cannot come"},
    # Cancelling by SMS is AVBOKA + the date (handlers.sms.conversation: that day's bookings).
    "reminder_sms": {
        "sv": "Påminnelse: i morgon {unit} {day} {start}-{end}.{contact} "
        "Kan du inte komma? Svara AVBOKA {date}.",
        "en": "Reminder: tomorrow {unit} {day} {start}-{end}.{contact} "
        "Cannot come? Reply UNBOOK {date}.",
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
    "late_others": {
        "sv": " Du har fler förfrågningar öppna.",
        "en": " You have other open offers.",
    },
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
    "well_kept": {
        "sv": "Vikarien behålls på {unit} {day} {start}–{end}: du behöver inte komma på "
        "det passet.",
        "en": "The substitute keeps {unit} {day} {start}–{end}: you need not come in for it.",
    },
    "well_kept_sms": {
        "sv": "Vikarien behålls {unit} {day} {start}-{end}, du behöver inte komma då.",
        "en": "The substitute keeps {unit} {day} {start}-{end}, no need to come in.",
    },
    "well_back": {
        "sv": "Du jobbar som vanligt {unit} {day} {start}–{end}. Välkommen tillbaka!",
        "en": "You work as planned {unit} {day} {start}–{end}. Welcome back!",
    },
    "well_back_sms": {
        "sv": "Du jobbar som vanligt {unit} {day} {start}-{end}. Välkommen tillbaka!",
        "en": "You work as planned {unit} {day} {start}-{end}. Welcome back!",
    },
    "well_clash": {
        "sv": "{day} {start}–{end} kan du inte ta tillbaka: du har bokat ett annat pass för nära "
        "inpå. Vi söker vikarie som förut.",
        "en": "You cannot take back {day} {start}–{end}: another booked shift is too close. "
        "We keep looking for a substitute.",
    },
    "well_booked_pending": {
        "sv": "{day} {start}–{end} är redan tillsatt med vikarie: samordnaren ger besked om "
        "du ska jobba.",
        "en": "{day} {start}–{end} already has a substitute: the coordinator will tell you "
        "whether to work it.",
    },
    "booking_cancelled": {
        "sv": "Du är avbokad från {unit} {day} {start}–{end}. Vi söker en ny vikarie.",
        "en": "You are off {unit} {day} {start}–{end}. We are finding someone new.",
    },
    "offer_expired": {
        "sv": "Förfrågan gällde {day} {start}–{end} och är inte längre öppen.",
        "en": "The offer for {day} {start}–{end} is no longer open.",
    },
    "offer_conflict": {
        "sv": "Förfrågan om {unit} {day} {start}–{end} är stängd: du har nu ett annat pass då.",
        "en": "The offer for {unit} {day} {start}–{end} is closed: you now have another shift.",
    },
    "offer_conflict_sms": {
        "sv": "Förfrågan {unit} {day} {start}-{end} är stängd, du har ett annat pass då.",
        "en": "Offer {unit} {day} {start}-{end} closed, you have another shift then.",
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
    "well_nothing": {
        "sv": "Du har ingen pågående frånvaro.",
        "en": "You have no ongoing absence.",
    },
    # --- coordinator ---
    # The coordinator's alert as it changes (bot/domain/alerts.py): its first line per stage.
    "alert_searching": {
        "sv": "🔎 Söker vikarie: {unit} {day} {start}–{end} ({role}), vakans #{vid}.",
        "en": "🔎 Searching: {unit} {day} {start}–{end} ({role}), vacancy #{vid}.",
    },
    "alert_not_filled": {
        "sv": "⚠️ Ej tillsatt: {unit} {day} {start}–{end} ({role}), vakans #{vid}.",
        "en": "⚠️ Not filled: {unit} {day} {start}–{end} ({role}), vacancy #{vid}.",
    },
    "alert_filled": {
        "sv": "✅ Tillsatt: {unit} {day} {start}–{end} ({role}), vakans #{vid}.",
        "en": "✅ Filled: {unit} {day} {start}–{end} ({role}), vacancy #{vid}.",
    },
    "alert_cancelled": {
        "sv": "✖️ Avbruten: {unit} {day} {start}–{end} ({role}), vakans #{vid}.",
        "en": "✖️ Cancelled: {unit} {day} {start}–{end} ({role}), vacancy #{vid}.",
    },
    "alert_expired": {
        "sv": "❌ Passet började ej tillsatt: {unit} {day} {start}–{end} ({role}), vakans #{vid}.",
        "en": "❌ The shift began unfilled: {unit} {day} {start}–{end} ({role}), vacancy #{vid}.",
    },
    "alert_searching_counts": {
        "sv": "Söker bland {asked}: nej {declined}, inget svar {silent}.",
        "en": "Searching among {asked}: declined {declined}, silent {silent}.",
    },
    "alert_counts": {
        "sv": "Tillfrågade {asked}, nej {declined}, inget svar {silent}.",
        "en": "Asked {asked}, declined {declined}, silent {silent}.",
    },
    "alert_urgent": {
        "sv": "Kort varsel: erbjudet till alla behöriga på en gång.",
        "en": "Short notice: offered to everyone eligible at once.",
    },
    "alert_filled_by": {
        "sv": "{name} tog passet efter {after}.",
        "en": "{name} took the shift after {after}.",
    },
    "alert_reopened": {
        "sv": "🔁 Återöppnad: den bokade lämnade återbud.",
        "en": "🔁 Reopened: the booked substitute cancelled.",
    },
    "alert_widened": {"sv": "Breddad till ordinarie.", "en": "Widened to regular staff."},
    "alert_under_a_minute": {"sv": "under 1 min", "en": "under 1 min"},
    "why_nobody": {"sv": "Ingen behörig att fråga.", "en": "Nobody eligible to ask."},
    "why_all_declined": {
        "sv": "Alla tillfrågade har tackat nej.",
        "en": "Everyone asked has declined.",
    },
    "why_exhausted": {"sv": "Inga fler i poolen.", "en": "Nobody left in the pool."},
    "why_threshold": {"sv": "Passet börjar snart.", "en": "The shift starts soon."},
    "btn_widen": {"sv": "Bredda till ordinarie", "en": "Widen to regular staff"},
    "btn_fill": {"sv": "Tillsätt manuellt", "en": "Fill by hand"},
    "btn_cancel_vacancy": {"sv": "Avbryt vakansen", "en": "Cancel vacancy"},
    "coord_absence_no_shift": {
        "sv": "Frånvaro utan schemalagt pass: {person}, {period}.",
        "en": "Absence with no scheduled shift: {person}, {period}.",
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
    # A candidate's own answers, next to their name for coordinators only (never acted on).
    "coord_answer_counts": {
        "sv": "{declines} nej, {cancellations} återbud senaste {days} dagarna",
        "en": "{declines} declined, {cancellations} cancelled in the last {days} days",
    },
    # The response model's estimate for a candidate (`vikariebot explain`), coordinators only.
    "coord_response_estimate": {
        "sv": "ja ~{yes} %, typisk svarstid {minutes} min ({offers} tidigare förfrågningar)",
        "en": "yes ~{yes} %, typical answer delay {minutes} min ({offers} past offers)",
    },
    "btn_keep": {"sv": "Behåll vikarien", "en": "Keep substitute"},
    "btn_release": {"sv": "Släpp vikarien", "en": "Release substitute"},
    "coord_short_notice": {
        "sv": "Kort varsel: {unit} {day} {start}–{end} börjar om under 30 minuter. "
        "Erbjudet till alla behöriga.",
        "en": "Short notice: {unit} {day} {start}–{end} starts within 30 minutes. "
        "Offered to everyone eligible.",
    },
    # --- Telegram: linking (koppla konto) ---
    "tg_welcome": {
        "sv": "Hej! Jag är Vikariebot. Här anmäler du frånvaro, svarar på förfrågningar om "
        "pass och ser dina bokningar.\nTryck på knappen nedan och dela ditt "
        "telefonnummer, så kopplar jag dig till ditt konto.",
        "en": "Hi! I am Vikariebot. Here you report absence, answer shift offers and see "
        "your bookings.\nTap the button below to share your phone number and I will "
        "link you to your account.",
    },
    "tg_btn_share": {"sv": "📱 Dela mitt nummer", "en": "📱 Share my number"},
    "tg_link_help": {
        "sv": "Du är inte kopplad ännu. Skriv /start och dela ditt telefonnummer med knappen.",
        "en": "You are not linked yet. Send /start and share your phone number with the button.",
    },
    "tg_link_help_group": {
        "sv": "Skriv till mig privat och dela ditt nummer för att koppla ditt konto.",
        "en": "Write to me privately and share your number to link your account.",
    },
    "tg_link_not_own": {
        "sv": "Dela ditt eget nummer med knappen nedan, inte någon annans kontakt.",
        "en": "Share your own number with the button below, not someone else's contact.",
    },
    "tg_link_unknown": {
        "sv": "Jag hittar inte ditt nummer. Kontakta din samordnare så hjälper hen dig.",
        "en": "I cannot find your number. Please contact your coordinator for help.",
    },
    "tg_link_bad_code": {
        "sv": "Inbjudan gäller inte (fel, redan använd eller för gammal). Be din samordnare "
        "om en ny, eller dela ditt nummer med knappen.",
        "en": "The invitation is not valid (wrong, used or too old). Ask your coordinator "
        "for a new one, or share your number with the button.",
    },
    "tg_unlinked": {  # to the Telegram account a person's new one replaced
        "sv": "Ditt Telegramkonto är inte längre kopplat till Vikariebot.",
        "en": "Your Telegram account is no longer linked to Vikariebot.",
    },
    "tg_linked": {
        "sv": "Välkommen {name}! Ditt konto är kopplat.\n\n{can}",
        "en": "Welcome {name}! Your account is linked.\n\n{can}",
    },
    "tg_help_head": {"sv": "Det här kan du göra:", "en": "This is what you can do:"},
    "tg_can_staff": {
        "sv": '• Frånvaro: tryck Frånvaro, skriv /sjuk eller bara "sjuk imorgon". '
        "Frisk igen: /frisk.",
        "en": '• Absence: tap Absence, send /sjuk or just "sick tomorrow". Back at work: /frisk.',
    },
    "tg_can_substitute": {
        "sv": "• Förfrågningar om pass kommer hit: svara med knapparna.\n"
        "• /pass visar dina bokade pass (och avbokning), /ledig ställer in när du kan "
        "jobba eller pausar.",
        "en": "• Shift offers arrive here: answer with the buttons.\n"
        "• /pass lists your booked shifts (and cancelling), /ledig sets when you can "
        "work or pauses offers.",
    },
    "tg_can_coordinator": {
        "sv": "• /status visar tillsättningsläget (uppdateras löpande), /nytt skapar ett pass, "
        "/tillsatt, /avbryt och /forklara med vakansnummer hanterar en vakans.\n"
        "• /inbjud <id> ger en kopplingslänk, /enhetschatt i en grupp gör den till "
        "enhetens samordnarchatt.",
        "en": "• /status shows the fill board (kept up to date), /nytt creates a shift, "
        "/tillsatt, /avbryt and /forklara with a vacancy number handle a vacancy.\n"
        "• /inbjud <id> makes a link invitation, /enhetschatt in a group makes it the "
        "unit's coordinator chat.",
    },
    "tg_can_handledare": {
        "sv": "• Du får besked när nya vikarier ska introduceras på din enhet. "
        "/intro visar checklistorna.",
        "en": "• You are told when new substitutes are to be introduced at your unit. "
        "/intro shows the checklists.",
    },
    "tg_can_common": {
        "sv": "• /kanal väljer Telegram eller SMS, /sprak byter språk (English), "
        "/hjalp visar detta igen.",
        "en": "• /kanal chooses Telegram or SMS, /sprak switches language (svenska), "
        "/hjalp shows this again.",
    },
    "tg_unknown_input": {
        "sv": "Det förstod jag inte. /hjalp visar vad du kan göra.",
        "en": "I did not understand that. /hjalp shows what you can do.",
    },
    "tg_not_allowed": {
        "sv": "Det här är inte tillgängligt för dig. /hjalp visar vad du kan göra.",
        "en": "This is not available to you. /hjalp shows what you can do.",
    },
    "tg_stale": {
        "sv": "Den här frågan gäller inte längre.",
        "en": "This question is no longer open.",
    },
    "tg_error": {
        "sv": "Något gick fel. Försök igen om en stund.",
        "en": "Something went wrong. Please try again in a moment.",
    },
    "tg_dialog_cancelled": {"sv": "Okej, avbrutet.", "en": "OK, cancelled."},
    # a button of someone else's dialogue (in a group), or of an older message of one's own
    "tg_dialog_not_yours": {
        "sv": "Den här dialogen är inte din.",
        "en": "This dialogue is not yours.",
    },
    "tg_dialog_outdated": {
        "sv": "Den här listan är inte längre aktuell.",
        "en": "This list is no longer current.",
    },
    "tg_btn_cancel": {"sv": "Avbryt", "en": "Cancel"},
    "tg_btn_no": {"sv": "Nej", "en": "No"},
    "tg_btn_today": {"sv": "Idag", "en": "Today"},
    "tg_btn_tomorrow": {"sv": "Imorgon", "en": "Tomorrow"},
    # Reply-keyboard buttons (the main menu under the text field).
    "tg_btn_absence": {"sv": "Frånvaro", "en": "Absence"},
    "tg_btn_well": {"sv": "Frisk igen", "en": "Back at work"},
    "tg_btn_bookings": {"sv": "Mina pass", "en": "My shifts"},
    "tg_btn_availability": {"sv": "Tillgänglighet", "en": "Availability"},
    # --- Telegram: invitations (/inbjud) ---
    "tg_invite_usage": {
        "sv": "Skriv /inbjud följt av personens id, t.ex. /inbjud anst04.",
        "en": "Send /inbjud followed by the person's id, e.g. /inbjud anst04.",
    },
    "tg_invite_created": {
        "sv": "Inbjudan till {name} ({pid}), gäller till {until}:\n{link}\n"
        "Skicka länken till personen. Den fungerar en gång.",
        "en": "Invitation for {name} ({pid}), valid until {until}:\n{link}\n"
        "Send the link to the person. It works once.",
    },
    "tg_invite_unknown": {
        "sv": "Hittar ingen person med id {pid} på dina enheter.",
        "en": "No person with id {pid} at your units.",
    },
    # --- Telegram: staff absence (frånvaroanmälan) ---
    "tg_abs_pick": {
        "sv": "Vilka pass gäller frånvaron? Tryck för att välja, sedan Nästa.",
        "en": "Which shifts are you absent from? Tap to choose, then Next.",
    },
    "tg_abs_pick_noshift": {
        "sv": "Du har inga pass de närmaste dagarna. Vilken dag gäller frånvaron?",
        "en": "You have no shifts in the next few days. Which day are you absent?",
    },
    "tg_abs_day": {"sv": "{when} {day} (hela dagen)", "en": "{when} {day} (whole day)"},
    "tg_btn_next": {"sv": "Nästa ▶", "en": "Next ▶"},
    "tg_abs_pick_one": {"sv": "Välj minst ett pass.", "en": "Choose at least one shift."},
    "tg_abs_category": {"sv": "Vad gäller frånvaron?", "en": "What kind of absence?"},
    "tg_abs_confirm": {
        "sv": "Frånvaro ({category}):\n{items}\nSkicka anmälan?",
        "en": "Absence ({category}):\n{items}\nSend the report?",
    },
    "tg_btn_send": {"sv": "Ja, skicka", "en": "Yes, send"},
    "tg_abs_failed": {
        "sv": "Frånvaron kunde inte registreras. Försök igen med /sjuk eller ring din samordnare.",
        "en": "The absence could not be registered. Try again with /sjuk or call your coordinator.",
    },
    # --- Telegram: substitutes ---
    "tg_toast_booked": {"sv": "Bokat, passet är ditt!", "en": "Booked, the shift is yours!"},
    "tg_toast_late": {"sv": "Någon hann före.", "en": "Someone was faster."},
    "tg_toast_declined": {"sv": "Tack för svaret!", "en": "Thanks for answering!"},
    "tg_toast_not_open": {
        "sv": "Förfrågan är inte längre öppen.",
        "en": "The offer is no longer open.",
    },
    "tg_toast_not_eligible": {
        "sv": "Du kan inte ta passet längre.",
        "en": "You can no longer take this shift.",
    },
    "tg_toast_not_yours": {
        "sv": "Den här förfrågan är inte din.",
        "en": "This offer is not yours.",
    },
    "tg_toast_unknown": {"sv": "Förfrågan finns inte.", "en": "The offer does not exist."},
    "tg_bookings_none": {"sv": "Du har inga bokade pass.", "en": "You have no booked shifts."},
    "tg_bookings_head": {"sv": "Dina bokade pass:", "en": "Your booked shifts:"},
    # --- calendar link (kalenderlänk) ---
    "tg_btn_calendar": {"sv": "Kalender-länk", "en": "Calendar link"},
    "desk_title": {
        "sv": "Vikariebot – skrivbordet",
        "en": "Vikariebot – the desk",
    },
    "desk_login_heading": {
        "sv": "Logga in",
        "en": "Log in",
    },
    "desk_login_phone": {
        "sv": "Ditt mobilnummer",
        "en": "Your mobile number",
    },
    "desk_login_send": {
        "sv": "Skicka kod",
        "en": "Send code",
    },
    "desk_login_explain": {
        "sv": "Du får en engångskod i Telegram eller som SMS, dit Vikariebot brukar skriva "
        "till dig.",
        "en": "You get a one-time code in Telegram or by SMS, where Vikariebot usually "
        "writes to you.",
    },
    "desk_login_sent": {
        "sv": "Om numret hör till en samordnare har vi skickat en kod. Den gäller i 10 minuter.",
        "en": "If the number belongs to a coordinator, we have sent a code. It is valid for "
        "10 minutes.",
    },
    "desk_login_code": {
        "sv": "Kod",
        "en": "Code",
    },
    "desk_login_go": {
        "sv": "Logga in",
        "en": "Log in",
    },
    "desk_login_failed": {
        "sv": "Koden stämmer inte eller har gått ut. Be om en ny kod.",
        "en": "The code is wrong or has expired. Ask for a new one.",
    },
    "desk_link_failed": {
        "sv": "Länken är redan använd eller har gått ut. Be om en ny kod.",
        "en": "The link has been used or has expired. Ask for a new code.",
    },
    "desk_logout": {
        "sv": "Logga ut",
        "en": "Log out",
    },
    "desk_board": {
        "sv": "Tillsättning",
        "en": "Fill status",
    },
    "desk_board_live": {
        "sv": "Uppdateras av sig själv",
        "en": "Updates by itself",
    },
    "desk_no_vacancies": {
        "sv": "Inga vakanser.",
        "en": "No vacancies.",
    },
    "desk_today": {
        "sv": "Idag",
        "en": "Today",
    },
    "desk_state_waiting": {
        "sv": "Väntar: första förfrågan går ut {time}",
        "en": "Waiting: the first offers go out at {time}",
    },
    "desk_state_searching": {
        "sv": "Söker: våg {wave}, {asked} tillfrågade, {declined} nej",
        "en": "Searching: wave {wave}, {asked} asked, {declined} no",
    },
    "desk_state_escalated": {
        "sv": "Eskalerad",
        "en": "Escalated",
    },
    "desk_state_filled": {
        "sv": "Tillsatt: {name}",
        "en": "Filled: {name}",
    },
    "desk_state_cancelled": {
        "sv": "Avbruten",
        "en": "Cancelled",
    },
    "desk_state_expired": {
        "sv": "Ej tillsatt",
        "en": "Not filled",
    },
    "desk_next_step": {
        "sv": "nästa steg {time}",
        "en": "next step {time}",
    },
    "desk_after": {
        "sv": "efter {minutes} min",
        "en": "after {minutes} min",
    },
    "desk_units": {
        "sv": "Dina enheter: {units}",
        "en": "Your units: {units}",
    },
    "desk_forbidden": {
        "sv": "Det här får du inte se.",
        "en": "You may not see this.",
    },
    "desk_login": {
        "sv": "Din kod till Vikariebots skrivbord: {code} (gäller i 10 minuter). Eller öppna:\n"
        "{url}\nHar du inte bett om den? Strunta i det här meddelandet.",
        "en": "Your code for the Vikariebot desk: {code} (valid for 10 minutes). Or open:\n"
        "{url}\nDid not ask for it? Ignore this message.",
    },
    "desk_vacancy_heading": {
        "sv": "Vakans #{vid}",
        "en": "Vacancy #{vid}",
    },
    "desk_vacancy_unknown": {
        "sv": "Vakansen finns inte, eller hör inte till dina enheter.",
        "en": "The vacancy does not exist, or is not in your units.",
    },
    "desk_vacancy_filled": {
        "sv": "Tillsatt",
        "en": "Filled",
    },
    "desk_vacancy_searching": {
        "sv": "Söker vikarie, våg {wave}",
        "en": "Searching for a substitute, wave {wave}",
    },
    "desk_vacancy_widened": {
        "sv": "breddad till ordinarie",
        "en": "widened to regular staff",
    },
    "desk_back": {
        "sv": "Till tillsättningen",
        "en": "Back to fill status",
    },
    "desk_shift": {
        "sv": "Pass",
        "en": "Shift",
    },
    "desk_requirements": {
        "sv": "Krav",
        "en": "Requirements",
    },
    "desk_state": {
        "sv": "Läge",
        "en": "State",
    },
    "desk_timeline": {
        "sv": "Händelser",
        "en": "What happened",
    },
    "desk_candidates": {
        "sv": "Behöriga, i turordning",
        "en": "Eligible, in call-out order",
    },
    "desk_candidates_none": {
        "sv": "Ingen behörig just nu.",
        "en": "Nobody eligible right now.",
    },
    "desk_excluded": {
        "sv": "Stoppas av reglerna",
        "en": "Kept out by the rules",
    },
    "desk_excluded_hard": {
        "sv": "kan inte tillsättas (arbetstid eller dubbelbokning)",
        "en": "cannot be booked (working time or double booking)",
    },
    "desk_actions": {
        "sv": "Åtgärder",
        "en": "Actions",
    },
    "desk_widen": {
        "sv": "Bredda till ordinarie personal",
        "en": "Widen to regular staff",
    },
    "desk_widen_explain": {
        "sv": "Nästa våg frågar även ordinarie på mertid/övertid.",
        "en": "The next wave asks regular staff on extra time/overtime too.",
    },
    "desk_fill": {
        "sv": "Tillsätt manuellt",
        "en": "Fill by hand",
    },
    "desk_fill_person": {
        "sv": "Person",
        "en": "Person",
    },
    "desk_fill_choose": {
        "sv": "Välj person",
        "en": "Choose a person",
    },
    "desk_fill_blocked_group": {
        "sv": "Stoppas av reglerna (kräver motivering)",
        "en": "Kept out by the rules (needs a reason)",
    },
    "desk_fill_reason": {
        "sv": "Motivering (krävs om reglerna stoppar personen)",
        "en": "Reason (needed if the rules keep the person out)",
    },
    "desk_fill_go": {
        "sv": "Tillsätt",
        "en": "Book",
    },
    "desk_cancel": {
        "sv": "Avbryt vakansen",
        "en": "Cancel the vacancy",
    },
    "desk_cancel_explain": {
        "sv": "De som har fått förfrågan får veta att passet inte behövs.",
        "en": "Everyone asked is told the shift is no longer needed.",
    },
    "desk_release_heading": {
        "sv": "Frisk anmäld: behålla vikarien?",
        "en": "Reported well: keep the substitute?",
    },
    "desk_keep": {
        "sv": "Behåll vikarien",
        "en": "Keep the substitute",
    },
    "desk_release": {
        "sv": "Släpp vikarien",
        "en": "Release the substitute",
    },
    "desk_new": {
        "sv": "Ny vakans",
        "en": "New vacancy",
    },
    "desk_new_unit": {
        "sv": "Enhet",
        "en": "Unit",
    },
    "desk_new_date": {
        "sv": "Datum",
        "en": "Date",
    },
    "desk_new_start": {
        "sv": "Början",
        "en": "Start",
    },
    "desk_new_end": {
        "sv": "Slut",
        "en": "End",
    },
    "desk_new_role": {
        "sv": "Roll",
        "en": "Role",
    },
    "desk_new_go": {
        "sv": "Skapa och börja söka",
        "en": "Create and start searching",
    },
    "desk_new_bad": {
        "sv": "Kontrollera datum och tider: passet måste ligga i framtiden.",
        "en": "Check the date and times: the shift must be in the future.",
    },
    "desk_new_not_yours": {
        "sv": "Du samordnar inte den enheten.",
        "en": "You do not coordinate that unit.",
    },
    "desk_msg_created": {
        "sv": "Vakansen är skapad och sökningen har börjat.",
        "en": "The vacancy is created and the search has started.",
    },
    "desk_msg_widened": {
        "sv": "Breddad: nästa våg går ut nu.",
        "en": "Widened: the next wave goes out now.",
    },
    "desk_msg_filled": {
        "sv": "{name} är bokad.",
        "en": "{name} is booked.",
    },
    "desk_msg_filled_override": {
        "sv": "{name} är bokad trots reglerna; motiveringen är sparad.",
        "en": "{name} is booked despite the rules; the reason is recorded.",
    },
    "desk_msg_needs_reason": {
        "sv": "Reglerna stoppar {name}{blocks}. Skriv en motivering för att tillsätta ändå.",
        "en": "The rules keep {name} out{blocks}. Give a reason to book anyway.",
    },
    "desk_msg_forbidden": {
        "sv": "{name} kan inte tillsättas{blocks}. Ingen motivering ändrar det "
        "(arbetstidslagen eller dubbelbokning).",
        "en": "{name} cannot be booked{blocks}. No reason changes that "
        "(working-time law or double booking).",
    },
    "desk_msg_reason_short": {
        "sv": "Motiveringen är för kort.",
        "en": "The reason is too short.",
    },
    "desk_msg_no_person": {
        "sv": "Välj en person i listan.",
        "en": "Choose a person from the list.",
    },
    "desk_msg_cancelled": {
        "sv": "Vakansen är avbruten.",
        "en": "The vacancy is cancelled.",
    },
    "desk_msg_not_searching": {
        "sv": "Vakansen söker inte längre: inget ändrades.",
        "en": "The vacancy is no longer searching: nothing changed.",
    },
    "desk_msg_kept": {
        "sv": "Vikarien behålls.",
        "en": "The substitute is kept.",
    },
    "desk_msg_released": {
        "sv": "Vikarien är släppt och vakansen avbruten.",
        "en": "The substitute is released and the vacancy cancelled.",
    },
    "desk_msg_release_failed": {
        "sv": "Det gick inte: vakansen är inte tillsatt längre.",
        "en": "That did not work: the vacancy is no longer filled.",
    },
    "desk_tl_reported": {
        "sv": "Frånvaro anmäld",
        "en": "Absence reported",
    },
    "desk_tl_opened": {
        "sv": "Vakans skapad",
        "en": "Vacancy created",
    },
    "desk_tl_well": {
        "sv": "Frisk anmäld",
        "en": "Reported well",
    },
    "desk_tl_created": {
        "sv": "Skapad för hand",
        "en": "Created by hand",
    },
    "desk_tl_wave": {
        "sv": "Våg {wave}: {offers} förfrågningar",
        "en": "Wave {wave}: {offers} offers",
    },
    "desk_tl_widened": {
        "sv": "Breddad till ordinarie",
        "en": "Widened to regular staff",
    },
    "desk_tl_escalated": {
        "sv": "Eskalerad till samordnare",
        "en": "Escalated to coordinators",
    },
    "desk_tl_cancelled": {
        "sv": "Vakansen avbruten",
        "en": "Vacancy cancelled",
    },
    "desk_tl_expired": {
        "sv": "Passet började utan vikarie",
        "en": "The shift started without a substitute",
    },
    "desk_tl_kept": {
        "sv": "Vikarien behålls",
        "en": "The substitute is kept",
    },
    "desk_tl_offer": {
        "sv": "Förfrågan till {name} (våg {wave})",
        "en": "Offer to {name} (wave {wave})",
    },
    "desk_tl_yes": {
        "sv": "{name} svarade ja",
        "en": "{name} said yes",
    },
    "desk_tl_no": {
        "sv": "{name} svarade nej",
        "en": "{name} said no",
    },
    "desk_tl_late": {
        "sv": "{name} svarade ja för sent",
        "en": "{name} said yes too late",
    },
    "desk_tl_unreachable": {
        "sv": "{name} gick inte att nå",
        "en": "{name} could not be reached",
    },
    "desk_tl_booked": {
        "sv": "Bokad: {name}",
        "en": "Booked: {name}",
    },
    "desk_tl_by": {
        "sv": "av {name} ({channel})",
        "en": "by {name} ({channel})",
    },
    "desk_tl_reason": {
        "sv": "motivering: {reason}",
        "en": "reason: {reason}",
    },
    "desk_tl_unbooked": {
        "sv": "{name} lämnade återbud",
        "en": "{name} cancelled",
    },
    "desk_tl_released": {
        "sv": "{name} släppt",
        "en": "{name} released",
    },
    "desk_login_sms": {
        "sv": "Vikariebot: din inloggningskod är {code} (gäller 10 min). Bad du inte om den? "
        "Strunta i det.",
        "en": "Vikariebot: your login code is {code} (valid 10 min). Did not ask? Ignore it.",
    },
    "desk_nav": {
        "sv": "Skrivbordet",
        "en": "The desk",
    },
    "desk_report": {
        "sv": "Bemanningssiffror",
        "en": "Staffing figures",
    },
    "desk_report_from": {
        "sv": "Från och med",
        "en": "From",
    },
    "desk_report_to": {
        "sv": "Till och med",
        "en": "To (included)",
    },
    "desk_report_units": {
        "sv": "Enheter",
        "en": "Units",
    },
    "desk_report_show": {
        "sv": "Visa",
        "en": "Show",
    },
    "desk_report_csv": {
        "sv": "Ladda ner som CSV",
        "en": "Download as CSV",
    },
    "desk_report_period": {
        "sv": "Pass som börjar {first} – {last}.",
        "en": "Shifts starting {first} – {last}.",
    },
    "desk_report_figures": {
        "sv": "Siffror per enhet",
        "en": "Figures per unit",
    },
    "desk_report_figure": {
        "sv": "Siffra",
        "en": "Figure",
    },
    "desk_report_total": {
        "sv": "Totalt",
        "en": "Total",
    },
    "desk_report_charts": {
        "sv": "Diagram, alla valda enheter",
        "en": "Charts, all chosen units",
    },
    "desk_report_bad_date": {
        "sv": "Datumen måste skrivas ÅÅÅÅ-MM-DD, till exempel 2026-12-01.",
        "en": "Dates must be written YYYY-MM-DD, for example 2026-12-01.",
    },
    "desk_report_order": {
        "sv": "Sista dagen ligger före den första. Byt plats på datumen.",
        "en": "The last day is before the first. Swap the dates.",
    },
    "desk_report_too_long": {
        "sv": "Perioden får vara högst ett år.",
        "en": "The period may be a year at most.",
    },
    "desk_report_not_yours": {
        "sv": "Du kan bara se siffror för dina egna enheter.",
        "en": "You can only see figures for your own units.",
    },
    "desk_report_absences": {
        "sv": "Frånvaro",
        "en": "Absences",
    },
    "desk_report_all": {
        "sv": "Totalt",
        "en": "All",
    },
    "desk_report_weekdays": {
        "sv": "Frånvarande pass per veckodag",
        "en": "Absent shifts by weekday",
    },
    "desk_report_vacancies": {
        "sv": "Vakanser",
        "en": "Vacancies",
    },
    "desk_report_cancelled": {
        "sv": "avbrutna",
        "en": "cancelled",
    },
    "desk_report_escalated": {
        "sv": "eskalerade",
        "en": "escalated",
    },
    "desk_report_filled": {
        "sv": "tillsatta",
        "en": "filled",
    },
    "desk_report_before_start": {
        "sv": "tillsatta före passets start",
        "en": "filled before the shift began",
    },
    "desk_report_n_of": {
        "sv": "{n} av {m}",
        "en": "{n} of {m}",
    },
    "desk_report_covered": {
        "sv": "Vem täckte",
        "en": "Who covered",
    },
    "desk_report_time": {
        "sv": "Tid till tillsatt",
        "en": "Time to fill",
    },
    "desk_report_median": {
        "sv": "median",
        "en": "median",
    },
    "desk_report_p90": {
        "sv": "9 av 10 inom",
        "en": "9 in 10 within",
    },
    "desk_report_offers": {
        "sv": "tillfrågade per tillsatt vakans",
        "en": "asked per filled vacancy",
    },
    "desk_report_messages": {
        "sv": "meddelanden per tillsatt vakans",
        "en": "messages per filled vacancy",
    },
    "desk_report_hours": {
        "sv": "Timmar",
        "en": "Hours",
    },
    "desk_report_unfilled": {
        "sv": "Varför ej tillsatt",
        "en": "Why not filled",
    },
    "desk_cover_pool": {
        "sv": "pool",
        "en": "pool",
    },
    "desk_cover_hourly": {
        "sv": "timvikarie",
        "en": "hourly substitute",
    },
    "desk_cover_staff_extra": {
        "sv": "ordinarie, extra tid",
        "en": "staff, extra time",
    },
    "desk_cover_by_hand": {
        "sv": "för hand",
        "en": "by hand",
    },
    "desk_cover_unfilled": {
        "sv": "ej tillsatt",
        "en": "not filled",
    },
    "desk_unfilled_cancelled": {
        "sv": "avbruten",
        "en": "cancelled",
    },
    "desk_unfilled_searching": {
        "sv": "söker fortfarande",
        "en": "still searching",
    },
    "desk_unfilled_no_one_to_ask": {
        "sv": "ingen att fråga",
        "en": "no one to ask",
    },
    "desk_unfilled_all_declined": {
        "sv": "alla tackade nej",
        "en": "everyone said no",
    },
    "desk_unfilled_no_answer": {
        "sv": "inget svar",
        "en": "no answer",
    },
    "desk_intro": {
        "sv": "Introduktioner",
        "en": "Introductions",
    },
    "desk_intro_none": {
        "sv": "Inga introduktioner pågår på dina enheter.",
        "en": "No introductions in progress at your units.",
    },
    "desk_intro_unit": {
        "sv": "Enhet",
        "en": "Unit",
    },
    "desk_intro_person": {
        "sv": "Vikarie",
        "en": "Substitute",
    },
    "desk_intro_progress": {
        "sv": "Checklistan klar",
        "en": "Checklist done",
    },
    "desk_intro_supervised": {
        "sv": "Bredvidgång",
        "en": "Supervised shifts",
    },
    "desk_intro_last": {
        "sv": "Senast aktiv",
        "en": "Last active",
    },
    "desk_intro_stalled": {
        "sv": "har stått still i {days} dagar",
        "en": "stalled for {days} days",
    },
    "desk_intro_stalled_count": {
        "sv": "{n} står still: ingen har bockat av något på minst en vecka.",
        "en": "{n} stalled: nothing ticked for a week or more.",
    },
    "tg_calendar_link": {
        "sv": "Din privata kalenderlänk – lägg till den som prenumeration i mobilens "
        "kalender:\n{url}\nDela den inte: den som har länken ser dina pass.",
        "en": "Your private calendar link – add it as a subscription in your phone's "
        "calendar:\n{url}\nDo not share it: whoever has the link sees your shifts.",
    },
    "tg_private_only": {
        "sv": "Det här visar jag bara i din privata chatt med mig.",
        "en": "I only show this in your private chat with me.",
    },
    "tg_calendar_unavailable": {
        "sv": "Kalendern finns inte här: boten har ingen offentlig adress (VIKARIE_PUBLIC_URL).",
        "en": "The calendar is not available here: the bot has no public address "
        "(VIKARIE_PUBLIC_URL).",
    },
    "tg_calendar_exists": {
        "sv": "Du har redan en kalenderlänk. Den visas bara en gång. Vill du ha en ny? "
        "Den gamla slutar då fungera.",
        "en": "You already have a calendar link. It is shown only once. Do you want a new "
        "one? The old one then stops working.",
    },
    "tg_btn_calendar_new": {"sv": "Ny länk", "en": "New link"},
    "tg_btn_calendar_off": {"sv": "Stäng av kalendern", "en": "Turn the calendar off"},
    "tg_calendar_off": {"sv": "Kalenderlänken är avstängd.", "en": "Your calendar link is off."},
    "tg_calendar_none": {"sv": "Du har ingen kalenderlänk.", "en": "You have no calendar link."},
    "ical_summary": {"sv": "Pass: {unit}", "en": "Shift: {unit}"},
    "ical_name": {"sv": "Vikariebot – mina pass", "en": "Vikariebot – my shifts"},
    "tg_shifts_head": {"sv": "Dina schemalagda pass:", "en": "Your scheduled shifts:"},
    "tg_btn_unbook": {"sv": "Avboka {day} {start}", "en": "Cancel {day} {start}"},
    "tg_unbook_confirm": {
        "sv": "Avboka {line}? Är du säker? Då söker vi en ny vikarie.",
        "en": "Cancel {line}? Are you sure? We will then look for someone new.",
    },
    "tg_btn_unbook_yes": {"sv": "Ja, avboka", "en": "Yes, cancel"},
    "tg_unbook_done": {"sv": "Avbokat: {line}.", "en": "Cancelled: {line}."},
    "tg_unbook_failed": {
        "sv": "Det går inte att avboka (passet har börjat eller är redan avbokat). "
        "Ring din samordnare.",
        "en": "It cannot be cancelled (the shift has started or is already cancelled). "
        "Call your coordinator.",
    },
    "tg_unbook_kept": {"sv": "Bokningen ligger kvar.", "en": "The booking stays."},
    # --- Telegram: availability (/ledig) ---
    "tg_avail": {
        "sv": "Du tar pass: {days}\nTider: {times}\n{pause}\n\nTryck på en dag för att ändra. "
        "Tider: /ledig 07:00-16:00 (eller /ledig alla). Paus till och med ett datum: "
        "/ledig paus 2026-12-24.",
        "en": "You take shifts on: {days}\nTimes: {times}\n{pause}\n\nTap a day to change it. "
        "Times: /ledig 07:00-16:00 (or /ledig alla). Pause up to and including a date: "
        "/ledig paus 2026-12-24.",
    },
    "tg_avail_all_times": {"sv": "alla tider", "en": "any time"},
    "tg_avail_no_days": {"sv": "inga dagar", "en": "no days"},
    "tg_avail_paused": {
        "sv": "⏸ Pausad till {until}: du får inga förfrågningar.",
        "en": "⏸ Paused until {until}: you get no offers.",
    },
    "tg_avail_active": {"sv": "Inte pausad.", "en": "Not paused."},
    "tg_btn_pause_day": {"sv": "Paus 1 dag", "en": "Pause 1 day"},
    "tg_btn_pause_week": {"sv": "Paus 1 vecka", "en": "Pause 1 week"},
    "tg_btn_unpause": {"sv": "Ta bort paus", "en": "End pause"},
    "tg_btn_all_times": {"sv": "Alla tider", "en": "Any time"},
    "tg_avail_bad": {
        "sv": "Det förstod jag inte. Exempel: /ledig 07:00-16:00, /ledig alla, "
        "/ledig paus 2026-12-24, /ledig paus bort.",
        "en": "I did not understand. Examples: /ledig 07:00-16:00, /ledig alla, "
        "/ledig paus 2026-12-24, /ledig paus bort.",
    },
    # --- Telegram: channel and language ---
    "tg_channel_ask": {
        "sv": "Hur vill du få förfrågningar och besked? Nu: {current}.",
        "en": "How do you want offers and messages? Now: {current}.",
    },
    "tg_channel_telegram": {"sv": "Telegram", "en": "Telegram"},
    "tg_channel_sms": {"sv": "SMS", "en": "SMS"},
    "tg_channel_both": {"sv": "Telegram och SMS", "en": "Telegram and SMS"},
    "tg_channel_set": {"sv": "Klart: {current}.", "en": "Done: {current}."},
    "tg_channel_no_phone": {
        "sv": "Vi har inget mobilnummer till dig. Kontakta din samordnare för SMS.",
        "en": "We have no mobile number for you. Contact your coordinator for SMS.",
    },
    "tg_lang_set": {
        "sv": "Språket är nu svenska. /sprak byter till engelska.",
        "en": "The language is now English. /sprak switches back to Swedish.",
    },
    # --- Telegram: coordinators (samordnare) ---
    "tg_no_units": {
        "sv": "Du är inte samordnare för någon enhet.",
        "en": "You are not a coordinator of any unit.",
    },
    "tg_board_group_not_linked": {
        "sv": "Den här gruppen är inte kopplad till någon av dina enheter. Använd /status i "
        "din privata chatt eller koppla gruppen med /enhetschatt.",
        "en": "This group is not linked to any of your units. Use /status in your private "
        "chat, or link the group with /enhetschatt.",
    },
    "tg_group_registered": {
        "sv": "Den här gruppen är nu samordnarchatt för {unit}. Eskaleringar och besked "
        "kommer hit.",
        "en": "This group is now the coordinator chat of {unit}. Escalations and notices "
        "come here.",
    },
    "tg_group_only": {
        "sv": "Skriv /enhetschatt i gruppen som ska bli enhetens samordnarchatt.",
        "en": "Send /enhetschatt in the group that should become the unit's coordinator chat.",
    },
    "tg_group_which": {
        "sv": "Vilken enhet? Skriv /enhetschatt följt av enhetens id: {units}",
        "en": "Which unit? Send /enhetschatt followed by the unit id: {units}",
    },
    "tg_vacancy_usage": {
        "sv": "Skriv /{cmd} följt av vakansens nummer, t.ex. /{cmd} 12. Numren står i /status.",
        "en": "Send /{cmd} followed by the vacancy number, e.g. /{cmd} 12. See /status.",
    },
    "tg_vacancy_unknown": {
        "sv": "Hittar ingen vakans {vid} på dina enheter.",
        "en": "No vacancy {vid} at your units.",
    },
    "tg_widened": {
        "sv": "✓ Breddat av {name}: ordinarie personal tillfrågas också.",
        "en": "✓ Widened by {name}: regular staff are asked too.",
    },
    "tg_not_searching": {
        "sv": "Vakans #{vid} söker inte längre.",
        "en": "Vacancy #{vid} is no longer open.",
    },
    "tg_cancel_confirm": {
        "sv": "Avbryta vakans #{vid} ({line})? De tillfrågade får besked.",
        "en": "Cancel vacancy #{vid} ({line})? Everyone asked will be told.",
    },
    "tg_btn_cancel_yes": {"sv": "Ja, avbryt vakansen", "en": "Yes, cancel it"},
    "tg_vacancy_cancelled": {
        "sv": "Vakans #{vid} är avbruten.",
        "en": "Vacancy #{vid} is cancelled.",
    },
    "tg_vacancy_kept": {"sv": "Vakans #{vid} ligger kvar.", "en": "Vacancy #{vid} stays."},
    "tg_release_kept": {
        "sv": "✓ {name}: vikarien behålls.",
        "en": "✓ {name}: the substitute stays.",
    },
    "tg_release_done": {
        "sv": "✓ {name}: vikarien är avbokad och har fått besked.",
        "en": "✓ {name}: the substitute is released and has been told.",
    },
    "tg_release_failed": {
        "sv": "Vakansen är inte tillsatt längre.",
        "en": "The vacancy is no longer filled.",
    },
    "tg_fill_pick": {
        "sv": "Vem ska ta vakans #{vid} ({line})? Behöriga i turordning nedan, eller skriv "
        "namn eller id på någon annan.",
        "en": "Who takes vacancy #{vid} ({line})? Eligible people in order below, or type "
        "the name or id of someone else.",
    },
    "tg_fill_none": {
        "sv": "Ingen behörig just nu för vakans #{vid} ({line}). Skriv namn eller id på den "
        "du vill tillsätta, eller /avbryt.",
        "en": "Nobody eligible right now for vacancy #{vid} ({line}). Type the name or id "
        "of the person to book, or /avbryt.",
    },
    "tg_fill_many": {"sv": "Flera träffar, välj:", "en": "Several matches, choose:"},
    "tg_fill_no_match": {
        "sv": "Hittar ingen med det namnet. Försök igen eller /avbryt.",
        "en": "Nobody by that name. Try again or /avbryt.",
    },
    "tg_fill_forbidden": {
        "sv": "{name} kan inte tillsättas:\n{blocks}\nVila, dubbelbokning och passlängd går "
        "inte att göra undantag från. Välj någon annan, eller /avbryt.",
        "en": "{name} cannot be booked:\n{blocks}\nRest, double bookings and shift length "
        "allow no exceptions. Pick someone else, or /avbryt.",
    },
    "tg_fill_blocked": {
        "sv": "{name} kan inte tas utan undantag:\n{blocks}\nSkriv en motivering för att "
        "tillsätta ändå, eller /avbryt.",
        "en": "{name} needs an exception:\n{blocks}\nType a reason to book anyway, or /avbryt.",
    },
    "tg_fill_reason_short": {
        "sv": "Skriv en motivering med några ord, eller /avbryt.",
        "en": "Please give a reason in a few words, or /avbryt.",
    },
    "tg_fill_done": {
        "sv": "✓ Tillsatt: {name} på vakans #{vid}.",
        "en": "✓ Booked: {name} on vacancy #{vid}.",
    },
    "tg_fill_done_override": {
        "sv": "✓ Tillsatt: {name} på vakans #{vid} (undantag: {reason}).",
        "en": "✓ Booked: {name} on vacancy #{vid} (exception: {reason}).",
    },
    "tg_new_unit": {"sv": "Nytt pass: vilken enhet?", "en": "New shift: which unit?"},
    "tg_new_date": {
        "sv": "Vilken dag? Tryck, eller skriv ett datum (2026-12-24).",
        "en": "Which day? Tap, or type a date (2026-12-24).",
    },
    "tg_new_bad_date": {
        "sv": "Det datumet förstod jag inte, eller så har det passerat. Skriv t.ex. 2026-12-24.",
        "en": "I did not understand that date, or it has passed. Type e.g. 2026-12-24.",
    },
    "tg_new_time": {
        "sv": "Vilken tid? Skriv t.ex. 07:00-16:00.",
        "en": "What time? Type e.g. 07:00-16:00.",
    },
    "tg_new_bad_time": {
        "sv": "Den tiden förstod jag inte, eller så har passet redan börjat. "
        "Skriv t.ex. 07:00-16:00.",
        "en": "I did not understand that time, or the shift has already started. "
        "Type e.g. 07:00-16:00.",
    },
    "tg_new_role": {"sv": "Vilken yrkesroll?", "en": "Which role?"},
    "tg_new_confirm": {
        "sv": "Skapa pass: {unit} {day} {start}–{end}, {role}?",
        "en": "Create shift: {unit} {day} {start}–{end}, {role}?",
    },
    "tg_btn_create": {"sv": "Ja, skapa", "en": "Yes, create"},
    "tg_new_created": {
        "sv": "✓ Vakans #{vid} skapad: {line}. Sökningen har börjat.",
        "en": "✓ Vacancy #{vid} created: {line}. The search has started.",
    },
    # Command menu (setMyCommands) descriptions.
    "tg_cmd_start": {"sv": "Koppla ditt konto", "en": "Link your account"},
    "tg_cmd_hjalp": {"sv": "Vad kan jag göra?", "en": "What can I do?"},
    "tg_cmd_sjuk": {"sv": "Anmäl frånvaro", "en": "Report absence"},
    "tg_cmd_frisk": {"sv": "Friskanmäl dig", "en": "Report back at work"},
    "tg_cmd_pass": {"sv": "Mina bokade pass", "en": "My booked shifts"},
    "tg_cmd_ledig": {"sv": "När jag kan jobba, paus", "en": "When I can work, pause"},
    "tg_cmd_kanal": {"sv": "Telegram eller SMS", "en": "Telegram or SMS"},
    "tg_cmd_sprak": {"sv": "Byt språk (English)", "en": "Switch language (svenska)"},
    "tg_cmd_status": {"sv": "Tillsättningsläget (samordnare)", "en": "Fill board (coordinators)"},
    "tg_cmd_nytt": {"sv": "Nytt pass (samordnare)", "en": "New shift (coordinators)"},
    # --- introduction of new substitutes (introduktion, handledare) ---
    "intro_coming_first": {
        "sv": "Ny vikarie att introducera: {name} kommer {day} {start}–{end} ({unit}). "
        "Checklistan: /intro",
        "en": "New substitute to introduce: {name} comes {day} {start}–{end} ({unit}). "
        "Checklist: /intro",
    },
    "intro_coming_first_sms": {
        "sv": "Vikariebot: ny vikarie att introducera, {name}, kommer {day} {start}-{end} "
        "({unit}).",
        "en": "Vikariebot: new substitute to introduce, {name}, comes {day} {start}-{end} "
        "({unit}).",
    },
    "intro_coming_next": {
        "sv": "{name} (under introduktion) kommer {day} {start}–{end} ({unit}): "
        "bredvidgång {n} av {of}.",
        "en": "{name} (being introduced) comes {day} {start}–{end} ({unit}): "
        "supervised shift {n} of {of}.",
    },
    "intro_coming_next_sms": {
        "sv": "Vikariebot: {name} (introduktion) kommer {day} {start}-{end} ({unit}), "
        "bredvidgång {n} av {of}.",
        "en": "Vikariebot: {name} (introduction) comes {day} {start}-{end} ({unit}), "
        "supervised shift {n} of {of}.",
    },
    "intro_welcome": {
        "sv": "Välkommen till {unit}! Din introduktion har börjat: /intro visar checklistan.",
        "en": "Welcome to {unit}! Your introduction has started: /intro shows the checklist.",
    },
    "intro_signed_sub": {
        "sv": "Du är nu introducerad på {unit}. Välkommen!",
        "en": "You are now introduced at {unit}. Welcome!",
    },
    "intro_signed_sub_sms": {
        "sv": "Vikariebot: du är nu introducerad på {unit}. Välkommen!",
        "en": "Vikariebot: you are now introduced at {unit}. Welcome!",
    },
    "intro_stale_handledare": {
        "sv": "Påminnelse: introduktionen av {name} på {unit} har stått still i {days} dagar "
        "({progress} klart). /intro",
        "en": "Reminder: the introduction of {name} at {unit} has not moved for {days} days "
        "({progress} done). /intro",
    },
    "intro_stale_handledare_sms": {
        "sv": "Vikariebot: introduktionen av {name} på {unit} har stått still i {days} dagar "
        "({progress} klart).",
        "en": "Vikariebot: the introduction of {name} at {unit} has not moved for {days} days "
        "({progress} done).",
    },
    "intro_stale_coordinator": {
        "sv": "Introduktionen av {name} på {unit} har stått still i {days} dagar "
        "({progress} klart). Handledaren är påmind.",
        "en": "The introduction of {name} at {unit} has not moved for {days} days "
        "({progress} done). The handledare was reminded.",
    },
    "intro_stale_coordinator_sms": {
        "sv": "Vikariebot: introduktionen av {name} på {unit} har stått still i {days} dagar "
        "({progress} klart).",
        "en": "Vikariebot: the introduction of {name} at {unit} has not moved for {days} days "
        "({progress} done).",
    },
    "intro_none": {"sv": "Inga pågående introduktioner.", "en": "No introductions in progress."},
    "intro_list_head": {
        "sv": "Pågående introduktioner – välj en:",
        "en": "Introductions in progress – pick one:",
    },
    "intro_list_item": {"sv": "{name} ({unit}) {progress}", "en": "{name} ({unit}) {progress}"},
    "intro_head": {
        "sv": "Introduktion: {name}, {unit}\nKlart {progress} · bredvidgång {supervised}{booked}",
        "en": "Introduction: {name}, {unit}\nDone {progress} · supervised shifts "
        "{supervised}{booked}",
    },
    "intro_booked": {"sv": " (+{n} bokad)", "en": " (+{n} booked)"},
    "intro_waiting": {
        "sv": "Väntar på {name}s bekräftelse: {items}",
        "en": "Waiting for {name} to confirm: {items}",
    },
    "intro_notes_head": {"sv": "Anteckningar:", "en": "Notes:"},
    "intro_left": {"sv": "Kvar: {n} punkter.", "en": "Left: {n} items."},
    "intro_need_supervised": {
        "sv": "Signeras efter bredvidgång: {done} av {of} gjorda.",
        "en": "Sign-off after supervised shifts: {done} of {of} done.",
    },
    "intro_ready": {
        "sv": "Allt klart – tryck Signera.",
        "en": "All done – press Sign off.",
    },
    "intro_btn_sign": {"sv": "✍️ Signera", "en": "✍️ Sign off"},
    "intro_btn_refresh": {"sv": "🔄 Uppdatera", "en": "🔄 Refresh"},
    "intro_signed": {
        "sv": "✅ {name} är introducerad på {unit} (signerat {day}).",
        "en": "✅ {name} is introduced at {unit} (signed off {day}).",
    },
    "intro_note_prompt": {
        "sv": "Anteckning till punkt {pos} ({text}): skriv den som nästa meddelande, "
        "eller - för ingen.",
        "en": "Note for item {pos} ({text}): send it as your next message, or - for none.",
    },
    "intro_note_saved": {"sv": "Sparat.", "en": "Saved."},
    "intro_own_head": {
        "sv": "Din introduktion på {unit}\nKlart {progress} · bredvidgång {supervised}{booked}",
        "en": "Your introduction at {unit}\nDone {progress} · supervised shifts "
        "{supervised}{booked}",
    },
    "intro_own_confirm": {
        "sv": "Bekräfta med knapparna det du gått igenom med handledaren.",
        "en": "Confirm with the buttons what you went through with your handledare.",
    },
    "intro_own_left_head": {"sv": "Kvar:", "en": "Left:"},
    "intro_btn_confirm": {"sv": "Bekräfta {pos}. {text}", "en": "Confirm {pos}. {text}"},
    "intro_confirmed": {"sv": "Tack, bekräftat.", "en": "Thanks, confirmed."},
    "intro_confirm_first": {
        "sv": "Handledaren har inte bockat av punkten än.",
        "en": "The handledare has not ticked this item yet.",
    },
    "intro_not_allowed": {
        "sv": "Det här får bara enhetens handledare göra.",
        "en": "Only the unit's handledare can do this.",
    },
    "intro_not_ready": {"sv": "Inte klart att signera än.", "en": "Not ready to sign off yet."},
    "intro_gone": {
        "sv": "Checklistan är redan signerad eller finns inte.",
        "en": "The checklist is already signed off or does not exist.",
    },
    "tg_cmd_intro": {"sv": "Introduktion av nya vikarier", "en": "Introducing new substitutes"},
    "tg_cmd_introduktion": {
        "sv": "Introduktioner som pågår (samordnare)",
        "en": "Introductions in progress (coordinators)",
    },
    "intro_overview_head": {"sv": "Introduktioner som pågår:", "en": "Introductions in progress:"},
    "intro_overview_line": {
        "sv": "• {unit}: {name} {progress}, bredvidgång {supervised}, senast aktiv {last}",
        "en": "• {unit}: {name} {progress}, supervised shifts {supervised}, last active {last}",
    },
    # --- SMS keywords help ---
    "sms_help": {
        "sv": "Vikariebot: JA/NEJ + kod svarar, PASS visar dina pass, AVBOKA + datum avbokar, "
        "SJUK/FRISK anmäler frånvaro, KANAL byter kanal, STOPP avslutar SMS.",
        "en": "Vikariebot: YES/NO + code answers offers, PASS lists shifts, UNBOOK + date "
        "cancels one, SJUK/FRISK reports sick/well, KANAL picks channel, STOP ends SMS.",
    },
    # --- SMS ---
    # Every sms_* text is GSM-7 and fits one SMS (160) at its longest realistic values:
    # tests/sms/test_templates.py renders them all.
    "sms_unknown_sender": {
        "sv": "Vikariebot: numret finns inte hos oss. Kontakta din samordnare för att komma med.",
        "en": "Vikariebot: this number is not registered. Contact your coordinator to join.",
    },
    "sms_not_understood": {
        "sv": "Det förstod jag inte. Svara JA eller NEJ + kod, PASS, AVBOKA, SJUK, FRISK, "
        "KANAL eller HJÄLP.",
        "en": "I did not understand. Reply YES or NO + code, PASS, UNBOOK, SJUK, FRISK, KANAL "
        "or HELP.",
    },
    "sms_which_offer": {
        "sv": "{lead} Svara JA eller NEJ + kod: {offers}",
        "en": "{lead} Reply YES or NO + code: {offers}",
    },
    "sms_lead_many": {
        "sv": "Du har {count} öppna förfrågningar.",
        "en": "You have {count} open offers.",
    },
    "sms_lead_bad_code": {
        "sv": "Ingen öppen förfrågan har kod {code}.",
        "en": "No open offer has code {code}.",
    },
    "sms_offer_item": {"sv": "{code}: {day} {start}-{end}", "en": "{code}: {day} {start}-{end}"},
    "sms_more": {"sv": " +{count} till", "en": " +{count} more"},
    "sms_no_open_offers": {
        "sv": "Du har ingen öppen förfrågan just nu. Svara PASS för dina bokade pass.",
        "en": "You have no open offer right now. Reply PASS for your booked shifts.",
    },
    "sms_sick_no_shift_day": {
        "sv": "Du har inget pass {day}, så ingen frånvaro registrerades. Annan dag? "
        "Svara t.ex. SJUK IMORGON eller SJUK 24/12.",
        "en": "You have no shift on {day}, so no absence was registered. Another day? "
        "Reply e.g. SJUK IMORGON or SJUK 24/12.",
    },
    "sms_sick_booking": {
        "sv": "Krya på dig! Du är avbokad från {shifts} och vi söker en ny vikarie.",
        "en": "Get well! You are off {shifts} and we are finding someone new.",
    },
    "sms_sick_no_shift": {
        "sv": "Du har inget pass de närmaste {days} dagarna, så ingen frånvaro "
        "registrerades. Frågor? Kontakta din samordnare.",
        "en": "You have no shift in the next {days} days, so no absence was registered. "
        "Questions? Contact your coordinator.",
    },
    "sms_bookings": {"sv": "Dina pass: {items}", "en": "Your shifts: {items}"},
    "sms_booking_item": {
        "sv": "{day} {start}-{end} {unit}",
        "en": "{day} {start}-{end} {unit}",
    },
    "sms_no_bookings": {"sv": "Du har inga bokade pass.", "en": "You have no booked shifts."},
    # AVBOKA (I cannot come): {items} are sms_unbooked_item joined by "; ".
    "sms_unbooked": {
        "sv": "Avbokat: {items}. Tack för att du sa till! Vi söker en ny vikarie.",
        "en": "Cancelled: {items}. Thank you for letting us know! We are finding someone new.",
    },
    "sms_unbooked_item": {"sv": "{day} {start}-{end}, {unit}", "en": "{day} {start}-{end}, {unit}"},
    "sms_unbook_none_on_day": {
        "sv": "Du har inget pass att avboka {day}. Dina pass: {items}",
        "en": "You have no shift to cancel on {day}. Your shifts: {items}",
    },
    "sms_unbook_none_on_day_nothing_booked": {
        "sv": "Du har inget pass att avboka {day}, och inga andra bokade pass.",
        "en": "You have no shift to cancel on {day}, and no other booked shifts.",
    },
    "sms_unbook_nothing_booked": {
        "sv": "Du har inga kommande bokade pass att avboka.",
        "en": "You have no upcoming booked shifts to cancel.",
    },
    "sms_stopped": {
        "sv": "Du får inga fler SMS från Vikariebot. Svara START för att börja igen.",
        "en": "You will get no more SMS from Vikariebot. Reply START to start again.",
    },
    "sms_started": {
        "sv": "Du får SMS från Vikariebot igen. Svara STOPP för att sluta.",
        "en": "You will get SMS from Vikariebot again. Reply STOP to stop.",
    },
    "sms_channel_set": {
        "sv": "Klart: du får förfrågningar och besked via {channel}.",
        "en": "Done: you get offers and messages by {channel}.",
    },
    "sms_channel_telegram": {"sv": "Telegram", "en": "Telegram"},
    "sms_channel_sms": {"sv": "SMS", "en": "SMS"},
    "sms_channel_both": {"sv": "Telegram och SMS", "en": "Telegram and SMS"},
    "sms_channel_help": {
        "sv": "Svara KANAL TELEGRAM, KANAL SMS eller KANAL BÅDA för att välja hur du får "
        "meddelanden.",
        "en": "Reply KANAL TELEGRAM, KANAL SMS or KANAL BOTH to choose how you get messages.",
    },
    "sms_channel_no_telegram": {
        "sv": "Telegram är inte kopplat än. Starta Vikariebot i Telegram och dela ditt "
        "nummer, svara sedan KANAL TELEGRAM.",
        "en": "Telegram is not linked yet. Start Vikariebot in Telegram and share your "
        "number, then reply KANAL TELEGRAM.",
    },
    "coord_sms_invalid": {
        "sv": "SMS når inte {person} ({phone}): numret är ogiltigt eller ingen mobil "
        "(fel {error}). Rätta numret i personalregistret.",
        "en": "SMS cannot reach {person} ({phone}): the number is invalid or not a mobile "
        "(error {error}). Please correct it in the staff register.",
    },
    "coord_sms_invalid_sms": {
        "sv": "Vikariebot: SMS når inte {person} ({phone}), numret är ogiltigt eller ingen "
        "mobil (fel {error}). Rätta numret.",
        "en": "Vikariebot: SMS cannot reach {person} ({phone}), the number is invalid or "
        "not a mobile (error {error}). Please correct it.",
    },
    # --- the fill board (tillsättningsläget), bot.domain.board ---
    "board_title": {"sv": "Tillsättning {date}", "en": "Fill board {date}"},
    "board_title_day": {"sv": "Tillsättning {weekday} {date}", "en": "Fill board {weekday} {date}"},
    "board_day_empty": {"sv": "{title}: inga vakanser.", "en": "{title}: no vacancies."},
    "board_day_head": {
        "sv": "{title}: {filled}/{live} tillsatta",
        "en": "{title}: {filled}/{live} filled",
    },
    "board_none_ahead": {
        "sv": "Kommande {days} dagar: inga vakanser.",
        "en": "Next {days} days: no vacancies.",
    },
    "board_filled": {"sv": "✅ tillsatt: {name}", "en": "✅ filled: {name}"},
    "board_searching": {
        "sv": "🔎 söker: våg {wave}, {asked} tillfrågade, {declined} nej{escalated}",
        "en": "🔎 searching: wave {wave}, {asked} asked, {declined} no{escalated}",
    },
    "board_escalated": {"sv": " ⚠️ eskalerad", "en": " ⚠️ escalated"},
    "board_cancelled": {"sv": "✖️ avbruten", "en": "✖️ cancelled"},
    "board_expired": {"sv": "❌ ej tillsatt", "en": "❌ not filled"},
    # --- why who is asked (/forklara, vikariebot explain), bot.domain.ranking.explain ---
    "explain_missing": {"sv": "Vakans {vid} finns inte.", "en": "Vacancy {vid} does not exist."},
    "explain_state": {
        "sv": "Vakans {vid}: {unit}, {start}–{end}, {role}, status {status}, våg {wave}",
        "en": "Vacancy {vid}: {unit}, {start}–{end}, {role}, status {status}, wave {wave}",
    },
    "explain_tally": {
        "sv": "Tillfrågade {asked}, nej {declined}, inget svar {silent}; {yes} ja.",
        "en": "Asked {asked}, no {declined}, no answer {silent}; {yes} yes.",
    },
    "explain_head": {
        "sv": "Vakans {vid}: {unit}, {span} ({role}{reqs})",
        "en": "Vacancy {vid}: {unit}, {span} ({role}{reqs})",
    },
    "explain_reqs": {"sv": "; krav: {reqs}", "en": "; requires: {reqs}"},
    "explain_ranked": {"sv": "Behöriga, i turordning: {n}", "en": "Eligible, in order: {n}"},
    "explain_ranked_line": {
        "sv": "  {n}. {name} ({pid}) – nivå {tier} {tier_name}: {reasons}",
        "en": "  {n}. {name} ({pid}) – tier {tier} {tier_name}: {reasons}",
    },
    "explain_excluded": {"sv": "Uteslutna: {n}", "en": "Excluded: {n}"},
    "explain_none": {"sv": "  (inga)", "en": "  (none)"},
    # --- helper "channels": added for issue #12 ---
    "tg_avail_past_date": {
        "sv": "Det datumet har redan varit. Skriv ett kommande datum, t.ex. /ledig paus 24/12.",
        "en": "That date has passed. Give a coming date, e.g. /ledig paus 24/12.",
    },
    # --- languages (bot.i18n.LANGUAGES): /sprak and the SMS keyword SPRÅK ---
    "tg_lang_list": {
        "sv": "Fler språk: {choices}",
        "en": "More languages: {choices}",
    },
    "sms_lang_set": {
        "sv": "Klart: svenska.",
        "en": "Done: English.",
    },
    "sms_lang_help": {
        "sv": "Svara SPRÅK och en språkkod: {codes}",
        "en": "Reply LANGUAGE and a code: {codes}",
    },
}

ROLE_NAMES: dict[str, dict[str, str]] = {
    "usk": {"sv": "undersköterska", "en": "assistant nurse"},
    "vardbitrade": {"sv": "vårdbiträde", "en": "care assistant"},
}
ROLE_NAMES_SMS: dict[str, dict[str, str]] = {
    "usk": {"sv": "usk", "en": "nurse asst"},
    "vardbitrade": {"sv": "vårdbiträde", "en": "care asst"},
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
# Why the rules keep someone from a vacancy, or warn (`bot.domain.eligibility`): one entry
# per `Reason.key` ("reason_" + code, + "_" + variant when a code has more than one wording).
# Float params are hours, `role` is a role code and `weekday` is 1 (Monday) to 7; see
# `reason_text`.
REASONS: dict[str, dict[str, str]] = {
    "reason_inactive": {"sv": "inaktiv", "en": "inactive"},
    "reason_absent": {
        "sv": "är själv frånvarande från passet",
        "en": "is absent from this shift themselves",
    },
    "reason_absent_scheduled": {
        "sv": "har själv passet i schemat",
        "en": "has this shift in their own schedule",
    },
    "reason_not_callable": {
        "sv": "varken vikarie eller ordinarie personal",
        "en": "neither a substitute nor regular staff",
    },
    "reason_not_callable_staff": {
        "sv": "ordinarie personal – tillfrågas bara när samordnaren vidgar utskicket",
        "en": "regular staff – asked only when the coordinator widens the call-out",
    },
    "reason_started": {"sv": "passet har redan börjat", "en": "the shift has already started"},
    "reason_short_notice": {
        "sv": "kort varsel: passet börjar om {minutes} min",
        "en": "short notice: the shift starts in {minutes} min",
    },
    "reason_role": {"sv": "saknar behörighet: {role}", "en": "not qualified as: {role}"},
    "reason_role_expired": {
        "sv": "behörighet {role} gick ut {expired}",
        "en": "qualification {role} expired {expired}",
    },
    "reason_qualification": {
        "sv": "saknar krav: {requirement}",
        "en": "missing requirement: {requirement}",
    },
    "reason_qualification_expired": {
        "sv": "{requirement} gick ut {expired}",
        "en": "{requirement} expired {expired}",
    },
    "reason_not_introduced_no_handledare": {
        "sv": "inte introducerad på enheten (ingen handledare i tjänst)",
        "en": "not introduced at the unit (no supervisor on duty)",
    },
    "reason_not_introduced_slot_taken": {
        "sv": "inte introducerad på enheten (en annan ointroducerad är redan bokad samtidigt)",
        "en": "not introduced at the unit (someone else not introduced is already booked "
        "at the same time)",
    },
    "reason_overlap": {"sv": "krockar med pass {span}", "en": "clashes with shift {span}"},
    "reason_rest_before": {
        "sv": "vila före passet {rest} < {need}",
        "en": "rest before the shift {rest} < {need}",
    },
    "reason_rest_after": {
        "sv": "vila efter passet {rest} < {need}",
        "en": "rest after the shift {rest} < {need}",
    },
    "reason_weekly_rest": {
        "sv": "veckovila högst {longest} < {need} (vecka {week})",
        "en": "weekly rest at most {longest} < {need} (week {week})",
    },
    "reason_shift_too_long": {
        "sv": "passet är {length} > {limit}",
        "en": "the shift is {length} > {limit}",
    },
    "reason_week_hours": {
        "sv": "veckan blir {hours} > {limit}",
        "en": "the week comes to {hours} > {limit}",
    },
    "reason_max_hours_week": {
        "sv": "över egen veckogräns: {hours} > {limit}",
        "en": "over own weekly limit: {hours} > {limit}",
    },
    "reason_month_hours": {
        "sv": "månaden blir {hours} > {limit}",
        "en": "the month comes to {hours} > {limit}",
    },
    "reason_overtime_month": {
        "sv": "mertid/övertid månaden blir {hours} > {limit}",
        "en": "extra time/overtime this month comes to {hours} > {limit}",
    },
    "reason_overtime_year": {
        "sv": "mertid/övertid året blir {hours} > {limit}",
        "en": "extra time/overtime this year comes to {hours} > {limit}",
    },
    "reason_night_work": {
        "sv": "nattarbete: {hours} på ett dygn > {limit}",
        "en": "night work: {hours} in 24 hours > {limit}",
    },
    "reason_consecutive_days": {
        "sv": "{days} dagar i rad > {limit}",
        "en": "{days} days in a row > {limit}",
    },
    "reason_paused": {"sv": "pausad till {until}", "en": "paused until {until}"},
    "reason_unavailable": {
        "sv": "markerad otillgänglig {span}",
        "en": "marked unavailable {span}",
    },
    "reason_weekday": {"sv": "tar inte pass på {weekday}", "en": "takes no shifts on {weekday}"},
    "reason_time_window": {
        "sv": "tar pass bara {start}–{end}",
        "en": "takes shifts only {start}–{end}",
    },
    "reason_unreachable": {
        "sv": "kan inte nås (varken Telegram eller SMS)",
        "en": "cannot be reached (neither Telegram nor SMS)",
    },
}
WEEKDAY_PLURALS = {  # "tar inte pass på onsdagar"
    "sv": ["måndagar", "tisdagar", "onsdagar", "torsdagar", "fredagar", "lördagar", "söndagar"],
    "en": ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"],
}
CATEGORY_NAMES = {
    "sjuk": {"sv": "sjuk", "en": "sick"},
    "vab": {"sv": "VAB", "en": "caring for a sick child"},
    "annat": {"sv": "annat", "en": "other"},
}


# Texts with plural forms: (one, other) in Swedish and English; a catalogue holds as
# many forms as its language has (Arabic six). Rendered by `tn`.
PLURALS: dict[str, dict[str, tuple[str, str]]] = {
    "well_receipt": {
        "sv": (
            "Välkommen tillbaka! Frånvaron är avslutad för {count} pass.",
            "Välkommen tillbaka! Frånvaron är avslutad för {count} pass.",
        ),
        "en": (
            "Welcome back! Your absence is ended for {count} shift.",
            "Welcome back! Your absence is ended for {count} shifts.",
        ),
    },
}


def _template(key: str, lang: str) -> str:
    """The text in `lang`: sv/en from CATALOG, others from their catalogue, else Swedish."""
    entry = CATALOG[key]
    authored = entry.get(lang)
    if authored is not None:
        return authored
    catalogue = translations(lang)
    translated = catalogue.get(key) if catalogue is not None else None
    return translated if translated is not None else entry["sv"]


def _params(lang: str, params: Mapping[str, object]) -> dict[str, object]:
    """In right-to-left languages each one-line text parameter (a time, a date, a unit's
    name) goes between Unicode isolates so its characters keep their own order. A part
    of a sentence already rendered in the language (" Tel 070...", ", körkort") is not a
    value of its own and is left as it is."""
    if not is_rtl(lang):
        return dict(params)
    return {name: _isolated(value) for name, value in params.items()}


def _isolated(value: object) -> object:
    if not isinstance(value, str) or not value or "\n" in value or FSI in value:
        return value
    if value.startswith(("http://", "https://")):
        return value  # a link keeps no invisible characters: it must still open when copied
    if value[0].isspace() or value[0] in ",;.":
        return value
    return isolate(value)


def t(key: str, lang: str = "sv", **params: object) -> str:
    return _template(key, lang).format(**_params(lang, params))


def tn(key: str, n: int, lang: str = "sv", **params: object) -> str:
    """A text whose wording depends on the number `n` ("1 pass", "2 shifts"), in the
    plural form `lang` uses for `n`."""
    entry = PLURALS[key]
    authored = entry.get(lang)
    if authored is not None:
        template = authored[0] if n == 1 else authored[1]
    else:
        catalogue = translations(lang)
        translated = catalogue.get_plural(key, n) if catalogue is not None else None
        sv = entry["sv"]
        template = translated if translated is not None else (sv[0] if n == 1 else sv[1])
    return template.format(**_params(lang, params))


def day_label(when: dt.datetime, tz: ZoneInfo, lang: str = "sv") -> str:
    """'tis 1/12' in Swedish, 'Tue 1/12' in English, in local time; other languages get
    the weekday from Babel's locale data ('الثلاثاء 1/12')."""
    local = when.astimezone(tz)
    names = WEEKDAYS.get(lang)
    if names is None:
        return format_date(local, "EEE d/M", locale=lang)
    return f"{names[local.weekday()]} {local.day}/{local.month}"


def hhmm(when: dt.datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%H:%M")


def shift_times(
    starts_at: dt.datetime, ends_at: dt.datetime, tz: ZoneInfo, lang: str = "sv"
) -> dict[str, str]:
    """The `day`, `start` and `end` parameters every text about a shift takes."""
    return {
        "day": day_label(starts_at, tz, lang),
        "start": hhmm(starts_at, tz),
        "end": hhmm(ends_at, tz),
    }


def _table_text(table: Mapping[str, Mapping[str, str]], prefix: str, code: str, lang: str) -> str:
    """A name from one of the tables above: sv/en here, others from their catalogue
    (context `prefix:code`), else Swedish; an unknown code as it is."""
    names = table.get(code)
    if names is None:
        return code
    authored = names.get(lang)
    if authored is not None:
        return authored
    catalogue = translations(lang)
    translated = catalogue.get(f"{prefix}:{code}") if catalogue is not None else None
    return translated if translated is not None else names.get("sv", code)


# The tables above as catalogue contexts (`bot.i18n_catalogues` extracts them).
TABLES: dict[str, dict[str, dict[str, str]]] = {
    "role_name": ROLE_NAMES,
    "role_name_sms": ROLE_NAMES_SMS,
    "requirement": REQUIREMENT_NAMES,
    "category": CATEGORY_NAMES,
}


def role_name(role: str, lang: str = "sv", sms: bool = False) -> str:
    return _table_text(
        ROLE_NAMES_SMS if sms else ROLE_NAMES, "role_name_sms" if sms else "role_name", role, lang
    )


def category_name(code: str, lang: str = "sv") -> str:
    """An absence category's name ("sjuk", "vab", "annat") in `lang`."""
    return _table_text(CATEGORY_NAMES, "category", code, lang)


def weekday_names(lang: str = "sv") -> list[str]:
    """Monday first, short: ours for sv/en, Babel's locale data for the other languages."""
    names = WEEKDAYS.get(lang)
    if names is not None:
        return list(names)
    return [get_day_names("abbreviated", locale=lang)[i] for i in range(7)]


def requirement_names(codes: tuple[str, ...], lang: str = "sv") -> str:
    return ", ".join(_table_text(REQUIREMENT_NAMES, "requirement", c, lang) for c in codes)


def format_hours(hours: float, lang: str = "sv") -> str:
    """9.5 -> "9,5 h" in Swedish (decimal comma), "9.5 h" in English; 11.0 -> "11 h";
    38.25 -> "38,25 h"."""
    text = f"{round(hours, 2):.2f}".rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    if lang == "en":
        return text + " h"
    mark = "," if lang == "sv" else get_decimal_symbol(lang)
    return text.replace(".", mark) + " h"


class ReasonLike(Protocol):
    """What `reason_text` reads of a `bot.domain.rules.Reason` (texts import no domain)."""

    @property
    def key(self) -> str: ...

    @property
    def params(self) -> Mapping[str, object]: ...


def reason_text(reason: ReasonLike, lang: str = "sv") -> str:
    """A rule's reason in the reader's language: hours (floats) with the language's
    decimal mark, role codes and weekdays as words, the rest as given."""
    entry = REASONS[reason.key]
    authored = entry.get(lang)
    if authored is None:
        catalogue = translations(lang)
        authored = catalogue.get(reason.key) if catalogue is not None else None
    template = authored if authored is not None else entry["sv"]
    params: dict[str, object] = {}
    for name, value in reason.params.items():
        if isinstance(value, float):
            params[name] = format_hours(value, lang)
        elif name == "role":
            params[name] = role_name(str(value), lang)
        elif name == "weekday" and isinstance(value, int):
            params[name] = WEEKDAY_PLURALS.get(lang, WEEKDAY_PLURALS["sv"])[value - 1]
        else:
            params[name] = value
    return template.format(**params)
