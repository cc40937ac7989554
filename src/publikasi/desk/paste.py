"""The desk's paste page (``/tempel``): a pasted release -> fields -> ``<slug>.md``.

The logic without the web: :func:`parse_paste` reads the paste the way
``publikasi import`` reads a file (HTML through
:func:`~publikasi.readers.html_release.read_html_release`, text through the
plain-text reader, with the chosen release's ``release.yaml`` as context),
:func:`fields_of` gives the fields under their ``inspect`` keys with the
reasons of the reader's guesses, :func:`apply_edits` puts the edited fields
back into the article and :func:`save_article` writes it through the
import's :class:`~publikasi.import_changes.ChangeSet` and
:func:`~publikasi.mdwriter.write_markdown`, so the file has the bytes
``publikasi import`` would write for the same text and the same edits.

Saving never replaces a file silently: the form carries the target's name
and state (:func:`target_state`: its SHA-256, or ``absent``) as the page saw
it; a save whose target changed since then is a :class:`Conflict`, one that
would replace an existing file needs ``confirmed``.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import Problem, Problems, fail
from ..import_changes import ChangeSet, ImportReport
from ..mdwriter import write_markdown
from ..model import Article, Figure
from ..serialize import article_json
from ..text import slugify

# Fields of an article the page shows as form controls, by their ``inspect`` key.
TEXT_FIELDS = ("title", "date", "dateline", "byline", "section")
PASTE_NAME = "tempel"  # the file name the reader's messages give the pasted text
ABSENT = "absent"
# Picture types a photo upload may have: the formats the build reads, by signature.
PICTURE_TYPES = {
    b"\xff\xd8\xff": ".jpg",
    b"\x89PNG\r\n\x1a\n": ".png",
    b"GIF87a": ".gif",
    b"GIF89a": ".gif",
}

_save_lock = threading.Lock()  # one check-and-write at a time in this desk


class Conflict(Exception):
    """The target changed on disk since the page was shown; nothing was written."""


class NeedsConfirmation(Exception):
    """The target exists: saving would replace it, which needs an explicit confirmation."""


class UploadRejected(Exception):
    """An uploaded file is too large (``status`` 413) or of a wrong type (415)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Parsed:
    """The first release of a paste, the reader's warnings, and how it was read."""

    article: Article
    warnings: list[Problem]
    read_as: str  # "html" or "text"
    more: int = 0  # further releases in the paste (only the first is shown)


@dataclass
class Photo:
    """An uploaded photo for the caption-only figure ``blocks[index]``."""

    index: int
    data: bytes
    suffix: str


@dataclass
class Fields:
    """The article's fields as the page shows them (``inspect`` keys -> values)."""

    values: dict[str, str]
    authors: list[str]
    figures: list[dict[str, object]]  # index, caption, credit, src (None: caption only)
    reasons: dict[str, list[str]] = field(default_factory=dict)


def parse_paste(text: str, html: str, release: Path) -> Parsed:
    """Read a paste as ``publikasi import`` reads a file placed in ``release``.

    ``html`` (the clipboard's HTML, may be empty) wins over ``text``.
    Raises :class:`InputError` when nothing can be read.
    """
    from ..readers.common import ReadContext, use_release_yaml_beside
    from ..readers.html_release import read_html_release
    from ..readers.plaintext import decode_bytes, read_plaintext

    problems = Problems()
    ctx = use_release_yaml_beside(
        release, ReadContext(root=release.resolve(), strict=False, problems=problems))
    if html.strip():
        articles = read_html_release(html, release / f"{PASTE_NAME}.html", ctx)
        read_as = "html"
    else:
        file = release / f"{PASTE_NAME}.txt"
        # Through the bytes, as for a file: the same repairs and refusals.
        articles = read_plaintext(decode_bytes(text.encode("utf-8"), file, problems), file, ctx)
        read_as = "text"
    problems.raise_if_any()
    return Parsed(articles[0], list(problems.warnings), read_as, len(articles) - 1)


def fields_of(parsed: Parsed) -> Fields:
    """The fields under their ``inspect`` keys, with the reasons of the guesses."""
    from ..readers.guesses import guesses_by_field

    data = article_json(parsed.article)
    values = {key: str(data[key] or "") for key in TEXT_FIELDS}
    figures = [{"index": i, "caption": b["caption"], "credit": b["credit"], "src": b["src"],
                "alt": b["alt"]}
               for i, b in enumerate(data["blocks"]) if b["type"] == "figure"]
    return Fields(values, list(data["authors"]), figures,
                  guesses_by_field(parsed.warnings, parsed.article.language))


def apply_edits(article: Article, form: Mapping[str, str], authors: Sequence[str],
                release: Path) -> Article:
    """``article`` with the fields of the form (``inspect`` keys; figures as
    ``blocks.N.caption`` / ``blocks.N.credit``); InputError for a bad value."""
    from ..readers.common import ReadContext, parse_date, use_release_yaml_beside

    file = Path(PASTE_NAME)
    title = " ".join(form.get("title", article.title).split())
    if not title:
        raise fail(file, "the title is empty")
    changes: dict[str, object] = {"title": title, "slug": slugify(title)}
    for key in ("dateline", "byline", "section"):
        changes[key] = " ".join(form.get(key, getattr(article, key)).split())
    changes["authors"] = tuple(a for a in (" ".join(x.split()) for x in authors) if a)
    if "date" in form:
        ctx = use_release_yaml_beside(release, ReadContext(root=release.resolve()))
        changes["date"], changes["has_time"] = parse_date(form["date"], ctx.tz, file, None)
    blocks = list(article.blocks)
    for i, block in enumerate(blocks):
        if isinstance(block, Figure):
            caption = form.get(f"blocks.{i}.caption", block.caption)
            credit = form.get(f"blocks.{i}.credit", block.credit)
            blocks[i] = replace(block, caption=" ".join(caption.split()),
                                credit=" ".join(credit.split()))
    changes["blocks"] = tuple(blocks)
    return replace(article, **changes)  # type: ignore[arg-type]  # checked keys above


def check_photo(data: bytes, limit: int) -> str:
    """The file suffix of an uploaded photo; UploadRejected (413/415) otherwise."""
    if len(data) > limit:
        raise UploadRejected(413, f"the photo has {len(data):,} bytes, more than the limit of "
                                  f"{limit:,}")
    for magic, suffix in PICTURE_TYPES.items():
        if data.startswith(magic):
            return suffix
    raise UploadRejected(415, "the photo is not a JPEG, PNG or GIF picture")


def with_photos(article: Article, photos: Sequence[Photo], release: Path
                ) -> tuple[Article, list[tuple[Path, bytes]]]:
    """The article with each photo put on its caption-only figure, and the files to write.

    A photo goes to ``images/<slug>-foto-<N><ext>`` of the release, the name
    ``import PAGE.html`` gives a copied picture.  InputError when a photo is
    not a picture the build can use, or names no caption-only figure.
    """
    from ..images import check_image

    blocks = list(article.blocks)
    files: list[tuple[Path, bytes]] = []
    for photo in photos:
        block = blocks[photo.index] if 0 <= photo.index < len(blocks) else None
        if not isinstance(block, Figure) or block.src is not None:
            raise fail(Path(PASTE_NAME), f"blocks.{photo.index} is not a figure without photo")
        dest = release / "images" / f"{article.slug}-foto-{photo.index}{photo.suffix}"[-120:]
        # The build's own check, on the bytes as they will be written.
        probe = _probe_file(photo.data, photo.suffix)
        try:
            problem = check_image(probe)
        finally:
            probe.unlink(missing_ok=True)
        if problem:
            raise fail(Path(PASTE_NAME), f"photo for blocks.{photo.index}: {problem}")
        blocks[photo.index] = replace(block, src=dest.resolve())
        files.append((dest, photo.data))
    return replace(article, blocks=tuple(blocks)), files


def _probe_file(data: bytes, suffix: str) -> Path:
    import tempfile

    fd, name = tempfile.mkstemp(suffix=suffix, prefix="publikasi-photo-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return Path(name)


def target_of(article: Article, release: Path) -> Path:
    return release / f"{article.slug}.md"


def target_state(path: Path) -> str:
    """What the page remembers of a target: ``absent`` or the SHA-256 of its bytes."""
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except FileNotFoundError:
        return ABSENT


def markdown_of(article: Article, release: Path) -> str:
    """The text ``publikasi import`` writes for ``article`` into ``release``."""
    return write_markdown(article, release.resolve())


@dataclass
class Saved:
    path: Path
    report: ImportReport


def save_article(article: Article, release: Path, *, seen_target: str, seen_state: str,
                 confirmed: bool, pictures: Sequence[tuple[Path, bytes]] = ()) -> Saved:
    """Write ``<slug>.md`` (and the photos) into ``release`` through the import's change set.

    ``seen_target`` / ``seen_state`` are the target's name and state the page
    showed.  Raises :class:`Conflict` when that target changed since,
    :class:`NeedsConfirmation` when the file exists and ``confirmed`` is not
    set (or the page never showed that it exists), InputError when the
    change set refuses a write (a target outside the release, not a file).
    """
    target = target_of(article, release)
    text = markdown_of(article, release)
    with _save_lock:
        state = target_state(target)
        if seen_target == target.name and seen_state != state:
            raise Conflict(target.name)
        if state != ABSENT and not (confirmed and seen_target == target.name):
            raise NeedsConfirmation(target.name)
        report = ImportReport()
        changes = ChangeSet(release)
        origin = release / PASTE_NAME
        for dest, data in pictures:
            changes.put(dest, data, origin)
        # A confirmed replacement is the CLI's --yes (--force: the user saw the target's name).
        changes.place(target, text, origin, True, report)
        changes.commit(report, force=confirmed)
    return Saved(target, report)


def release_folders(source: Path) -> list[str]:
    """The release folders of SOURCE as the page lists them (relative names; ``.``
    for a release source); symlinks that leave SOURCE are not listed."""
    root = Path(os.path.realpath(source))
    if (source / "release.yaml").is_file():
        return ["."]
    found = []
    if (source / "publication.yaml").is_file():
        for p in sorted(source.iterdir(), reverse=True):
            if p.is_dir() and (p / "release.yaml").is_file() \
                    and root in Path(os.path.realpath(p)).parents:
                found.append(p.name)
    return found


def chosen_release(source: Path, value: str) -> Path:
    """The release folder a form names; InputError unless :func:`release_folders` lists it."""
    if value not in release_folders(source) or not re.fullmatch(r"[^/\\\x00]+", value):
        raise fail(Path(value or "-"), "is not a release folder of this desk's source")
    return source if value == "." else source / value


__all__ = ["ABSENT", "Conflict", "Fields", "NeedsConfirmation", "Parsed", "Photo", "Saved",
           "UploadRejected", "apply_edits", "check_photo", "chosen_release", "fields_of",
           "markdown_of", "parse_paste", "release_folders", "save_article", "target_of",
           "target_state", "with_photos"]
