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

import secrets
import shutil
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..docx_import import DocxPlan, plan_docx
from ..import_changes import ChangeSet, ImportReport, Move
from .paste import Conflict, UploadRejected, target_state

_DIFF_PREFIXES = ("--- ", "+++ ", "@@ ", "+", "-", " ")


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

    def __init__(self, source: Path, limit: int) -> None:
        self.source = source
        self.limit = limit
        self.store = Path(tempfile.mkdtemp(prefix="publikasi-desk-impor-"))
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
        lines = report.lines
        diff = [ln for ln in lines if ln.startswith(_DIFF_PREFIXES) and not ln.startswith("  ")]
        return Shown(
            token=token, name=name, lines=lines, warnings=report.warnings, diff=diff,
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
        return plan_docx(path, into=self.source, accept_changes=True)

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


__all__ = ["Shown", "WordLoop", "check_docx"]
