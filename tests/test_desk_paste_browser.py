"""/tempel and /impor in a real headless Chromium (the session's shared ``browser``).

A desk runs over a copy of the sample publication (``publikasi serve`` in a
child process).  Through the browser, as a person would:

* paste a seed-shaped release (tests/desk_paste_support.py), correct the
  title in the form, upload the photo its caption names, save; the article
  then shows in the desk's preview, and ``publikasi build`` of the same
  source puts it in the PDF (read back with pdftotext) and in the feeds
  (feedparser, JSON);
* the clipboard's HTML is kept in the hidden field by the page's script
  (a synthetic paste event carries it) and read by the page extractor, and
  dropped once the text is edited;
* upload a Word file edited with python-docx, see the diff, accept: the
  source has the edit; a Word file with a tracked change and a comment lists
  both before the accept;
* axe-core finds no WCAG 2.1 A/AA violation on /tempel (empty, with a
  result) and /impor (empty, with a diff), at phone and desktop width, and
  neither page scrolls sideways.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from conftest import run_axe, run_cli
from desk_paste_support import RELEASE_HTML, RELEASE_TEXT, RIGHT_TITLE, WRONG_TITLE, copy_publication
from desk_support import running_desk
from test_desk_wordloop import BANK, python_docx_edit, tracked_edit

WIDTHS = (360, 1280)
SLUG = "pasar-tani-blimbing-dibuka-tiap-sabtu-pagi"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    source = copy_publication(tmp_path_factory.mktemp("desk-paste-browser"))
    with running_desk(source) as running:
        yield running, source


def _open(driver, url: str, width: int = 1280) -> None:
    _width(driver, width)
    driver.get(url)


def _width(driver, width: int, height: int = 900) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1,
                            "mobile": width < 600})


def _checked(driver, axe_source: str, what: str) -> None:
    """axe-core clean and no sideways scrolling, at phone and desktop width."""
    for width in WIDTHS:
        _width(driver, width)
        violations = run_axe(driver, axe_source)
        assert violations == [], f"{what} at {width}px: {violations}"
        overflow = driver.execute_script(
            "const d = document.documentElement; return d.scrollWidth - d.clientWidth;")
        assert overflow <= 0, f"{what} scrolls sideways at {width}px"
    _width(driver, 1280)


def _css(driver, selector: str):
    return driver.find_element("css selector", selector)


def _wait(check, timeout: float, what: str):
    """``check()``'s first true result; a page that is being replaced counts as not yet."""
    from selenium.common.exceptions import WebDriverException

    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except WebDriverException:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _set_text(driver, text: str) -> None:
    driver.execute_script("document.getElementById('text').value = arguments[0];", text)


def _png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (800, 500), (40, 140, 60)).save(path, "PNG")
    return path


def test_clipboard_html_goes_to_the_page_extractor(browser, desk):
    running, _ = desk
    _open(browser, running.base + "/tempel")
    browser.execute_script(
        "const t = document.getElementById('text');"
        "const data = new DataTransfer();"
        "data.setData('text/html', arguments[0]); data.setData('text/plain', arguments[1]);"
        "t.value = arguments[1];"
        "t.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));",
        RELEASE_HTML, "teks biasa dari papan klip")
    assert _css(browser, "#html").get_attribute("value") == RELEASE_HTML
    assert _css(browser, "#html-status").text == "HTML dari papan klip akan dibaca."
    _css(browser, "form.desk-paste button[type=submit]").click()
    _wait(lambda: browser.find_elements("css selector", "#f-title"), 30, "the result")
    assert _css(browser, "#html-status").text == "Dibaca dari HTML yang ditempel."
    assert _css(browser, "#f-title").get_attribute("value") == WRONG_TITLE
    credit = browser.find_elements("css selector", "input[name$='.credit']")
    assert [c.get_attribute("value") for c in credit] == ["Humas"]  # from the <figcaption>
    # Typing in the text after the paste: the HTML no longer matches and is dropped.
    _css(browser, "#text").send_keys(" x")
    assert _css(browser, "#html").get_attribute("value") == ""
    assert "teksnya yang dibaca" in _css(browser, "#html-status").text


def test_paste_correct_save_then_preview_pdf_and_feeds(browser, axe_source, desk, tmp_path):
    running, source = desk
    _open(browser, running.base + "/tempel")
    assert _css(browser, "label[for=text]").is_displayed()
    _checked(browser, axe_source, "/tempel (empty)")
    # Without a date in the text, the date is a guess, marked with its reason.
    _set_text(browser, RELEASE_TEXT.replace(", Sabtu (15/11/2025)", ""))
    _css(browser, "#release option[value='2025-47']").click()
    _css(browser, "form.desk-paste button[type=submit]").click()
    guess = _wait(lambda: browser.find_elements("css selector", "#guess-date"), 30, "the guess")
    assert guess[0].text == "Tebakan: tanggal diambil dari tanggal edisi (2025-11-17)"
    assert "guess-date" in _css(browser, "#f-date").get_attribute("aria-describedby").split()
    assert _css(browser, "#f-date").get_attribute("value") == "2025-11-17"
    _checked(browser, axe_source, "/tempel (result with a guess)")
    # The dated text, read again from the result page.
    _set_text(browser, RELEASE_TEXT)
    _css(browser, "#desk-reread").click()
    _wait(lambda: _css(browser, "#f-date").get_attribute("value") == "2025-11-15", 30,
          "the text read again")
    assert not browser.find_elements("css selector", "#guess-date")
    title = _css(browser, "#f-title")
    assert title.get_attribute("value") == WRONG_TITLE
    assert _css(browser, "#f-dateline").get_attribute("value") == "Blimbing"
    assert _css(browser, "#f-byline").get_attribute("value") == "rin/ag"
    # Correct the title, give the caption-only figure its photo, save.
    from selenium.webdriver.common.keys import Keys

    _css(browser, "input[type=file][name$='.src']").send_keys(str(_png(tmp_path / "foto.png")))
    title.clear()
    # By keyboard: Enter in a field saves (the form's first button is Save, not Read again).
    title.send_keys(RIGHT_TITLE, Keys.ENTER)
    message = _wait(lambda: browser.find_elements("css selector", "#desk-paste-message"), 30,
                    "the save")[0]
    assert message.text.startswith(f"Disimpan: 2025-47/{SLUG}.md"), message.text
    written = source / "2025-47" / f"{SLUG}.md"
    text = written.read_text(encoding="utf-8")
    assert f"title: {RIGHT_TITLE}" in text and WRONG_TITLE not in text
    assert f"](<images/{SLUG}-foto-1.png>" in text
    _checked(browser, axe_source, "/tempel (saved)")
    # The preview rebuilds by itself: the link leads to the new article.
    link = _css(browser, "#desk-paste-message a").get_attribute("href")

    def shown() -> bool:
        browser.get(link)
        heads = browser.find_elements("css selector", "main h1")
        return bool(heads) and heads[0].text == RIGHT_TITLE

    _wait(shown, 120, "the article in the preview")
    # The uploaded photo is in the article (loaded once scrolled to: pictures load lazily).
    _wait(lambda: browser.execute_script(
        "const i = document.querySelector('main figure img');"
        "if (i) i.scrollIntoView();"
        "return i && i.complete && i.naturalWidth > 0;"), 30, "the photo to load")
    # The same source built: the article is in the PDF and in every feed.
    out = tmp_path / "dist"
    proc = run_cli("build", source, "-f", "pdf,rss,atom,jsonfeed", "-o", out)
    assert proc.returncode == 0, proc.stderr
    pdf = next(out.glob("2025-47/*.pdf"))
    pdf_text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
    assert RIGHT_TITLE in " ".join(pdf_text.split())
    import feedparser

    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse(str(out / name))
        assert not feed.bozo, (name, feed.bozo_exception)
        assert RIGHT_TITLE in [e.title for e in feed.entries], name
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    assert RIGHT_TITLE in [i["title"] for i in items]


def test_word_loop_in_the_browser(browser, axe_source, desk, tmp_path):
    running, source = desk
    proc = run_cli("build", source, "-f", "docx", "-o", tmp_path / "dist")
    assert proc.returncode == 0, proc.stderr
    built = next((tmp_path / "dist").rglob(f"docx/{BANK}.docx"))
    target = source / "2025-46" / "bank-sampah-lesanpuro.md"
    _open(browser, running.base + "/impor")
    _checked(browser, axe_source, "/impor (empty)")
    # A tracked change and a comment: listed before anything is written.
    tracked = tracked_edit(built, tmp_path / "lacak.docx")
    _css(browser, "#docx").send_keys(str(tracked))
    _css(browser, "#desk-show").click()
    changes = _wait(lambda: browser.find_elements("css selector", ".desk-changes li"), 60,
                    "the tracked changes")
    assert 'accepted tracked change by Rina Editor: inserted "juga"' in [c.text for c in changes]
    comments = [c.text for c in browser.find_elements("css selector", ".desk-comments li")]
    assert any("Cek harga terbaru ke DLH" in c for c in comments)
    assert "juga" not in target.read_text(encoding="utf-8").split("menilai")[0][-10:]
    _css(browser, "#desk-accept").click()
    _wait(lambda: browser.find_elements("css selector", "#desk-impor-message"), 60, "accept")
    assert "juga menilai" in target.read_text(encoding="utf-8")
    # A file edited with python-docx: the diff, then accept.
    edited = python_docx_edit(built, tmp_path / "editan.docx", "7,1 ton", "7,6 ton")
    _css(browser, "#docx").send_keys(str(edited))
    _css(browser, "#desk-show").click()
    diff = _wait(lambda: browser.find_elements("css selector", ".desk-diff"), 60, "the diff")[0]
    removed = [s.text for s in diff.find_elements("css selector", ".desk-del")]
    added = [s.text for s in diff.find_elements("css selector", ".desk-add")]
    assert any("7,1 ton" in line for line in removed) and any("7,6 ton" in line for line in added)
    assert "7,6 ton" not in target.read_text(encoding="utf-8")  # nothing written yet
    _checked(browser, axe_source, "/impor (diff)")
    _css(browser, "#desk-accept").click()
    message = _wait(lambda: browser.find_elements("css selector", "#desk-impor-message"), 60,
                    "accept")[0]
    assert message.text == "Sumber diperbarui: 2025-46/bank-sampah-lesanpuro.md."
    assert "7,6 ton" in target.read_text(encoding="utf-8")
    _checked(browser, axe_source, "/impor (accepted)")
