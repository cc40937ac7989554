"""``publikasi import PAGE.html`` and ``publikasi import URL --allow-remote``.

A saved page is read from disk (its pictures from the folder the browser
saved beside it); a URL is downloaded with the same limits as remote
pictures (:mod:`publikasi.fetch`: http(s) only, the size limit, the
download timeout) and only with ``--allow-remote``.  The page goes through
:func:`publikasi.readers.html_release.read_html_release`.  The pictures an
article uses are copied into ``images/`` next to the written ``.md``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from .errors import Problems, fail
from .model import Article, Figure
from .readers.common import ReadContext, use_release_yaml_beside

HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def is_url(name: str) -> bool:
    return bool(re.match(r"(?i)https?://", name))


def read_html_source(source: str, strict: bool, problems: Problems,
                     allow_remote: bool) -> list[Article]:
    """The articles of a saved page (a path) or of a web page (an http(s) URL)."""
    from .fetch import FetchError, RemoteFetcher
    from .readers.common import Limits
    from .readers.html_release import MAX_HTML_BYTES, decode_html, read_html_release

    limits = Limits()
    if is_url(source):
        if not allow_remote:
            raise fail(source, "is a web address; add --allow-remote to download the page")
        fetcher = RemoteFetcher(limits.image_bytes, limits.download_seconds)
        try:
            page = fetcher.fetch(source, MAX_HTML_BYTES, limits.download_seconds)
        except FetchError as exc:
            raise fail(source, f"cannot download the page: {exc}") from None
        ctx = ReadContext(root=page.parent, strict=strict, problems=problems, fetcher=fetcher,
                          limits=limits)
        html = decode_html(page.read_bytes())
        return read_html_release(html, source, ctx, url=source)
    path = Path(source)
    try:
        size = path.stat().st_size
    except OSError:
        raise fail(path, "file not found") from None
    if path.is_dir():
        raise fail(path, "is a folder, expected a saved .html page")
    if size > MAX_HTML_BYTES:
        raise fail(path, f"page is larger than {MAX_HTML_BYTES // 1_000_000} MB")
    ctx = use_release_yaml_beside(
        path.parent, ReadContext(root=path.parent.resolve(), strict=strict, problems=problems,
                                 fetcher=RemoteFetcher() if allow_remote else None))
    html = decode_html(path.read_bytes())
    return read_html_release(html, path, ctx, base_dir=path.parent)


def with_local_pictures(article: Article, target_dir: Path,
                        ) -> tuple[Article, list[tuple[Path, Path]]]:
    """Point the article's pictures at ``target_dir/images/``; -> (article, copies to make)."""
    copies: list[tuple[Path, Path]] = []
    taken: set[str] = set()

    def local(fig: Figure) -> Figure:
        if fig.src is None:
            return fig
        stem = re.sub(r"[^\w\-]+", "-", fig.src.stem).strip("-") or "foto"
        suffix = fig.src.suffix.lower() or ".jpg"
        name = f"{article.slug}-{stem}{suffix}"[-120:]
        n = 2
        while name in taken:
            name = f"{article.slug}-{stem}-{n}{suffix}"[-120:]
            n += 1
        taken.add(name)
        dest = target_dir / "images" / name
        copies.append((fig.src, dest))
        return replace(fig, src=dest.resolve())

    blocks = tuple(local(b) if isinstance(b, Figure) else b for b in article.blocks)
    return replace(article, blocks=blocks), copies


__all__ = ["HTML_SUFFIXES", "is_url", "read_html_source", "with_local_pictures"]
