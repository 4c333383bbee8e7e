"""`dialplan cdr --report FILE.html`: a self-contained page of plots, opened offline in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from normalizer.cli import main
from tests.test_tester_page import CHROMIUM, CHROMIUM_ARGS

CALLS = """start,user,dialed,seconds
2024-03-01T09:00:00Z,marcel.beauchamp@contoso.com,0145678900,72000
2024-03-02T09:00:00Z,isabell.potvin@contoso.com,0145678900,72000
2024-03-03T09:00:00Z,marcel.beauchamp@contoso.com,0145678900,600
2024-03-03T10:00:00Z,lidia.holloway@contoso.com,0033123456789,600
2024-03-03T11:00:00Z,pradeep.gupta@contoso.com,0033123456789,600
2024-04-01T09:00:00Z,marcel.beauchamp@contoso.com,0145678900,60
"""


@pytest.fixture()
def report(tmp_path: Path) -> Path:
    log = tmp_path / "calls.csv"
    log.write_text(CALLS, encoding="utf-8")
    (tmp_path / "rates.csv").write_text("prefix,rate,currency\n+33,0.05,USD\n", encoding="utf-8")
    page = tmp_path / "replay.html"
    argv = [
        "cdr", str(log), "--dialed-column", "dialed", "--user-column", "user", "--start-column", "start",
        "--duration-column", "seconds", "--rates", str(tmp_path / "rates.csv"), "--report", str(page),
    ]
    assert main(argv) == 0
    return page


def test_the_report_embeds_its_plotting_library(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert "<script src=" not in text  # nothing to fetch: plotly.js is inline
    assert text.count('class="plot"') == 3
    assert "FR/domestic-1200" in text and "pool-exhausted" in text


def test_the_report_needs_the_replay_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "calls.csv"
    log.write_text(CALLS, encoding="utf-8")
    argv = ["cdr", str(log), "--dialed-column", "dialed", "--user-column", "user", "--report", str(tmp_path / "r.html")]
    assert main(argv) == 2
    assert "needs --start-column and --duration-column" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_the_report_renders_offline_in_a_browser(report: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True)
            page = context.new_page()
            errors: list[str] = []
            fetched: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: fetched.append(request.url))
            page.goto(report.as_uri())
            plots = page.locator(".js-plotly-plot")
            expect(plots).to_have_count(3)
            for index in range(3):
                expect(plots.nth(index).locator("svg.main-svg").first).to_be_visible()
            # The pool plot draws the use and the cap of each pool and month.
            expect(plots.nth(0).locator(".legendtext", has_text="FR/domestic-1200 2024-03 cap")).to_have_count(1)
            expect(plots.nth(1).locator(".legendtext", has_text="pool-exhausted")).to_have_count(1)
            assert errors == []
            assert all(url.startswith("file://") for url in fetched), fetched
        finally:
            browser.close()
