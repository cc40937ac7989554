"""The desk's Word loop (``/impor``): an edited ``.docx`` -> the diff -> accept.

:meth:`WordLoop.preview` keeps the uploaded file (in the desk's own
temporary folder, never in SOURCE) and plans it with
:func:`~publikasi.docx_import.plan_docx` into SOURCE, exactly as ``publikasi
import FILE.docx --into SOURCE --accept-changes`` does, but stages it into a
change set that is never committed: what the page shows (the diff against
the source, the tracked changes it accepts, the comments) are the report
lines of the import.  It also remembers the state (SHA-256 or absence) of
every file the import would write.

:meth:`WordLoop.accept` plans the same file again, checks that none of
those files changed since the preview (else :class:`Conflict`, nothing
written) and commits the change set as ``--yes`` would, so the source gets
the bytes the CLI would write.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..docx_import import DocxPlan, plan_docx
from ..errors import InputError, fail
from ..import_changes import (
    HISTORY_DIR,
    PROPOSAL_SUFFIX,
    ChangeSet,
    ImportReport,
    Move,
    proposal_path,
)
from ..labels import LabelTexts
from .app import desk_of
from .paste import Conflict, target_state
from .security import guarded_form
from .templating import render

_DIFF_PREFIXES = ("--- ", "+++ ", "@@ ", "+", "-", " ")


class UploadRejected(Exception):
    """An uploaded file is too large (``status`` 413) or of a wrong type (415)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Shown:
    """What the page shows for an uploaded Word file."""

    token: str
    name: str  # the file name the browser gave
    lines: list[str]  # the import's report lines (header, diff, changes, comments)
    warnings: list[str]
    diff: list[str]
    changes: list[str]  # tracked changes the accept applies
    comments: list[str]
    unchanged: bool
    target: Path | None


@dataclass
class _Pending:
    docx: Path
    name: str
    states: dict[Path, str] = field(default_factory=dict)


class WordLoop:
    """Uploaded Word files of one desk, waiting for their accept."""

    def __init__(self, source: Path, limit: int, store: Path | None = None) -> None:
        self.source = source
        self.limit = limit
        if store is not None:
            store.mkdir(parents=True, exist_ok=True)
        self.store = Path(tempfile.mkdtemp(prefix="impor-", dir=store))
        self.pending: dict[str, _Pending] = {}
        self.lock = threading.Lock()

    def close(self) -> None:
        shutil.rmtree(self.store, ignore_errors=True)

    def preview(self, data: bytes, name: str) -> Shown:
        """Plan an uploaded file; UploadRejected (413/415) or InputError when it cannot be."""
        check_docx(data, self.limit)
        token = secrets.token_urlsafe(18)
        path = self.store / f"{token}.docx"
        path.write_bytes(data)
        try:
            plan = self._plan(path)
            report = ImportReport()
            plan.stage(ChangeSet(self.source), report, False)
            states = _states(self._staged(plan))
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        with self.lock:
            self.pending[token] = _Pending(path, name, states)
        proposal = proposal_path(plan.target) if plan.target is not None else None

        def readable(line: str) -> str:
            # The page names files as the user knows them: the uploaded file by its
            # name, SOURCE's files relative to it; the diff's new side is the source
            # itself (the accept writes it, not a .new.md).
            line = line.replace(str(path), name)
            for root in dict.fromkeys((str(self.source.resolve()), str(self.source))):
                line = line.replace(root.rstrip("/") + "/", "")
            if proposal is not None and line.startswith("+++ "):
                line = line.replace(proposal.name, f"{proposal.name[:-len(PROPOSAL_SUFFIX)]}.md")
            return line

        lines = [readable(ln) for ln in report.lines]
        # The CLI's advice about the .new.md it writes without --yes does not apply here.
        warnings = [readable(w) for w in report.warnings
                    if proposal is None or proposal.name not in w]
        diff = [ln for ln in lines if ln.startswith(_DIFF_PREFIXES) and not ln.startswith("  ")]
        return Shown(
            token=token, name=name, lines=lines, warnings=warnings, diff=diff,
            changes=[ln.strip() for ln in lines if ln.startswith("  accepted tracked change")],
            comments=[ln.strip() for ln in lines if ln.startswith("  comment by")],
            unchanged=plan.unchanged, target=plan.target)

    def accept(self, token: str) -> ImportReport:
        """Write the source as ``import --into SOURCE --yes --accept-changes`` would.

        KeyError for an unknown token; :class:`Conflict` when a file the
        import writes changed since the preview (nothing is written then).
        """
        with self.lock:
            pending = self.pending[token]
            plan = self._plan(pending.docx)
            changes = self._staged(plan)
            if _states(changes) != pending.states:
                raise Conflict(str(plan.target.name if plan.target else pending.name))
            report = ImportReport()
            changes = ChangeSet(self.source)
            plan.stage(changes, report, True)
            changes.commit(report)
            del self.pending[token]
        pending.docx.unlink(missing_ok=True)
        return report

    def _plan(self, path: Path) -> DocxPlan:
        plan = plan_docx(path, into=self.source, accept_changes=True)
        if not plan.imported.from_publikasi and not (self.source / "release.yaml").is_file():
            # `import --into PUBLICATION` would put it beside the releases, where no
            # build reads it: its edition is not known.
            raise fail(path, "is a Word file publikasi did not export, so its edition is not "
                       "known; paste its text on the paste page (/tempel) and choose the edition")
        return plan

    def _staged(self, plan: DocxPlan) -> ChangeSet:
        changes = ChangeSet(self.source)
        plan.stage(changes, ImportReport(), True)
        return changes


def _states(changes: ChangeSet) -> dict[Path, str]:
    """The state of every file a change set writes, moves or replaces."""
    paths: list[Path] = []
    for step in changes.steps:
        paths.append(step.target)
        if isinstance(step, Move):
            paths.append(step.source)
    return {p: target_state(p) for p in paths}


def check_docx(data: bytes, limit: int) -> None:
    """UploadRejected unless ``data`` is a Word package within ``limit`` bytes."""
    if len(data) > limit:
        raise UploadRejected(413, f"the file has {len(data):,} bytes, more than the limit of "
                                  f"{limit:,}")
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        names = set()
    if not data.startswith(b"PK\x03\x04") or "word/document.xml" not in names:
        raise UploadRejected(415, "not a Word .docx file")


# ---------------------------------------------------------------- the page

labels: LabelTexts = {
    "id": {
        "impor_title": "Impor Word",
        "impor_intro": "Unggah berkas Word (.docx) hasil ekspor publikasi yang sudah disunting. "
                       "Perubahannya ditampilkan dulu; sumber baru ditulis setelah Anda "
                       "menerimanya, sama seperti “publikasi import BERKAS.docx --into SUMBER "
                       "--yes --accept-changes”.",
        "impor_file": "Berkas Word yang sudah disunting (.docx)",
        "impor_show": "Tampilkan perubahan",
        "impor_diff": "Perbedaan dengan sumber",
        "impor_diff_help": "Baris berawalan “-” dihapus dari sumber, baris berawalan “+” "
                           "ditambahkan.",
        "impor_no_diff": "Tidak ada perbedaan teks dengan sumber.",
        "impor_changes": "Perubahan terlacak yang akan diterima",
        "impor_comments": "Komentar penyunting (tidak masuk ke artikel)",
        "impor_report": "Laporan impor",
        "impor_warnings": "Peringatan",
        "impor_unchanged": "Berkas ini tidak berubah sejak diekspor; tidak ada yang perlu "
                           "ditulis.",
        "impor_accept": "Terima dan tulis ke sumber",
        "impor_target": "Sumber yang akan ditulis: {file}.",
        "impor_written": "Sumber diperbarui: {files}.",
        "impor_nothing": "Tidak ada berkas yang berubah.",
        "impor_conflict": "Sumber berubah sejak perbedaan ini ditampilkan. Tidak ada yang "
                          "ditulis. Unggah berkasnya lagi untuk melihat perbedaan terbaru.",
        "impor_expired": "Unggahan ini sudah diterima atau tidak dikenal. Unggah berkasnya "
                         "lagi.",
        "impor_errors": "Berkas ini tidak dapat diimpor:",
        "impor_again": "Unggah berkas lain",
    },
    "en": {
        "impor_title": "Word import",
        "impor_intro": "Upload an edited Word file (.docx) that publikasi exported. The "
                       "changes are shown first; the source is written once you accept them, "
                       "as by “publikasi import FILE.docx --into SOURCE --yes "
                       "--accept-changes”.",
        "impor_file": "The edited Word file (.docx)",
        "impor_show": "Show the changes",
        "impor_diff": "Differences from the source",
        "impor_diff_help": "Lines starting with “-” are removed from the source, lines "
                           "starting with “+” are added.",
        "impor_no_diff": "The text does not differ from the source.",
        "impor_changes": "Tracked changes that will be accepted",
        "impor_comments": "Editors' comments (not imported into the article)",
        "impor_report": "Import report",
        "impor_warnings": "Warnings",
        "impor_unchanged": "This file is unchanged since it was exported; there is nothing "
                           "to write.",
        "impor_accept": "Accept and write the source",
        "impor_target": "Source to be written: {file}.",
        "impor_written": "Source updated: {files}.",
        "impor_nothing": "No file changed.",
        "impor_conflict": "The source changed since these differences were shown. Nothing "
                          "was written. Upload the file again to see the current differences.",
        "impor_expired": "This upload was already accepted or is unknown. Upload the file "
                         "again.",
        "impor_errors": "This file cannot be imported:",
        "impor_again": "Upload another file",
    },
}
nav = [("/impor", "word_loop")]


def loop_of(request: Request) -> WordLoop:
    """The desk's Word loop (made on first use; its uploads live in the desk's work folder)."""
    from .security import upload_limit

    state = request.app.state
    loop: WordLoop | None = getattr(state, "wordloop", None)
    if loop is None:
        desk = desk_of(request)
        loop = WordLoop(desk.source, upload_limit("docx"), desk.work / "impor")
        state.wordloop = loop
    return loop


def _shown(request: Request, path: Path) -> str:
    root = desk_of(request).root
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.name


def _page(request: Request, status: int = 200, **context: object) -> Response:
    base: dict[str, object] = {"shown": None, "errors": [], "message": "", "message_kind": "",
                               "target_shown": ""}
    base.update(context)
    return render(request, "impor.html", status, **base)


async def impor_form(request: Request) -> Response:
    return _page(request)


async def impor_preview(request: Request) -> Response:
    """Plan the uploaded file and show what accepting it would change."""
    from .security import FORM_BYTES, checked_upload, upload_limit

    form = await guarded_form(request, max_bytes=FORM_BYTES + upload_limit("docx"))
    upload = form.get("docx")
    if not isinstance(upload, UploadFile):
        raise HTTPException(400, "400: no Word file in the form (field docx)")
    data = await checked_upload(upload, "docx")
    loop = loop_of(request)
    name = Path(upload.filename or "upload.docx").name
    try:
        shown = await run_in_threadpool(loop.preview, data, name)
    except UploadRejected as exc:
        raise HTTPException(exc.status, f"{exc.status}: {exc}") from None
    except InputError as exc:
        # The messages name the desk's copy of the upload: name the user's file instead.
        lines = [str(p).replace(str(loop.store), "").lstrip("/") for p in exc.problems]
        lines = [re.sub(r"^[\w-]+\.docx", name, line) for line in lines]
        return _page(request, 400, errors=lines)
    target = _shown(request, shown.target) if shown.target else ""
    return _page(request, shown=shown, target_shown=target)


async def impor_accept(request: Request) -> Response:
    """Write the source from the previewed file, unless it changed since."""
    form = await guarded_form(request)
    token = form.get("token")
    loop = loop_of(request)
    if not isinstance(token, str) or token not in loop.pending:
        return _page(request, 404, message=("impor_expired", ""), message_kind="warn")
    try:
        report = await run_in_threadpool(loop.accept, token)
    except Conflict:
        return _page(request, 409, message=("impor_conflict", ""), message_kind="warn")
    except KeyError:
        return _page(request, 404, message=("impor_expired", ""), message_kind="warn")
    except InputError as exc:
        return _page(request, 400, errors=[str(p) for p in exc.problems])
    # The history copies of the replaced files are written too: name the source's files.
    files = ", ".join(_shown(request, p) for p in report.written
                      if HISTORY_DIR.parts[0] not in p.parts)
    if files:
        return _page(request, message=("impor_written", files), message_kind="ok")
    return _page(request, message=("impor_nothing", ""), message_kind="ok")


routes: list[BaseRoute] = [
    Route("/impor", impor_form, methods=["GET"]),
    Route("/impor", impor_preview, methods=["POST"]),
    Route("/impor/terima", impor_accept, methods=["POST"]),
    Route("/impor/terima", lambda request: RedirectResponse("/impor", 303), methods=["GET"]),
]

__all__ = ["Shown", "UploadRejected", "WordLoop", "check_docx", "labels", "nav", "routes"]
