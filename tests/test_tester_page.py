"""The web tester page, end to end: real uvicorn, headless Debian Chromium driven by Playwright.

Screenshots of each scenario are saved under `tests/artifacts/` (ignored by git).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
MARCEL = "marcel.beauchamp@contoso.com"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium; .ci/run installs it)",
    ),
]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The service's base address, without the trailing slash."""
    with running_server() as url:
        yield url.rstrip("/")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def page_errors() -> list[str]:
    return []


def open_page(browser: Any, url: str, errors: list[str], width: int = 1366, height: int = 768) -> Any:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return page


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_marcel_dials_7123(server: str, browser: Any, page_errors: list[str]) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, server, page_errors)
    page.get_by_label("User", exact=True).select_option(MARCEL)
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
    # The user list shows each address whole; the line under it says the rest.
    expect(page.locator("#user-detail")).to_have_text(
        f"{MARCEL}: usage location FR, tenant plan FR-Paris-Issy-39qdPR"
    )
    shot(page, "tester-marcel-7123")
    assert page_errors == []


def test_regions_have_names_and_can_be_searched(server: str, browser: Any, page_errors: list[str]) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, server, page_errors)
    page.get_by_label("A usage location and plan").check()
    region = page.get_by_label("Usage location", exact=True)
    expect(region.locator("option[value=AC]")).to_have_text("Ascension Island — AC (+247)")
    page.get_by_label("Search usage locations").fill("zeal")
    expect(region.locator("option")).to_have_text(["New Zealand — NZ (+64)"])
    expect(region).to_have_value("NZ")
    page.get_by_label("Dial string").fill("111")
    expect(page.locator("#call-type")).to_have_text("emergency")
    page.get_by_label("Search usage locations").fill("+44")
    expect(region.locator("option[value=GB]")).to_have_count(1)
    shot(page, "tester-region-search")
    assert page_errors == []


def test_a_long_dial_string_does_not_grow_the_page(server: str, browser: Any, page_errors: list[str]) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, server, page_errors)
    page.get_by_label("User", exact=True).select_option(MARCEL)
    page.get_by_label("Dial string").fill("1" * 5000)
    expect(page.locator("#final-number")).to_contain_text("1111")
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert height < 2000, height  # 6,859 px before the answer boxes were clamped
    assert width <= 1366, width
    shot(page, "tester-long-input")
    assert page_errors == []


def test_a_phone_sees_the_match_column(server: str, browser: Any, page_errors: list[str]) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, server, page_errors, width=390, height=844)
    page.get_by_label("User", exact=True).select_option(MARCEL)
    page.get_by_label("Dial string").fill("7123")
    winner = page.locator("#rules tbody tr.winner")
    expect(winner).to_contain_text("FR-39qdPR-Internal")
    mark = winner.locator("td.mark")
    expect(mark).to_have_text("winner")
    mark.scroll_into_view_if_needed()
    box = mark.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "tester-phone-390")
    assert page_errors == []


def test_the_address_carries_the_state(server: str, browser: Any, page_errors: list[str]) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, server, page_errors)
    page.get_by_label("A usage location and plan").check()
    page.get_by_label("Usage location", exact=True).select_option("FR")
    page.get_by_label("Tenant dial plan").select_option("FR-Paris-Issy-39qdPR")
    page.get_by_label("Dial string").fill("3949")
    expect(page.locator("#matching-rule")).to_contain_text("FR-Service")
    expect(page).to_have_url(f"{server}/?location=FR&plan=FR-Paris-Issy-39qdPR&dialed=3949")
    shared = page.locator("#share-link").get_attribute("href")
    assert shared == "/?location=FR&plan=FR-Paris-Issy-39qdPR&dialed=3949"

    # A colleague opens the link: same choice, same answer.
    other = open_page(browser, server + shared, page_errors)
    expect(other.get_by_label("Dial string")).to_have_value("3949")
    expect(other.get_by_label("Tenant dial plan")).to_have_value("FR-Paris-Issy-39qdPR")
    expect(other.locator("#matching-rule")).to_contain_text("FR-Service")
    by_user = open_page(browser, f"{server}/?user={MARCEL}&dialed=7123", page_errors)
    expect(by_user.locator("#translated-number")).to_have_text("+33199997123")
    shot(other, "tester-shared-link")
    assert page_errors == []
