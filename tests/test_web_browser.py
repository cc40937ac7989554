"""The web edition in a real browser: Debian's Chromium, headless, through Selenium.

For the front page, an edition page and two article pages of the sample
publication in each built-in theme, opened from disk (``file://``, the
hardest case for relative links):

* axe-core (npm ``axe-core``, injected into the page) finds no WCAG 2.0/2.1
  A or AA violation;
* at 360 px and at 1280 px the page does not scroll sideways, every picture
  loads (``naturalWidth > 0`` once scrolled into view) and the console shows
  no error.

One browser serves the whole test session (per xdist worker): the ``browser``
fixture in conftest.py, shared with the desk's browser tests.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import PUBLICATION, run_axe

WIDTHS = (360, 1280)


def chosen_pages(out: Path) -> list[Path]:
    """The front page, the newest edition page and two article pages (one with a
    table, footnotes or quotes if any, and one in another language if any)."""
    from publikasi.source import load

    pub = load(PUBLICATION).publication
    newest = pub.releases[0]
    articles = [a for _, a in pub.all_articles()]
    rich = max(articles, key=lambda a: (len(a.footnotes) > 0, len(a.figures), len(a.blocks)))
    other = next((a for a in articles if a.language != pub.language and a is not rich),
                 next(a for a in articles if a is not rich))
    return [out / "index.html", out / newest.slug / "index.html",
            out / rich.slug / "index.html", out / other.slug / "index.html"]


def open_page(driver, page: Path, width: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 800, "deviceScaleFactor": 1,
                            "mobile": width < 600})
    driver.get_log("browser")  # empty the console: only this page's messages count
    driver.get(page.as_uri())


def console_errors(driver) -> list[str]:
    return [f"{e.get('level')}: {e.get('message')}" for e in driver.get_log("browser")
            if e.get("level") == "SEVERE"]


def load_every_picture(driver) -> list[dict]:
    """Scroll the page through so lazy pictures load; -> the pictures that did not."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    for y in range(0, height + 800, 600):
        driver.execute_script("window.scrollTo(0, arguments[0])", y)
        time.sleep(0.05)
    deadline = time.time() + 15
    script = ("return Array.from(document.images).map(i => ({src: i.currentSrc || i.src, "
              "complete: i.complete, width: i.naturalWidth}))")
    while True:
        images = driver.execute_script(script)
        if all(i["complete"] for i in images) or time.time() > deadline:
            break
        time.sleep(0.1)
    assert images, "no pictures on this page"
    return [i for i in images if not (i["complete"] and i["width"] > 0)]


def sideways_overflow(driver) -> int:
    return driver.execute_script(
        "const d = document.documentElement; return d.scrollWidth - d.clientWidth;")


@pytest.fixture(scope="module", params=["default", "buletin"])
def theme_pages(request, sample_dist, buletin_dist):
    out = sample_dist if request.param == "default" else buletin_dist
    return chosen_pages(out)


def test_axe_finds_no_wcag_violation(browser, axe_source, theme_pages):
    chosen = theme_pages
    found = {}
    for page in chosen:
        open_page(browser, page, 1280)
        violations = run_axe(browser, axe_source)
        if violations:
            found[str(page)] = violations
        open_page(browser, page, 360)
        violations = run_axe(browser, axe_source)
        if violations:
            found[f"{page} @360px"] = violations
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_sideways_scroll_every_picture_loads_no_console_error(browser, theme_pages, width):
    chosen = theme_pages
    problems = []
    for page in chosen:
        open_page(browser, page, width)
        overflow = sideways_overflow(browser)
        if overflow > 0:
            problems.append(f"{page} @{width}px scrolls sideways by {overflow}px")
        for image in load_every_picture(browser):
            problems.append(f"{page} @{width}px: picture did not load: {image}")
        if sideways_overflow(browser) > 0:
            problems.append(f"{page} @{width}px scrolls sideways after pictures loaded")
        for line in console_errors(browser):
            problems.append(f"{page} @{width}px console: {line}")
    assert not problems, "\n".join(problems)


def test_phone_gets_one_column_and_desktop_a_comfortable_measure(browser, theme_pages):
    chosen = theme_pages
    article = chosen[2]
    open_page(browser, article, 360)
    columns = browser.execute_script(
        "return getComputedStyle(document.querySelector('.lead-grid, .article-body'))"
        ".gridTemplateColumns || 'none'")
    assert columns in ("none", "") or len(columns.split()) == 1
    body_width = browser.execute_script(
        "return document.querySelector('.article-body').getBoundingClientRect().width")
    assert body_width <= 360
    open_page(browser, article, 1280)
    measure = browser.execute_script(
        "const p = document.querySelector('.article-body p');"
        "return [p.getBoundingClientRect().width, parseFloat(getComputedStyle(p).fontSize)]")
    width, font = measure
    # A comfortable line: roughly 60-85 characters (about 0.5 em per character).
    assert 50 <= width / (font * 0.5) <= 95, measure
    open_page(browser, chosen[0], 1280)
    lead_columns = browser.execute_script(
        "return getComputedStyle(document.querySelector('.lead-grid')).gridTemplateColumns")
    assert len(lead_columns.split()) >= 2, lead_columns
    open_page(browser, chosen[0], 360)
    lead_columns = browser.execute_script(
        "return getComputedStyle(document.querySelector('.lead-grid')).gridTemplateColumns")
    assert len(lead_columns.split()) == 1, lead_columns


def test_printing_an_article_gives_the_article_without_navigation(browser, theme_pages):
    import base64
    import io

    from pypdf import PdfReader

    article = theme_pages[2]
    open_page(browser, article, 1280)
    title = browser.execute_script("return document.querySelector('h1').textContent.trim()")
    nav = browser.execute_script(
        "return Array.from(document.querySelectorAll('.sections-nav a'))"
        ".map(a => a.textContent.trim())")
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
    text = " ".join(page.extract_text() for page in
                    PdfReader(io.BytesIO(base64.b64decode(pdf["data"]))).pages)
    flat = " ".join(text.split())
    assert " ".join(title.split()) in flat
    # The navigation's first link (the front page: "Beranda") is not printed.
    assert nav and f" {nav[0]} " not in f" {flat} ", flat[:300]
