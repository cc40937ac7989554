"""The one post-processing home of the bulletin: reportlab's output is opened
once with pikepdf, tagged (structure tree), made archival (PDF/A, PDF/UA
identification) and saved once.

Saving keeps reportlab's streams as they are (no decoding, no recompression):
only objects this step adds are compressed, so the cost stays small next to
the layout.  The trailer ``/ID`` is derived from the content
(``deterministic_id``), so a rebuild is byte-identical.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import pikepdf

from .archival import Attachment, make_archival


def finish_pdf(raw: bytes, *, build_time: dt.datetime,
               attachments: Sequence[Attachment] = ()) -> bytes:
    """The finished PDF bytes (what they claim to be is in their XMP)."""
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        make_archival(pdf, build_time=build_time, attachments=attachments)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, min_version="1.7",
                 stream_decode_level=pikepdf.StreamDecodeLevel.none,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve,
                 compress_streams=True, recompress_flate=False,
                 fix_metadata_version=False)
    return out.getvalue()
