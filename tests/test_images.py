"""The picture pipeline's shortcuts: what is passed through undecoded, and what is not."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageDraw

from publikasi import images
from publikasi.errors import InputError
from safety_support import exif_with_gps

MARK = "LEAKMARK"


def _photo(size: tuple[int, int] = (1200, 800)) -> Image.Image:
    """A picture with edges and gradients, so a re-encode would change its pixels."""
    img = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(img)
    for x in range(0, size[0], 37):
        draw.line([(x, 0), (x, size[1])], fill=(200, 40, 30), width=3)
    draw.ellipse((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=(30, 90, 200))
    return img


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def _with_segments(jpeg: bytes, *segments: bytes) -> bytes:
    """``jpeg`` with ``segments`` inserted right after its SOI."""
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def _camera_jpeg(path: Path, size: tuple[int, int] = (1200, 800), **save: object) -> Path:
    """A JPEG carrying every kind of metadata a camera or an editor leaves."""
    buf = io.BytesIO()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
           f'"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>xmp {MARK}'
           f'</rdf:Description></rdf:RDF></x:xmpmeta>').encode()
    save.setdefault("quality", 85)
    _photo(size).save(buf, "JPEG", exif=exif_with_gps(MARK), icc_profile=icc,
                      comment=f"comment {MARK}", **save)
    iptc = b"Photoshop 3.0\x00" + b"8BIM\x04\x04\x00\x00" + (20).to_bytes(4, "big") \
        + b"\x1c\x02\x78\x00\x0e" + f"cap {MARK}!!".encode()[:15]
    data = _with_segments(buf.getvalue(),
                          _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xmp),
                          _segment(0xED, iptc),
                          _segment(0xEF, f"app15 {MARK}".encode()),
                          _segment(0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x01"))
    path.write_bytes(data)
    return path


def _markers_before_scan(data: bytes) -> list[int]:
    found, pos = [], 2
    while data[pos + 1] != 0xDA:
        found.append(data[pos + 1])
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    return found


@pytest.fixture
def decodes(monkeypatch) -> list[Path]:
    """Every picture the store decodes (the pass-through decodes none)."""
    seen: list[Path] = []
    real = images.ImageStore._decode

    def spy(self, path, img, shrink_to):
        seen.append(path)
        return real(self, path, img, shrink_to)

    monkeypatch.setattr(images.ImageStore, "_decode", spy)
    return seen


def test_a_jpeg_that_needs_no_change_is_passed_through_without_its_metadata(tmp_path, decodes):
    photo = _camera_jpeg(tmp_path / "foto.jpg")
    source = photo.read_bytes()
    with Image.open(photo) as img:  # the test picture really carries it all
        assert img.getexif().get_ifd(0x8825) and "icc_profile" in img.info
        assert "comment" in img.info and "photoshop" in img.info and "xmp" in img.info
    for profile in ("screen", "print"):
        out = images.ImageStore().prepare(photo, profile)
        assert decodes == []
        assert (out.mime, out.width, out.height) == ("image/jpeg", 1200, 800)
        data = out.data
        # Every metadata segment is gone, by the bytes ...
        assert MARK.encode() not in data and b"Exif" not in data and b"ICC_PROFILE" not in data
        assert b"Adobe" not in data and b"8BIM" not in data and b"xap/1.0" not in data
        assert data.startswith(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
        assert [m for m in _markers_before_scan(data) if 0xE1 <= m <= 0xEF or m == 0xFE] == []
        # ... and as Pillow reads it back.
        with Image.open(io.BytesIO(data)) as back:
            assert not back.getexif() and not back.getexif().get_ifd(0x8825)
            for key in ("icc_profile", "comment", "photoshop", "xmp", "exif", "adobe"):
                assert key not in back.info, key
            # The same entropy-coded data: the very pixels of the file.
            back.load()
            with Image.open(photo) as orig:
                assert back.tobytes() == orig.convert("RGB").tobytes()
        scan = source.index(b"\xff\xda")
        assert data.endswith(source[scan:])


def test_a_jpeg_with_restart_markers_is_passed_through_whole(tmp_path, decodes):
    photo = tmp_path / "foto.jpg"
    _photo().save(photo, "JPEG", quality=85, restart_marker_blocks=4)
    source = photo.read_bytes()
    assert b"\xff\xdd" in source[:source.index(b"\xff\xda")]  # a restart interval
    out = images.ImageStore().prepare(photo, "screen")
    assert decodes == [] and out.data.endswith(source[source.index(b"\xff\xda"):])
    with Image.open(photo) as a, Image.open(io.BytesIO(out.data)) as b:
        assert a.tobytes() == b.tobytes()


def test_the_passed_through_jpeg_is_read_by_the_format_libraries(tmp_path):
    from docx.image.image import Image as DocxImage
    from reportlab.lib.utils import ImageReader

    out = images.ImageStore().prepare(_camera_jpeg(tmp_path / "foto.jpg"), "screen")
    docx_image = DocxImage.from_blob(out.data)
    assert (docx_image.content_type, docx_image.px_width, docx_image.px_height) == (
        "image/jpeg", 1200, 800)
    assert ImageReader(io.BytesIO(out.data)).getSize() == (1200, 800)


@pytest.mark.parametrize("case", ["rotated", "progressive", "cmyk", "larger", "heavy"])
def test_a_jpeg_that_needs_a_change_is_still_decoded(tmp_path, decodes, case):
    photo = tmp_path / "foto.jpg"
    if case == "rotated":
        exif = Image.Exif()
        exif[0x0112] = 6  # shown turned a quarter clockwise
        _photo((1200, 800)).save(photo, "JPEG", quality=85, exif=exif.tobytes())
        size = (800, 1200)
    elif case == "progressive":
        _photo((1200, 800)).save(photo, "JPEG", quality=85, progressive=True)
        size = (1200, 800)
    elif case == "cmyk":
        _photo((1200, 800)).convert("CMYK").save(photo, "JPEG", quality=85)
        size = (1200, 800)
    elif case == "larger":  # than the screen profile's 1600
        _camera_jpeg(photo, (2000, 1000))
        size = (1600, 800)
    else:  # a camera's finest quality: re-encoding makes it much smaller
        noise = Image.effect_noise((800, 600), 90).convert("L")
        Image.merge("RGB", [noise] * 3).save(photo, "JPEG", quality=98)
        size = (800, 600)
    out = images.ImageStore().prepare(photo, "screen")
    assert decodes == [photo]
    assert (out.width, out.height) == size
    assert MARK.encode() not in out.data
    if case == "heavy":
        assert len(out.data) < photo.stat().st_size / 2


def test_a_truncated_jpeg_is_still_an_error(tmp_path):
    photo = _camera_jpeg(tmp_path / "foto.jpg")
    whole = photo.read_bytes()
    photo.write_bytes(whole[: len(whole) * 2 // 3])
    with pytest.raises(InputError, match="damaged or truncated"):
        images.ImageStore().prepare(photo, "screen")


def test_bytes_after_the_end_of_the_picture_are_not_passed_on(tmp_path, decodes):
    photo = _camera_jpeg(tmp_path / "foto.jpg")
    photo.write_bytes(photo.read_bytes() + b"\xff\xd8 a second picture " + MARK.encode()
                      + b"\xff\xd9")
    out = images.ImageStore().prepare(photo, "screen")
    assert decodes == [photo] and MARK.encode() not in out.data


def test_covers_of_a_build_share_their_fonts_and_come_out_the_same():
    from publikasi.exporters.epub import cover

    def draw(title: str) -> bytes:
        text = cover.CoverText(title=title, edition="Edisi 46/2025", date="Senin, 10 November 2025",
                               publisher="Pemerintah Kota Malang",
                               headlines=("Jembatan baru di Blimbing dibuka untuk warga",))
        return cover.render_cover(text, cover.CoverStyle(layout="band"))

    cover._font.cache_clear()
    first = draw("Warta Kota Malang")
    loaded = cover._font.cache_info().misses
    assert draw("Warta Kota Malang") == first  # deterministic with fonts reused
    assert cover._font.cache_info().misses == loaded  # no face loaded a second time
    cover._font.cache_clear()  # fresh faces draw the very same picture
    assert draw("Warta Kota Malang") == first
    with Image.open(io.BytesIO(first)) as img:
        assert img.size == (1600, 2400)


def _decoded(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as img:
        return img.convert("RGB")


def _psnr(a: Image.Image, b: Image.Image) -> float:
    import math

    from PIL import ImageChops, ImageStat

    rms = ImageStat.Stat(ImageChops.difference(a, b)).rms
    mse = sum(v * v for v in rms) / 3
    return 10 * math.log10(255 ** 2 / mse) if mse else math.inf


def test_the_web_widths_of_a_picture_share_one_decode(tmp_path, decodes):
    photo = tmp_path / "foto.jpg"
    _photo((1200, 800)).save(photo, "JPEG", quality=85, progressive=True)  # never passed through
    store = images.ImageStore()
    made = {p: store.prepare(photo, p) for p in ("thumb", "medium", "screen")}
    assert decodes == [photo]
    assert [(m.width, m.height) for m in made.values()] == [(480, 320), (960, 640), (1200, 800)]
    # A changed file is decoded again, never served from the kept picture.
    _photo((1200, 800)).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(
        photo, "JPEG", quality=85, progressive=True)
    again = store.prepare(photo, "print")
    assert len(decodes) == 2 and _psnr(_decoded(again.data), _decoded(made["screen"].data)) < 30


def test_the_smaller_widths_look_like_a_lanczos_resize_and_the_others_are_unchanged(tmp_path):
    photo = tmp_path / "foto.jpg"
    _photo((1200, 800)).save(photo, "JPEG", quality=85, progressive=True)
    with Image.open(photo) as img:
        source = img.convert("RGB")

    def lanczos_only(longest: int, quality: int) -> tuple[Image.Image, bytes]:
        img = source.copy()
        img.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality, optimize=True, progressive=False)
        return img, buf.getvalue()

    store = images.ImageStore()
    thumb = store.prepare(photo, "thumb")
    with Image.open(photo) as header:  # the pixels before their encoding
        thumb_raw = store._pixels(photo, header, photo.read_bytes(), "thumb")
    reference, reference_jpeg = lanczos_only(480, images.JPEG_QUALITY["thumb"])
    assert thumb.data != reference_jpeg  # the cheaper way was taken ...
    # ... and differs from LANCZOS alone far less than the JPEG encoding does.
    encoding_error = _psnr(_decoded(reference_jpeg), reference)
    # The halved pixels differ from LANCZOS alone by at most a quarter of the
    # encoding's own error (mean squares: 6 dB), and the encoded thumb is as
    # close to LANCZOS alone as that JPEG of it is.
    assert _psnr(thumb_raw, reference) > encoding_error + 6
    assert _psnr(_decoded(thumb.data), reference) > encoding_error - 1
    # The medium width, and every profile not only for the web, is LANCZOS
    # alone, to the byte.
    for profile in ("medium", "screen"):
        longest = {"medium": 960, "screen": 1600}[profile]
        assert store.prepare(photo, profile).data == lanczos_only(
            longest, images.JPEG_QUALITY[profile])[1]


@pytest.mark.parametrize("size", [(1200, 800), (4000, 3000), (700, 500)])
def test_each_width_is_the_same_whichever_was_made_before(tmp_path, size):
    photo = tmp_path / "foto.jpg"
    _photo(size).save(photo, "JPEG", quality=85, progressive=True)
    alone = {p: images.ImageStore().prepare(photo, p).data for p in images.PROFILES}
    for order in (["thumb", "medium", "screen", "print"], ["print", "screen", "medium", "thumb"],
                  ["medium", "print", "thumb", "screen"]):
        store = images.ImageStore()
        assert {p: store.prepare(photo, p).data for p in order} == alone, order
