"""PDF bulletin exporter (reportlab): ``OUT/<release-slug>.pdf``.

See :mod:`.bulletin` for the layout and :mod:`.fonts` for the shipped,
embedded fonts and where their static faces are cached.
"""

from __future__ import annotations

from ...model import Release
from ...repro import edition_time
from .. import ExportContext, Exporter, ReleaseExporter


class PdfExporter(Exporter, ReleaseExporter):
    """A printable bulletin per release: masthead, contents, articles, outline."""

    format = "pdf"
    description = "printable PDF bulletin (A4/F4/Letter, embedded Noto fonts)"

    def export_release(self, release: Release, ctx: ExportContext) -> None:
        from .bulletin import Bulletin
        from .fonts import load_fonts
        from .layout import Settings

        settings = Settings.from_theme(ctx.theme)
        bulletin = Bulletin(release, ctx, load_fonts(), settings)
        data = bulletin.render(edition_time(release))
        for where, message in bulletin.warnings():
            ctx.warn(where, message)
        ctx.sink.write(f"{release.slug}.pdf", data)


__all__ = ["PdfExporter"]
