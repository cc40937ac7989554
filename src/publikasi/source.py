"""Load a source (article file, release folder or publication folder) into the model.

Problems in any file are collected and raised together as one
:class:`InputError`, so the user sees every mistake of a release in one run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, Problem, Problems, fail, shown
from .import_changes import PROPOSAL_SUFFIX
from .model import Article, FeedConfig, Figure, Publication, Publisher, Release, walk_blocks
from .readers.common import (
    Limits,
    ReadContext,
    normalize_keys,
    parse_bool,
    parse_int,
    parse_language,
    parse_limits,
    parse_plain_date,
    parse_str,
    parse_timezone,
    parse_url,
    resolve_image,
    resolve_inside,
    short,
    use_release_yaml_beside,
)
from .regular import read_regular
from .scaffold import PLACEHOLDER_PUBLISHER
from .text import SLUG_MAX_EXPLICIT, slugify
from .yamlio import YamlDoc, load_mapping, read_text_file

if TYPE_CHECKING:  # downloading (http.client, ssl) is imported only with --allow-remote
    from .fetch import RemoteFetcher

RELEASE_KEYS = {
    "title", "date", "edition", "language", "timezone", "publisher", "base_url",
    "description", "cover", "theme", "articles", "feed",
    "slug",  # extension: the release's file name stem (default: folder name)
    "limits",  # extension (README "Safety"): image_pixels, image_bytes, download_seconds
}
PUBLICATION_KEYS = RELEASE_KEYS - {"date", "articles", "edition", "cover"}
FEED_KEYS = {"items", "full_content", "archive"}
ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
MAX_SOURCE_BYTES = 20_000_000


@dataclass
class Loaded:
    """A loaded source.  Call :meth:`cleanup` when done with it (downloaded pictures)."""

    publication: Publication
    warnings: list[Problem] = field(default_factory=list)
    # The largest limits any release asked for: the image store's backstop
    # (each release's own limits were enforced while loading).
    limits: Limits = field(default_factory=Limits)
    fetcher: RemoteFetcher | None = None

    def cleanup(self) -> None:
        if self.fetcher is not None:
            self.fetcher.cleanup()


# Reads one article file (.md or .txt) into its articles, reporting problems
# through the context: :func:`load_article_file`, or a cache in front of it
# (:meth:`publikasi.cache.BuildCache.article_reader`).
ArticleReader = Callable[[Path, ReadContext], list[Article]]


@dataclass
class _Session:
    """What every file of one load shares."""

    problems: Problems
    strict: bool
    fetcher: RemoteFetcher | None
    read_article: ArticleReader
    limits_seen: list[Limits] = field(default_factory=list)


def load(path: Path | str, *, strict: bool = False, allow_remote: bool = False,
         read_article: ArticleReader | None = None) -> Loaded:
    """Read ``path`` (a file, a release folder or a publication folder).

    Raises :class:`InputError` listing every problem found.  With
    ``allow_remote`` remote image URLs are downloaded (see :mod:`publikasi.fetch`);
    otherwise they are errors and nothing touches the network.
    ``read_article`` reads each article file (default :func:`load_article_file`).
    """
    path = Path(path)
    fetcher = None
    if allow_remote:
        from .fetch import RemoteFetcher

        fetcher = RemoteFetcher()
    session = _Session(Problems(), strict, fetcher, read_article or load_article_file)
    problems = session.problems
    try:
        if not path.exists():
            raise fail(path, "source not found")
        if path.is_file():
            pub = _load_single_file(path, session)
        elif (path / "publication.yaml").is_file():
            pub = _load_publication(path, session)
        elif (path / "release.yaml").is_file():
            release = _load_release(path, {}, None, session)
            problems.raise_if_any()
            assert release is not None
            pub = _publication_of_release(release)
        elif path.is_dir():
            raise fail(path, "not a publikasi source: expected release.yaml or publication.yaml "
                       "in this folder, or a .md/.txt file")
        else:
            raise fail(path, "not a file or a folder")
        problems.raise_if_any()
        _warn_hard_links(path, pub, problems)
    except BaseException as exc:
        if session.fetcher is not None:
            session.fetcher.cleanup()
        if isinstance(exc, InputError) and not exc.warnings:
            exc.warnings = list(problems.warnings)
        raise
    seen = session.limits_seen or [Limits()]
    biggest = Limits(max(x.image_pixels for x in seen), max(x.image_bytes for x in seen),
                     max(x.download_seconds for x in seen))
    return Loaded(pub, problems.warnings, biggest, session.fetcher)


def _source_files(source: Path, pub: Publication) -> list[Path]:
    """Every local file a build of ``pub`` reads: metadata, articles, pictures."""
    files: list[Path | None] = [source / "publication.yaml" if source.is_dir() else None]
    for release in pub.releases:
        if release.root is not None and release.root.is_dir():
            files.append(release.root / "release.yaml")
        files.extend((release.cover, release.publisher.logo))
        for a in release.articles:
            files.extend((a.path, a.image.src if a.image else None))
            files.extend(b.src for b in walk_blocks(a.blocks) if isinstance(b, Figure))
    return list(dict.fromkeys(f for f in files if f is not None))


def _warn_hard_links(source: Path, pub: Publication, problems: Problems) -> None:
    """Warn about source files with more than one hard link.

    A hard link is the same file under a second name, possibly outside the
    source folder (``ln /etc/passwd rilis/a.md``).  Unlike a symlink it cannot
    be told apart from an ordinary file, and backup tools and editors make
    them innocently, so it is not refused (see docs/safety.md); the warning
    lets whoever builds a source from many hands notice one.
    """
    for path in _source_files(source, pub):
        try:
            links = os.stat(path).st_nlink
        except OSError:
            continue
        if links > 1:
            problems.warn(shown(path), f"this file has {links} hard links: the same file also "
                          "lives under another name, perhaps outside the source folder; it is "
                          "published as it is, so check that it belongs here")


def load_article_file(path: Path, ctx: ReadContext) -> list[Article]:
    """One .md or .txt file -> its articles (a .txt may hold several releases)."""
    if path.suffix.lower() not in ARTICLE_SUFFIXES:
        raise fail(path, f"unsupported file type {path.suffix or '(none)'}: "
                   "articles are .md or .txt files")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise fail(path, f"cannot read the article: {exc.strerror}") from None
    if size > MAX_SOURCE_BYTES:
        raise fail(path, f"file is larger than {MAX_SOURCE_BYTES // 1_000_000} MB")
    if path.suffix.lower() == ".txt":
        from .readers.plaintext import decode_bytes, read_plaintext

        text = decode_bytes(read_regular(path, "article"), path, ctx.problems)
        return read_plaintext(text, path, ctx)
    from .readers.markdown import read_markdown

    text = read_text_file(path, "article", ctx.problems)
    if not text.strip():
        raise fail(path, "article file is empty")
    return [read_markdown(text, path, ctx)]


# ---------------------------------------------------------------- single file


def _load_single_file(path: Path, session: _Session) -> Publication:
    problems = session.problems
    root = path.resolve().parent
    ctx = ReadContext(root=root, problems=problems, strict=session.strict,
                      fetcher=session.fetcher)
    if path.suffix.lower() == ".txt":
        use_release_yaml_beside(path.parent, ctx)
    articles = session.read_article(path, ctx)
    if not articles:
        raise fail(path, "no article found in this file")
    first = articles[0]
    _check_slugs(articles, problems)
    release = Release(
        slug=first.slug,
        title=first.title,
        date=max(a.date for a in articles).date(),
        articles=tuple(sorted(articles, key=lambda a: a.date, reverse=True)),
        language=first.language,
        root=path.resolve(),
    )
    return _publication_of_release(release)


def _publication_of_release(release: Release) -> Publication:
    return Publication(
        title=release.title,
        releases=(release,),
        language=release.language,
        base_url=release.base_url,
        description=release.description,
        publisher=release.publisher,
        feed=release.feed,
        slug=release.slug,
        root=release.root,
        is_single_release=True,
    )


# ---------------------------------------------------------------- folders


def _load_publication(path: Path, session: _Session) -> Publication:
    problems = session.problems
    file = path / "publication.yaml"
    doc = load_mapping(read_text_file(file, "publication.yaml"), file)
    data = doc.data
    normalize_keys(data, PUBLICATION_KEYS, file, doc.lines, problems, "publication.yaml")
    if "title" not in data:
        problems.add(file, "missing required key `title`", 1)
    shared = _common_keys(doc, path, (path.resolve(),), session)
    releases: list[Release] = []
    real_root = path.resolve()
    folders = []
    for p in sorted(path.iterdir()):
        if p.is_dir() and (p / "release.yaml").is_file():
            if real_root not in Path(os.path.realpath(p)).parents:
                problems.add(p, "release folder is a symlink that leaves the publication folder")
                continue
            folders.append(p)
    if not folders:
        problems.add(path, "publication has no release folders (each needs a release.yaml)")
    for folder in folders:
        release = _load_release(folder, shared, path, session)
        if release is not None:
            releases.append(release)
    problems.raise_if_any()
    slugs: dict[str, Release] = {}
    for r in releases:
        if r.slug in slugs:
            problems.add(r.root / "release.yaml" if r.root else path,
                         f"release slug {r.slug!r} is also used by {slugs[r.slug].root}")
        slugs[r.slug] = r
    problems.raise_if_any()
    releases.sort(key=lambda r: (r.date, r.slug), reverse=True)
    return Publication(
        title=parse_str(data.get("title"), file, doc.line("title"), "title"),
        releases=tuple(releases),
        language=shared.get("language", "id"),
        base_url=shared.get("base_url", ""),
        description=shared.get("description", ""),
        publisher=shared.get("publisher", Publisher()),
        feed=shared.get("feed", FeedConfig()),
        slug=slugify(path.resolve().name, SLUG_MAX_EXPLICIT),
        root=path.resolve(),
        is_single_release=False,
    )


def _common_keys(doc: YamlDoc, folder: Path, roots: tuple[Path, ...], session: _Session,
                 inherited: Limits | None = None) -> dict[str, Any]:
    """Parse the keys a publication and a release share; bad values become problems.

    ``roots`` are the folders that files named here (logo, theme) must stay in.
    """
    problems = session.problems
    data, file, line = doc.data, doc.file, doc.line
    out: dict[str, Any] = {}
    limits = inherited or Limits()
    if data.get("limits") is not None:
        try:
            limits = parse_limits(data["limits"], file, line("limits"), limits)
        except InputError as exc:
            problems.extend(exc)
    out["limits"] = limits
    image_ctx = ReadContext(root=roots[0], extra_roots=roots[1:], problems=problems,
                            limits=limits, fetcher=session.fetcher)

    def take(key: str, fn, *args: Any) -> None:
        if key in data and data[key] is not None:
            try:
                out[key] = fn(data[key], *args)
            except InputError as exc:
                problems.extend(exc)

    take("language", parse_language, file, line("language"))
    take("timezone", parse_timezone, file, line("timezone"))
    take("base_url", parse_url, file, line("base_url"), "base_url")
    take("description", parse_str, file, line("description"), "description")
    take("theme", parse_str, file, line("theme"), "theme")
    take("title", parse_str, file, line("title"), "title")
    if "publisher" in data and data["publisher"] is not None:
        out["publisher"] = _publisher(data["publisher"], folder, image_ctx, file,
                                      line("publisher"), problems)
    if "feed" in data and data["feed"] is not None:
        out["feed"] = _feed(data["feed"], file, line("feed"), problems)
    if out.get("theme"):
        try:
            out["theme"] = _check_theme(out["theme"], folder, roots, file, line("theme"))
        except InputError as exc:
            problems.extend(exc)
            del out["theme"]
    return out


def _check_theme(spec: str, folder: Path, roots: tuple[Path, ...], file: Path,
                 line: int | None) -> str:
    """A built-in theme name, or the real path of a theme folder inside ``roots``."""
    from .themes import load_theme

    if "/" in spec or "\\" in spec or spec.startswith("."):
        # A theme given as a path is relative to the file that names it, and
        # like every file a source names it must not leave the source folder.
        real = Path(os.path.realpath(folder / spec))
        if os.path.isabs(spec) or not any(real == r or r in real.parents for r in roots):
            raise fail(file, f"theme {short(spec)} is outside the source folder; name a "
                       "built-in theme, put the theme folder next to the release, or pass -t",
                       line)
        spec = str(real)
    try:
        load_theme(spec, base_dir=folder, roots=roots)
    except InputError as exc:
        raise InputError([Problem(str(file), p.message, line) if p.file == spec else p
                          for p in exc.problems]) from None
    return spec


def _publisher(value: Any, folder: Path, ctx: ReadContext, file: Path, line: int | None,
               problems: Problems) -> Publisher:
    if isinstance(value, str):
        return Publisher(name=value)
    if not isinstance(value, dict):
        problems.add(file, "`publisher` must be a mapping with name, url, logo", line)
        return Publisher()
    unknown = sorted(set(map(str, value)) - {"name", "url", "logo"})
    if unknown:
        problems.warn(file, f"unknown publisher key `{unknown[0]}` ignored "
                      "(known: name, url, logo)", line)
    try:
        url = parse_url(value["url"], file, line, "publisher.url") if value.get("url") else ""
        logo = (resolve_image(str(value["logo"]), folder, ctx, file, line, "logo")
                if value.get("logo") else None)
        name = parse_str(value.get("name"), file, line, "publisher.name")
        if name == PLACEHOLDER_PUBLISHER:
            problems.warn(file, "the publisher name is still the placeholder written by "
                          "`publikasi new`: put the office's real name in publisher.name", line)
        return Publisher(name=name, url=url, logo=logo)
    except InputError as exc:
        problems.extend(exc)
        return Publisher()


def _feed(value: Any, file: Path, line: int | None, problems: Problems) -> FeedConfig:
    if not isinstance(value, dict):
        problems.add(file, "`feed` must be a mapping such as {items: 20, full_content: true}",
                     line)
        return FeedConfig()
    for key in value:
        if key not in FEED_KEYS:
            problems.warn(file, f"unknown feed key `{short(key)}` ignored (known: "
                          f"{', '.join(sorted(FEED_KEYS))})", line)
    try:
        return FeedConfig(
            items=parse_int(value.get("items", 20), file, line, "feed.items", 1),
            full_content=parse_bool(value.get("full_content", True), file, line,
                                    "feed.full_content"),
            archive=parse_bool(value.get("archive", False), file, line, "feed.archive"),
        )
    except InputError as exc:
        problems.extend(exc)
        return FeedConfig()


def _load_release(folder: Path, shared: dict[str, Any], pub_root: Path | None,
                  session: _Session) -> Release | None:
    problems, strict = session.problems, session.strict
    file = folder / "release.yaml"
    try:
        doc = load_mapping(read_text_file(file, "release.yaml"), file)
    except InputError as exc:
        problems.extend(exc)
        return None
    data, line = doc.data, doc.line
    normalize_keys(data, RELEASE_KEYS, file, doc.lines, problems, "release.yaml")
    root = folder.resolve()
    before = len(problems.items)
    roots = (root, pub_root.resolve()) if pub_root else (root,)
    own = _common_keys(doc, folder, roots, session, shared.get("limits"))
    merged = {**shared, **own}
    limits = merged.get("limits", Limits())
    session.limits_seen.append(limits)
    title = merged.get("title", "")
    if not title:
        problems.add(file, "missing required key `title`", 1)
    if "date" not in data:
        problems.add(file, "missing required key `date` (write e.g. `date: 2025-11-10`)", 1)
        date = None
    else:
        try:
            date = parse_plain_date(data["date"], file, line("date"))
        except InputError as exc:
            problems.extend(exc)
            date = None
    edition = cover = None
    try:
        edition = parse_str(data.get("edition"), file, line("edition"), "edition")
        if data.get("cover"):
            cover = resolve_image(str(data["cover"]), folder, ReadContext(
                root=root, limits=limits, fetcher=session.fetcher), file, line("cover"), "cover")
    except InputError as exc:
        problems.extend(exc)
    slug_value = data.get("slug")
    if isinstance(slug_value, (dict, list)):
        problems.add(file, "`slug` must be text", line("slug"))
        slug_value = None
    slug = slugify(str(slug_value or folder.resolve().name), SLUG_MAX_EXPLICIT)
    ctx = ReadContext(
        root=root,
        timezone=merged.get("timezone", "Asia/Jakarta"),
        language=merged.get("language", "id"),
        release_date=date,
        strict=strict,
        problems=problems,
        extra_roots=(pub_root.resolve(),) if pub_root else (),
        limits=limits,
        fetcher=session.fetcher,
    )
    # Articles are read even when release.yaml has errors: every problem of the
    # source is reported in one run (broken keys fall back to their defaults).
    articles = _load_articles(folder, data, doc, ctx, problems, session.read_article)
    if len(problems.items) > before or date is None:
        return None
    return Release(
        slug=slug,
        title=title,
        date=date,
        articles=tuple(articles),
        edition=edition or "",
        language=ctx.language,
        timezone=ctx.timezone,
        publisher=merged.get("publisher", Publisher()),
        base_url=merged.get("base_url", ""),
        description=merged.get("description", ""),
        cover=cover,
        theme=merged.get("theme", ""),
        feed=merged.get("feed", FeedConfig()),
        root=root,
    )


def _load_articles(folder: Path, data: dict, doc: YamlDoc, ctx: ReadContext,
                   problems: Problems, read_article: ArticleReader) -> list[Article]:
    file = doc.file
    listed = data.get("articles")
    paths: list[tuple[Path, int | None]] = []
    if listed is not None:
        if not isinstance(listed, list) or not all(isinstance(x, str) for x in listed):
            problems.add(file, "`articles` must be a list of file names", doc.line("articles"))
            return []
        for name in listed:
            try:
                where = doc.line("articles")
                paths.append((resolve_inside(name, folder, (ctx.root,), file, where, "article"),
                              where))
            except InputError as exc:
                problems.extend(exc)
        seen: set[Path] = set()
        for p, _ in paths:
            if p in seen:
                problems.add(file, f"`articles` lists {p.name} twice", doc.line("articles"))
            seen.add(p)
    else:
        proposals: list[str] = []
        for p in sorted(folder.iterdir()):
            if p.is_file() and p.name.lower().endswith(PROPOSAL_SUFFIX):
                proposals.append(p.name)
                continue
            if (p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                    and not p.name.startswith((".", "_")) and p.name.lower() != "readme.md"):
                real = Path(os.path.realpath(p))
                if ctx.root not in real.parents:
                    problems.add(p, "symlink points outside the source folder")
                    continue
                paths.append((p, None))
        if proposals:
            problems.warn(folder, f"skipped {', '.join(proposals)}: text an import proposed "
                          "but did not write; review it, then import the Word file again with "
                          "--yes (or delete the .new.md file)")
    articles: list[Article] = []
    for p, _ in paths:
        try:
            articles.extend(read_article(p, ctx))
        except InputError as exc:
            problems.extend(exc)
    if not articles and not problems:
        problems.add(folder, "release has no articles (*.md or *.txt files)")
    if listed is None:
        # Contract: default order is newest first; ties keep file-name order.
        articles.sort(key=lambda a: a.date, reverse=True)
    _check_slugs(articles, problems)
    return articles


def _check_slugs(articles: list[Article], problems: Problems) -> None:
    seen: dict[str, Article] = {}
    for a in articles:
        if a.slug in seen:
            other = seen[a.slug]
            names = [p.name for p in (a.path, other.path) if p is not None]
            proposal = next((n for n in names if n.lower().endswith(PROPOSAL_SUFFIX)), "")
            if proposal:
                fix = (f"{proposal} is an import's proposed text: review it, then import the "
                       "Word file again with --yes (or delete it), and list only one of them "
                       "in `articles`")
            else:
                fix = ("if both files hold the same article, delete or move one of them; if "
                       "they are different articles, set a different `slug:` in the front "
                       "matter of one")
            problems.add(a.path or "-", f"duplicate slug {a.slug!r} (also used by "
                         f"{other.path.name if other.path else 'another article'}); {fix}")
        else:
            seen[a.slug] = a


def release_date_of(pub: Publication) -> dt.date:
    return max(r.date for r in pub.releases)


def checked_theme(spec: str, from_cli: bool, *, base_dir: Path, paper: str | None = None,
                  roots: tuple[Path, ...] | None = None, memo: dict | None = None):
    """``load_theme`` plus the source-safety rules for theme folders.

    An unknown theme given with ``-t`` is reported against ``-t``; a theme
    folder may not contain symlinks that leave it (a theme is copied into
    outputs: fonts, stylesheets, reference documents).

    ``memo`` (a dict that lives as long as one build) keeps each theme loaded:
    the releases of a publication that use the same theme share one
    :class:`~publikasi.themes.Theme`, read and checked once.  A built-in
    theme does not depend on ``base_dir``.
    """
    from .themes import is_builtin_theme, load_theme

    if memo is not None:
        key = (spec, paper, roots, None if is_builtin_theme(spec) else base_dir)
        if key not in memo:
            memo[key] = checked_theme(spec, from_cli, base_dir=base_dir, paper=paper,
                                      roots=roots)
        return memo[key]
    try:
        theme = load_theme(spec, base_dir=base_dir, paper=paper, roots=roots)
    except InputError as exc:
        if not from_cli:
            raise
        raise InputError([Problem("-t", p.message, p.line)
                          if p.file == spec else p for p in exc.problems]) from None
    for folder in theme.chain:
        real_folder = Path(os.path.realpath(folder))
        for root, dirs, files in os.walk(folder):
            for name in dirs + files:
                entry = Path(root, name)
                if entry.is_symlink():
                    real = Path(os.path.realpath(entry))
                    if real_folder not in real.parents:
                        raise fail(shown(entry),
                                   "theme file is a symlink that leaves the theme folder")
    return theme
