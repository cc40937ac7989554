"""Text known only once the whole bulletin is laid out: page numbers.

The contents, the lead stories' "continued on page N" and every footer's
"Halaman X dari Y" need numbers that only the complete layout gives.  Rather
than laying the bulletin out again once the numbers are known, such a text
takes the room of a stand-in in the layout (a :class:`Later` flowable sized
by its ``reserve``) and is drawn as a form XObject: the page refers to the
form where the text belongs, and :class:`DeferringCanvas` fills every form
when the document is saved, with the final numbers.

A text that turns out to need another size than its stand-in raises
:class:`Misfit` at save time: the layout that reserved the wrong room is
thrown away and the caller lays the bulletin out again with the numbers now
known.
"""

from __future__ import annotations

from collections.abc import Callable

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from .tagging import begin_marked, end_marked

# Draws a deferred text into its form; False when it did not fit its reserved room.
Fill = Callable[[Canvas], bool]


class Misfit(Exception):
    """A deferred text needs another size than the room its stand-in reserved."""


class DeferringCanvas(Canvas):
    """A canvas that fills deferred forms with their final content at save time.

    ``strict`` (a class attribute, set per layout pass): a misfit raises
    :class:`Misfit` instead of being drawn as it is.
    """

    strict = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._deferred: list[tuple[str, tuple[float, ...], Fill]] = []

    def defer(self, fill: Fill, bbox: tuple[float, float, float, float] | None = None) -> None:
        """Draw, here, a form that ``fill`` draws at save time (``bbox`` in the
        current coordinates; the page by default)."""
        name = f"later{len(self._deferred) + 1}"
        self.doForm(name)
        self._deferred.append((name, bbox or (), fill))

    def fill_deferred(self) -> None:
        misfits = 0
        for name, bbox, fill in self._deferred:
            self.beginForm(name, *bbox)
            misfits += not fill(self)
            self.endForm()
        if misfits and self.strict:
            raise Misfit(f"{misfits} deferred texts outgrew their reserved room")

    def save(self) -> None:
        if len(self._code):
            self.showPage()
        self.fill_deferred()
        super().save()


class Later(Flowable):
    """A flowable laid out as ``reserve`` and drawn at save time as ``make()``.

    ``make`` is called when every page is done (the numbers it reads are
    final); what it returns is wrapped in the width the reserve had and must
    come out as high, or the canvas reports a :class:`Misfit`.  ``link``
    names a destination the reserved box jumps to (a form cannot carry a
    link annotation: the page does).
    """

    def __init__(self, reserve: Flowable, make: Callable[[], Flowable], link: str = "") -> None:
        super().__init__()
        self.reserve = reserve
        self.make = make
        self.link = link
        self.hAlign = getattr(reserve, "hAlign", "LEFT")
        self.spaceBefore = reserve.getSpaceBefore()
        self.spaceAfter = reserve.getSpaceAfter()
        self.keepWithNext = reserve.getKeepWithNext()
        self._avail = (0.0, 0.0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._avail = (availWidth, availHeight)
        self.width, self.height = self.reserve.wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []  # a page number is one piece: it moves on whole

    def draw(self) -> None:
        canv = self.canv
        if not isinstance(canv, DeferringCanvas):
            return  # a canvas that only measures (balance.DryCanvas): nothing to fill in
        width, height = self.width, self.height
        avail_w, avail_h = self._avail

        def fill(c: Canvas) -> bool:
            final = self.make()
            _, got = final.wrapOn(c, avail_w, avail_h)
            final.drawOn(c, 0, 0)
            return abs(got - height) < 0.01

        # The form (and the link) are marked content of the reserve's structure
        # element; the form clips to its box: a generous one around the room.
        pad = max(width, height, 72.0)
        opened = begin_marked(canv, getattr(self.reserve, "struct", None))
        if self.link:
            canv.linkRect("", self.link, (0, 0, width, height), relative=1)
        canv.defer(fill, (-pad, -pad, width + pad, height + pad))
        end_marked(canv, opened)


__all__ = ["DeferringCanvas", "Later", "Misfit"]
