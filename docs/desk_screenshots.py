"""Regenerate the desk's screenshots in docs/images/ (desk-*.png).

    python docs/desk_screenshots.py

Runs ``publikasi serve`` over a temporary copy of the sample publication and
photographs, with headless Chromium (Debian ``chromium`` + ``chromium-driver``
through Selenium): the preview at desktop (1280 px) and phone (360 px)
width, the paste page with the sample raw release read into fields (its
date cut to a day name, so the date is a guess with its reason) at both
widths, the Word loop's diff of an edited Word file, the edition page, and
the error overlay over the last good preview.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from screenshots import browser  # docs/screenshots.py: the one headless Chromium setup

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "warta-malang"
PASTE = ROOT / "samples" / "rilis-humas.txt"
IMAGES = ROOT / "docs" / "images"
SIZES = {"phone": (360, 780), "desktop": (1280, 900)}


def start(source: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "publikasi", "serve", str(source),
                             "--port", "0", "--no-open"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("Serving on "):
        proc.kill()
        raise SystemExit(f"the desk did not start: {line!r}")
    return proc, line.removeprefix("Serving on ").rstrip("/")


def state(base: str) -> dict:
    with urllib.request.urlopen(base + "/_desk/events", timeout=10) as stream:
        for raw in stream:
            if raw.startswith(b"data: "):
                return json.loads(raw[6:])
    raise RuntimeError("no state")


def settle(base: str) -> None:
    for _ in range(600):
        now = state(base)
        if now["generation"] and not now["building"]:
            return
        time.sleep(0.5)
    raise SystemExit("the preview did not finish building")


def size(driver, name: str) -> None:
    width, height = SIZES[name]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1,
                            "mobile": width < 600})


def shoot(driver, target: str, full: bool = False) -> None:
    """Save the page; ``full``: as tall as the page (up to 3200 px), not the window."""
    if full:
        width = driver.execute_script("return window.innerWidth;")
        height = driver.execute_script("return document.documentElement.scrollHeight;")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": min(int(height), 3200),
                                "deviceScaleFactor": 1, "mobile": width < 600})
    for _ in range(100):
        if driver.execute_script("return Array.from(document.images).every("
                                 "i => i.loading === 'lazy' || (i.complete && i.naturalWidth))"):
            break
        time.sleep(0.05)
    driver.save_screenshot(str(IMAGES / target))


def edited_word_file(source: Path, tmp: str) -> Path:
    """An article's Word file as publikasi builds it, with one figure changed in Word's way."""
    import docx

    out = Path(tmp) / "word"
    subprocess.run([sys.executable, "-m", "publikasi", "build", str(source), "-f", "docx",
                    "-o", str(out)], check=True, capture_output=True)
    path = next(out.rglob("docx/bank-sampah-*.docx"))
    document = docx.Document(str(path))
    for para in document.paragraphs:
        for run in para.runs:
            if "7,1 ton" in run.text:
                run.text = run.text.replace("7,1 ton", "7,6 ton")
    edited = Path(tmp) / "bank-sampah-editan.docx"
    document.save(str(edited))
    return edited


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / SAMPLE.name
        shutil.copytree(SAMPLE, source)
        proc, base = start(source)
        driver = browser()
        try:
            settle(base)
            for name in ("desktop", "phone"):
                size(driver, name)
                driver.get(base + "/")
                shoot(driver, f"desk-preview-{name}.png")
            size(driver, "desktop")
            driver.get(base + "/edisi/2025-47")
            shoot(driver, "desk-edition-desktop.png")
            # The sample release with its date cut down to the day name: the date
            # field then shows a guess with its reason.
            paste = PASTE.read_text(encoding="utf-8").replace("Kamis (13/11/2025)", "Kamis")
            for name in ("desktop", "phone"):
                size(driver, name)
                driver.get(base + "/tempel")
                driver.execute_script("document.querySelector('textarea[name=text]').value = "
                                      "arguments[0];", paste)
                driver.find_element("css selector", "form.desk-paste button[type=submit]"
                                    ).click()
                time.sleep(1)
                shoot(driver, f"desk-paste-{name}.png", full=True)
            size(driver, "desktop")
            driver.get(base + "/impor")
            driver.find_element("id", "docx").send_keys(str(edited_word_file(source, tmp)))
            driver.find_element("id", "desk-show").click()
            time.sleep(2)
            shoot(driver, "desk-impor-desktop.png", full=True)
            article = source / "2025-47" / "uji-publik-rapbd.md"
            good = article.read_text(encoding="utf-8")
            driver.get(base + "/uji-publik-rapbd-2026/index.html")
            article.write_text(good.replace("date: 2025-11-12T13:00:00+07:00",
                                            "date: 2025-13-45"), encoding="utf-8")
            for _ in range(100):
                if driver.find_element("id", "desk-overlay").is_displayed():
                    break
                time.sleep(0.1)
            shoot(driver, "desk-error-desktop.png")
            article.write_text(good, encoding="utf-8")
        finally:
            driver.quit()
            proc.send_signal(signal.SIGINT)
            proc.wait(60)
    for path in sorted(IMAGES.glob("desk-*.png")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
