"""Regenerate the web edition screenshots in docs/images/ (web-*.png).

    python docs/screenshots.py

Builds the sample publication's web edition in both built-in themes into a
temporary folder and photographs the front page and an article page at a
phone width (360 px) and a desktop width (1280 px) with headless Chromium
(Debian ``chromium`` + ``chromium-driver``, driven by Selenium).  Each
picture is the first screen of the page, as a visitor sees it on arrival.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "warta-malang"
IMAGES = ROOT / "docs" / "images"
ARTICLE_FILE = "expo-umkm-naik-kelas.md"  # photos, a list, a quote
SIZES = {"phone": (360, 780), "desktop": (1280, 900)}
THEMES = ("default", "buletin")


def build(theme: str, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "publikasi", "build", str(SAMPLE), "-t", theme,
                    "-f", "html,feeds", "--no-cache", "-o", str(out)],
                   check=True, capture_output=True)


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


def shoot(driver, page: Path, size: tuple[int, int], target: Path) -> None:
    width, height = size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1,
                            "mobile": width < 600})
    driver.get(page.as_uri())
    # Wait for the pictures of the first screen (lazy ones below it may wait).
    for _ in range(100):
        if driver.execute_script("return Array.from(document.images).every("
                                 "i => i.loading === 'lazy' || (i.complete && i.naturalWidth))"):
            break
        time.sleep(0.05)
    driver.save_screenshot(str(target))


def article_slug() -> str:
    from publikasi.source import load

    pub = load(SAMPLE).publication
    return next(a.slug for r in pub.releases for a in r.articles
                if a.path is not None and a.path.name == ARTICLE_FILE)


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    slug = article_slug()
    driver = browser()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for theme in THEMES:
                out = Path(tmp) / theme
                build(theme, out)
                pages = {"front": out / "index.html", "article": out / slug / "index.html"}
                for name, page in pages.items():
                    for device, size in SIZES.items():
                        target = IMAGES / f"web-{theme}-{name}-{device}.png"
                        shoot(driver, page, size, target)
                        print(target.relative_to(ROOT))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
