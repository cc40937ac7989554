"""Text hygiene: the one place where user text is made safe for every format.

Every string that enters the model passes through :func:`clean_inline` or
:func:`clean_line`; exporters can therefore assume text that is valid XML 1.0
character data, NFC-normalised and free of stray whitespace.
"""

from __future__ import annotations

import re
import unicodedata

from slugify import slugify as _slugify

# XML 1.0 forbids C0 controls (except tab, LF, CR), lone surrogates and the two
# non-characters U+FFFE/U+FFFF.  C1 controls (U+0080-U+009F) are allowed by XML
# but EPUBCheck and Word both choke on some of them and they never carry
# meaning in pasted text (readers map them back to Windows-1252 first).
_INVALID = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
)
# Zero-width and byte-order marks that sneak in from web pages and Word.  The
# zero-width joiner (U+200D) is kept: emoji sequences need it.
_INVISIBLE = re.compile("[\u200b\u200c\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")


def strip_invalid(text: str) -> str:
    """Remove characters that are not allowed in XML 1.0 documents."""
    return _INVALID.sub("", text)


def clean_inline(text: str) -> str:
    """Clean a run of inline text: valid XML, NFC, each whitespace run -> one space.

    Leading and trailing spaces are kept (they separate inline runs); use
    :func:`clean_line` for a value that stands alone.
    """
    text = _INVALID.sub("", text)
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text)


def clean_line(text: str | None) -> str:
    """Clean a stand-alone value (title, caption, name): like clean_inline, stripped."""
    if text is None:
        return ""
    return clean_inline(str(text)).strip()


def slugify(text: str, max_length: int = 80) -> str:
    """URL- and file-safe ASCII slug (``"Wali Kota Malang"`` -> ``"wali-kota-malang"``)."""
    slug = _slugify(text, max_length=max_length, word_boundary=True)
    return slug or "artikel"
