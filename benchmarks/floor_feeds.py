"""Raw floor for feeds: feedgen writes RSS 2.0 and Atom, json writes a JSON Feed.

    python benchmarks/floor_feeds.py CORPUS_DIR OUT_DIR

Like publikasi: the newest ``feed.items`` (50 in the corpus) articles of the
whole publication with full HTML content, each photo copied to ``media/``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

from feedgen.feed import FeedGenerator
from floor_common import args, article_html, image_path

ITEMS = 50


def main() -> None:
    corpus, out, data = args()
    base = data["base_url"]
    pairs = [(r, a) for r in data["releases"] for a in r["articles"]]
    pairs.sort(key=lambda p: p[1]["date"], reverse=True)
    pairs = pairs[:ITEMS]
    fg = FeedGenerator()
    fg.id(base)
    fg.title(data["title"])
    fg.link(href=base, rel="alternate")
    fg.link(href=base + "atom.xml", rel="self")
    fg.description("Rilis Pemerintah Kota Malang")
    fg.language(data["language"])
    items = []
    (out / "media").mkdir(parents=True, exist_ok=True)
    for release, a in reversed(pairs):  # feedgen prepends entries
        url = f"{base}{a['slug']}/"
        photo = image_path(corpus, release, a)
        media = None
        if photo:
            shutil.copyfile(photo, out / "media" / photo.name)
            media = f"{base}media/{photo.name}"
        html = article_html(a, media)
        when = dt.datetime.fromisoformat(a["date"])
        fe = fg.add_entry()
        fe.id(url)
        fe.title(a["title"])
        fe.link(href=url)
        fe.published(when)
        fe.updated(when)
        fe.content(html, type="CDATA")
        fe.description(a["blocks"][0]["text"])
        if media:
            fe.enclosure(media, str(photo.stat().st_size), "image/jpeg")
        items.append({"id": url, "url": url, "title": a["title"], "content_html": html,
                      "date_published": when.isoformat(), "image": media})
    fg.rss_file(str(out / "feed.xml"), pretty=True)
    fg.atom_file(str(out / "atom.xml"), pretty=True)
    (out / "feed.json").write_text(json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": data["title"],
         "home_page_url": base, "feed_url": base + "feed.json",
         "items": list(reversed(items))}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
