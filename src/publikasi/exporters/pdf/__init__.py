"""PDF bulletin exporter (reportlab): ``OUT/<release-slug>.pdf``.

See :mod:`.bulletin` for the layout and :mod:`.fonts` for the shipped,
embedded fonts and where their static faces are cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ...labels import LabelTexts
from ...model import Release
from ...repro import edition_time
from ...settings import setting
from .. import ExportContext, Exporter, ReleaseExporter

if TYPE_CHECKING:
    from .archival import Attachment


@dataclass(frozen=True)
class PdfSettings:
    """``pdf/settings.toml``; the defaults are the default theme's."""

    columns: int = setting(1, lo=1, hi=3)
    column_gap_mm: float = setting(6.0, lo=0, hi=40)
    margin_top_mm: float = setting(22.0, lo=5, hi=60)
    margin_bottom_mm: float = setting(22.0, lo=5, hi=60)
    margin_left_mm: float = setting(22.0, lo=5, hi=60)
    margin_right_mm: float = setting(22.0, lo=5, hi=60)
    article_start: str = setting("new_page", choices=("new_page", "continuous"))
    masthead: str = setting("plain", choices=("plain", "band"))
    band_height_mm: float = setting(38.0, lo=15, hi=90)
    masthead_size: float = setting(30.0, lo=14, hi=60)
    headline_size: float = setting(19.0, lo=10, hi=40)
    body_size: float = setting(10.5, lo=6, hi=16)
    leading: float = setting(1.42, lo=1.0, hi=2.5)
    pull_quote: bool = False
    section_box: bool = False
    lead_stories: int = setting(1, lo=0, hi=6)
    image_max_height: float = setting(0.45, lo=0.1, hi=0.8)
    cover_photo_height: float = setting(0.3, lo=0.1, hi=0.6)
    # PDF/A-3 with the edition's source files and model JSON embedded
    # (docs/pdf.md says why this is not the default).
    embed_sources: bool = False


class PdfExporter(Exporter, ReleaseExporter):
    """A printable bulletin per release: masthead, contents, articles, outline."""

    format = "pdf"
    description = "printable PDF bulletin (A4/F4/Letter, embedded Noto fonts)"
    settings = PdfSettings
    labels: ClassVar[LabelTexts] = {
        "id": {"lead": "Sorotan", "read_on": "Selengkapnya di halaman {n}",
               "continued": "lanjutan", "columns": "kolom {first}–{last}"},
        "en": {"lead": "Highlights", "read_on": "Continued on page {n}",
               "continued": "continued", "columns": "columns {first}–{last}"},
    }

    def export_release(self, release: Release, ctx: ExportContext) -> None:
        from .bulletin import Bulletin
        from .finish import finish_pdf
        from .fonts import load_fonts
        from .layout import Settings

        settings = Settings.from_theme(ctx.theme, ctx.settings(PdfSettings))
        bulletin = Bulletin(release, ctx, load_fonts(), settings)
        when = edition_time(release)
        raw = bulletin.render(when)
        attachments = source_attachments(release) if ctx.settings(PdfSettings).embed_sources \
            else ()
        data = finish_pdf(raw, build_time=when, structure=bulletin.tags,
                          attachments=attachments)
        for where, message in bulletin.warnings():
            ctx.warn(where, message)
        ctx.sink.write(f"{release.slug}.pdf", data)


def source_attachments(release: Release) -> list[Attachment]:
    """The edition's own files (release.yaml, every article file) and its model as
    ``publikasi inspect`` prints it, to embed as PDF/A-3 associated files."""
    import json

    from ...regular import read_regular
    from ...serialize import release_json
    from .archival import Attachment

    root = release.root
    base = root if root is not None and root.is_dir() else None
    files = [base / "release.yaml"] if base is not None and (base / "release.yaml").is_file() \
        else []
    files += [a.path for a in release.articles if a.path is not None]
    found: dict[str, Attachment] = {}
    for path in files:
        try:
            name = path.relative_to(base).as_posix() if base is not None else path.name
        except ValueError:
            name = path.name
        mime = {".md": "text/markdown", ".yaml": "application/yaml", ".yml": "application/yaml"
                }.get(path.suffix.lower(), "text/plain")
        found.setdefault(name, Attachment(name, read_regular(path, "article file"), mime,
                                          "source file of this edition"))
    model = json.dumps(release_json(release), ensure_ascii=False, indent=1) + "\n"
    name = f"{release.slug}.json"
    found[name] = Attachment(name, model.encode("utf-8"), "application/json",
                             "this edition as publikasi inspect prints it")
    return list(found.values())


__all__ = ["PdfExporter", "PdfSettings"]
