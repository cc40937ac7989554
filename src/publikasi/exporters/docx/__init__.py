"""Word (DOCX) output: the edition in one file and one file per article.

See :mod:`publikasi.exporters.docx.exporter` for the exporter,
:mod:`.render` for the model -> WordprocessingML rendering, :mod:`.properties`
for the document properties that carry each article's identity, and
:mod:`.make_reference` for the script that writes each theme's reference
document.
"""

from .exporter import DocxExporter

__all__ = ["DocxExporter"]
