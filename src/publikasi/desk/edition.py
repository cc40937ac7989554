"""The edition page (``/edisi/<release>``): article order and the edition's files.

* The articles in their order, each with buttons that move it up or down.
  A move is a guarded POST that writes the ``articles:`` list of the
  release's ``release.yaml`` (atomically, replacing only the lines of that
  key: every other key, comment and blank line stays as it was).  The form
  carries the digest of the file as the page saw it; when the file changed
  since, nothing is written and the page says so (409).
* The edition's PDF (opened in the browser), EPUB and Word file, and all of
  its files in one ZIP (the three edition files and the per-article Word
  files), from the newest build that made them.

For a lone release the web edition itself has a page at ``edisi/``; a name
here that is no release's falls through to the preview, so that page still
shows.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import yaml
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..atomic import write_atomic
from ..errors import InputError
from .preview import PreviewInfo, ReleaseInfo, read_info, serve_preview
from .security import guarded_form, safe_path
from .templating import NO_STORE, render

EDITION_FILES = (("pdf", "download_pdf"), ("epub", "download_epub"), ("docx", "download_docx"))
RELEASE_FILE = "release.yaml"
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_order_lock = asyncio.Lock()  # one read-check-write of a release.yaml at a time


class OrderConflict(Exception):
    """release.yaml changed since the page was shown."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _yaml_name(name: str) -> str:
    # JSON strings are YAML double-quoted scalars.
    return name if _PLAIN_NAME.match(name) else json.dumps(name, ensure_ascii=False)


def with_order(text: str, names: list[str]) -> str:
    """``text`` (a release.yaml) with its ``articles:`` list replaced by ``names``,
    every other line unchanged; the list is added at the end when absent."""
    block = "articles:\n" + "".join(f"  - {_yaml_name(n)}\n" for n in names)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise ValueError("release.yaml is not a mapping")
    for key, value in root.value:
        if key.value != "articles":
            continue
        start = text.rfind("\n", 0, key.start_mark.index) + 1
        if isinstance(value, yaml.SequenceNode) and value.value and not value.flow_style:
            end = value.value[-1].end_mark.index
        else:
            end = value.end_mark.index
        # The rest of the last line (a comment) stays, the line break with it.
        rest_end = text.find("\n", end)
        rest = text[end:rest_end if rest_end >= 0 else len(text)].strip()
        tail = text[rest_end + 1:] if rest_end >= 0 else ""
        if rest:
            block = block[:-1] + f"  {rest}\n"
        return text[:start] + block + tail
    return text + ("" if text.endswith("\n") or not text else "\n") + block


def write_order(release_yaml: Path, names: list[str], seen: str) -> None:
    """Write ``names`` as the ``articles:`` of ``release_yaml`` if it is still the
    file whose digest is ``seen``; check that it reads back as meant."""
    raw = release_yaml.read_bytes()
    if digest(raw) != seen:
        raise OrderConflict
    text = raw.decode("utf-8")
    new = with_order(text, names)
    before = yaml.safe_load(text) or {}
    after = yaml.safe_load(new)
    expected = {**before, "articles": names}
    if after != expected:  # never write a file that means something else
        raise ValueError("release.yaml would not read back as intended")
    write_atomic(release_yaml, new)


def moved(names: list[str], name: str, direction: str) -> list[str]:
    at = names.index(name)
    to = at - 1 if direction == "up" else at + 1
    if not 0 <= to < len(names):
        return names
    out = list(names)
    out[at], out[to] = out[to], out[at]
    return out


async def _info(request: Request) -> tuple[PreviewInfo, bool]:
    """Fresh release info (read now); the last build's when SOURCE does not load."""
    from .app import desk_of

    desk = desk_of(request)
    try:
        return await run_in_threadpool(read_info, desk.source), True
    except InputError:
        return desk.preview.info, False


def _release_yaml(release: ReleaseInfo, request: Request) -> Path | None:
    """The release's release.yaml (never a file outside SOURCE), or None."""
    from .app import desk_of

    if release.folder is None or not (release.folder / RELEASE_FILE).is_file():
        return None
    root = desk_of(request).root
    path = (release.folder / RELEASE_FILE).absolute()
    if not path.is_relative_to(root):
        raise HTTPException(404)
    return safe_path(root, path.relative_to(root).as_posix())


async def edition_page(request: Request) -> Response:
    slug = request.path_params["release"]
    info, fresh = await _info(request)
    release = info.release(slug)
    if release is None:
        return await serve_preview(request)
    return _page(request, release, fresh)


def _page(request: Request, release: ReleaseInfo, fresh: bool, *, status_code: int = 200,
          notice: str = "", conflict: bool = False) -> Response:
    from .app import desk_of

    desk = desk_of(request)
    t = desk.templates.translator(desk.language())
    release_yaml = _release_yaml(release, request)
    version = digest(release_yaml.read_bytes()) if release_yaml else ""
    files_folder = desk.preview.folder(desk.preview.files_generation) \
        if desk.preview.files_generation else None
    downloads = []
    for ext, key in EDITION_FILES:
        rel = f"{release.prefix}{release.slug}.{ext}"
        built = files_folder is not None and (files_folder / rel).is_file()
        downloads.append({"href": "/" + rel, "label": t(key), "built": built, "ext": ext})
    saved = request.query_params.get("urutan") == "disimpan"
    if saved and not notice and release_yaml is not None:
        notice = t("order_saved", file=RELEASE_FILE)
    return render(request, "edition.html", status_code=status_code, release=release,
                  releases=desk.preview.info.releases,
                  focus=(request.query_params.get("pindah", ""),
                         request.query_params.get("arah", "")),
                  downloads=downloads, version=version, can_reorder=release_yaml is not None,
                  notice=notice, conflict=conflict, fresh=fresh,
                  any_built=any(d["built"] for d in downloads),
                  edition_page="/" + release.edition_page)


async def reorder(request: Request) -> Response:
    from .app import desk_of

    form = await guarded_form(request)
    slug = request.path_params["release"]
    async with _order_lock:
        info, _ = await _info(request)
        release = info.release(slug)
        if release is None:
            raise HTTPException(404)
        release_yaml = _release_yaml(release, request)
        if release_yaml is None:
            raise HTTPException(400, "400: this source has no release.yaml to write the order in")
        names = [f.name for f in release.files]
        name, direction = str(form.get("article", "")), str(form.get("move", ""))
        if name not in names or direction not in ("up", "down"):
            raise HTTPException(400, "400: unknown article or direction")
        try:
            await run_in_threadpool(write_order, release_yaml, moved(names, name, direction),
                                    str(form.get("version", "")))
        except OrderConflict:
            desk = desk_of(request)
            t = desk.templates.translator(desk.language())
            return _page(request, release, True, status_code=409, conflict=True,
                         notice=t("order_conflict", file=RELEASE_FILE))
    where = urlencode({"urutan": "disimpan", "pindah": name, "arah": direction})
    return RedirectResponse(f"/edisi/{slug}?{where}", 303, headers=NO_STORE)


def edition_zip_files(folder: Path, release: ReleaseInfo) -> list[tuple[str, Path]]:
    """(name in the ZIP, file) for every file of the edition in a build folder."""
    base = folder / release.prefix if release.prefix else folder
    found: list[tuple[str, Path]] = []
    for ext, _ in EDITION_FILES:
        path = base / f"{release.slug}.{ext}"
        if path.is_file():
            found.append((path.name, path))
    # The per-article Word files the build wrote for this edition.
    docx = base / "docx"
    for path in sorted(docx.glob("*.docx")) if docx.is_dir() else []:
        if path.is_file() and not path.is_symlink():
            found.append((f"docx/{path.name}", path))
    return found


async def edition_zip(request: Request) -> Response:
    from .app import desk_of

    desk = desk_of(request)
    slug = request.path_params["release"]
    info, _ = await _info(request)
    release = info.release(slug)
    if release is None:
        raise HTTPException(404)
    gen = desk.preview.files_generation
    folder = desk.preview.folder(gen) if gen else None
    files = edition_zip_files(folder, release) if folder else []
    if not files:
        raise HTTPException(404, "404: the edition's files are not built yet")

    def pack() -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, path in files:
                archive.write(path, f"{release.slug}/{name}")
        return buffer.getvalue()

    data = await run_in_threadpool(pack)
    return Response(data, media_type="application/zip", headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="{release.slug}.zip"'})


routes: list[BaseRoute] = [
    Route("/edisi/{release}/urutan", reorder, methods=["POST"]),
    Route("/edisi/{release}/unduh.zip", edition_zip),
    Route("/edisi/{release}", edition_page),
]
