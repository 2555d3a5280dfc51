"""The interactive demo page in a real headless browser (Debian's chromium via Playwright):
a person reports sick as staff and accepts the offer as a substitute, through the real bot,
and the coordinator's desk beside the phones shows the shift filled."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from bot.asgi import LocalAsgiServer
from bot.demo import MORNING
from bot.demo.interactive import build_app
from bot.demo.stage import open_stage
from bot.texts import t
from storage import bookings as bookings_repo
from storage import people as people_repo
from tests.browser import CHROMIUM, FLAGS, MARKS

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = MARKS



async def _leila_reports_sick(page: Any) -> Any:
    """Leila (staff) types "sjuk" on her phone and sends the report for today's shift."""
    leila = page.locator('section[data-person="anst03"]')
    await leila.locator("input").fill("sjuk")
    await leila.locator("form button").click()
    await leila.get_by_role("button", name="Nästa").click()
    await leila.get_by_role("button", name="Ja, skicka").click()
    return leila


async def test_staff_reports_sick_and_a_substitute_takes_the_shift(tmp_path: Path) -> None:
    stage = await open_stage(tmp_path / "demo.db", MORNING, ticker=True)
    server = LocalAsgiServer(build_app(stage))
    await server.start()
    try:
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = await browser.new_page(viewport={"width": 1400, "height": 1300})
            await page.goto(server.url + "/")
            leila = await _leila_reports_sick(page)
            amina = page.locator('section[data-person="vik06"]')
            await leila.get_by_text("Tack, din frånvaro är registrerad").wait_for()
            await amina.get_by_role("button", name="Ta passet").click()
            await amina.get_by_text("Bokat!").wait_for()
            async with page.expect_popup() as opened:
                await page.get_by_role("link", name="Samordnarens skrivbord").click()
            desk = await opened.value
            await desk.click("form[action^='/desk/login/link'] button")  # the link's button
            expect = playwright_api.expect
            await expect(desk.get_by_role("heading", level=1)).to_have_text("Tillsättning",
                                                                            timeout=15_000)
            assert desk.url.startswith(stage.settings.public_url or "?")
            await expect(desk.locator(".who")).to_have_text("Ahmed Ekström")
            await expect(desk.locator("li.vacancy.filled .state").first).to_contain_text(
                "Tillsatt: Amina", timeout=15_000)
            if shot := os.environ.get("VIKARIE_DEMO_SCREENSHOT"):  # for the README picture
                await page.screenshot(path=shot)
            await browser.close()
        async with stage.deps.db.read() as conn:
            bookings = await bookings_repo.bookings_of(conn, "vik06", MORNING)
        assert [s.id for _, s in bookings] == ["norr-1201-dag2"]
    finally:
        await server.stop()
        await stage.stop()


PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1400, "height": 1300}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_an_arabic_speaking_substitute_reads_right_to_left(
    tmp_path: Path, viewport: dict[str, int]
) -> None:
    """Amina speaks Arabic: her offer is right to left on the page, the shift's times inside it
    stay "07:00–16:00" in that order (isolates), nothing overflows a phone's width, and her
    Arabic button takes the shift."""
    stage = await open_stage(tmp_path / "demo.db", MORNING, ticker=True)
    async with stage.deps.db.write() as conn:
        await people_repo.update_person(conn, "vik06", language="ar")
    server = LocalAsgiServer(build_app(stage))
    await server.start()
    try:
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = await browser.new_page(viewport=viewport)
            await page.goto(server.url + "/")
            await _leila_reports_sick(page)
            amina = page.locator('section[data-person="vik06"]')
            label = t("btn_accept", "ar")
            take = amina.get_by_role("button", name=label)
            await take.wait_for(timeout=15_000)
            offer = amina.locator("div.msg.bot", has=page.get_by_role("button", name=label)).last
            direction = await offer.evaluate("el => getComputedStyle(el).direction")
            assert direction == "rtl"
            text = await offer.evaluate("el => el.firstChild.textContent")
            assert "\u206807:00\u2069" in text and "\u206816:00\u2069" in text
            assert text.index("07:00") < text.index("16:00")
            box = await offer.bounding_box()
            assert box is not None and box["x"] >= 0
            assert box["x"] + box["width"] <= viewport["width"]
            await take.click()
            await browser.close()
        for _ in range(100):  # the press goes through the real bot: wait for its booking
            async with stage.deps.db.read() as conn:
                bookings = await bookings_repo.bookings_of(conn, "vik06", MORNING)
            if bookings:
                break
            await asyncio.sleep(0.1)
        assert [s.id for _, s in bookings] == ["norr-1201-dag2"]
    finally:
        await server.stop()
        await stage.stop()
