"""Balanced columns where the text ends mid-page.

When what is left of the story (up to the next page break, or to the end)
fits on the page that is starting, its columns are made to end at about the
same height instead of the left one filling up and the right one staying
empty.  The height is found by laying the rest out for real, with reportlab
and the bulletin's own document template, into throwaway columns of a trial
height on a canvas that draws nothing (:class:`DryCanvas`): the smallest
height that holds everything wins.  The page's columns but the last are then
shortened to it; the last keeps its full height, so that nothing can spill
onto a new page.
"""

from __future__ import annotations

import contextlib
import io
import math
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, PageBreak, PageTemplate, Paragraph
from reportlab.platypus.doctemplate import (
    ActionFlowable,
    BaseDocTemplate,
    LayoutError,
    NextPageTemplate,
)

BALANCE_STEP = 4.0  # points (a third of a line): how close the search gets to the least height
TOP_SPACE = 30.0  # points a frame top may save per column (space before is dropped there)


class DryCanvas(Canvas):
    """A canvas for measuring: pictures, outline entries and links are left out
    (an outline entry of level 1 with no parent would even fail).  ``dry`` says
    so to anything that records what is drawn."""

    dry = True

    def drawImage(self, *args: Any, **kwargs: Any) -> None:
        return None

    def drawInlineImage(self, *args: Any, **kwargs: Any) -> None:
        return None

    def addOutlineEntry(self, *args: Any, **kwargs: Any) -> None:
        return None

    def linkRect(self, *args: Any, **kwargs: Any) -> None:
        return None

    def linkURL(self, *args: Any, **kwargs: Any) -> None:
        return None


_MISSING = object()


class _Overflow(Exception):
    """The trial layout needed a second page."""


class DryRun:
    """Mixed into the bulletin's document template for trial layouts: one page
    only, saved nowhere, never balancing in turn."""

    _doSave = 0
    page: int
    _kept: list[tuple[Flowable, Any]]
    _multiBuildEdits: Any

    def handle_keepWithNext(self, flowables: list[Flowable]) -> None:
        # reportlab clears keepWithNext on what it groups, in the flowable's own
        # dict (a list item's indenter too); noted here to be put back exactly.
        n = 0
        while n < len(flowables) and flowables[n].getKeepWithNext():
            n += 1
        self._kept.extend((f, f.__dict__.get("keepWithNext", _MISSING))
                          for f in flowables[:n + 1])
        edits, self._multiBuildEdits = self._multiBuildEdits, None
        try:
            super().handle_keepWithNext(flowables)  # type: ignore[misc]
        finally:
            self._multiBuildEdits = edits

    def handle_pageBegin(self) -> None:
        if self.page >= 1:
            raise _Overflow
        super().handle_pageBegin()  # type: ignore[misc]

    def balance_columns(self, flowables: list[Flowable]) -> None:
        return None


def segment(flowables: list[Flowable], measure: Any, limit: float) -> list[Flowable] | None:
    """The flowables up to the next page break (all of them at the end of the
    story), without template changes that only act on later pages, if their
    ``measure`` adds up to ``limit`` at most; None when they are taller, or an
    action among them would change this page."""
    out: list[Flowable] = []
    total = 0.0
    for f in flowables:
        if isinstance(f, PageBreak):
            break
        if isinstance(f, NextPageTemplate):
            continue
        if isinstance(f, ActionFlowable):
            return None  # a frame break, a template change now: no trial follows that
        total += measure(f)
        if total > limit:
            return None
        out.append(f)
    return out


def _parts(f: Flowable) -> list[Flowable] | None:
    """The flowables a container is made of, for measuring (None: not a container)."""
    for name in ("_content", "heads"):
        if isinstance(getattr(f, name, None), list):
            parts = getattr(f, "_parts", None)
            return list(parts()) if callable(parts) else list(getattr(f, name))
    if hasattr(f, "prev") and hasattr(f, "last"):
        return [f.prev, f.last]
    return None


def rough_height(f: Flowable, width: float, canv: Canvas,
                 memo: dict[int, tuple[Flowable, float]]) -> float:
    """Height of ``f`` set in one long column, with its spaces: at most what it
    takes in columns of that width, give or take the spaces at a column top."""
    got = memo.get(id(f))
    if got is not None and got[0] is f:
        return got[1]
    parts = _parts(f)
    if parts is not None:
        h = sum(rough_height(p, width, canv, memo) for p in parts)
    elif isinstance(f, Paragraph) and not f.style.firstLineIndent:
        # No line is longer than the column: as many lines as the text's width
        # fills, at least (much cheaper than breaking the lines).
        text_w = sum(stringWidth(frag.text, frag.fontName, frag.fontSize)
                     for frag in f.frags if getattr(frag, "text", None))
        lines = max(1, math.ceil(text_w / max(1.0, width - f.style.leftIndent
                                              - f.style.rightIndent)))
        h = lines * f.style.leading + f.getSpaceBefore() + f.getSpaceAfter()
    else:
        h = f.wrapOn(canv, width, 1e6)[1] + f.getSpaceBefore() + f.getSpaceAfter()
    memo[id(f)] = (f, h)
    return h


def fits(doc: BaseDocTemplate, flows: list[Flowable], height: float) -> bool:
    """Whether ``flows`` fit on one page whose columns are all ``height`` high."""
    frames = []
    for f in doc.pageTemplate.frames:
        top = f._y2 - f._topPadding
        frames.append(Frame(f._x1, top - height - f._bottomPadding, f._width,
                            height + f._topPadding + f._bottomPadding,
                            leftPadding=f._leftPadding, rightPadding=f._rightPadding,
                            topPadding=f._topPadding, bottomPadding=f._bottomPadding,
                            id=f.id))
    dry_cls = type("DryDoc", (DryRun, type(doc)), {})
    dry = dry_cls(io.BytesIO(), pagesize=doc.pagesize, leftMargin=doc.leftMargin,
                  rightMargin=doc.rightMargin, topMargin=doc.topMargin,
                  bottomMargin=doc.bottomMargin, invariant=1)
    dry.addPageTemplates([PageTemplate(id="dry", frames=frames, pagesize=doc.pagesize)])
    undo: list[tuple] = []  # flowables reportlab marks as moved on (_postponed)
    dry._multiBuildEdits = undo.append
    dry._kept = []
    try:
        dry.build(list(flows), canvasmaker=DryCanvas)
    except (_Overflow, LayoutError, RecursionError):
        return False
    except RuntimeError as err:  # the template's "no progress" guard
        if type(err).__name__ != "LayoutLoop":
            raise
        return False
    finally:
        for fn, *args in reversed(undo):
            with contextlib.suppress(AttributeError):  # already gone
                fn(*args)
        for f, old in reversed(dry._kept):
            if old is _MISSING:
                f.__dict__.pop("keepWithNext", None)
            else:
                f.__dict__["keepWithNext"] = old
    return True


def balanced_height(doc: BaseDocTemplate, flowables: list[Flowable]) -> float | None:
    """The column height that balances the rest of the story on this page, or
    None when it does not end here (or the page has a single column)."""
    frames = doc.pageTemplate.frames
    if len(frames) < 2 or doc.frame is not frames[0] or not doc.frame._atTop:
        return None
    full = frames[0]._aH
    width = frames[0]._aW
    memo: dict[int, tuple[Flowable, float]] = getattr(doc, "_rough_heights", {})
    doc._rough_heights = memo
    # Cheaply known not to end on this page when even the rough heights overflow it.
    flows = segment(flowables, lambda f: rough_height(f, width, doc.canv, memo),
                    len(frames) * (full + TOP_SPACE))
    if not flows:
        return None
    total = sum(memo[id(f)][1] for f in flows)
    if not fits(doc, flows, full):
        return None
    # From an even share upwards in growing steps, then halving the last step.
    lo, step = 0.0, 3 * BALANCE_STEP
    hi = min(full, total / len(frames))
    while hi < full and not fits(doc, flows, hi):
        lo, hi = hi, min(full, hi + step)
        step *= 2
    while hi - lo > BALANCE_STEP:
        mid = (lo + hi) / 2
        if fits(doc, flows, mid):
            hi = mid
        else:
            lo = mid
    return hi if hi < full - BALANCE_STEP else None


def shorten(frames: list[Frame], height: float) -> list[Frame]:
    """Every column but the last ends ``height`` below its top (until :func:`restore`)."""
    for f in frames[:-1]:
        f.__dict__["_y1p"] = f._y2 - f._topPadding - height
        f.__dict__["_aH"] = height
    return frames[:-1]


def restore(frames: list[Frame]) -> None:
    for f in frames:
        f._geom()
