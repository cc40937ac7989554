"""The desk's safety rules, in one place (a desk is a server: treat it as one).

* **Host**: only the names the desk was started for answer (a page of
  another site that rebinds its DNS name to 127.0.0.1 gets 400 and can read
  nothing).
* **Token** (:class:`AccessMiddleware`): bound to any host but ``127.0.0.1``,
  every request needs the random token the desk printed: ``?token=`` once
  (it is then kept in an HttpOnly, SameSite=Strict cookie and the address
  is shown again without it), or the cookie; otherwise 401.
* **POSTs** (:func:`guarded_form`): every state-changing request is a POST
  whose ``Origin`` (else ``Referer``) is the desk itself and whose form
  carries the hidden ``csrf_token``; otherwise 403 before anything is read
  or written.  The body is read up to a size limit (413).
* **Paths** (:func:`safe_path`): a name from a URL or a form field is
  refused (400) when it is absolute or climbs (``..``, also percent-encoded
  or doubly encoded), and is not found (404) when it resolves, through
  symlinks, outside the folder it must stay in.
* **Uploads** (:func:`checked_upload`): the build's own limits: a picture
  no larger than the release's ``limits: image_bytes`` in a format the image
  pipeline opens, a Word file no larger than the Word importer reads (413
  for too large, 415 for another type).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK = "127.0.0.1"
TOKEN_COOKIE = "publikasi_desk_{port}"  # per port: browsers share cookies across ports
CSRF_FIELD = "csrf_token"
# A form without an upload: a pasted release is a few hundred kB at most.
FORM_BYTES = 2_000_000
UPLOAD_KINDS = ("image", "docx")


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


@dataclass(frozen=True)
class DeskSecurity:
    """The secrets and names of one running desk."""

    host: str  # the address it is bound to
    port: int
    token: str | None  # None: bound to 127.0.0.1, no token needed
    csrf: str = field(default_factory=new_secret)

    def allowed_hosts(self) -> set[str]:
        names = {self.host, f"[{self.host}]" if ":" in self.host else self.host}
        if self.host == LOOPBACK:
            names.add("localhost")
        if self.host in ("0.0.0.0", "::"):  # any interface: the names it is reached by vary
            return set()
        return {f"{name}:{self.port}" for name in names} | names

    def origin_ok(self, request: Request) -> bool:
        """The request comes from a page of this desk (Origin, else Referer)."""
        origin = request.headers.get("origin")
        if origin is None:
            referer = request.headers.get("referer")
            if not referer:
                return False
            parts = urlsplit(referer)
            origin = f"{parts.scheme}://{parts.netloc}"
        host = request.headers.get("host", "")
        return bool(host) and origin in (f"http://{host}", f"https://{host}")

    def csrf_ok(self, value: object) -> bool:
        return isinstance(value, str) and _same(value, self.csrf)


def url(security: DeskSecurity) -> str:
    """The address to print: with the token when one is needed."""
    host = f"[{security.host}]" if ":" in security.host else security.host
    base = f"http://{host}:{security.port}/"
    return f"{base}?{urlencode({'token': security.token})}" if security.token else base


class AccessMiddleware:
    """Host check for every request; token check when the desk needs one."""

    def __init__(self, app: ASGIApp, security: DeskSecurity) -> None:
        self.app = app
        self.security = security

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        allowed = self.security.allowed_hosts()
        if allowed and request.headers.get("host", "").lower() not in allowed:
            await PlainTextResponse("unknown host", 400)(scope, receive, send)
            return
        token = self.security.token
        if token is None:
            await self.app(scope, receive, send)
            return
        given = request.query_params.get("token")
        if given is not None and _same(given, token):
            # Keep it in a cookie and show the address without it (history, Referer).
            rest = [(k, v) for k, v in parse_qsl(request.url.query, keep_blank_values=True)
                    if k != "token"]
            target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
            response: Response = RedirectResponse(target, 303)
            response.set_cookie(TOKEN_COOKIE.format(port=self.security.port), token,
                                httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        cookie = SimpleCookie(request.headers.get("cookie", ""))
        kept = cookie.get(TOKEN_COOKIE.format(port=self.security.port))
        if kept is not None and _same(kept.value, token):
            await self.app(scope, receive, send)
            return
        await PlainTextResponse("401: open the address publikasi serve printed (it carries "
                                "the access token)", 401)(scope, receive, send)


async def guarded_form(request: Request, *, max_bytes: int = FORM_BYTES) -> FormData:
    """The posted form of a state-changing request, after every check.

    403 for another origin or a missing/wrong ``csrf_token`` (checked before
    the caller can act on anything), 413 for a body over ``max_bytes``,
    405 for anything but POST.
    """
    security: DeskSecurity = request.app.state.security
    if request.method != "POST":
        raise HTTPException(405)
    if not security.origin_ok(request):
        raise HTTPException(403, "403: this request did not come from a page of the desk")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise HTTPException(413, "413: the request is too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise HTTPException(413, "413: the request is too large")
    # Request.form() reads the body again from here.
    request._body = bytes(body)
    try:
        form = await request.form(max_part_size=max_bytes)
    except HTTPException:
        raise
    except Exception as exc:  # noqa: BLE001 - any malformed multipart body is the client's fault
        raise HTTPException(400, f"400: unreadable form ({type(exc).__name__})") from None
    if not security.csrf_ok(form.get(CSRF_FIELD)):
        raise HTTPException(403, "403: the form's csrf_token is missing or wrong; reload the "
                            "page and try again")
    return form


# ---------------------------------------------------------------- paths


def _climbs(name: str) -> bool:
    # Decode until stable: %252e%252e is ".." after two rounds.
    for _ in range(4):
        decoded = unquote(name)
        if decoded == name:
            break
        name = decoded
    name = name.replace("\\", "/")
    if "\x00" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return any(part == ".." for part in PurePosixPath(name).parts)


def safe_path(root: Path, relative: str, *, must_exist: bool = True) -> Path:
    """``root/relative``, guaranteed inside ``root`` after following symlinks.

    400 for an absolute or climbing name, 404 for one that leaves ``root``
    through a symlink or (with ``must_exist``) does not exist.
    """
    if _climbs(relative):
        raise HTTPException(400, "400: a path may not be absolute or contain '..'")
    base = root.resolve()
    target = (base / relative.lstrip("/")).resolve()
    if not target.is_relative_to(base):
        raise HTTPException(404)
    if must_exist and not target.exists():
        raise HTTPException(404)
    return target


# ---------------------------------------------------------------- uploads


def upload_limit(kind: Literal["image", "docx"], image_bytes: int | None = None) -> int:
    """Largest upload of ``kind`` in bytes: the limit the build itself applies."""
    if kind == "image":
        from ..images import MAX_BYTES

        return image_bytes or MAX_BYTES
    from ..source import MAX_SOURCE_BYTES

    return MAX_SOURCE_BYTES


DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def checked_upload(upload: UploadFile, kind: Literal["image", "docx"], *,
                         image_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded file: 413 over the build's limit, 415 for another type."""
    limit = upload_limit(kind, image_bytes)
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"413: the file is larger than {limit} bytes")
    if kind == "docx":
        if not (data.startswith(b"PK\x03\x04") and (upload.filename or "").lower()
                .endswith(".docx")):
            raise HTTPException(415, "415: not a Word (.docx) file")
        return data
    if image_format(data) is None:
        from ..images import READABLE

        raise HTTPException(415, f"415: not a picture the build reads ({READABLE})")
    return data


def image_format(data: bytes) -> str | None:
    """Pillow's name for the picture in ``data`` when the image pipeline opens it."""
    import io

    from PIL import Image, UnidentifiedImageError

    from ..images import ALLOWED_FORMATS

    Image.init()  # Image.OPEN lists the format plugins only once they are loaded
    try:
        with Image.open(io.BytesIO(data), formats=[f for f in ALLOWED_FORMATS
                                                   if f in Image.OPEN]) as img:
            return str(img.format)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None

