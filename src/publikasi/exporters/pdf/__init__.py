"""PDF bulletin exporter (reportlab): ``OUT/<release-slug>.pdf``.

See :mod:`.bulletin` for the layout and :mod:`.fonts` for the shipped,
embedded fonts and where their static faces are cached.
"""

from __future__ import annotations

from ...model import Publication, Release
from .. import ExportContext, Exporter


class PdfExporter(Exporter):
    """A printable bulletin per release: masthead, contents, articles, outline."""

    format = "pdf"
    scope = "release"
    description = "printable PDF bulletin (A4/F4/Letter, embedded Noto fonts)"

    def export(self, target: Release | Publication, ctx: ExportContext) -> None:
        from .bulletin import Bulletin
        from .fonts import load_fonts
        from .layout import Settings

        if not isinstance(target, Release):
            raise TypeError("the PDF exporter works on one release at a time")
        settings = Settings.from_theme(ctx.theme)
        bulletin = Bulletin(target, ctx, load_fonts(), settings)
        data = bulletin.render(ctx.build_time)
        for where, message in bulletin.warnings():
            ctx.warn(where, message)
        ctx.sink.write(f"{target.slug}.pdf", data)


__all__ = ["PdfExporter"]
