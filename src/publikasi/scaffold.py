"""``publikasi new DIR``: a release folder that builds as it is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .atomic import disk_full, is_disk_full, make_dirs, remove_created
from .errors import fail

# An obviously unfinished publisher name: the build warns while it is there,
# so a scaffolded edition is never published under a made-up office.
PLACEHOLDER_PUBLISHER = "NAMA INSTANSI (ganti di release.yaml)"

RELEASE_YAML = """\
# Metadata of this edition. Required: title, date. See the README for every key.
title: {title}
date: {date}
edition: "{edition}"
language: id
timezone: Asia/Jakarta
# base_url is needed for the RSS/Atom/JSON feeds: where the articles are published.
# base_url: https://example.go.id/berita/
publisher:
  name: "{publisher}"   # the office that publishes the edition: replace this
# articles: [berita-pertama.md]   # order of articles; default: newest first
"""

ARTICLE_MD = """\
---
title: Judul berita pertama
date: {date}T09:00:00+07:00
dateline: Klojen
authors: [Nama Penulis]
byline: abc/de
section: Pemerintahan
tags: [contoh]
# image: {{src: images/foto.jpg, alt: "Apa yang tampak di foto", caption: "Keterangan foto", credit: "Nama/Humas"}}
---
Paragraf pembuka berita: siapa, apa, kapan, di mana. Ganti teks ini dengan isi
rilis Anda.

> “Kutipan narasumber ditulis sebagai blockquote,” ujar narasumber.

## Subjudul

- Butir daftar pertama
- Butir daftar kedua
"""


def new_release(folder: Path, today: dt.date | None = None) -> list[Path]:
    """Create ``folder`` with release.yaml, one article and an images/ folder."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise fail(folder, "already exists and is not empty; choose a new folder name")
    day = today or dt.date.today()
    week = day.isocalendar().week
    created = make_dirs(folder)
    files = [folder / "release.yaml", folder / "berita-pertama.md"]
    try:
        (folder / "images").mkdir(exist_ok=True)
        files[0].write_text(RELEASE_YAML.format(title="Warta Kota", date=day.isoformat(),
                                                edition=f"{week}/{day.year}",
                                                publisher=PLACEHOLDER_PUBLISHER),
                            encoding="utf-8")
        files[1].write_text(ARTICLE_MD.format(date=day.isoformat()), encoding="utf-8")
    except OSError as exc:
        # Nothing half-made: a full disk must not leave an empty release.yaml.
        for f in files:
            f.unlink(missing_ok=True)
        try:
            (folder / "images").rmdir()
        except OSError:
            pass
        remove_created(created)
        if is_disk_full(exc):
            raise disk_full(folder, "nothing was created") from None
        raise fail(folder, f"cannot create the release: {exc.strerror or exc}") from None
    return [*files, folder / "images"]
