"""Regenerate the desk's screenshots in docs/images/ (desk-*.png).

    python docs/desk_screenshots.py

Runs ``publikasi serve`` over a temporary copy of the sample publication and
photographs, with headless Chromium (Debian ``chromium`` + ``chromium-driver``
through Selenium): the preview at desktop (1280 px) and phone (360 px)
width, the paste page with the sample raw release read into fields, the
edition page, and the error overlay over the last good preview.
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


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--force-device-scale-factor=1"):
        options.add_argument(arg)
    return webdriver.Chrome(options=options,
                            service=Service(shutil.which("chromedriver") or
                                            "/usr/bin/chromedriver"))


def size(driver, name: str) -> None:
    width, height = SIZES[name]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1,
                            "mobile": width < 600})


def shoot(driver, target: str) -> None:
    for _ in range(100):
        if driver.execute_script("return Array.from(document.images).every("
                                 "i => i.loading === 'lazy' || (i.complete && i.naturalWidth))"):
            break
        time.sleep(0.05)
    driver.save_screenshot(str(IMAGES / target))


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
            driver.get(base + "/tempel")
            driver.execute_script("document.querySelector('textarea[name=text]').value = "
                                  "arguments[0];", PASTE.read_text(encoding="utf-8"))
            driver.find_element("css selector", "form.desk-paste button[type=submit]").click()
            time.sleep(1)
            shoot(driver, "desk-paste-desktop.png")
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
