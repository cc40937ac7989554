"""Tagged PDF: marked content while reportlab draws, the structure tree after.

reportlab knows nothing of tagging, so the bulletin does it in two halves:

* While the story is built, :class:`StructBuilder` grows a tree of
  :class:`Node` objects in reading order (``Document`` → ``Art`` → ``H1``,
  ``P``, ``L`` …) and every leaf flowable (a :class:`TaggedParagraph`, a
  :class:`TaggedImage`, a list label) carries the node its content belongs to.
* While the pages are drawn, each such flowable is wrapped in
  ``/Role <</MCID n>> BDC … EMC`` (:func:`begin_marked`), and a :class:`Mark`
  (page, MCID) is added to its node; everything else on a page (running header and footer, rules,
  backgrounds, repeated table headers, decorative pictures) lies inside
  ``/Artifact BMC … EMC``, opened when a page starts and closed around every
  tagged piece.  Link annotations made inside a tagged piece become ``Link``
  elements of its node.
* After layout, :func:`apply_structure` writes the tree into the finished
  file with pikepdf: ``StructTreeRoot``, ``ParentTree``, ``StructParents`` on
  pages and annotations.

A paragraph split over columns or pages keeps one node, which then holds
several marks on several pages; a node with no marks (never drawn, or drawn
only as an artifact) is left out of the tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Paragraph


@dataclass(frozen=True)
class Mark:
    """One marked-content sequence: 0-based page index and its MCID there."""

    page: int
    mcid: int


@dataclass(frozen=True)
class LinkAnnot:
    """A link annotation: 0-based page index and its place in the page's /Annots."""

    page: int
    index: int
    target: str  # the destination name of an internal link, or the URL

    @property
    def footnote(self) -> bool:
        """A citation of a footnote (its element is a Reference); see Bulletin.article."""
        return "-fn-" in self.target and ":" not in self.target


@dataclass(eq=False, slots=True)
class Node:
    """A structure element: its role, attributes, and its kids in reading order."""

    role: str
    attrs: dict[str, Any] = field(default_factory=dict)
    kids: list[Node | Mark | LinkAnnot] = field(default_factory=list)
    # Drawn more than once, only the first drawing is content (a table's header
    # row repeated on the next page is an artifact there).
    once: bool = False

    def add(self, role: str, **attrs: Any) -> Node:
        node = Node(role, {k: v for k, v in attrs.items() if v not in (None, "")}
                    if attrs else {})
        self.kids.append(node)
        return node

    def marked(self) -> bool:
        return any(isinstance(k, Mark) for k in self.kids)


class StructBuilder:
    """The structure tree of one layout pass, grown while the story is built.

    ``leaf``/``open`` add elements below the innermost open one.  After
    :meth:`seal` (the story is complete) ``leaf`` gives None: paragraphs made
    while drawing (running headers) are then untagged unless given a node.
    """

    def __init__(self) -> None:
        self.root = Node("Document")
        self._stack = [self.root]
        self.sealed = False
        # What a link leads to, said in words (a link annotation's /Contents),
        # by destination name; a URL speaks for itself.
        self.link_texts: dict[str, str] = {}

    @property
    def top(self) -> Node:
        return self._stack[-1]

    def leaf(self, role: str, **attrs: Any) -> Node | None:
        if self.sealed:
            return None
        return self._stack[-1].add(role, **attrs)

    @contextmanager
    def open(self, role: str, **attrs: Any) -> Iterator[Node]:
        node = self.top.add(role, **attrs)
        self._stack.append(node)
        try:
            yield node
        finally:
            self._stack.pop()

    @contextmanager
    def into(self, node: Node) -> Iterator[Node]:
        """Add further elements below ``node`` (already in the tree)."""
        self._stack.append(node)
        try:
            yield node
        finally:
            self._stack.pop()

    def seal(self) -> None:
        self.sealed = True


# ---------------------------------------------------------------- drawing


class MarkingCanvas(Canvas):
    """A canvas that keeps every page's content in marked-content sequences.

    :meth:`begin_artifacts` (called when a page starts) opens an
    ``/Artifact`` sequence that stays open except around tagged pieces
    (:func:`begin_marked`) and is closed when the page ends.
    """

    _mc_page = 0
    _mc_next = 0
    _mc_node: Node | None = None
    _mc_open_artifact = False
    _mc_target = ""  # destination name or URL of the link being made

    def begin_artifacts(self) -> None:
        if not self._mc_open_artifact and self._mc_node is None:
            self._code.append("/Artifact BMC")
            self._mc_open_artifact = True

    def showPage(self) -> None:
        if self._mc_open_artifact:
            self._code.append("EMC")
            self._mc_open_artifact = False
        super().showPage()

    def next_mcid(self) -> int:
        page = self.getPageNumber()
        if page != self._mc_page:
            self._mc_page, self._mc_next = page, 0
        self._mc_next += 1
        return self._mc_next - 1

    def linkRect(self, contents, destinationname, *args: Any, **kw: Any) -> Any:
        self._mc_target = str(destinationname)
        return super().linkRect(contents, destinationname, *args, **kw)

    def linkURL(self, url, rect, *args: Any, **kw: Any) -> Any:
        self._mc_target = str(url)
        return super().linkURL(url, rect, *args, **kw)

    def _addAnnotation(self, annotation, name=None, addtopage=1) -> None:
        super()._addAnnotation(annotation, name, addtopage)
        if addtopage and self._mc_node is not None:
            self._mc_node.kids.append(LinkAnnot(self.getPageNumber() - 1,
                                                len(self._annotationrefs) - 1,
                                                self._mc_target))


# Called around every paragraph drawn in every layout pass: plain functions,
# not a context manager, which cost a tenth of the tagging's time.
NOT_MARKED, MARKED, MARKED_IN_ARTIFACT = 0, 1, 2


def begin_marked(canv: Canvas, node: Node | None) -> int:
    """Open a marked-content sequence of ``node`` with a new MCID (closing the
    page's artifact sequence first); what to hand :func:`end_marked`."""
    if (node is None or not isinstance(canv, MarkingCanvas) or canv._mc_node is not None
            or (node.once and node.marked())):
        return NOT_MARKED
    code = canv._code
    opened = MARKED
    if canv._mc_open_artifact:
        code.append("EMC")
        canv._mc_open_artifact = False
        opened = MARKED_IN_ARTIFACT
    mcid = canv.next_mcid()
    code.append(f"/{node.role} <</MCID {mcid}>> BDC")
    node.kids.append(Mark(canv._mc_page - 1, mcid))
    canv._mc_node = node
    return opened


def end_marked(canv: Canvas, opened: int) -> None:
    """Close what :func:`begin_marked` opened (and reopen the page's artifact)."""
    if opened == NOT_MARKED or not isinstance(canv, MarkingCanvas):
        return
    canv._code.append("EMC")
    canv._mc_node = None
    if opened == MARKED_IN_ARTIFACT:
        canv._code.append("/Artifact BMC")
        canv._mc_open_artifact = True


class TaggedParagraph(Paragraph):
    """A Paragraph drawn as marked content of its :attr:`struct` node; the
    pieces of a split keep the node."""

    struct: Node | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # The lines depend on the width alone (the height only decides a split),
        # and reportlab asks again and again: a frame before and after a split,
        # a table for its row heights and for drawing, a kept group per member.
        # The lines broken at each width are kept and handed back, until a split
        # (reportlab's split edits the words of the lines it cuts) or a drawing
        # right to left (which reverses them in place).
        state = self.__dict__
        if self.style.wordWrap == "RTL":
            return super().wrap(availWidth, availHeight)
        done: dict[float, tuple[Any, float, list[float]]] = state.setdefault("_wrapped", {})
        got = done.get(availWidth)
        if got is None:
            size = super().wrap(availWidth, availHeight)
            if "blPara" not in state:
                return size  # too narrow for anything: nothing was broken
            got = done[availWidth] = (state["blPara"], size[1], state["_wrapWidths"])
        state["blPara"], state["height"], state["_wrapWidths"] = got
        state["width"] = availWidth
        return availWidth, got[1]

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        parts = super().split(availWidth, availHeight)
        if len(parts) > 1:
            self.__dict__.pop("_wrapped", None)
        for p in parts:
            if isinstance(p, TaggedParagraph):
                p.struct = self.struct
        return parts

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        if getattr(canvas, "dry", False):
            return  # a trial layout only measures: nothing drawn on it is kept
        opened = begin_marked(canvas, self.struct)
        super().drawOn(canvas, x, y, _sW)
        end_marked(canvas, opened)


class TaggedImage(Image):
    """An Image drawn as marked content of its :attr:`struct` node (a Figure)."""

    struct: Node | None = None

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        if getattr(canvas, "dry", False):
            return  # a trial layout only measures: nothing drawn on it is kept
        opened = begin_marked(canvas, self.struct)
        super().drawOn(canvas, x, y, _sW)
        end_marked(canvas, opened)


class TaggedBullet:
    """A list item's bullet drawer (reportlab's BulletDrawer) whose label is
    marked content of an ``Lbl`` node."""

    def __init__(self, drawer: Any, node: Node | None) -> None:
        self._drawer = drawer
        self.struct = node

    def __getattr__(self, name: str) -> Any:
        return getattr(self._drawer, name)

    def drawOn(self, indenter: Any, canv: Canvas, x: float, y: float, _sW: float = 0) -> None:
        opened = begin_marked(canv, self.struct)
        self._drawer.drawOn(indenter, canv, x, y, _sW)
        end_marked(canv, opened)


# ---------------------------------------------------------------- the tree in the file


def _prune(node: Node) -> bool:
    """Drop kids without content; whether ``node`` keeps any."""
    node.kids = [k for k in node.kids if not isinstance(k, Node) or _prune(k)]
    return bool(node.kids)


def apply_structure(pdf: pikepdf.Pdf, tags: StructBuilder) -> bool:
    """Write the structure tree of ``tags`` (with its marks) into ``pdf``, and
    give every link annotation made in it a ``/Contents`` (PDF/UA 7.18.5).

    Returns whether the file is now completely tagged: the canvas keeps every
    drawing in marked content (tagged or artifact) by construction, so that
    holds whenever the tree has any content (tests/test_pdf_tagged.py walks
    the content streams to prove it).  ``/MarkInfo`` and ``/Tabs`` are set by
    the archival step, which sees the tree.
    """
    root = tags.root
    if not _prune(root):
        return False
    pages = pdf.pages
    page_objs = [p.obj for p in pages]
    # ParentTree: page index -> its MCIDs' elements; annotation keys follow the pages.
    by_mcid: list[dict[int, pikepdf.Object]] = [{} for _ in pages]
    annot_keys: list[tuple[pikepdf.Object, pikepdf.Object]] = []
    tree_root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    ids: dict[bytes, pikepdf.Object] = {}

    names: dict[str, pikepdf.Name] = {}

    def name(text: str) -> pikepdf.Name:
        if text not in names:
            names[text] = pikepdf.Name("/" + text)
        return names[text]

    def element(node: Node, parent: pikepdf.Object) -> pikepdf.Object:
        kids = node.kids
        if node.role == "Figure":  # the picture, then its caption
            kids = sorted(kids, key=lambda k: isinstance(k, Node))
        # Marks on the element's page (/Pg, that of its first mark) are plain
        # MCIDs; a mark on another page (the paragraph ran on) is an MCR.
        home = next((k.page for k in kids if isinstance(k, Mark)), None)
        entries: dict[str, Any] = {"/Type": pikepdf.Name.StructElem, "/S": name(node.role),
                                   "/P": parent}
        if home is not None:
            entries["/Pg"] = page_objs[home]
        for key, value in node.attrs.items():
            if key == "Scope":
                entries["/A"] = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=name(value))
            else:
                entries["/" + key] = pikepdf.String(value)
        elem = pdf.make_indirect(pikepdf.Dictionary(entries))
        if "ID" in node.attrs:
            ids[node.attrs["ID"].encode()] = elem
        out: list[pikepdf.Object | int] = []
        for kid in kids:
            if isinstance(kid, Node):
                out.append(element(kid, elem))
            elif isinstance(kid, Mark):
                out.append(kid.mcid if kid.page == home else pikepdf.Dictionary(
                    Type=pikepdf.Name.MCR, Pg=page_objs[kid.page], MCID=kid.mcid))
                by_mcid[kid.page][kid.mcid] = elem
            else:
                out.append(link(kid, elem))
        elem.K = pikepdf.Array(out)
        return elem

    def link(annot: LinkAnnot, parent: pikepdf.Object) -> pikepdf.Object:
        holder = parent
        ref = None
        if annot.footnote:
            ref = pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem, S=pikepdf.Name.Reference, P=parent))
            holder = ref
        page = page_objs[annot.page]
        obj = page.Annots[annot.index]
        if not str(obj.get("/Contents", "")).strip():
            obj.Contents = pikepdf.String(tags.link_texts.get(annot.target, annot.target))
        elem = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Link, P=holder,
            K=pikepdf.Array([pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=obj, Pg=page)])))
        annot_keys.append((obj, elem))
        if ref is not None:
            ref.K = pikepdf.Array([elem])
            return ref
        return elem

    tree_root.K = element(root, tree_root)
    nums = pikepdf.Array()
    for index, (page, marks) in enumerate(zip(page_objs, by_mcid, strict=True)):
        page.StructParents = index
        nums.append(index)
        # Indexed by MCID (every MCID drawn belongs to an element of the tree).
        nums.append(pdf.make_indirect(pikepdf.Array(
            [marks.get(m) for m in range(max(marks, default=-1) + 1)])))
    key = len(page_objs)
    for obj, elem in annot_keys:
        obj.StructParent = key
        nums.append(key)
        nums.append(elem)
        key += 1
    tree_root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
    tree_root.ParentTreeNextKey = key
    if ids:
        id_names = pikepdf.Array()
        for ident in sorted(ids):
            id_names.append(pikepdf.String(ident))
            id_names.append(ids[ident])
        tree_root.IDTree = pikepdf.Dictionary(Names=id_names)
    pdf.Root.StructTreeRoot = tree_root
    return True


__all__ = ["LinkAnnot", "Mark", "MarkingCanvas", "Node", "StructBuilder", "TaggedBullet",
           "TaggedImage", "TaggedParagraph", "apply_structure", "begin_marked", "end_marked"]
