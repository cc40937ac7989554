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
from .tagging import Node, apply_structure


def finish_pdf(raw: bytes, *, build_time: dt.datetime,
               attachments: Sequence[Attachment] = (), structure: Node | None = None) -> bytes:
    """The finished PDF bytes (what they claim to be is in their XMP).

    ``structure`` is the structure tree the layout recorded (see
    :mod:`.tagging`); without it the file stays untagged.
    """
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        tagged = structure is not None and apply_structure(pdf, structure)
        make_archival(pdf, build_time=build_time, attachments=attachments,
                      tagging_complete=tagged)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, min_version="1.7",
                 stream_decode_level=pikepdf.StreamDecodeLevel.none,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve,
                 compress_streams=True, recompress_flate=False,
                 fix_metadata_version=False)
    return out.getvalue()
