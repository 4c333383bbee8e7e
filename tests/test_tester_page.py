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
    # The user list shows each address whole (no location and plan to cut it off);
    # the line under it says the rest.
    expect(page.locator(f'#user option[value="{MARCEL}"]')).to_have_text(MARCEL)
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


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
INTERNAL = "FR-39qdPR-Internal"


def plan_rules(path: Path) -> list[tuple[str, str, str, bool]]:
    from normalizer import load_tenant

    (plan,) = load_tenant(path).dial_plans
    return [(r.name, r.pattern, r.translation, r.is_internal_extension) for r in plan.rules]


def test_the_workbench_edits_a_rule_and_exports_it(
    server: str, browser: Any, page_errors: list[str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, f"{server}/workbench", page_errors, width=1366, height=900)
    expect(page.locator("#tenant-name")).to_have_text("Contoso")
    # Open the Contoso example by picking it.
    page.get_by_label("Open a tenant file").set_input_files(str(EXAMPLES / "contoso.toml"))
    expect(page.locator("#file-status")).to_contain_text("contoso.toml, toml: 1 dial plan(s), 3 rule(s), 6 user(s)")
    page.get_by_label("User", exact=True).select_option(MARCEL)
    page.get_by_label("Dial string", exact=True).fill("7123")
    expect(page.locator("#before-number")).to_have_text("+33199997123")
    expect(page.locator("#after-number")).to_have_text("+33199997123")

    # Edit the internal rule in place.
    page.get_by_label(f"pattern of rule {INTERNAL}").fill(r"^(7\d{3})$")
    page.get_by_label(f"translation of rule {INTERNAL}").fill("+3319998$1")
    expect(page.locator("#after-number")).to_have_text("+33199987123")
    expect(page.locator("#before-number")).to_have_text("+33199997123")
    expect(page.locator("#compare-note")).to_have_text("The edit changes this dial string.")
    row = page.locator(f'#rules-editor tr[data-rule="{INTERNAL}"]')
    expect(row).to_have_class("changed")
    expect(row.locator("td.state")).to_have_text("changed")
    expect(page.locator("#lint-summary")).to_contain_text("warning(s)", timeout=15000)

    # A suite: its dial strings before and after, and its pass/fail against the edit.
    page.get_by_label("Load a suite").set_input_files(str(EXAMPLES / "contoso-tests.toml"))
    # As `dialplan test examples/contoso-tests.toml --tenant EDITED` says: the three extension cases fail.
    expect(page.locator("#suite-summary")).to_contain_text("Contoso: 16 passed, 3 failed")
    failing = page.locator("#suite-results tr.fail")
    expect(failing).to_have_count(3)
    expect(failing.first).to_contain_text("[0] internal extension")
    expect(failing.first).to_contain_text("expected +33199997123, got +33199987123")
    changed = page.locator("#list-results tr.changed")
    expect(changed.first).to_contain_text("7123")
    shot(page, "workbench-edited")

    # Add, reorder and remove rules: each marked until undone.
    page.get_by_role("button", name="Add a rule").click()
    expect(page.locator("#rules-editor tr.new td.state")).to_have_text("new")
    page.get_by_role("button", name="remove rule New-Rule-4").click()
    expect(page.locator("#rules-editor tbody tr")).to_have_count(3)
    page.get_by_role("button", name="move rule FR-TollFree up").click()
    expect(page.locator('#rules-editor tr[data-rule="FR-TollFree"] td.state')).to_have_text("moved")
    page.get_by_role("button", name="move rule FR-TollFree down").click()
    expect(page.locator('#rules-editor tr[data-rule="FR-TollFree"] td.state')).to_have_text("")

    # Export as TOML and as PowerShell: both hold the edit.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export TOML").click()
    exported_toml = tmp_path / download.value.suggested_filename
    download.value.save_as(exported_toml)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export PowerShell").click()
    exported_ps1 = tmp_path / download.value.suggested_filename
    download.value.save_as(exported_ps1)
    assert (exported_toml.name, exported_ps1.name) == ("Contoso.toml", "Contoso.ps1")
    original = plan_rules(EXAMPLES / "contoso.toml")
    expected = [(INTERNAL, r"^(7\d{3})$", "+3319998$1", True), *original[1:]]
    assert plan_rules(exported_toml) == expected
    assert plan_rules(exported_ps1) == expected

    # Re-import the export: the same tenant, with nothing left to mark.
    page.get_by_label("Open a tenant file").set_input_files(str(exported_toml))
    expect(page.locator("#file-status")).to_contain_text("Contoso.toml, toml: 1 dial plan(s), 3 rule(s), 6 user(s)")
    expect(page.locator("#before-number")).to_have_text("+33199987123")
    expect(page.locator("#after-number")).to_have_text("+33199987123")
    expect(page.locator("#rules-editor tr.changed")).to_have_count(0)
    expect(page.get_by_label(f"translation of rule {INTERNAL}")).to_have_value("+3319998$1")
    # ... and the PowerShell export, dropped on the page.
    script = exported_ps1.read_text(encoding="utf-8-sig")
    transfer = page.evaluate_handle(
        "(text) => { const t = new DataTransfer(); t.items.add(new File([text], 'Contoso.ps1')); return t; }",
        script,
    )
    page.dispatch_event("#drop-zone", "drop", {"dataTransfer": transfer})
    expect(page.locator("#file-status")).to_contain_text("Contoso.ps1, powershell: 1 dial plan(s), 3 rule(s)")
    expect(page.locator("#after-number")).to_have_text("+33199987123")
    shot(page, "workbench-reimported")
    assert page_errors == []


def test_the_workbench_names_a_broken_rule(server: str, browser: Any, page_errors: list[str]) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, f"{server}/workbench", page_errors, width=390, height=844)
    expect(page.locator("#tenant-name")).to_have_text("Contoso")
    page.get_by_label("Dial string", exact=True).fill("7123")
    expect(page.locator("#after-number")).to_have_text("+33199997123")
    pattern = page.get_by_label(f"pattern of rule {INTERNAL}")
    pattern.fill("^(7\\d{3}$")
    expect(page.locator("#edit-error")).to_contain_text("After the edit:")
    # The tenant as opened still answers.
    expect(page.locator("#before-number")).to_have_text("+33199997123")
    expect(pattern).to_have_class("invalid")
    expect(page.locator("#findings li.error").first).to_contain_text(INTERNAL)
    shot(page, "workbench-phone-broken-rule")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page_errors == []


def test_the_workbench_asks_again_when_the_server_is_busy(
    server: str, browser: Any, page_errors: list[str]
) -> None:
    """A what-if refused with 503 "busy" (the pool's queue held by an older edit's requests,
    as on a loaded machine after a re-import) is asked again after its Retry-After: the
    page once left "–" after the edit, the before side shown, until the next edit."""
    import json

    from playwright.sync_api import expect

    page = open_page(browser, f"{server}/workbench", page_errors)
    expect(page.locator("#tenant-name")).to_have_text("Contoso")
    page.get_by_label("User", exact=True).select_option(MARCEL)
    page.get_by_label("Dial string", exact=True).fill("7123")
    expect(page.locator("#after-number")).to_have_text("+33199997123")
    refused: list[str] = []
    busy = {"error": "busy", "detail": "the server is busy with other what-if requests; try again"}

    def busy_once(route: Any) -> None:
        """The first what-if of the edited tenant is refused as the pool refuses past its queue."""
        if not refused and "+3319998$1" in (route.request.post_data or ""):
            refused.append(route.request.url)
            route.fulfill(
                status=503,
                headers={"Retry-After": "1"},
                content_type="application/json",
                body=json.dumps(busy),
            )
        else:
            route.continue_()

    page.route("**/v1/simulate", busy_once)
    page.get_by_label(f"translation of rule {INTERNAL}").fill("+3319998$1")
    expect(page.locator("#after-number")).to_have_text("+33199987123")
    expect(page.locator("#before-number")).to_have_text("+33199997123")
    expect(page.locator("#edit-error")).to_be_hidden()
    assert len(refused) == 1
    assert page_errors == []


@pytest.mark.parametrize(
    ("path", "rendered"),
    [("/docs", ".swagger-ui .info .title"), ("/redoc", "h1")],
    ids=["swagger-ui", "redoc"],
)
def test_the_api_docs_render_offline_under_the_content_security_policy(
    server: str, browser: Any, page_errors: list[str], path: str, rendered: str
) -> None:
    """Swagger UI and ReDoc came from a CDN (a blank page offline) and started with inline script."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 768})
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    outside: list[str] = []

    def offline(route: Any) -> None:
        """Only the service answers: anything else is noted and refused, as with no network."""
        url = route.request.url
        if url.startswith((server, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", offline)
    page.goto(server + path)
    expect(page.locator(rendered).first).to_contain_text("dialplan", timeout=30_000)
    shot(page, f"api-docs{path.replace('/', '-')}")
    # ReDoc's sidebar links its maker's logo from the maker's site: refused, and the page works without it.
    refused = [text for text in refused if "cdn.redoc.ly/redoc/logo-mini.svg" not in text]
    assert outside == [] and refused == [] and page_errors == []
