"""The coordinators' desk in a real headless browser (Debian's chromium via Playwright), at
phone and desktop size, against the real bot: its web app on a local port, Telegram through
the local Bot API fake, a FakeClock. A booking made in Telegram shows on the open board
without a reload; one logs in by link and by code; the pages pass basic accessibility checks.

`VIKARIE_DESK_SCREENSHOTS=docs pytest tests/desk/test_desk_browser.py` also writes the README's
pictures (docs/desk-phone.png, docs/desk-desktop.png).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from bot.app import VikarieBot
from bot.clock import FakeClock
from bot.config import Settings
from bot.demo.stage import free_port
from bot.domain.model import AbsenceCategory
from bot.fakes.telegram_server import FakeTelegram
from bot.runtime import open_deps
from bot.services import desk_auth
from handlers.telegram import on_startup
from storage import outbox
from storage import tables as t
from tests.browser import CHROMIUM, FLAGS, MARKS
from tests.builders import World, local, report_absent
from tests.e2e.conftest import Harness

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = MARKS


TOKEN = "123:TEST"
NOW = "2026-12-01 05:45"
LIVE = 15_000  # ms: generous, for a busy machine (the board looks every second)
BOT_WAIT = 15.0  # s: the same for the Telegram side
SIZES = [
    pytest.param({"width": 390, "height": 844}, id="phone"),
    pytest.param({"width": 1280, "height": 800}, id="desktop"),
]
MIN_TARGET = 44  # px: buttons and links, both ways
MIN_CONTRAST = 4.5


async def _world(w: World) -> None:
    await w.unit("norr")
    await w.unit("soder", area="Söder")
    await w.person("kim", roles=[("coordinator", "norr")], quals=(), name="Kim Samordnare")
    await w.person("ulla", roles=[("coordinator", "soder")], quals=(), name="Ulla Samordnare")
    await w.staff("anna", "norr", name="Anna Andersson")
    await w.staff("bo", "soder", name="Bo Berg")
    await w.sub("mio", name="Mio Vikarie")
    await w.shift("n-day", "norr", "anna", "2026-12-01 07:00", "2026-12-01 16:00")
    await w.shift("n-eve", "norr", "anna", "2026-12-02 15:00", "2026-12-02 22:00")
    await w.shift("s-day", "soder", "bo", "2026-12-02 07:00", "2026-12-02 16:00")


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Harness]:
    """The real bot with its web app on a free local port that is also its public address
    (so the desk exists), polling the local Bot API fake."""
    async with contextlib.AsyncExitStack() as stack:
        fake = FakeTelegram(TOKEN)
        await fake.start()
        stack.push_async_callback(fake.stop)
        port = free_port()
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}",
            telegram_token=SecretStr(TOKEN), telegram_api_url=fake.base_url,
            outbox_poll_seconds=0.05, http_host="127.0.0.1", http_port=port,
            public_url=f"http://127.0.0.1:{port}")
        clock = FakeClock(local(NOW))
        deps = await stack.enter_async_context(open_deps(settings, clock))
        await _world(World(deps.db))
        async with deps.db.read() as conn:
            users = {r.id: r.telegram_user_id for r in await conn.execute(
                sa.select(t.people.c.id, t.people.c.telegram_user_id)) if r.telegram_user_id}
        bot = VikarieBot(deps, web=True, ticker=False)
        await bot.start()
        stack.push_async_callback(bot.stop)
        assert bot.telegram is not None
        await on_startup(bot.telegram)
        yield Harness(fake, deps, clock, bot, users)


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with playwright_api.async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield chromium
        finally:
            await chromium.close()


def _base(h: Harness) -> str:
    assert h.deps.settings.public_url is not None
    return h.deps.settings.public_url


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize("viewport", SIZES)
async def test_a_booking_in_telegram_shows_on_the_open_board(
    running: Harness, browser: Any, viewport: dict[str, int], tmp_path: Path,
) -> None:
    h = running
    await h.hello("anna", "kim", "mio")
    norr = await report_absent(h.deps, "anna", "n-day", "telegram")
    await report_absent(h.deps, "anna", "n-eve", "telegram")
    soder = await report_absent(h.deps, "bo", "s-day", "sms", AbsenceCategory.VAB)

    url = await desk_auth.create_link(h.deps, "kim")
    assert url is not None and url.startswith(_base(h) + "/desk/login/")
    page = await browser.new_page(viewport=viewport)
    await page.goto(url)
    await page.click("form[action^='/desk/login/link'] button")
    await page.wait_for_url(_base(h) + "/desk/", timeout=LIVE)
    expect = playwright_api.expect
    await expect(page.get_by_role("heading", level=1)).to_have_text("Tillsättning")
    line = page.locator(f'li.vacancy[data-vacancy="{norr}"]')
    await expect(line.locator(".state")).to_contain_text("Söker", timeout=LIVE)

    # Kim (Norr) sees nothing of Söder's vacancy.
    await expect(page.locator(f'li[data-vacancy="{soder}"]')).to_have_count(0)
    assert "Soder" not in await page.locator("#board").inner_text()

    # Mio takes the shift in Telegram; the open board follows by itself.
    offer = await h.message_with("mio", "Ledigt pass: Hemtjänst Norr\ntis 1/12 07:00–16:00",
                                 BOT_WAIT)
    reloads: list[str] = []
    page.on("framenavigated", lambda frame: reloads.append(frame.url))
    answered = len(h.fake.callback_answers)
    h.fake.user_presses_button(h.uid("mio"), offer.message_id, offer.button_data("Ta passet"))
    await h.expect(h.uid("mio"), "Bokat, passet är ditt!", toast_from=answered, wait=BOT_WAIT)
    await expect(line.locator(".state")).to_contain_text("Tillsatt: Mio Vikarie", timeout=LIVE)
    await expect(line).to_have_class("vacancy filled")
    assert reloads == [], "the board changed in place, without a reload"

    await _accessible(page, viewport)
    shot = tmp_path / f"board-{viewport['width']}.png"
    await page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 1000 and shot.read_bytes().startswith(b"\x89PNG")
    if folder := os.environ.get("VIKARIE_DESK_SCREENSHOTS"):  # the README's pictures
        size = "phone" if viewport["width"] < 600 else "desktop"
        await page.screenshot(path=str(Path(folder) / f"desk-{size}.png"))


@pytest.mark.parametrize("viewport", SIZES)
async def test_logging_in_with_a_code_from_ones_own_channel(
    running: Harness, browser: Any, viewport: dict[str, int], tmp_path: Path,
) -> None:
    h = running
    await h.hello("anna", "kim")
    await report_absent(h.deps, "anna", "n-day", "telegram")
    async with h.deps.db.read() as conn:
        phone = (await conn.execute(sa.select(t.people.c.phone)
                                    .where(t.people.c.id == "kim"))).scalar_one()
    expect = playwright_api.expect
    page = await browser.new_page(viewport=viewport)
    await page.goto(_base(h) + "/desk/")
    assert page.url == _base(h) + "/desk/login"  # no session: to the login page
    await _accessible(page, viewport)

    await page.get_by_label("Ditt mobilnummer").fill(phone)
    await page.get_by_role("button", name="Skicka kod").click()
    await expect(page.get_by_role("status")).to_contain_text("har vi skickat en kod",
                                                             timeout=LIVE)
    await _accessible(page, viewport)
    shot = tmp_path / f"login-{viewport['width']}.png"
    await page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 1000 and shot.read_bytes().startswith(b"\x89PNG")
    code = await _code_sent_to(h, "kim")
    await page.get_by_label("Kod").fill(code[:3] + " " + code[3:])  # as the message shows it
    await page.get_by_role("button", name="Logga in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Tillsättning",
                                                                    timeout=LIVE)
    assert page.url == _base(h) + "/desk/"
    await expect(page.locator("li.vacancy")).to_have_count(1)
    await expect(page.get_by_text("Kim Samordnare")).to_be_visible()


async def test_a_norr_coordinator_cannot_open_a_soder_vacancy_by_its_url(
    running: Harness, browser: Any,
) -> None:
    h = running
    soder = await report_absent(h.deps, "bo", "s-day", "sms", AbsenceCategory.VAB)
    url = await desk_auth.create_link(h.deps, "kim")
    assert url is not None
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    await page.goto(url)
    await page.click("form[action^='/desk/login/link'] button")
    await page.wait_for_url(_base(h) + "/desk/", timeout=LIVE)
    response = await page.goto(f"{_base(h)}/desk/v/{soder}")
    assert response is not None and response.status == 404
    body = await page.locator("body").inner_text()
    assert "Soder" not in body and "Bo Berg" not in body


async def test_fill_by_hand_with_an_override_and_the_report_csv(
    running: Harness, browser: Any, tmp_path: Path,
) -> None:
    """Someone the rules keep out (not introduced at Norr, no handledare on duty) is booked
    by hand only with a reason; then the month's report downloads as CSV."""
    h = running
    await World(h.deps.db).sub("ola", introduced=("soder",), name="Ola Nyvikarie",
                               telegram=False, sms=False)  # a second World: no clashes
    vid = await report_absent(h.deps, "anna", "n-day", "sms")
    url = await desk_auth.create_link(h.deps, "kim")
    assert url is not None
    page = await browser.new_page(viewport={"width": 1280, "height": 800})
    await page.goto(url)
    await page.click("form[action^='/desk/login/link'] button")
    await page.wait_for_url(_base(h) + "/desk/", timeout=LIVE)
    await page.goto(f"{_base(h)}/desk/v/{vid}")
    await page.select_option("#fill-person", "ola")
    await page.click("form[action$='/fill'] button[type=submit]")
    await page.wait_for_selector("text=Skriv en motivering", timeout=LIVE)
    async with h.deps.db.read() as conn:
        assert (await conn.execute(sa.select(t.bookings))).first() is None
    await page.select_option("#fill-person", "ola")
    await page.fill("#fill-reason", "Har gått bredvid på Norr i somras")
    await page.click("form[action$='/fill'] button[type=submit]")
    await page.wait_for_selector("text=bokad trots reglerna", timeout=LIVE)
    async with h.deps.db.read() as conn:
        booking = (await conn.execute(sa.select(t.bookings))).one()
    assert (booking.person_id, booking.channel) == ("ola", "web")
    assert booking.override_reason == "Har gått bredvid på Norr i somras"

    await page.goto(f"{_base(h)}/desk/report")
    async with page.expect_download(timeout=LIVE) as caught:
        await page.click("a[href^='/desk/report.csv']")
    download = await caught.value
    saved = tmp_path / "report.csv"
    await download.save_as(saved)
    header = saved.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith(
        "unit,absences,vacancies,filled_before_start,median_minutes_to_fill,offers_per_filled")


# ---------------------------------------------------------------- helpers


async def _code_sent_to(h: Harness, person: str) -> str:
    """The one-time code in the desk_login message queued for `person` (the outbox rows)."""
    async with h.deps.db.read() as conn:
        texts = {i.message.text for i in await outbox.all_items(conn)
                 if i.kind == "desk_login" and i.person_id == person}
    codes = {m.group(1) + m.group(2) for text in texts
             if (m := re.search(r"\b(\d{3}) (\d{3})\b", text))}
    assert len(codes) == 1, texts
    return codes.pop()


async def _accessible(page: Any, viewport: dict[str, int]) -> None:
    """Labels, touch targets, a live board, contrast, and no sideways scrolling."""
    unlabelled = await page.evaluate("""() =>
        [...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
          .filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label"))
          .map(el => el.outerHTML)""")
    assert unlabelled == []

    for target in await page.locator("button, a[href], input[type=submit]").all():
        if not await target.is_visible():
            continue
        box = await target.bounding_box()
        assert box is not None
        assert box["width"] >= MIN_TARGET and box["height"] >= MIN_TARGET, (
            await target.evaluate("el => el.outerHTML"), box)

    if await page.locator("#board").count():
        assert await page.locator("#board").get_attribute("aria-live") in ("polite", "assertive")

    pairs = await page.evaluate("""() => {
        const bg = el => {
          for (; el; el = el.parentElement) {
            const c = getComputedStyle(el).backgroundColor;
            if (c && c !== "transparent" && !/rgba\\(.*, 0\\)$/.test(c)) return c;
          }
          return "rgb(255, 255, 255)";
        };
        const texts = "body, h1, h2, p, label, .count, .muted, .error, .top .brand, .top .who,"
          + " button, li.vacancy .when, li.vacancy .what, li.vacancy .state";
        return [...document.querySelectorAll(texts)]
          .filter(el => el.offsetParent !== null || el === document.body)
          .map(el => [el.tagName + "." + el.className, getComputedStyle(el).color, bg(el)]);
    }""")
    assert len(pairs) >= 3
    low = [(what, fg, bg, round(_contrast(fg, bg), 2)) for what, fg, bg in pairs
           if _contrast(fg, bg) < MIN_CONTRAST]
    assert low == [], low

    if viewport["width"] < 600:
        wide = await page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert wide[0] <= wide[1], f"sideways scrolling at phone width: {wide}"


def _rgb(css: str) -> tuple[float, float, float]:
    """'rgb(1, 2, 3)' or 'rgba(1, 2, 3, 1)' -> (1, 2, 3); the colours here are opaque."""
    inner = css[css.index("(") + 1:css.index(")")].replace("/", ",").replace(" ", ",")
    parts = [p for p in inner.split(",") if p]
    r, g, b = (float(p) for p in parts[:3])
    return r, g, b


def _luminance(css: str) -> float:
    """Relative luminance (WCAG 2)."""
    def channel(v: float) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in _rgb(css))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(fg: str, bg: str) -> float:
    lighter, darker = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_helper_agrees_with_wcag() -> None:
    assert round(_contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert _contrast("rgb(119, 119, 119)", "rgb(255, 255, 255)") < MIN_CONTRAST  # #777
    assert _contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)") >= MIN_CONTRAST  # #767676
    assert _contrast("rgba(85, 85, 85, 1)", "rgb(255, 255, 255)") > 7
