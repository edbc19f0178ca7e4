"""The assembled HTML report, opened in headless Chromium, is self-contained and consistent.

Uses the Debian ``chromium`` package (never a downloaded browser) through Playwright; skipped
when /usr/bin/chromium is absent. The report is built from the fixture notebooks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium absent (/usr/bin/chromium) : paquet Debian « chromium » requis"),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from test_build import Env  # the shared fixture project of the build tests

    with pytest.MonkeyPatch.context() as mp:
        env = Env(tmp_path_factory.mktemp("browser"))
        env.patch(mp)
        reports = env.root / "reports"
        result = env.build(reports, audiences=["interne"], force=True)
    assert result.ok, result.summary()
    return reports / "essai-build" / "interne"


def _open(path: Path) -> dict:
    """Open a page; return the requests made, dialogs, images and TOC targets."""
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            context = browser.new_context(java_script_enabled=True)

            def route(r):
                requests.append(r.request.url)
                if r.request.url.startswith(("file://", "data:")):
                    r.continue_()
                else:
                    r.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on("request", lambda req: requests.append(req.url))

            def on_dialog(dialog):
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(200)
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => ({complete: e.complete, width: e.naturalWidth, alt: e.alt}))"
            )
            links = page.eval_on_selector_all("#sommaire a", "els => els.map(a => a.getAttribute('href'))")
            missing = [h for h in links if not page.evaluate("id => !!document.getElementById(id)", h[1:])]
            title = page.title()
        finally:
            browser.close()
    return {"requests": requests, "dialogs": dialogs, "images": images, "links": links, "missing": missing, "title": title}


def test_report_opens_offline_with_decoded_images_and_resolving_toc(report):
    seen = _open(report / "rapport.html")
    outside = [u for u in seen["requests"] if not u.startswith(("file://", "data:"))]
    assert outside == []
    assert seen["dialogs"] == []
    assert len(seen["images"]) >= 1
    assert all(img["complete"] and img["width"] > 0 for img in seen["images"]), seen["images"]
    assert all(img["alt"] for img in seen["images"])
    assert seen["links"] == ["#c01", "#c01-s1", "#c01-s2", "#c02", "#c02-s1"]
    assert seen["missing"] == []
    assert "Rapport d'essai" in seen["title"]


@pytest.mark.parametrize("name", ["01_premier.html", "02_tableau.html"])
def test_chapter_pages_open_offline(report, name):
    seen = _open(report / "chapitres" / name)
    assert [u for u in seen["requests"] if not u.startswith(("file://", "data:"))] == []
    assert seen["dialogs"] == []
    assert all(img["width"] > 0 for img in seen["images"])
