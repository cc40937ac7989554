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

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import InputError, Problem, Problems, fail
from ..import_changes import ChangeSet, ImportReport
from ..labels import LabelTexts
from ..mdwriter import write_markdown
from ..model import Article, Figure
from ..readers.html_release import MAX_HTML_BYTES
from ..serialize import article_json
from ..text import slugify
from .app import Desk, desk_of
from .security import guarded_form
from .templating import render

# Fields of an article the page shows as form controls, by their ``inspect`` key.
TEXT_FIELDS = ("title", "date", "dateline", "byline", "section")
PASTE_NAME = "tempel"  # the file name the reader's messages give the pasted text
ABSENT = "absent"

_save_lock = threading.Lock()  # one check-and-write at a time in this desk


class Conflict(Exception):
    """The target changed on disk since the page was shown; nothing was written."""


class NeedsConfirmation(Exception):
    """The target exists: saving would replace it, which needs an explicit confirmation."""


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


def fields_of(parsed: Parsed, base: Path | None = None, language: str | None = None) -> Fields:
    """The fields under their ``inspect`` keys, with the reasons of the guesses in
    ``language`` (default: the article's), picture paths relative to ``base``."""
    from ..readers.guesses import guesses_by_field

    data = article_json(parsed.article, base.resolve() if base is not None else None)
    values = {key: str(data[key] or "") for key in TEXT_FIELDS}
    figures = [{"index": i, "caption": b["caption"], "credit": b["credit"], "src": b["src"],
                "alt": b["alt"]}
               for i, b in enumerate(data["blocks"]) if b["type"] == "figure"]
    return Fields(values, list(data["authors"]), figures,
                  guesses_by_field(parsed.warnings, language or parsed.article.language))


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





# ---------------------------------------------------------------- the page

labels: LabelTexts = {
    "id": {
        "paste_title": "Tempel rilis",
        "paste_intro": "Tempel teks rilis (dari WhatsApp, surel, Word atau halaman web). "
                       "Bila yang ditempel berasal dari halaman web, HTML-nya dibaca seperti "
                       "“publikasi import HALAMAN.html”.",
        "paste_text": "Teks rilis",
        "paste_release": "Edisi tujuan",
        "paste_read": "Baca rilis",
        "paste_reread": "Baca ulang teks",
        "paste_html_kept": "HTML dari papan klip akan dibaca.",
        "paste_html_dropped": "Teks diubah setelah ditempel: teksnya yang dibaca, bukan HTML.",
        "paste_read_as_html": "Dibaca dari HTML yang ditempel.",
        "paste_read_as_text": "Dibaca sebagai teks biasa.",
        "paste_more": "Teks ini berisi {n} rilis lagi (dipisah “---”); hanya rilis pertama "
                      "yang ditampilkan.",
        "paste_fields": "Artikel hasil baca",
        "paste_fields_help": "Periksa dan perbaiki kolom di bawah. Tebakan pembaca ditandai "
                             "dengan alasannya.",
        "guess": "Tebakan",
        "field_title": "Judul",
        "field_date": "Tanggal",
        "field_date_help": "Format ISO: 2025-11-10, atau 2025-11-10T09:30:00+07:00 bila ada "
                           "jamnya.",
        "field_dateline": "Dateline (tempat)",
        "field_byline": "Kode redaksi",
        "field_section": "Rubrik",
        "field_authors": "Penulis",
        "field_author_n": "Penulis {n}",
        "field_author_new": "Penulis tambahan",
        "figure_n": "Foto {n}",
        "field_caption": "Keterangan foto",
        "field_credit": "Kredit foto",
        "field_photo": "Unggah foto (JPEG, PNG, GIF atau WebP)",
        "figure_no_photo": "Rilis hanya menyebut keterangannya; fotonya belum ada.",
        "figure_has_photo": "Foto: {src}",
        "paste_notes": "Catatan pembaca",
        "paste_markdown": "Isi berkas yang akan ditulis ({file})",
        "paste_save": "Simpan artikel",
        "paste_target": "Akan ditulis sebagai {file}.",
        "paste_confirm": "Ganti {file} yang sudah ada (versi lamanya disimpan di "
                         ".publikasi/history/)",
        "paste_exists": "{file} sudah ada. Centang kotak di bawah untuk menggantinya, atau "
                        "ubah judulnya.",
        "paste_conflict": "{file} berubah sejak halaman ini dibuka (mungkin disimpan dari tab "
                          "lain). Tidak ada yang ditulis. Periksa lagi, lalu simpan.",
        "paste_saved": "Disimpan: {file}.",
        "paste_see_preview": "Lihat artikel di pratinjau",
        "paste_errors": "Rilis tidak dapat dibaca atau disimpan:",
        "paste_no_release": "Sumber ini tidak punya folder edisi (release.yaml) untuk diisi.",
    },
    "en": {
        "paste_title": "Paste a release",
        "paste_intro": "Paste a release's text (from WhatsApp, e-mail, Word or a web page). "
                       "When it comes from a web page, its HTML is read as by “publikasi "
                       "import PAGE.html”.",
        "paste_text": "Release text",
        "paste_release": "Edition to write into",
        "paste_read": "Read the release",
        "paste_reread": "Read the text again",
        "paste_html_kept": "The clipboard's HTML will be read.",
        "paste_html_dropped": "The text was changed after the paste: the text is read, not "
                              "the HTML.",
        "paste_read_as_html": "Read from the pasted HTML.",
        "paste_read_as_text": "Read as plain text.",
        "paste_more": "This text holds {n} more release(s) (separated by “---”); only the "
                      "first is shown.",
        "paste_fields": "The article as read",
        "paste_fields_help": "Check and correct the fields below. The reader's guesses are "
                             "marked with their reason.",
        "guess": "Guess",
        "field_title": "Title",
        "field_date": "Date",
        "field_date_help": "ISO format: 2025-11-10, or 2025-11-10T09:30:00+07:00 with a time.",
        "field_dateline": "Dateline (place)",
        "field_byline": "Desk code",
        "field_section": "Section",
        "field_authors": "Authors",
        "field_author_n": "Author {n}",
        "field_author_new": "Another author",
        "figure_n": "Photo {n}",
        "field_caption": "Caption",
        "field_credit": "Photo credit",
        "field_photo": "Upload the photo (JPEG, PNG, GIF or WebP)",
        "figure_no_photo": "The release names this photo by its caption only; there is no "
                           "photo yet.",
        "figure_has_photo": "Photo: {src}",
        "paste_notes": "Reader's notes",
        "paste_markdown": "What will be written ({file})",
        "paste_save": "Save the article",
        "paste_target": "Will be written as {file}.",
        "paste_confirm": "Replace the existing {file} (its old version is kept in "
                         ".publikasi/history/)",
        "paste_exists": "{file} exists. Tick the box below to replace it, or change the title.",
        "paste_conflict": "{file} changed since this page was opened (saved from another tab?). "
                          "Nothing was written. Check again, then save.",
        "paste_saved": "Saved: {file}.",
        "paste_see_preview": "See the article in the preview",
        "paste_errors": "The release cannot be read or saved:",
        "paste_no_release": "This source has no edition folder (release.yaml) to write into.",
    },
}
nav = [("/tempel", "paste")]


def _source_folder(desk: Desk) -> Path:
    return desk.source if desk.source.is_dir() else desk.source.parent


def _shown_name(desk: Desk, path: Path) -> str:
    try:
        return path.resolve().relative_to(desk.root).as_posix()
    except ValueError:
        return path.name


def _error_lines(exc: InputError) -> list[str]:
    return [str(p) for p in exc.problems]


def _page(request: Request, status: int = 200, **context: object) -> Response:
    desk = desk_of(request)
    folder = _source_folder(desk)
    base: dict[str, object] = {
        "releases": [(r, folder.resolve().name if r == "." else r)
                     for r in release_folders(folder)], "release": "", "text": "", "html": "",
        "parsed": None, "fields": None, "notes": [], "errors": [], "message": "",
        "message_kind": "", "target": "", "target_state": "", "confirm": False,
        "markdown": "", "saved_url": "",
    }
    base.update(context)
    return render(request, "tempel.html", status, **base)


def _result(request: Request, release_name: str, release: Path, text: str, html: str,
            article: Article, parsed: Parsed, status: int = 200, **context: object) -> Response:
    desk = desk_of(request)
    fields = fields_of(replace(parsed, article=article), release, desk.language())
    target = target_of(article, release)
    state = target_state(target)
    notes = [p.message for p in parsed.warnings if p.guess is None]
    extra: dict[str, object] = {"confirm": state != ABSENT}
    if state != ABSENT and "message" not in context:
        extra.update(message=("paste_exists", _shown_name(desk, target)), message_kind="warn")
    extra.update(context)
    return _page(request, status, release=release_name, text=text, html=html, parsed=parsed,
                 fields=fields, notes=notes, target=target.name, target_state=state,
                 target_shown=_shown_name(desk, target),
                 markdown=markdown_of(article, release), **extra)


async def paste_form(request: Request) -> Response:
    return _page(request)


def _form_text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


def _release_of(request: Request, form: FormData) -> tuple[str, Path]:
    name = _form_text(form, "release")
    try:
        return name, chosen_release(_source_folder(desk_of(request)), name)
    except InputError:
        raise HTTPException(400, "400: release is not a release folder of this desk's "
                            "source") from None


async def paste_read(request: Request) -> Response:
    """Read the pasted text (or its HTML) and show the fields."""
    form = await guarded_form(request, max_bytes=FORM_LIMIT)
    name, release = _release_of(request, form)
    text, html = _form_text(form, "text"), _form_text(form, "html")
    try:
        parsed = await run_in_threadpool(parse_paste, text, html, release)
    except InputError as exc:
        return _page(request, 400, release=name, text=text, html=html,
                     errors=_error_lines(exc))
    return _result(request, name, release, text, html, parsed.article, parsed)


async def paste_save(request: Request) -> Response:
    """Save the article with the fields as edited; conflicts and replacements are asked."""
    from .security import checked_upload, image_format, upload_limit

    form = await guarded_form(request, max_bytes=FORM_LIMIT + upload_limit("image"))
    name, release = _release_of(request, form)
    text, html = _form_text(form, "text"), _form_text(form, "html")
    values = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "authors"}
    authors = [v for v in form.getlist("authors") if isinstance(v, str)]
    photos: list[Photo] = []
    for key, value in form.multi_items():
        m = re.fullmatch(r"blocks\.(\d{1,6})\.src", key)
        if m and isinstance(value, UploadFile) and (value.filename or value.size):
            data = await checked_upload(value, "image")
            photos.append(Photo(int(m.group(1)), data, _PICTURE_SUFFIXES.get(
                image_format(data) or "", ".jpg")))
    try:
        parsed = await run_in_threadpool(parse_paste, text, html, release)
    except InputError as exc:
        return _page(request, 400, release=name, text=text, html=html,
                     errors=_error_lines(exc))
    try:
        article = apply_edits(parsed.article, values, authors, release)
        article, files = await run_in_threadpool(with_photos, article, photos, release)
    except InputError as exc:
        return _result(request, name, release, text, html, parsed.article, parsed, 400,
                       errors=_error_lines(exc))
    target = target_of(article, release)
    try:
        saved = await run_in_threadpool(
            lambda: save_article(article, release, seen_target=values.get("target", ""),
                                 seen_state=values.get("target_state", ""),
                                 confirmed=values.get("confirm") == "yes", pictures=files))
    except Conflict:
        return _result(request, name, release, text, html, article, parsed, 409,
                       message=("paste_conflict", _shown_name(desk_of(request), target)),
                       message_kind="warn")
    except NeedsConfirmation:
        return _result(request, name, release, text, html, article, parsed, 409,
                       message=("paste_exists", _shown_name(desk_of(request), target)),
                       message_kind="warn")
    except InputError as exc:
        return _result(request, name, release, text, html, article, parsed, 400,
                       errors=_error_lines(exc))
    # Saved: a fresh form for the next release, with a link to the article.
    return _page(request, release=name, message=("paste_saved", _shown_name(desk_of(request),
                                                                            saved.path)),
                 message_kind="ok", saved_url=f"/{article.slug}/index.html")


_PICTURE_SUFFIXES = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp",
                     "TIFF": ".tif", "BMP": ".bmp"}
# A paste may carry a whole page's HTML: as much as `import PAGE.html` reads, plus the text.
FORM_LIMIT = MAX_HTML_BYTES + 2_000_000

routes: list[BaseRoute] = [
    Route("/tempel", paste_form, methods=["GET"]),
    Route("/tempel", paste_read, methods=["POST"]),
    Route("/tempel/simpan", paste_save, methods=["POST"]),
    # A reload of the page a save showed: back to the form (the preview would answer).
    Route("/tempel/simpan", lambda request: RedirectResponse("/tempel", 303), methods=["GET"]),
]


__all__ = [
    "ABSENT",
    "Conflict",
    "Fields",
    "NeedsConfirmation",
    "Parsed",
    "Photo",
    "Saved",
    "apply_edits",
    "chosen_release",
    "fields_of",
    "labels",
    "markdown_of",
    "nav",
    "parse_paste",
    "release_folders",
    "routes",
    "save_article",
    "target_of",
    "target_state",
    "with_photos",
]
