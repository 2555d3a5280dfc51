"""The desk's vacancy page (/desk/v/<id>) and its actions, and creating a vacancy (/desk/new).

Thin: every action is a typed intent (`bot.domain.intents`) handed to the same
service function as Telegram's (bot.services.coordinator), with channel "web"; the service
checks the scope itself (a vacancy outside one's units is NOT_ALLOWED, a 404 here, as if
unknown; a new vacancy at another unit is a 403). Every POST carries the
session's CSRF token (checked by `Kit.authed`) and ends in a 303 back to the page with a
short result (`?m=<key>`, a fixed set of texts: a link can never put its own words on it).
"""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.desk.kit import Handler, Kit
from bot.desk.views import timeline, vacancy_head
from bot.domain.intents import CancelVacancy, CreateVacancy, FillByHand, Release, Widen
from bot.domain.model import VacancyStatus
from bot.services import coordinator, coordinator_views, desk_auth
from bot.services.coordinator import ActOutcome, FillOutcome
from bot.texts import ROLE_NAMES, role_name, t

CHANNEL = "web"
MIN_REASON = 3  # as in Telegram: a reason is words, not a keystroke
MAX_REASON = 500
MAX_ID = 2**62  # larger is nobody's vacancy (and would not fit the column)
MESSAGES = frozenset({
    "created", "widened", "filled", "filled_override", "needs_reason", "forbidden",
    "reason_short", "no_person", "cancelled", "not_searching", "kept", "released",
    "release_failed",
})
FILL_OUTCOME = {
    FillOutcome.NEEDS_OVERRIDE: "needs_reason",
    FillOutcome.FORBIDDEN: "forbidden",
    FillOutcome.NOT_SEARCHING: "not_searching",
    FillOutcome.UNKNOWN: "no_person",
}


def routes(kit: Kit) -> list[BaseRoute]:
    deps, page, authed = kit.deps, kit.page, kit.authed

    def not_found(me: desk_auth.Current) -> Response:
        lang = me.person.language
        return page("message.html", status=404, lang=lang, me=me.person, csrf=me.csrf,
                    text=t("desk_vacancy_unknown", lang))

    async def scoped(request: Request, me: desk_auth.Current) -> (
            coordinator_views.VacancyInfo | None):
        vid = request.path_params["vid"]
        if not isinstance(vid, int) or vid > MAX_ID:
            return None
        return await coordinator_views.vacancy_for(deps, me.person, vid)

    def back(vid: int, message: str, person_id: str = "") -> Response:
        url = f"/desk/v/{vid}?m={message}"
        if person_id:
            url += "&p=" + "".join(c for c in person_id if c.isalnum() or c in "-_.")[:40]
        return RedirectResponse(url, status_code=303)

    # ---------- the page ----------
    async def show(request: Request, me: desk_auth.Current) -> Response:
        info = await scoped(request, me)
        if info is None:
            return not_found(me)
        lang, v = me.person.language, info.vacancy
        history = await coordinator_views.vacancy_history(deps, v)
        searching = v.status == VacancyStatus.SEARCHING
        choices = (await coordinator_views.fill_choices(deps, v.id, limit=20, lang=lang)
                   if searching else coordinator_views.FillChoices([], []))
        kept = any(e.action == "substitute_kept" for e in history.audit)
        return page(
            "vacancy.html", lang=lang, me=me.person, csrf=me.csrf,
            head=vacancy_head(v, info.shift, info.unit, deps.tz, lang),
            events=timeline(v, info.shift, history, deps.tz, lang),
            searching=searching, widened=v.widened, choices=choices,
            release=(v.status == VacancyStatus.FILLED and history.absence_ended_at is not None
                     and not kept),
            message=_message(request, lang, choices, {
                pid: name for pid, name in history.names.items() if pid != info.shift.person_id}),
            chosen=request.query_params.get("p", ""),
        )

    # ---------- actions ----------
    def vacancy_id(request: Request) -> int | None:
        vid = request.path_params["vid"]
        return vid if isinstance(vid, int) and vid <= MAX_ID else None

    def acted(me: desk_auth.Current, vid: int, outcome: ActOutcome, done: str,
              refused: str) -> Response:
        if outcome == ActOutcome.NOT_ALLOWED:
            return not_found(me)
        return back(vid, done if outcome == ActOutcome.DONE else refused)

    async def widen(request: Request, me: desk_auth.Current) -> Response:
        vid = vacancy_id(request)
        if vid is None:
            return not_found(me)
        result = await coordinator.widen_vacancy(deps, me.person, Widen(vid), CHANNEL)
        return acted(me, vid, result.outcome, "widened", "not_searching")

    async def cancel(request: Request, me: desk_auth.Current) -> Response:
        vid = vacancy_id(request)
        if vid is None:
            return not_found(me)
        result = await coordinator.cancel(deps, me.person, CancelVacancy(vid), CHANNEL)
        return acted(me, vid, result.outcome, "cancelled", "not_searching")

    async def fill(request: Request, me: desk_auth.Current) -> Response:
        info = await scoped(request, me)
        if info is None:
            return not_found(me)
        vid, form = info.vacancy.id, request.state.form
        person_id = form.get("person", "").strip()[:60]
        reason = " ".join(form.get("reason", "").split())[:MAX_REASON] or None
        if not person_id or not await _may_pick(me, vid, person_id):
            return back(vid, "no_person")
        if reason is not None and len(reason) < MIN_REASON:
            return back(vid, "reason_short", person_id)
        result = await coordinator.fill(deps, me.person, FillByHand(vid, person_id, reason),
                                        CHANNEL)
        if result.outcome == FillOutcome.NOT_ALLOWED:
            return not_found(me)
        if result.outcome == FillOutcome.BOOKED:
            return back(vid, "filled_override" if reason and result.blocks else "filled",
                        person_id)
        return back(vid, FILL_OUTCOME[result.outcome], person_id)

    async def _may_pick(me: desk_auth.Current, vid: int, person_id: str) -> bool:
        """Anyone judged for the vacancy (as /forklara lists them), or someone the
        coordinator manages (as a typed name in Telegram finds them)."""
        choices = await coordinator_views.fill_choices(deps, vid, limit=10_000)
        if person_id in {c.person_id for c in choices.ranked} | {
                e.person_id for e in choices.excluded}:
            return True
        found = await coordinator_views.find_people(deps, me.person, person_id)
        return any(p.id == person_id for p in found)

    def release_action(keep: bool) -> Handler:
        async def act(request: Request, me: desk_auth.Current) -> Response:
            vid = vacancy_id(request)
            if vid is None:
                return not_found(me)
            result = await coordinator.release_substitute(deps, me.person, Release(vid, keep),
                                                          CHANNEL)
            return acted(me, vid, result.outcome, "kept" if keep else "released",
                         "release_failed")
        return act

    # ---------- a new vacancy ----------
    async def new_form(request: Request, me: desk_auth.Current, status: int = 200,
                       error: str = "", values: dict[str, str] | None = None) -> Response:
        lang = me.person.language
        units = await coordinator_views.units_of(deps, me.person)
        today = deps.now().astimezone(deps.tz).date()
        return page("new.html", status=status, lang=lang, me=me.person, csrf=me.csrf,
                    units=units, roles=[(code, role_name(code, lang)) for code in ROLE_NAMES],
                    values=values or {"date": today.isoformat()}, error=error)

    async def new_create(request: Request, me: desk_auth.Current) -> Response:
        form: dict[str, str] = request.state.form
        lang = me.person.language
        span = _span(form, deps.tz)
        start, end = span if span is not None else (None, None)
        intent = CreateVacancy(form.get("unit", ""), start, end, form.get("role", ""))
        result = await coordinator.create(deps, me.person, intent, CHANNEL)
        if result.outcome == ActOutcome.NOT_ALLOWED:
            return await new_form(request, me, 403, t("desk_new_not_yours", lang), form)
        if result.vacancy_id is None:
            return await new_form(request, me, 400, t("desk_new_bad", lang), form)
        return back(result.vacancy_id, "created")

    return [
        Route("/v/{vid:int}", authed(show), methods=["GET"]),
        Route("/v/{vid:int}/widen", authed(widen), methods=["POST"]),
        Route("/v/{vid:int}/fill", authed(fill), methods=["POST"]),
        Route("/v/{vid:int}/cancel", authed(cancel), methods=["POST"]),
        Route("/v/{vid:int}/keep", authed(release_action(True)), methods=["POST"]),
        Route("/v/{vid:int}/release", authed(release_action(False)), methods=["POST"]),
        Route("/new", authed(new_form), methods=["GET"]),
        Route("/new", authed(new_create), methods=["POST"]),
    ]


def _message(request: Request, lang: str, choices: coordinator_views.FillChoices,
             names: dict[str, str]) -> str:
    """The result of the last action, from the redirect's `m` (and `p`, the person)."""
    key = request.query_params.get("m", "")
    if key not in MESSAGES:
        return ""
    pid = request.query_params.get("p", "")
    listed = {c.person_id: c.name for c in choices.ranked}
    listed.update((e.person_id, e.name) for e in choices.excluded)
    name = names.get(pid) or listed.get(pid, "?")
    blocks = next((e.blocks for e in choices.excluded if e.person_id == pid), ())
    said = f" ({'; '.join(blocks)})" if blocks else ""
    return t(f"desk_msg_{key}", lang, name=name, blocks=said)


def _span(form: dict[str, str], tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime] | None:
    """The shift from the form's date and start–end (local time; an earlier end is the
    next day), or None when a field does not parse."""
    try:
        day = dt.date.fromisoformat(form.get("date", ""))
        start = dt.time.fromisoformat(form.get("start", ""))
        end = dt.time.fromisoformat(form.get("end", ""))
    except ValueError:
        return None
    if start == end or start.tzinfo is not None or end.tzinfo is not None:
        return None  # 07:00+05:00 is not a local time
    if not dt.date(2000, 1, 1) <= day <= dt.date(2999, 12, 31):
        return None  # far outside any schedule (and 9999-12-31 + a day overflows)
    begin = dt.datetime.combine(day, start, tzinfo=tz)
    end_day = day if end > start else day + dt.timedelta(days=1)
    return begin, dt.datetime.combine(end_day, end, tzinfo=tz)
