"""URLs: the one home of link safety, percent-encoding and link resolution.

Readers decide which links a source may carry (:func:`is_safe_link`), the
source loader which addresses are absolute web URLs (:func:`web_url_flaw`,
:func:`normal_web_url`) and
which picture references name a download (:func:`is_remote`); exporters
resolve relative links against ``base_url`` (:func:`resolve_relative`),
percent-encode what a URL may not hold (:func:`encode_href`) and keep only the
schemes their readers can follow (:data:`FOLLOWABLE_SCHEMES`).  Links to other
articles are looked up by :func:`link_names` in a
:class:`publikasi.links.LinkIndex`.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urljoin, urlsplit

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


# In an absolute web URL from a source these end an HTML attribute or a tag
# (`"><script>`) or are a typo, so they are refused (:func:`web_url_flaw`);
# other characters a URL may not hold are percent-encoded (:func:`normal_web_url`).
_WEB_URL_REFUSED = re.compile(r'[\x00-\x20"<>`\x7f-\x9f]')
_WEB_URL_ENCODED = re.compile(r"[\\^{|}]|%(?![0-9A-Fa-f]{2})|[^\x00-\x7f]")
_HOSTNAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
                       r"(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?")


def _web_parts(url: str) -> tuple[SplitResult, str] | None:
    """(parts, host in ASCII) of an http(s) URL with a real host name, else None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
        ascii_host = host if ":" in host else host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):  # "[" unbalanced, a port not a number, a bad IDN
        return None
    if parts.scheme not in ("http", "https"):
        return None
    if not (":" in host or _HOSTNAME.fullmatch(ascii_host)):
        return None
    return parts, ascii_host


def web_url_flaw(url: str) -> str | None:
    """Why ``url`` is not an absolute http(s) URL publikasi accepts, or None."""
    if url_scheme(url) in ("http", "https"):
        bad = _WEB_URL_REFUSED.search(url)
        if bad:
            ch = bad.group()
            what = "a space" if ch == " " else f"`{ch}`" if ch.isprintable() \
                else f"control character U+{ord(ch):04X}"
            return f"is not a URL: it holds {what}, which a URL may not"
    if _WEB_URL_REFUSED.search(url) or _web_parts(url) is None:
        return "must be an absolute http(s) URL such as https://malangkota.go.id/"
    return None


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a real host (a ``base_url``, a ``source``)."""
    return web_url_flaw(url) is None


def normal_web_url(url: str) -> str:
    """An accepted web URL (see :func:`is_web_url`) with its host in ASCII (IDN) and
    the characters a URL may not hold percent-encoded."""
    found = _web_parts(url)
    if found is None:
        raise ValueError(f"not a web URL: {url!r}")
    parts, ascii_host = found
    if ascii_host != parts.hostname:
        netloc = parts.netloc
        at = netloc.rfind("@") + 1
        host_and_port = netloc[at:]
        name = host_and_port.rsplit(":", 1)[0] if not host_and_port.startswith("[") \
            else host_and_port
        url = parts._replace(netloc=netloc[:at] + host_and_port.replace(name, ascii_host, 1)
                             ).geturl()
    return _WEB_URL_ENCODED.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()),
                                url)


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
    "DOWNLOAD_SCHEMES",
    "FEED_SCHEMES",
    "FOLLOWABLE_SCHEMES",
    "REMOTE_SCHEMES",
    "SAFE_LINK_SCHEMES",
    "encode_href",
    "followable",
    "is_remote",
    "is_safe_link",
    "is_web_url",
    "link_names",
    "normal_web_url",
    "resolve_relative",
    "url_scheme",
    "web_url_flaw",
]
