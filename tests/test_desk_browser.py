"""The desk in a real headless Chromium (the session's shared ``browser``).

A desk runs over a copy of the sample publication (one per xdist worker);
each test puts back what it changed in the copy.

* the preview shows the sample, with the desk's menu, and axe-core finds no
  WCAG 2.1 A/AA violation on the desk's pages at phone and desktop width;
* an edit of a source file on disk shows in every open preview tab (two
  tabs) within 2 s, through server-sent events;
* a broken source shows the overlay with exactly the ``error:`` lines
  ``publikasi build`` prints, over the last good preview; fixing it clears it;
* reordering on the edition page writes ``articles:`` in release.yaml and
  the preview's front page follows.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import run_axe, run_cli
from desk_support import copy_sample, desk_state, running_desk, wait_for

ARTICLE = Path("2025-47") / "uji-publik-rapbd.md"
ARTICLE_PAGE = "/uji-publik-rapbd-2026/index.html"
TITLE = "Uji Publik RAPBD 2026: Pendidikan dan Kesehatan Tetap Jadi Prioritas"
WIDTHS = (360, 1280)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    source = copy_sample(tmp_path_factory.mktemp("desk-browser"))
    with running_desk(source) as running:
        yield running, source


def _settle(desk, timeout: float = 60) -> int:
    """Wait until no build is running; -> the generation served."""
    time.sleep(0.5)  # a file written just now: the desk notices it after a short debounce
    state = wait_for(lambda: (s := desk_state(desk)) and not s["building"] and s, timeout,
                     "the preview builds to finish")
    assert isinstance(state, dict)
    return state["generation"]


def _open(driver, url: str, width: int = 1280) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 800, "deviceScaleFactor": 1,
                            "mobile": width < 600})
    driver.get(url)


def _axe_clean(driver, axe_source: str, what: str) -> None:
    violations = run_axe(driver, axe_source)
    assert violations == [], f"{what}: {violations}"


def test_preview_and_edition_pages_pass_axe(browser, axe_source, desk):
    running, _ = desk
    _settle(running)
    for width in WIDTHS:
        for path in ("/", ARTICLE_PAGE, "/edisi/2025-47", "/edisi/2025-46"):
            _open(browser, running.base + path, width)
            assert browser.find_element("css selector", ".desk-nav a[href='/']")
            _axe_clean(browser, axe_source, f"{path} at {width}px")
            overflow = browser.execute_script(
                "const d = document.documentElement; return d.scrollWidth - d.clientWidth;")
            assert overflow <= 0, f"{path} scrolls sideways at {width}px"
    _open(browser, running.base + "/")
    assert browser.title == "Warta Kota Malang"
    assert "Uji Publik RAPBD 2026" in browser.find_element("tag name", "main").text


def _tab_titles(driver, handles: list[str]) -> list[str]:
    titles = []
    for handle in handles:
        driver.switch_to.window(handle)
        try:
            titles.append(driver.execute_script(
                "const h = document.querySelector('main h1'); return h ? h.textContent : '';"))
        except Exception:  # noqa: BLE001 - the page is being replaced
            titles.append("")
    return titles


def _loaded_at(driver, handle: str) -> float:
    """Epoch seconds at which the tab's current page was ready (DOMContentLoaded)."""
    driver.switch_to.window(handle)
    return driver.execute_script(
        "const n = performance.getEntriesByType('navigation')[0];"
        "return (performance.timeOrigin + n.domContentLoadedEventEnd) / 1000;")


def test_an_edit_on_disk_shows_in_every_open_tab_within_two_seconds(browser, desk):
    running, source = desk
    _settle(running)
    article = source / ARTICLE
    original = article.read_text(encoding="utf-8")
    first = browser.current_window_handle
    _open(browser, running.base + ARTICLE_PAGE)
    browser.switch_to.new_window("tab")
    second = browser.current_window_handle
    _open(browser, running.base + ARTICLE_PAGE)
    handles = [first, second]
    try:
        assert _tab_titles(browser, handles) == [TITLE, TITLE]
        for attempt in range(2):  # twice: the second edit is an incremental rebuild too
            new_title = f"Uji Publik RAPBD 2026: Anggaran Dibahas Warga (ubahan {attempt})"
            time.sleep(0.3)
            edited = time.time()
            article.write_text(original.replace(TITLE, new_title), encoding="utf-8")
            wait_for(lambda t=new_title: _tab_titles(browser, handles) == [t, t], 20,
                     "both tabs to show the edit")
            # When did each tab have the changed page?  The browser's own clock
            # (same machine), so the test's polling of the tabs does not count.
            delays = [_loaded_at(browser, handle) - edited for handle in handles]
            assert all(0 < d < 2.0 for d in delays), f"seconds from the edit to each tab: {delays}"
            _settle(running)
    finally:
        browser.switch_to.window(second)
        browser.close()
        browser.switch_to.window(first)
        article.write_text(original, encoding="utf-8")
        _settle(running)


def test_a_broken_source_shows_the_cli_error_over_the_last_preview(browser, axe_source, desk,
                                                                    tmp_path):
    running, source = desk
    _settle(running)
    article = source / ARTICLE
    original = article.read_text(encoding="utf-8")
    _open(browser, running.base + ARTICLE_PAGE)
    assert _overlay_hidden(browser)
    try:
        article.write_text(original.replace("date: 2025-11-12T13:00:00+07:00",
                                            "date: 2025-13-45"), encoding="utf-8")
        wait_for(lambda: _overlay_hidden(browser) is False, 20, "the error overlay")
        assert browser.find_element("id", "desk-overlay").is_displayed()
        shown = browser.find_element("id", "desk-errors").text.strip().splitlines()
        # exactly what the command line says about the same source
        cli = run_cli("build", source, "-o", tmp_path / "out", "-f", "html")
        assert cli.returncode == 2
        expected = [line for line in cli.stderr.splitlines() if line.startswith("error: ")]
        assert shown == expected and expected
        assert f"{article}:" in shown[0]
        # the last good preview is still underneath
        assert TITLE in browser.find_element("css selector", "main h1").text
        _axe_clean(browser, axe_source, "the preview with the error overlay")
        before = browser.execute_script("return document.querySelector('script[data-generation]')"
                                        ".dataset.generation")
    finally:
        article.write_text(original, encoding="utf-8")
    wait_for(lambda: _page_generation(browser) not in ("", before)
             and _overlay_hidden(browser) is True, 20, "the fixed preview without the overlay")
    # (the edition files' build that follows reloads the page once more: read by script)
    wait_for(lambda: TITLE in (_tab_titles(browser, [browser.current_window_handle])[0] or ""),
             20, "the fixed page")
    _settle(running)


def _page_generation(driver) -> str:
    try:
        return driver.execute_script(
            "const s = document.querySelector('script[data-generation]');"
            "return s ? s.dataset.generation : '';")
    except Exception:  # noqa: BLE001 - the page is being replaced
        return ""


def _overlay_hidden(driver) -> bool | None:
    """Whether the error overlay is hidden; None while the page is being replaced."""
    try:
        return driver.execute_script("const o = document.getElementById('desk-overlay');"
                                     "return o ? o.hidden : null;")
    except Exception:  # noqa: BLE001 - the page is being replaced
        return None


def _lead_titles(driver) -> list[str]:
    try:
        return driver.execute_script(
            "return Array.from(document.querySelectorAll('.lead-stories h3'))"
            ".map(h => h.textContent.trim());")
    except Exception:  # noqa: BLE001 - the page is being replaced
        return []


def test_reordering_writes_release_yaml_and_the_preview_follows(browser, desk):
    running, source = desk
    _settle(running)
    release_yaml = source / "2025-47" / "release.yaml"
    original = release_yaml.read_bytes()
    try:
        _open(browser, running.base + "/edisi/2025-47")
        files = [e.text for e in browser.find_elements("css selector", ".desk-order .desk-file")]
        titles = [e.text.split("\n")[0] for e in
                  browser.find_elements("css selector", ".desk-order .desk-article")]
        assert len(files) == 5
        first_down = browser.find_element(
            "css selector", ".desk-order > li:first-child form:nth-of-type(2) button")
        assert browser.find_element(
            "css selector", ".desk-order > li:first-child form:nth-of-type(1) button"
        ).get_attribute("disabled") is not None
        first_down.click()
        wait_for(lambda: "urutan=disimpan" in browser.current_url, 10, "the saved order")
        assert browser.find_element("css selector", ".desk-note").text
        # the moved article's button keeps the keyboard focus
        assert browser.switch_to.active_element.get_attribute("aria-label").endswith(
            f"“{titles[0]}”")
        import yaml

        text = release_yaml.read_text(encoding="utf-8")
        expected = [files[1], files[0], *files[2:]]
        assert yaml.safe_load(text)["articles"] == expected
        assert text.startswith(original.decode("utf-8"))  # the other keys kept as they were
        new_order = [e.text for e in browser.find_elements("css selector",
                                                           ".desk-order .desk-file")]
        assert new_order == expected
        _open(browser, running.base + "/")
        lead_before = _lead_titles(browser)
        wait_for(lambda: _lead_titles(browser)[:2] == [titles[1], titles[0]], 20,
                 f"the front page to follow the new order (was {lead_before})")
    finally:
        release_yaml.write_bytes(original)
        _settle(running)


def test_a_source_broken_from_the_start(browser, axe_source, tmp_path):
    """No preview yet: the waiting page shows the errors, and the preview once fixed."""
    source = copy_sample(tmp_path)
    article = source / ARTICLE
    good = article.read_text(encoding="utf-8")
    article.write_text(good.replace("title: ", "titel: ", 1), encoding="utf-8")
    with running_desk(source) as running:
        assert desk_state(running)["generation"] == 0
        _open(browser, running.base + "/", 360)
        assert _overlay_hidden(browser) is False
        shown = browser.find_element("id", "desk-errors").text
        assert f"error: {article}" in shown
        _axe_clean(browser, axe_source, "the waiting page with errors")
        article.write_text(good, encoding="utf-8")
        wait_for(lambda: browser.title == "Warta Kota Malang", 30, "the preview")
        assert _overlay_hidden(browser) is True
