"""URLs: the one home of link safety, percent-encoding and link resolution.

Readers decide which links a source may carry (:func:`is_safe_link`), the
source loader which addresses are absolute web URLs (:func:`is_web_url`) and
which picture references name a download (:func:`is_remote`); exporters
resolve relative links against ``base_url`` (:func:`resolve_relative`),
percent-encode what a URL may not hold (:func:`encode_href`) and keep only the
schemes their readers can follow (:data:`FOLLOWABLE_SCHEMES`).  Links to other
articles are looked up by :func:`link_names` in a
:class:`publikasi.links.LinkIndex`.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

# What a link in a source may point at; javascript:, data:, file: ... never.
SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp", "ftps", "news", "sms",
                               "geo"})
# What a link in a printed bulletin or an e-book may point at: addresses every
# PDF viewer and reading system opens.
FOLLOWABLE_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp"})
# What feed content may link to (feed readers show it on the web).
FEED_SCHEMES = frozenset({"http", "https", "mailto"})
# A picture reference with one of these schemes names a download.
REMOTE_SCHEMES = frozenset({"http", "https", "ftp", "ftps"})
# What publikasi itself downloads (with --allow-remote), redirects included.
DOWNLOAD_SCHEMES = frozenset({"http", "https"})

# Browsers drop tabs and line breaks anywhere in a URL ("java\nscript:" is
# javascript:); any control character is dropped here, to be safe.
_IGNORED = re.compile(r"[\x00-\x1f]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# ASCII that may not stand bare in a URL (spaces, quotes, angle brackets ...)
# and a "%" that does not start an escape.  Non-ASCII letters stay: IRIs allow them.
_URL_ILLEGAL = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f]|%(?![0-9A-Fa-f]{2})')
_URL_HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[^\s%\[\]/?#@:]+)(?::\d*)?")
_URL_HEAD = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://[^/?#]*)?")


def url_scheme(url: str) -> str:
    """The scheme of ``url`` in lower case ("" for a relative reference).

    Control characters and leading spaces are ignored, as browsers ignore
    them.  Unlike ``urlsplit(url).scheme``
    this never raises: urlsplit refuses a pasted address with an unbalanced
    "[" (``http://[::1/x``).
    """
    m = _SCHEME.match(_IGNORED.sub("", url).lstrip(" "))
    return m.group(1).lower() if m else ""


def is_safe_link(url: str) -> bool:
    """True for links a reader may follow: relative, or a scheme in :data:`SAFE_LINK_SCHEMES`."""
    scheme = url_scheme(url)
    return scheme == "" or scheme in SAFE_LINK_SCHEMES


def is_remote(ref: str) -> bool:
    """True when a picture reference names a download rather than a file."""
    return url_scheme(ref) in REMOTE_SCHEMES


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and no space (a ``base_url``, a ``source``)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced "[" in the host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def resolve_relative(url: str, base: str) -> str:
    """``url`` made absolute against ``base``; absolute URLs and ``#fragments`` stay."""
    if base and not url_scheme(url) and not url.startswith("#"):
        return urljoin(base, url)
    return url


def encode_href(url: str) -> str:
    """``url`` with the characters a URL may not hold percent-encoded.

    A pasted link such as ``https://x.example/a b<2>`` or ``.../50%off`` is
    what a browser would follow, but EPUBCheck (and XHTML) reject it bare.
    A link whose host is broken (``http://[abc/x``) gives "": no link, the
    text stays.
    """
    url = _URL_ILLEGAL.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:  # an unbalanced "[" in the host: no usable address
        return ""
    if parts.netloc and not _URL_HOST.fullmatch(parts.netloc.rsplit("@", 1)[-1]):
        return ""  # "http://[abc/x", "http://%5B..." : a host no reader can reach
    if not parts.netloc and parts.scheme in ("http", "https"):
        return ""
    # Square brackets belong only around an IPv6 host, and a fragment has one "#".
    head_match = _URL_HEAD.match(url)
    head = head_match.group(0) if head_match else ""
    rest = url[len(head):].replace("[", "%5B").replace("]", "%5D")
    hash_at = rest.find("#")
    if hash_at >= 0:
        rest = rest[:hash_at + 1] + rest[hash_at + 1:].replace("#", "%23")
    return head + rest


def followable(url: str) -> bool:
    """True when a PDF viewer or reading system can open ``url`` on its own."""
    return url_scheme(url) in FOLLOWABLE_SCHEMES


def link_names(url: str) -> tuple[str, ...]:
    """The names under which a link to ``url`` looks an article up.

    The last path segment (``../b/dua.md`` -> ``dua.md``), else the fragment
    (``#dua``); a URL that does not parse names nothing.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return ()
    target = parts.path.rsplit("/", 1)[-1] if parts.path else parts.fragment
    return tuple(n for n in (target, parts.fragment) if n)


__all__ = [
    "DOWNLOAD_SCHEMES", "FEED_SCHEMES", "FOLLOWABLE_SCHEMES", "REMOTE_SCHEMES",
    "SAFE_LINK_SCHEMES", "encode_href", "followable", "is_remote", "is_safe_link",
    "is_web_url", "link_names", "resolve_relative", "url_scheme",
]
