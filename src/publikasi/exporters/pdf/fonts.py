"""Fonts for the PDF bulletin: static faces cut from the packaged Noto fonts.

The dependencies ``fontpkg-noto-sans`` and ``fontpkg-noto-serif`` ship
*variable* TrueType fonts; reportlab can only embed static faces.  The first
build on a machine cuts the four faces (regular 400, bold 700, italic, bold
italic) of each family with fontTools' instancer and keeps them in a cache
folder (``$PUBLIKASI_FONT_CACHE``, else ``$XDG_CACHE_HOME/publikasi/fonts``,
else ``~/.cache/publikasi/fonts``).  Later builds only read the cache; each
face is checked against the sha256 written beside it (``<face>.ttf.sha256``),
and a truncated or damaged face is cut again.

Cutting happens under an exclusive file lock and every file is written to a
temporary name and renamed, so parallel builds (pytest-xdist workers, a cron
job and a person) never see a half-written font.

Each cut face gets its own family/full/PostScript names, so a PDF viewer can
never confuse the bold face with the regular one.

Coverage: :class:`FontSet` answers which characters the shipped fonts can
show; :func:`char_names` formats the ones they cannot for a warning.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from ...atomic import write_atomic
from ...manifest import file_sha256

# Bump when the way faces are cut changes, so old caches are not reused.
CUT_VERSION = "2"

# role -> (weight, italic file?)
FACES = {
    "regular": (400, False),
    "bold": (700, False),
    "italic": (400, True),
    "bolditalic": (700, True),
}
_STYLE_NAMES = {"regular": "Regular", "bold": "Bold", "italic": "Italic",
                "bolditalic": "Bold Italic"}

# Generic family names a theme may use -> fontpkg module.
FAMILIES = {
    "serif": "fontpkg_noto_serif",
    "sans": "fontpkg_noto_sans",
}

# Scripts whose letters only look right after contextual shaping and/or
# right-to-left reordering; reportlab's open-source edition cannot do either
# without extra native packages, so such characters are reported instead of
# being drawn as isolated, wrongly ordered glyphs.
_COMPLEX_RANGES = (
    (0x0590, 0x08FF),   # Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Arabic Ext.
    (0x0900, 0x0DFF),   # Devanagari ... Sinhala (Indic scripts)
    (0x0F00, 0x0FFF),   # Tibetan
    (0x1000, 0x109F),   # Myanmar
    (0x1780, 0x17FF),   # Khmer
    (0xA8E0, 0xA8FF),   # Devanagari Extended
    (0xFB1D, 0xFDFF),   # Hebrew/Arabic presentation forms A
    (0xFE70, 0xFEFF),   # Arabic presentation forms B
)


COMPLEX_RE = re.compile("[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _COMPLEX_RANGES)
                        + "]")


def needs_shaping(ch: str) -> bool:
    """True for characters of scripts that need shaping or bidi reordering."""
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _COMPLEX_RANGES)


def cache_dir() -> Path:
    """Where cut faces are kept (see the module docstring for the order)."""
    env = os.environ.get("PUBLIKASI_FONT_CACHE", "").strip()
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "publikasi" / "fonts"


@dataclass(frozen=True)
class SourceFamily:
    """A fontpkg family: its variable font files and version."""

    key: str            # "serif", "sans", or a fontpkg slug for fallbacks
    family: str         # "Noto Serif"
    version: str
    upright: Path
    italic: Path | None

    @property
    def ps_base(self) -> str:
        return self.family.replace(" ", "")

    @property
    def tag(self) -> str:
        """Cache key: the font version and the files' sizes."""
        h = hashlib.sha256()
        for p in (self.upright, self.italic):
            if p is not None:
                h.update(f"{p.name}:{p.stat().st_size};".encode())
        return f"{self.ps_base}-{self.version}-c{CUT_VERSION}-{h.hexdigest()[:8]}"


def _source_family(key: str, module_name: str) -> SourceFamily:
    mod = import_module(module_name)
    root = Path(mod.ROOT)
    meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    upright = italic = None
    for entry in meta.get("files", []):
        path = root / entry["path"]
        if entry.get("style") == "italic":
            italic = path
        else:
            upright = path
    if upright is None:
        raise RuntimeError(f"{module_name} ships no upright font file")
    return SourceFamily(key, str(meta.get("family") or mod.FAMILY),
                        str(meta.get("version", "0")), upright, italic)


def _cut_face(src: str, weight: int, out: str, family: str, style: str, ps_name: str) -> None:
    """Cut one static instance (runs in a worker process)."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(src)
    axes = {a.axisTag: a for a in font["fvar"].axes} if "fvar" in font else {}
    location: dict[str, float] = {}
    if "wght" in axes:
        location["wght"] = max(axes["wght"].minValue, min(axes["wght"].maxValue, weight))
    if "wdth" in axes:
        location["wdth"] = max(axes["wdth"].minValue, min(axes["wdth"].maxValue, 100))
    for tag, axis in axes.items():
        location.setdefault(tag, axis.defaultValue)
    static = instancer.instantiateVariableFont(font, location) if axes else font
    # Own names per face: viewers (and reportlab's embedding) key faces by name.
    name = static["name"]
    full = f"{family} {style}"
    for nid in (16, 17, 21, 22, 25):
        name.removeNames(nameID=nid)
    legacy_family = family if style in ("Regular", "Bold", "Italic", "Bold Italic") else full
    for nid, value in ((1, legacy_family), (2, style), (3, f"publikasi:{ps_name}"),
                       (4, full), (6, ps_name)):
        name.setName(value, nid, 3, 1, 0x409)
        name.setName(value, nid, 1, 0, 0)
    if "OS/2" in static:
        static["OS/2"].usWeightClass = weight
    # fontTools stamps head.modified with the clock on save; reportlab copies
    # the head table into the PDF, so a fresh cut would change every PDF byte.
    static.recalcTimestamp = False
    data = io.BytesIO()
    static.save(data)
    face = data.getvalue()
    write_atomic(Path(out), face)
    # The face's digest, written after it: a face without a matching digest
    # (cut by a killed process, truncated, damaged) is cut again.
    write_atomic(_digest_file(Path(out)), f"{hashlib.sha256(face).hexdigest()}\n")


def _digest_file(face: Path) -> Path:
    return face.with_name(face.name + ".sha256")


def face_ok(face: Path) -> bool:
    """True when a cut face in the cache is whole: its bytes match the digest written with it."""
    try:
        expected = _digest_file(face).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return len(expected) == 64 and file_sha256(face) == expected


def _cut_all(jobs: list[tuple]) -> None:
    """Cut faces side by side in fresh interpreters (one per core).

    Fresh processes rather than fork(): the build may be running threads, and a
    forked child of a threaded process can deadlock on a lock it inherited.
    """
    if len(jobs) <= 1 or (os.cpu_count() or 1) == 1:
        for args in jobs:
            _cut_face(*args)
        return
    code = ("import json, sys; from publikasi.exporters.pdf.fonts import _cut_face; "
            "_cut_face(*json.loads(sys.argv[1]))")
    env = dict(os.environ)
    src_root = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src_root, env.get("PYTHONPATH")) if p)
    pending = list(jobs)
    running: list[tuple[subprocess.Popen, tuple]] = []
    while pending or running:
        while pending and len(running) < (os.cpu_count() or 1):
            args = pending.pop(0)
            proc = subprocess.Popen([sys.executable, "-c", code, json.dumps(args)], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            running.append((proc, args))
        proc, args = running.pop(0)
        _, err = proc.communicate()
        if proc.returncode != 0 or not Path(args[2]).is_file():
            # Report the real failure rather than a missing file later.
            raise RuntimeError(f"cutting font {Path(args[2]).name} failed: "
                               f"{err.decode(errors='replace').strip()[-500:]}")


@dataclass
class CutFamily:
    source: SourceFamily
    files: dict[str, Path] = field(default_factory=dict)  # role -> static TTF


def ensure_faces(sources: list[SourceFamily], roles: tuple[str, ...] = tuple(FACES),
                 folder: Path | None = None) -> list[CutFamily]:
    """Cut whatever faces are missing from the cache (once, under a lock)."""
    folder = folder or cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError:
        # Read-only home (a container, a service account): a private temp cache.
        folder = Path(tempfile.gettempdir()) / f"publikasi-fonts-{os.getuid()}"
        folder.mkdir(parents=True, exist_ok=True)
    plan: list[tuple[CutFamily, str, Path]] = []
    result: list[CutFamily] = []
    for src in sources:
        cut = CutFamily(src)
        result.append(cut)
        for role in roles:
            weight, italic = FACES[role]
            file = src.italic if italic else src.upright
            if file is None:  # no italic design: fall back to the upright face
                file, role_file = src.upright, ("bold" if weight == 700 else "regular")
            else:
                role_file = role
            style = _STYLE_NAMES[role_file].replace(" ", "")
            path = folder / src.tag / f"{src.ps_base}-{style}.ttf"
            cut.files[role] = path
            plan.append((cut, role_file, path))
    missing = [(c, r, p) for c, r, p in plan if not face_ok(p)]
    if missing:
        with open(folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            todo: dict[Path, tuple] = {}
            for cut, role, path in missing:
                if path in todo or face_ok(path):
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                weight, italic = FACES[role]
                src = cut.source
                file = src.italic if italic and src.italic else src.upright
                style = _STYLE_NAMES[role]
                ps = f"{src.ps_base}-{style.replace(' ', '')}"
                todo[path] = (str(file), weight, str(path), src.family, style, ps)
            _cut_all(list(todo.values()))
    return result


@cache
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    return frozenset(font.getBestCmap() or {})


def fallback_sources() -> list[SourceFamily]:
    """Every other installed fontpkg family (e.g. fontpkg-noto-sans-thai), as fallbacks.

    fontpkg packages announce themselves in the ``fontpkg.family`` entry-point
    group; installing one more such package extends the PDF's coverage
    without any change to publikasi.
    """
    found = []
    main = set(FAMILIES.values())
    for ep in sorted(entry_points(group="fontpkg.family"), key=lambda e: e.name):
        if ep.value in main:
            continue
        try:
            found.append(_source_family(ep.name, ep.value))
        except Exception:  # noqa: BLE001 - a broken third-party font package is skipped
            continue
    return found


@dataclass
class Registered:
    """Names under which a family's faces are registered with reportlab."""

    key: str
    regular: str
    bold: str
    italic: str
    bolditalic: str
    cmap: frozenset[int] = field(repr=False)


_registered: dict[str, Registered] = {}


_NOT_IN_FIRST_SUBSET = "\u0100"  # fails the latin-1 encoding that makes the bytes


def _first_subset_codes(state: Any) -> dict[int, str]:
    """A str.translate table: character -> its code in the document's first font
    subset (reportlab's ``state.assignments``), anything else -> a character
    that no single byte holds.  Kept up to date as reportlab assigns codes
    (it only ever adds them)."""
    table: dict[int, str] | None = state.__dict__.get("pk_codes")
    assigned = state.assignments
    known = state.__dict__.get("pk_known", 0)
    if table is None:
        table = state.pk_codes = dict.fromkeys(range(256), _NOT_IN_FIRST_SUBSET)
    if known != len(assigned):
        for code, n in itertools.islice(assigned.items(), known, None):
            table[code] = chr(n) if n < 256 else _NOT_IN_FIRST_SUBSET
        table[0xA0] = table[32]  # reportlab sets a no-break space as a space
        state.pk_known = len(assigned)
    return table


@cache
def _ttfont_class() -> type:
    """reportlab's TTFont, with a short way for text whose characters all have
    their place in the document's subset already (nearly every line after the
    first pages): the same (subset, bytes) runs, without reportlab's loop over
    each character, which took a third of the time of drawing the text."""
    from reportlab.pdfbase.ttfonts import TTFont

    class KnownTextTTFont(TTFont):
        def splitString(self, text: Any, doc: Any, encoding: str = "utf-8") -> Any:
            state = self.state.get(doc) if isinstance(text, str) else None
            if state is not None:
                try:
                    data = text.translate(_first_subset_codes(state)).encode("latin-1")
                except UnicodeEncodeError:
                    pass  # a character new to the document, or beyond the first subset
                else:
                    return [(0, data)] if data else []
            return super().splitString(text, doc, encoding)

    return KnownTextTTFont


def _register(cut: CutFamily, name: str) -> Registered:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics

    if name in _registered:
        return _registered[name]
    names = {}
    for role, path in cut.files.items():
        face = f"{name}-{role}"
        if face not in pdfmetrics.getRegisteredFontNames():
            font = _ttfont_class()(face, str(path))
            pdfmetrics.registerFont(font)
            if shaping_available():
                # reportlab shapes a word that mixes fonts (Hebrew in bold next to
                # Arabic) with its first font, then asks the others for private
                # glyph slots, which only exist once hbFont() ran on them.
                font.hbFont(10)
        names[role] = face
    for role in FACES:
        names.setdefault(role, names.get("bold" if "bold" in role else "regular",
                                         names["regular"]))
    # <b>/<i> inside Paragraph markup find the faces through this mapping.
    pdfmetrics.registerFontFamily(name, normal=names["regular"], bold=names["bold"],
                                  italic=names["italic"], boldItalic=names["bolditalic"])
    for face, bold, italic in ((names["regular"], 0, 0), (names["bold"], 1, 0),
                               (names["italic"], 0, 1), (names["bolditalic"], 1, 1)):
        addMapping(name, bold, italic, face)
    # The characters reportlab maps to glyphs is the cmap of the regular face
    # (fontTools reads the same table; reading it again took longer than the rest).
    regular = pdfmetrics.getFont(names["regular"])
    reg = Registered(name, names["regular"], names["bold"], names["italic"],
                     names["bolditalic"], frozenset(regular.face.charToGlyph))
    _registered[name] = reg
    return reg


@dataclass
class Fallback:
    """An extra installed fontpkg family; cut and registered on first use only."""

    source: SourceFamily
    cmap: frozenset[int] = field(repr=False)
    registered: Registered | None = None

    def get(self) -> Registered:
        if self.registered is None:
            cut = ensure_faces([self.source], roles=("regular", "bold"))[0]
            self.registered = _register(cut, f"Pk{self.source.ps_base}")
        return self.registered


def shaping_available() -> bool:
    """True when reportlab can shape complex scripts (it needs ``uharfbuzz``)."""
    try:
        from reportlab.pdfbase import ttfonts
    except ImportError:  # pragma: no cover - reportlab is a dependency
        return False
    return getattr(ttfonts, "uharfbuzz", None) is not None


@dataclass
class FontSet:
    """The families a document uses plus fallbacks, with coverage queries."""

    families: dict[str, Registered]           # "serif"/"sans" -> faces
    fallbacks: list[Fallback]                 # other installed fontpkg families
    # reportlab shapes Arabic, Indic ... scripts only with uharfbuzz installed;
    # without it their letters would come out unjoined or misordered.
    shaping: bool = False
    # (character, family) -> answer of font_for: every character of every
    # paragraph asks, and the answer never changes within a process.
    _memo: dict[tuple[str, str], Registered | None] = field(default_factory=dict, repr=False)
    # Per family: characters it shows itself (no fallback), learnt as texts come.
    _own: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def family(self, key: str) -> Registered:
        return self.families.get(key) or self.families["serif"]

    def covers(self, ch: str) -> bool:
        """Whether any installed font has a glyph for ``ch`` (shaping aside)."""
        cp = ord(ch)
        return (any(cp in f.cmap for f in self.families.values())
                or any(cp in f.cmap for f in self.fallbacks))

    def shows_all(self, text: str, family: str) -> bool:
        """Whether ``family`` itself shows every character of ``text`` (whitespace
        included): then no character needs a fallback font.  One set operation
        for a text seen before in the main, a lookup per new character."""
        own = self._own.setdefault(family, set(" \n\t"))
        chars = set(text)
        if chars <= own:
            return True
        main = self.family(family)
        for ch in chars - own:
            if self.font_for(ch, family) is not main:
                return False
            own.add(ch)
        return True

    def font_for(self, ch: str, family: str) -> Registered | None:
        """The family that can show ``ch`` (the requested one first), or None."""
        key = (ch, family)
        if key not in self._memo:
            self._memo[key] = self._font_for(ch, family)
        return self._memo[key]

    def _font_for(self, ch: str, family: str) -> Registered | None:
        cp = ord(ch)
        if needs_shaping(ch) and not self.shaping:
            return None
        main = self.family(family)
        if cp in main.cmap:
            return main
        for other in self.families.values():
            if cp in other.cmap:
                return other
        for fb in self.fallbacks:
            if cp in fb.cmap:
                return fb.get()
        return None


LONG_WORD = 150.0  # points: wider than this, a word may need breaking across lines
# Switched off by Bulletin.render for a second attempt when a layout fails.
RUN_SHAPING = {"on": True}


def _shape_each_font_run(original):
    """Wrap reportlab's shapeFragWord so that a word in several fonts is shaped
    one font run at a time.

    reportlab shapes a whole space-delimited word with the font of its first
    piece, so "(محمد)" (parenthesis in the body font, name in Noto Sans
    Arabic) came out as boxes, and Latin glued to Arabic as wrong glyphs.
    Each run is shaped with its own font here and the pieces are joined.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfbase.ttfonts import ShapedFragWord, makeShapedFragWord

    def shape(word, *args, **kwargs):
        if isinstance(word, ShapedFragWord):
            return word
        if not RUN_SHAPING["on"]:
            return original(word, *args, **kwargs)
        pieces = word[1:]
        names = {f.fontName for f, _ in pieces if not hasattr(f, "cbDefn")}
        if len(names) <= 1:
            return original(word, *args, **kwargs)
        widths = [stringWidth(text, f.fontName, f.fontSize)
                  for f, text in pieces if not hasattr(f, "cbDefn")]
        if sum(widths) > LONG_WORD:
            # A word this long is broken across lines by reportlab, whose
            # splitting does not follow pieces shaped apart (the layout then
            # fails); such a run-on "word" keeps reportlab's own shaping.
            return original(word, *args, **kwargs)
        runs: list[list] = []
        fonts: list[str | None] = []
        for f, text in pieces:
            name = None if hasattr(f, "cbDefn") else f.fontName  # cbDefn: an anchor
            if not runs or (name is not None and fonts[-1] not in (None, name)):
                runs.append([])
                fonts.append(name)
            elif fonts[-1] is None:
                fonts[-1] = name
            runs[-1].append((f, text))
        total, parts = 0.0, []
        for run in runs:
            width = sum(stringWidth(text, f.fontName, f.fontSize)
                        for f, text in run if not hasattr(f, "cbDefn"))
            shaped = original([width, *run], force=True)
            total += shaped[0]
            parts.extend(shaped[1:])
        return makeShapedFragWord(word)([total, *parts])

    shape.publikasi_wrapped = True
    return shape


def _install_run_shaping() -> None:
    from reportlab.platypus import paragraph

    if not getattr(paragraph.shapeFragWord, "publikasi_wrapped", False):
        paragraph.shapeFragWord = _shape_each_font_run(paragraph.shapeFragWord)


_fontset: FontSet | None = None


def load_fonts() -> FontSet:
    """Cut (first time only), register and return the shipped font families."""
    global _fontset
    if _fontset is not None:
        return _fontset
    sources = [_source_family(key, mod) for key, mod in FAMILIES.items()]
    cuts = ensure_faces(sources)
    families = {cut.source.key: _register(cut, f"Pk{cut.source.ps_base}") for cut in cuts}
    # A variable font's cmap is the cmap of every instance cut from it.
    fallbacks = [Fallback(src, _cmap(src.upright)) for src in fallback_sources()]
    if shaping_available():
        _install_run_shaping()
    _fontset = FontSet(families, fallbacks, shaping=shaping_available())
    return _fontset


def char_names(chars: str) -> str:
    """``U+0627 ARABIC LETTER ALEF, U+4E2D CJK UNIFIED IDEOGRAPH-4E2D``."""
    seen: list[str] = []
    for ch in chars:
        if ch not in seen:
            seen.append(ch)
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'UNNAMED CHARACTER')}" for c in seen)
