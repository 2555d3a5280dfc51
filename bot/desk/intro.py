"""The desk's introductions page (/desk/intro): who is being introduced where and how far,
at the units the person coordinates (as /introduktion in Telegram shows it); a checklist
without progress for `STALE_AFTER` is marked as stalled, the reminders' definition.

Read only: the handledare tick and sign in Telegram or by SMS, not here (the desk's login
is for coordinators and admins).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.desk.kit import Kit
from bot.domain.checklist import ChecklistView, stale_days, stalled
from bot.services import desk_auth, introduction
from bot.texts import day_label, t


@dataclass(frozen=True, slots=True)
class IntroLine:
    unit: str
    name: str
    progress: str  # "7/20"
    supervised: str  # "1/2 (+1 bokad)"
    last: str  # the day of the last progress
    stalled: str  # "står still sedan 9 dagar", or empty


def routes(kit: Kit) -> list[BaseRoute]:
    deps, page, authed = kit.deps, kit.page, kit.authed

    async def show(request: Request, me: desk_auth.Current) -> Response:
        lang = me.person.language
        views = await introduction.overview(deps, me.person.id) or []
        now = deps.now()
        lines = [_line(v, now, deps.tz, lang)
                 for v in sorted(views, key=lambda v: (v.unit.name, v.person.name))]
        return page("intro.html", lang=lang, me=me.person, csrf=me.csrf, lines=lines,
                    stalled=sum(bool(x.stalled) for x in lines))

    return [Route("/intro", authed(show), methods=["GET"])]


def _line(v: ChecklistView, now: dt.datetime, tz: ZoneInfo, lang: str) -> IntroLine:
    p, last = v.progress, v.checklist.last_activity_at
    booked = t("intro_booked", lang, n=p.supervised_booked) if p.supervised_booked else ""
    return IntroLine(
        unit=v.unit.name, name=v.person.name, progress=p.label,
        supervised=p.supervised_label + booked, last=day_label(last, tz, lang),
        stalled=t("desk_intro_stalled", lang, days=stale_days(last, now))
        if stalled(last, now) else "",
    )
