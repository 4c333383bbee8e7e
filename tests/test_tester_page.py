"""The web tester page, end to end: real uvicorn, headless Debian Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import running_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium; .ci/run installs it)",
    ),
]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server() as url:
        yield url


def test_marcel_dials_7123(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(server)
            page.get_by_label("User", exact=True).select_option("marcel.beauchamp@contoso.com")
            page.get_by_label("Dial string").fill("7123")

            translated = page.locator("#translated-number")
            expect(translated).to_have_text("+33199997123")
            expect(page.locator("#final-number")).to_have_text("+33199997123")
            expect(page.locator("#matching-rule")).to_contain_text("FR-39qdPR-Internal")
            expect(page.locator("#call-type")).to_have_text("extension")
            # The winner is highlighted in the effective rule list.
            winner = page.locator("#rules tbody tr.winner")
            expect(winner).to_have_count(1)
            expect(winner).to_contain_text("FR-39qdPR-Internal")
            # The main answer is on screen without scrolling.
            box = translated.bounding_box()
            assert box is not None and box["y"] + box["height"] <= 768
            assert errors == []
        finally:
            browser.close()


def test_lidia_sees_why_her_call_abroad_is_blocked(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(server)
            page.get_by_label("User", exact=True).select_option("lidia.holloway@contoso.com")
            page.get_by_label("Dial string").fill("0033123456789")
            expect(page.locator("#call-type")).to_have_text("international")
            plan = page.locator("#calling-plan")
            expect(plan).to_contain_text("domestic-1200 · Communications Credits off · blocked · no-international-entitlement")
            expect(page.locator("#calling-plan-sentence")).to_have_text(
                "Lidia's Domestic plan does not cover international calls, and Communications "
                "Credits are off for Lidia: this call would be blocked"
            )
            # Emily holds the International plan: the same number goes through on her pool.
            page.get_by_label("User", exact=True).select_option("emily.braun@contoso.com")
            expect(plan).to_contain_text("allowed · international · charged to GB/international")
            assert errors == []
        finally:
            browser.close()
