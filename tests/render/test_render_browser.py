"""Open rendered pages in a real headless Chromium: pictures drawn, no horizontal overflow,
nothing fetched, no console errors (a Content-Security-Policy violation would show there).

Needs Debian's ``chromium`` (``apt-get install -y chromium``) and the ``playwright`` package;
skipped with the reason otherwise. Set ``RENDER_SCREENSHOTS=DIR`` to keep the screenshots.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import result_fixtures as rf

from dnn_autograder.grader.outputs.render import render_class_summary, render_report

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTHS = (1280, 800)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install playwright)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as driver:
        try:
            context = driver.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
                viewport={"width": WIDTHS[0], "height": 900})
        except Error as exc:
            pytest.skip(f"Chromium did not start: {str(exc).splitlines()[0]}")
        yield context
        context.close()


def _open(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, requests, errors


def _check(page: Any, requests: list[str], errors: list[str], name: str,
           shots: Path) -> None:
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert errors == []
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    boxes = page.evaluate("""[...document.querySelectorAll('svg.plot-svg')].map(svg => {
        const box = svg.getBoundingClientRect();
        return [box.width, box.height, svg.querySelectorAll('path, text, use, image').length];
    })""")
    assert boxes and all(w > 50 and h > 50 and parts > 5 for w, h, parts in boxes), boxes
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll, inner = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{name}: horizontal overflow at {width} px ({scroll} > {inner})"
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
    page.emulate_media(media="print")
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{name}: overflow in print layout"


@pytest.fixture()
def shots(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    keep = os.environ.get("RENDER_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, Path(keep) / png.name)


def test_report_in_chromium(browser: Any, all_figures: dict, catalogue: dict, tmp_path: Path,
                            shots: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_report(rf.submission(figures=all_figures), catalogue=catalogue),
                    encoding="utf-8")
    page, requests, errors = _open(browser, path)
    _check(page, requests, errors, "report", shots)
    assert page.evaluate("document.querySelectorAll('svg.plot-svg').length") == 5
    diff_style = page.evaluate("""(() => {
        const cell = document.querySelector('td.diff');
        const style = getComputedStyle(cell);
        return [style.backgroundColor, getComputedStyle(cell.querySelector('strong')).fontWeight,
                getComputedStyle(cell.querySelector('.marker')).display];
    })()""")
    assert diff_style[0] != "rgba(0, 0, 0, 0)" and int(diff_style[1]) >= 600
    assert diff_style[2] != "none"  # the marker is visible: colour is not the only signal


def test_hostile_report_in_chromium(browser: Any, catalogue: dict, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(render_report(rf.hostile_submission(), catalogue=catalogue),
                    encoding="utf-8")
    page, requests, errors = _open(browser, path)
    assert errors == [] and page.evaluate("document.querySelectorAll('script, img').length") == 0
    assert "<script>alert(1)</script>" in page.inner_text("pre.output")
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner


def test_summary_in_chromium(browser: Any, catalogue: dict, tmp_path: Path,
                             shots: Path) -> None:
    path = tmp_path / "summary.html"
    links = {"alice": "alice/report.html", "bob": "bob/report.html"}
    path.write_text(render_class_summary(rf.classroom(), links, catalogue=catalogue),
                    encoding="utf-8")
    page, requests, errors = _open(browser, path)
    _check(page, requests, errors, "summary", shots)


def test_identifiers_stay_on_one_line_in_chromium(browser: Any, catalogue: dict, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_report(rf.submission(), catalogue=catalogue), encoding="utf-8")
    page, _, errors = _open(browser, path)
    assert errors == []
    for width in (800, 420):
        page.set_viewport_size({"width": width, "height": 900})
        broken = page.evaluate("""[...document.querySelectorAll('code.ident')]
            .filter(code => code.getClientRects().length > 1).map(code => code.textContent)""")
        assert broken == [], f"identifiers broken across lines at {width} px: {broken}"
        labels = page.evaluate("document.querySelectorAll('code.ident').length")
        assert labels > 20
