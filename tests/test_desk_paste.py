"""The paste page's logic without the web: paste -> fields with reasons -> save.

The file the desk saves is compared byte for byte with what ``publikasi
import`` (the real CLI, in a subprocess) writes for the same text with the
same correction made in the text.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import run_cli
from desk_paste_support import (
    RELEASE_HTML,
    RELEASE_TEXT,
    RIGHT_TITLE,
    WRONG_TITLE,
    copy_publication,
    tree,
)

from publikasi.desk import paste
from publikasi.errors import InputError


@pytest.fixture
def source(tmp_path) -> Path:
    return copy_publication(tmp_path / "warta")


def _form(fields: paste.Fields, **edits: str) -> dict[str, str]:
    form = dict(fields.values)
    for fig in fields.figures:
        form[f"blocks.{fig['index']}.caption"] = str(fig["caption"])
        form[f"blocks.{fig['index']}.credit"] = str(fig["credit"])
    form.update(edits)
    return form


def _save(source: Path, text: str = RELEASE_TEXT, html: str = "", *, confirmed: bool = False,
          seen: tuple[str, str] | None = None, **edits: str) -> paste.Saved:
    release = paste.chosen_release(source, "2025-47")
    parsed = paste.parse_paste(text, html, release)
    fields = paste.fields_of(parsed)
    article = paste.apply_edits(parsed.article, _form(fields, **edits), fields.authors, release)
    target = paste.target_of(article, release)
    seen_target, seen_state = seen or (target.name, paste.target_state(target))
    return paste.save_article(article, release, seen_target=seen_target, seen_state=seen_state,
                              confirmed=confirmed)


def test_fields_carry_the_inspect_keys_and_the_readers_reasons(source):
    release = source / "2025-47"
    # Without a date in the text the reader takes the edition's date: a guess.
    undated = RELEASE_TEXT.replace(", Sabtu (15/11/2025)", "")
    fields = paste.fields_of(paste.parse_paste(undated, "", release))
    assert fields.values["title"] == WRONG_TITLE
    assert fields.values["date"] == "2025-11-17"  # release.yaml's date
    assert fields.values["dateline"] == "Blimbing"
    assert fields.values["byline"] == "rin/ag"
    assert fields.reasons["date"] == ["tanggal diambil dari tanggal edisi (2025-11-17)"]
    assert "title" not in fields.reasons and "dateline" not in fields.reasons
    # The caption line became a figure without a photo.
    [figure] = fields.figures
    assert figure["src"] is None and str(figure["caption"]).startswith("Kepala Dinas Pertanian")
    # A dated paste has no date guess; the English texts follow the article's language.
    dated = paste.fields_of(paste.parse_paste(RELEASE_TEXT, "", release))
    assert dated.values["date"] == "2025-11-15" and "date" not in dated.reasons
    english = paste.parse_paste("City opens a farmers market\n\nThe city of Malang opened a "
                                "market for farmers today. Growers from five districts sell "
                                "vegetables there every week.\n", "", release)
    reasons = paste.fields_of(english).reasons
    assert reasons["date"] == ["date taken from the edition date (2025-11-17)"]
    assert reasons["dateline"][0].startswith("no dateline")
    # The desk gives them in its own language (the publication's), whatever the article's.
    assert paste.fields_of(english, language="id").reasons["date"] == [
        "tanggal diambil dari tanggal edisi (2025-11-17)"]


def test_every_reason_the_reader_can_give_has_both_texts():
    import re

    from publikasi.readers import guesses

    code = (Path(guesses.__file__).parent / "plaintext.py").read_text(encoding="utf-8")
    used = set()
    calls = r'"(?:title|date|dateline)",\s*f?"(\w+?)(_\{ref_kind\})?"'
    for stem, per_kind in re.findall(calls, code):
        if per_kind:
            used.update(f"{stem}_{kind}" for kind in ("release", "copyright", "today"))
        else:
            used.add(stem)
    assert len(used) >= 14, used
    for lang in ("id", "en"):
        assert used <= set(guesses.REASONS[lang]), used - set(guesses.REASONS[lang])


def test_saved_file_is_byte_equal_to_the_cli_import(source, tmp_path):
    saved = _save(source, title=RIGHT_TITLE)
    assert saved.path == source / "2025-47" / "pasar-tani-blimbing-dibuka-tiap-sabtu-pagi.md"
    # The CLI imports the same text with the same correction from a file in the release.
    other = copy_publication(tmp_path / "cli")
    pasted = other / "2025-47" / "tempel.txt"
    pasted.write_text(RELEASE_TEXT.replace(WRONG_TITLE, RIGHT_TITLE), encoding="utf-8")
    proc = run_cli("import", pasted, "-o", other / "2025-47")
    assert proc.returncode == 0, proc.stderr
    cli = other / "2025-47" / saved.path.name
    assert saved.path.read_bytes() == cli.read_bytes()
    assert f"title: {RIGHT_TITLE}" in saved.path.read_text(encoding="utf-8")
    # ... and the release still loads with the new article in it.
    from publikasi.source import load

    titles = [a.title for r in load(source).publication.releases for a in r.articles]
    assert RIGHT_TITLE in titles


def test_html_paste_goes_through_the_page_extractor(source, tmp_path):
    release = source / "2025-47"
    parsed = paste.parse_paste("ignored plain text", RELEASE_HTML, release)
    assert parsed.read_as == "html"
    fields = paste.fields_of(parsed)
    assert fields.values["title"] == WRONG_TITLE
    assert fields.values["dateline"] == "Blimbing"
    [figure] = fields.figures  # the remote picture is kept as a caption only
    assert figure["src"] is None and figure["credit"] == "Humas"
    saved = _save(source, html=RELEASE_HTML)
    page = tmp_path / "halaman.html"
    page.write_text(RELEASE_HTML, encoding="utf-8")
    other = copy_publication(tmp_path / "cli")
    # The CLI reads a saved page with the release.yaml beside it: put it in the release.
    (other / "2025-47" / "tempel.html").write_text(RELEASE_HTML, encoding="utf-8")
    proc = run_cli("import", other / "2025-47" / "tempel.html", "-o", other / "2025-47")
    assert proc.returncode == 0, proc.stderr
    assert saved.path.read_bytes() == (other / "2025-47" / saved.path.name).read_bytes()


def test_existing_file_needs_confirmation_and_a_changed_one_is_a_conflict(source):
    first = _save(source)
    before = first.path.read_bytes()
    # The page showed the target absent, but another tab saved it meanwhile.
    with pytest.raises(paste.Conflict):
        _save(source, seen=(first.path.name, paste.ABSENT), byline="xx")
    assert first.path.read_bytes() == before
    # Knowing the file exists is not enough: replacing it needs a confirmation.
    with pytest.raises(paste.NeedsConfirmation):
        _save(source, byline="xx")
    assert first.path.read_bytes() == before
    # A title edit that lands on an existing file the page never showed: confirmation.
    other = _save(source, title=RIGHT_TITLE)
    with pytest.raises(paste.NeedsConfirmation):
        _save(source, seen=(first.path.name, paste.target_state(first.path)),
              title=RIGHT_TITLE, byline="zz", confirmed=True)
    assert "zz" not in other.path.read_text(encoding="utf-8")
    # Confirmed: replaced, and the previous version kept in the history.
    replaced = _save(source, byline="xx", confirmed=True)
    assert "byline: xx" in replaced.path.read_text(encoding="utf-8")
    history = list((source / "2025-47" / ".publikasi" / "history").iterdir())
    assert [h.read_bytes() for h in history] == [before]


def test_bad_edits_and_paths_write_nothing(source):
    before = tree(source)
    with pytest.raises(InputError):
        _save(source, title="   ")
    with pytest.raises(InputError):
        _save(source, date="15 November")
    for bad in ("..", "../warta", "/etc", "2025-47/..", "%2e%2e", "", "images"):
        with pytest.raises(InputError):
            paste.chosen_release(source, bad)
    assert tree(source) == before


def test_a_symlinked_target_outside_the_release_is_refused(source, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("keep", encoding="utf-8")
    link = source / "2025-47" / "pasar-tani-blimbing-dibuka-tiap-sabtu-pgi.md"
    link.symlink_to(outside)
    with pytest.raises(InputError):
        _save(source, confirmed=True)
    assert outside.read_text(encoding="utf-8") == "keep"


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_photo_upload_for_a_caption_only_figure(source):
    release = source / "2025-47"
    parsed = paste.parse_paste(RELEASE_TEXT, "", release)
    fields = paste.fields_of(parsed)
    index = int(str(fields.figures[0]["index"]))
    data = _png()
    article, files = paste.with_photos(parsed.article, [paste.Photo(index, data, ".png")],
                                       release)
    target = paste.target_of(article, release)
    saved = paste.save_article(article, release, seen_target=target.name,
                               seen_state=paste.ABSENT, confirmed=False, pictures=files)
    text = saved.path.read_text(encoding="utf-8")
    assert "](<images/pasar-tani-blimbing-dibuka-tiap-sabtu-pgi-foto-" in text
    assert files[0][0].read_bytes() == data
    # A damaged picture with the right signature is refused by the build's own check.
    with pytest.raises(InputError):
        paste.with_photos(parsed.article, [paste.Photo(index, data[:60], ".png")], release)


def test_a_release_source_is_its_own_only_release(source, tmp_path):
    release = source / "2025-47"
    assert paste.release_folders(release) == ["."]
    assert paste.chosen_release(release, ".") == release
    assert paste.release_folders(source) == ["2025-47", "2025-46"]
    for bad in ("2025-47", "..", "./.."):
        with pytest.raises(InputError):
            paste.chosen_release(release, bad)
    # A lone article file has no release folder to write into.
    assert paste.release_folders(release / "uji-publik-rapbd.md") == []
