"""Model inlines -> reportlab Paragraph markup, escaped and font-checked.

reportlab parses Paragraph text as XML-ish markup, so every piece of user
text is escaped here and nowhere else.  Each character is also checked
against the fonts' cmaps: a character the body font lacks is wrapped in a
``<font name=...>`` of a family that has it; a character no shipped font can
show correctly is replaced by U+FFFD and recorded, so the exporter can warn
with the exact code points instead of leaving a silent gap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...model import Code, Emph, FootnoteRef, Inline, LineBreak, Link, Strong, Text
from .fonts import FontSet

REPLACEMENT = "\ufffd"


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(text: str) -> str:
    return esc(text).replace('"', "&quot;")


@dataclass
class Marker:
    """Turns text into safe markup for one family; collects unshowable characters."""

    fonts: FontSet
    family: str = "serif"
    missing: list[str] = field(default_factory=list)
    # url -> href for the PDF ("#dest" for internal targets, "" to drop the link)
    resolve_link: Callable[[str], str] = lambda url: url
    footnote_dest: Callable[[str], str] = lambda label: f"fn-{label}"
    footnote_ref: Callable[[str], str] = lambda label: f"fnref-{label}"
    link_color: str = "#0b5394"
    code_family: str = "sans"
    # The weight/slant the text is set in (from the paragraph style and any
    # enclosing <b>/<i>): a fallback font run must name the matching face,
    # because <font name=...> resets reportlab's bold/italic state.
    bold: bool = False
    italic: bool = False

    def with_family(self, family: str, bold: bool | None = None,
                    italic: bool | None = None) -> Marker:
        """The same collector and link rules, for text set in another family or face."""
        return Marker(self.fonts, family, self.missing, self.resolve_link, self.footnote_dest,
                      self.footnote_ref, self.link_color, self.code_family,
                      self.bold if bold is None else bold,
                      self.italic if italic is None else italic)

    def _face(self, reg) -> str:
        if self.bold:
            return reg.bolditalic if self.italic else reg.bold
        return reg.italic if self.italic else reg.regular

    def text(self, text: str) -> str:
        """Escaped markup for plain text, with per-character font fallback."""
        if self.fonts.shows_all(text, self.family):  # the common case: one font run
            return esc(text.replace("\t", " ")).replace("\n", "<br/>")
        main = self.fonts.family(self.family)
        out: list[str] = []
        run_font = main
        run: list[str] = []

        def flush() -> None:
            if not run:
                return
            chunk = esc("".join(run))
            # <font> names a regular *face*: reportlab maps it back to its family,
            # so <b>/<i> around the run still pick the right face.
            out.append(chunk if run_font is main else
                       f'<font name="{self._face(run_font)}">{chunk}</font>')
            run.clear()

        for ch in text:
            if ch in " \n\t":
                run.append(" " if ch != "\n" else ch)
                continue
            font = self.fonts.font_for(ch, self.family)
            if font is None:
                self.missing.append(ch)
                ch, font = REPLACEMENT, self.fonts.font_for(REPLACEMENT, self.family) or main
            if font is not run_font:
                flush()
                run_font = font
            run.append(ch)
        flush()
        return "".join(out).replace("\n", "<br/>")

    def inlines(self, nodes: tuple[Inline, ...] | list[Inline]) -> str:
        return "".join(self.inline(n) for n in nodes)

    def inline(self, node: Inline) -> str:
        if isinstance(node, Text):
            return self.text(node.text)
        if isinstance(node, Code):
            code_font = self.fonts.family(self.code_family).regular
            inner = self.with_family(self.code_family, bold=False, italic=False).text(node.text)
            return f'<font name="{code_font}">{inner}</font>'
        if isinstance(node, Emph):
            inner = self.with_family(self.family, italic=True).inlines(node.children)
            return f"<i>{inner}</i>"
        if isinstance(node, Strong):
            inner = self.with_family(self.family, bold=True).inlines(node.children)
            return f"<b>{inner}</b>"
        if isinstance(node, Link):
            inner = self.inlines(node.children)
            href = self.resolve_link(node.url)
            if not href:
                return inner
            return (f'<a href="{esc_attr(href)}" color="{self.link_color}">'
                    f"<u>{inner}</u></a>")
        if isinstance(node, LineBreak):
            return "<br/>"
        if isinstance(node, FootnoteRef):
            label = esc(node.label)
            # The back-link target is a zero-size flowable in front of the
            # block (see Bulletin.blocks), not an inline <a name/>: reportlab's
            # complex-script shaping crashes on an anchor inside a shaped word.
            return (f'<super><a href="#{self.footnote_dest(node.label)}" '
                    f'color="{self.link_color}">{label}</a></super>')
        raise TypeError(f"not an inline: {type(node).__name__}")


# What reportlab's Paragraph makes of its markup: (text, style, fragments, bullet).
Parsed = tuple[str, Any, list[Any], Any]


def parse_plain(markup: str, style: Any) -> Parsed | None:
    """What ``Paragraph(markup, style)`` parses out of markup without tags or
    entities (most paragraphs), by reportlab's own parser steps but without its
    HTML scanner: the same cleaning, one ``<para>`` fragment holding the text.
    None for any other markup (or nothing left after cleaning): parse that
    the usual way."""
    from reportlab.platypus.paragraph import cleanBlockQuotedText, textTransformFrags
    from reportlab.platypus.paraparser import ParaParser

    if "<" in markup or "&" in markup:
        return None
    text = cleanBlockQuotedText(markup)
    if not text:
        return None
    parser = ParaParser()
    parser.caseSensitive = 1  # as Paragraph sets it
    parser._setup_for_parse(style)
    parser.start_para({})
    parser.handle_data(text)
    parser.end_para()
    style, frags, bullet = parser._complete_parse()
    if frags is None:
        return None
    textTransformFrags(frags, style)
    return text, style, frags, bullet
