"""The interactive demo page in a real headless browser (Debian's chromium via Playwright):
a person reports sick as staff and accepts the offer as a substitute, through the real bot,
and the coordinator's desk beside the phones shows the shift filled."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.asgi import LocalAsgiServer
from bot.demo import MORNING
from bot.demo.interactive import build_app
from bot.demo.stage import open_stage
from storage import bookings as bookings_repo
from tests.browser import CHROMIUM, FLAGS, MARKS

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = MARKS



async def test_staff_reports_sick_and_a_substitute_takes_the_shift(tmp_path: Path) -> None:
    stage = await open_stage(tmp_path / "demo.db", MORNING, ticker=True)
    server = LocalAsgiServer(build_app(stage))
    await server.start()
    try:
        async with playwright_api.async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = await browser.new_page(viewport={"width": 1400, "height": 1300})
            await page.goto(server.url + "/")
            leila = page.locator('section[data-person="anst03"]')
            amina = page.locator('section[data-person="vik06"]')
            await leila.locator("input").fill("sjuk")
            await leila.locator("form button").click()
            await leila.get_by_role("button", name="Nästa").click()
            await leila.get_by_role("button", name="Ja, skicka").click()
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
