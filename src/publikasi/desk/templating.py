"""The desk's pages: Jinja2 templates and words.

Templates live in ``desk/templates/`` (``base.html`` is the layout every
desk page extends); behind them the loader looks in the web edition's
``default/html/`` folder, so a desk page can import the web edition's
``macros.html``.  The environment is configured like the web edition's
(autoescape, strict undefined names).

Words go through the project's label mechanism (:class:`~publikasi.labels.Labels`):
:data:`DESK_LABELS` here, plus the ``labels`` a page module declares.  The
desk speaks English when the publication's language is ``en`` and
Indonesian otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ..labels import COMMON, Labels, LabelTexts, short_language
from ..themes import builtin_themes_dir
from .security import CSRF_FIELD, DeskSecurity

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
DESK_LANGUAGES = ("id", "en")

DESK_LABELS: LabelTexts = {
    "id": {
        "desk": "Meja redaksi",
        "desk_nav": "Menu meja redaksi",
        "skip": "Langsung ke isi",
        "preview": "Pratinjau",
        "editions": "Edisi",
        "paste": "Tempel rilis",
        "word_loop": "Impor Word",
        "build_failed": "Pembangunan gagal",
        "build_failed_text": "Pratinjau di bawah ini adalah hasil terakhir yang berhasil. "
                             "Perbaiki berkas berikut; pratinjau diperbarui sendiri.",
        "building": "Sedang membangun…",
        "dismiss": "Tutup",
        "downloads": "Unduhan",
        "download_pdf": "PDF",
        "download_epub": "EPUB",
        "download_docx": "Word",
        "download_zip": "Unduh semua berkas edisi (ZIP)",
        "not_built_yet": "belum dibangun",
        "articles_in_order": "Artikel sesuai urutan",
        "move_up": "Naikkan",
        "move_down": "Turunkan",
        "move_up_named": "Naikkan “{title}”",
        "move_down_named": "Turunkan “{title}”",
        "order_saved": "Urutan disimpan di {file}.",
        "order_conflict": "{file} berubah sejak halaman ini dibuka. Urutan terbaru ditampilkan; "
                          "coba lagi.",
        "no_articles": "Edisi ini belum berisi artikel.",
        "edition_in_preview": "Halaman edisi ini di pratinjau",
        "other_editions": "Semua edisi",
        "source_broken": "Sumber sedang tidak dapat dibaca; yang tampil adalah hasil "
                         "pembangunan terakhir yang berhasil.",
    },
    "en": {
        "desk": "Editor's desk",
        "desk_nav": "Desk menu",
        "skip": "Skip to content",
        "preview": "Preview",
        "editions": "Editions",
        "paste": "Paste a release",
        "word_loop": "Word import",
        "build_failed": "The build failed",
        "build_failed_text": "The preview below is the last one that built. Fix the files "
                             "below; the preview updates by itself.",
        "building": "Building…",
        "dismiss": "Close",
        "downloads": "Downloads",
        "download_pdf": "PDF",
        "download_epub": "EPUB",
        "download_docx": "Word",
        "download_zip": "Download all of the edition's files (ZIP)",
        "not_built_yet": "not built yet",
        "articles_in_order": "Articles in order",
        "move_up": "Move up",
        "move_down": "Move down",
        "move_up_named": "Move “{title}” up",
        "move_down_named": "Move “{title}” down",
        "order_saved": "The order was saved in {file}.",
        "order_conflict": "{file} changed since this page was opened. The current order is "
                          "shown; try again.",
        "no_articles": "This edition has no articles yet.",
        "edition_in_preview": "This edition's page in the preview",
        "other_editions": "All editions",
        "source_broken": "The source cannot be read right now; this is what the last "
                         "successful build showed.",
    },
}


def desk_language(publication_language: str | None) -> str:
    """``en`` for an English publication, else ``id``."""
    lang = short_language(publication_language or "id")
    return lang if lang in DESK_LANGUAGES else "id"


class DeskTemplates:
    """The Jinja2 environment and labels of one desk."""

    def __init__(self, page_labels: Sequence[LabelTexts] = ()) -> None:
        web = builtin_themes_dir() / "default" / "html"
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(TEMPLATES), str(web)]),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            auto_reload=False)
        self.labels = Labels((*page_labels, DESK_LABELS, COMMON))

    def translator(self, lang: str) -> Callable[..., str]:
        def t(key: str, **values: Any) -> str:
            return self.labels.text(key, lang, **values)
        return t

    def render_text(self, template: str, context: dict[str, Any]) -> str:
        return self.env.get_template(template).render(context)


def render(request: Request, template: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """A desk page: ``template`` with the labels (``t``), the CSRF field, the
    desk's menu and language filled in."""
    from .app import desk_of

    desk = desk_of(request)
    lang = desk.language()
    security: DeskSecurity = desk.security
    base = {
        "lang": lang, "t": desk.templates.translator(lang),
        "csrf_field": CSRF_FIELD, "csrf_token": security.csrf,
        "nav": desk.nav(), "current_path": request.url.path,
        "site_title": desk.title(),
    }
    base.update(context)
    return HTMLResponse(desk.templates.render_text(template, base), status_code=status_code,
                        headers=NO_STORE)


# Desk pages show the state of the files on disk: never from a cache.
NO_STORE = {"Cache-Control": "no-store"}
