"""Where things live in the published output folder: one URL scheme for every format.

``OUT/`` is meant to be published at ``base_url``.  The feeds, the sitemap
and the web edition's own links all take their addresses from here, so a
feed item's link and the page the ``html`` exporter writes cannot drift
apart:

==================  ===============================  ===========================
what                file in ``OUT/``                 public URL
==================  ===============================  ===========================
front page          ``index.html``                   ``base_url``
article             ``<slug>/index.html``            ``base_url + slug + "/"``
edition             ``<release>/index.html``         ``base_url + release + "/"``
  (a lone release)  ``edisi/index.html``             ``base_url + "edisi/"``
section             ``rubrik/<section>/index.html``  ``base_url + "rubrik/…/"``
picture             ``media/<name>``                 ``base_url + "media/" + name``
==================  ===============================  ===========================

Paths here are relative to ``OUT/`` and use ``/``.  A page's "folder"
(``slug/``) is its public address; links between pages name the
``index.html`` inside it so the folder also works opened from disk.
"""

from __future__ import annotations


from .model import Publication, Release
from .text import slugify
from .urls import is_web_url

MEDIA_DIR = "media"
ASSETS_DIR = "assets"
SECTIONS_DIR = "rubrik"
# A lone release (one folder or file) writes its files to OUT/ itself, and its
# slug may be its one article's: its edition page gets a fixed folder instead.
SINGLE_EDITION_DIR = "edisi"
INDEX = "index.html"

# Names at the top of OUT/ that a page folder must not take.
RESERVED = frozenset({MEDIA_DIR, ASSETS_DIR, SECTIONS_DIR, SINGLE_EDITION_DIR, "docx", INDEX,
                      "404.html", "sitemap.xml", "robots.txt"})


def base_url(pub: Publication) -> str:
    """The publication's ``base_url`` ending in "/", or "" when it has no usable one."""
    return normalized_base(pub.base_url or (pub.releases[0].base_url if pub.releases else ""))


def normalized_base(base: str) -> str:
    """``base`` ending in "/" (so that paths go below it), or "" when it is no http(s) URL."""
    if not is_web_url(base):
        return ""
    return base if base.endswith("/") else base + "/"


def article_dir(slug: str) -> str:
    return f"{slug}/"


def edition_dir(release: Release, pub: Publication) -> str:
    return f"{SINGLE_EDITION_DIR}/" if pub.is_single_release else f"{release.slug}/"


def section_dir(section: str) -> str:
    return f"{SECTIONS_DIR}/{slugify(section)}/"


def media_path(name: str) -> str:
    return f"{MEDIA_DIR}/{name}"


def page_file(folder: str) -> str:
    """``slug/`` -> ``slug/index.html``; ``""`` (the front page) -> ``index.html``."""
    return folder + INDEX


def absolute(base: str, path: str) -> str:
    """The public URL of ``path`` (a folder or file of OUT/) under ``base``."""
    return base + path


def article_url(base: str, slug: str) -> str:
    """The address of an article's page, which is also its feed id."""
    return absolute(base, article_dir(slug))


__all__ = ["ASSETS_DIR", "INDEX", "MEDIA_DIR", "RESERVED", "SECTIONS_DIR", "SINGLE_EDITION_DIR",
           "absolute", "article_dir", "article_url", "base_url", "edition_dir", "media_path",
           "normalized_base", "page_file", "section_dir"]
