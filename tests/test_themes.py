"""Themes: settings declared by the exporters, validated once; one label resolver; contained chains.

Regression tests for issue 16 items 3 (``inherits`` outside the source),
10 (unknown label placeholder: KeyError) and 16 (``{n:>2000000000}`` ran for
minutes), and for issue 10 item 2 (declared settings, one label rule).
"""

from __future__ import annotations

import dataclasses
import re
import time
import tomllib
from pathlib import Path

import pytest
from conftest import run_cli
from safety_support import valid_release, write_tree

from publikasi.errors import InputError
from publikasi.exporters import ExportContext, Sink, exporter_classes
from publikasi.exporters.epub import EpubExporter
from publikasi.exporters.pdf import PdfExporter, PdfSettings
from publikasi.images import ImageStore
from publikasi.labels import COMMON
from publikasi.model import Publication, Release
from publikasi.themes import builtin_themes_dir, format_folders, load_theme

ERROR_LINE = re.compile(r"^error: (?P<file>[^:]+):(?:(?P<line>\d+):)? (?P<message>.+)$")


def errors(stderr: str) -> list[re.Match[str]]:
    found = [ERROR_LINE.match(line) for line in stderr.splitlines() if line.startswith("error:")]
    assert found and all(found), stderr
    return [m for m in found if m]


def build_with_theme(tmp_path: Path, theme_files: dict[str, str], *args: str):
    write_tree(tmp_path, valid_release({f"rel/tema/{k}": v for k, v in theme_files.items()}))
    (tmp_path / "rel" / "release.yaml").write_text(
        (tmp_path / "rel" / "release.yaml").read_text() + "theme: tema\n", encoding="utf-8")
    return run_cli("build", "rel", "-o", "out", "--no-cache", *args, cwd=tmp_path)


# ---------------------------------------------------------------- 16.3: contained chains


@pytest.mark.parametrize("parent", ["/ABS", "../../..", "../../outside"])
def test_inherits_outside_the_source_is_a_clear_error(tmp_path, parent):
    outside = tmp_path / "outside"
    write_tree(outside, {"theme.toml": 'inherits = "default"\n',
                         "epub/style.css": "body { color: red } /* stolen */\n"})
    if parent == "/ABS":
        parent = str(outside)
    src = tmp_path / "deep" / "src"
    src.mkdir(parents=True)
    proc = build_with_theme(src, {"theme.toml": f'description = "x"\ninherits = "{parent}"\n'},
                            "-f", "epub")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    [err] = errors(proc.stderr)
    assert err["file"].endswith("tema/theme.toml") and err["line"] == "2"
    assert err["message"].startswith(f"inherits {parent!r}") and "outside" in err["message"]
    assert not (src / "out").exists()


def test_inherits_inside_the_source_or_the_theme_folder_is_followed(tmp_path):
    write_tree(tmp_path, {"rel/tema-umum/theme.toml": '[colors]\naccent = "#123456"\n',
                          "rel/tema/base/theme.toml": 'inherits = "../../tema-umum"\n'})
    proc = build_with_theme(tmp_path, {"theme.toml": 'inherits = "base"\n'}, "-f", "epub")
    assert proc.returncode == 0, proc.stderr
    theme = load_theme(tmp_path / "rel" / "tema", roots=(tmp_path / "rel",))
    assert [p.name for p in theme.chain] == ["tema", "base", "tema-umum", "default"]
    assert theme.get("colors.accent") == "#123456"


def test_a_theme_given_with_t_may_not_inherit_from_outside_the_source(tmp_path):
    write_tree(tmp_path, {**valid_release(), "elsewhere/theme.toml": 'inherits = "default"\n',
                          "themes/t/theme.toml": 'inherits = "../../elsewhere"\n'})
    proc = run_cli("build", "rel", "-t", "themes/t", "-o", "out", "-f", "epub", cwd=tmp_path)
    assert proc.returncode == 2
    [err] = errors(proc.stderr)
    assert err["file"].endswith("themes/t/theme.toml") and "outside" in err["message"]


# ---------------------------------------------------------------- 16.10 / 16.16: labels


def test_unknown_placeholder_in_a_label_is_an_error_when_the_theme_loads(tmp_path):
    proc = build_with_theme(tmp_path, {"theme.toml": '[labels.id]\npage_of = "Hlm {x}"\n'},
                            "-f", "pdf")
    assert proc.returncode == 2, proc.stderr
    [err] = errors(proc.stderr)
    assert err["file"].endswith("tema/theme.toml") and err["line"] == "2"
    assert err["message"].startswith("page_of: unknown placeholder {x}")
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()


def test_a_format_spec_in_a_label_is_refused_at_once(tmp_path):
    started = time.monotonic()
    proc = build_with_theme(
        tmp_path, {"theme.toml": 'inherits = "default"\n',
                   "pdf/settings.toml": '[labels.en]\nread_on = "page {n:>2000000000}"\n'},
        "-f", "pdf")
    assert time.monotonic() - started < 60
    assert proc.returncode == 2, proc.stderr
    [err] = errors(proc.stderr)
    assert err["file"].endswith("tema/pdf/settings.toml") and err["line"] == "2"
    assert "read_on" in err["message"] and "format spec" in err["message"]


@pytest.mark.parametrize("text, why", [
    ("{n.__class__}", "plain placeholder"), ("{n[0]}", "plain placeholder"),
    ("{n!r}", "format spec or conversion"), ("{}", "needs a name"), ("{n", "expected")
])
def test_labels_are_plain_placeholders_only(text, why, tmp_path):
    write_tree(tmp_path, {"t/theme.toml": f'[labels.id]\npage = "{text}"\n'})
    with pytest.raises(InputError) as err:
        load_theme(tmp_path / "t")
    assert why in str(err.value)


def test_unknown_label_key_has_a_hint(tmp_path):
    write_tree(tmp_path, {"t/theme.toml": '[labels.en]\ncontens = "Inside"\n'})
    with pytest.raises(InputError) as err:
        load_theme(tmp_path / "t")
    [problem] = err.value.problems
    assert problem.line == 2 and "unknown label 'contens'" in problem.message
    assert "did you mean 'contents'" in problem.message


# ---------------------------------------------------------------- settings


def test_every_settings_file_is_validated_with_file_and_line(tmp_path):
    write_tree(tmp_path, {
        "t/theme.toml": 'paper = "a5"\n\n[fonts]\nbody = "comic"\n',
        "t/pdf/settings.toml": "columns = 2\ncolums = 3\nbody_size = \"big\"\nleading = 9\n",
        "t/docx/settings.toml": "[layout]\ntoc = 1\n[sizez]\nbody = 3\n",
        "t/epub/settings.toml": '[cover]\nlayout = "diagonal"\n',
        "t/feeds/settings.toml": "ttl = -1\n[description]\nid = 'x'\n",
    })
    with pytest.raises(InputError) as err:
        load_theme(tmp_path / "t")
    found = {(Path(p.file).relative_to(tmp_path / "t").as_posix(), p.line, p.message)
             for p in err.value.problems}
    expected = [
        ("theme.toml", 1, "`paper` must be one of a4, f4, folio, letter, not 'a5'"),
        ("theme.toml", 4, "`fonts.body` must be one of serif, sans, not 'comic'"),
        ("pdf/settings.toml", 2, "unknown setting `colums`; did you mean `columns`?"),
        ("pdf/settings.toml", 3, "`body_size` must be a number, not 'big'"),
        ("pdf/settings.toml", 4, "`leading` must be from 1.0 to 2.5, not 9"),
        ("docx/settings.toml", 2, "`layout.toc` must be true or false, not 1"),
        ("docx/settings.toml", 3, "unknown setting `sizez`; did you mean `sizes`?"),
        ("epub/settings.toml", 2, "`cover.layout` must be one of plain, band, not 'diagonal'"),
        ("feeds/settings.toml", 1, "`ttl` must be from 0 to 525600, not -1"),
    ]
    for item in expected:
        assert item in found, (item, found)
    assert any(f == "feeds/settings.toml" and line == 2 and "unknown setting `description`"
               in m for f, line, m in found)


def test_the_default_theme_states_the_declared_defaults():
    """One set of defaults: the default theme's files say what the dataclasses hold."""
    default = builtin_themes_dir() / "default"
    for name, folder in format_folders().items():
        path = default / name / "settings.toml"
        if folder.settings is None or not path.is_file():
            continue
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        declared = dataclasses.asdict(folder.settings())
        _same(data, declared, path)


def _same(data: dict, declared: dict, where: Path, prefix: str = "") -> None:
    for key, value in data.items():
        if key == "labels":
            continue
        if isinstance(value, dict):
            _same(value, declared[key], where, f"{prefix}{key}.")
        else:
            want = list(declared[key]) if isinstance(declared[key], tuple) else declared[key]
            assert want == value, f"{where}: {prefix}{key}"


def test_theme_folders_come_from_the_registered_exporters():
    folders = format_folders()
    assert set(folders) == {"docx", "pdf", "epub", "feeds", "html"}
    assert folders["pdf"].settings is PdfSettings
    classes = exporter_classes()
    assert {c.theme_folder or c.format for c in classes.values()} == set(folders)


# ---------------------------------------------------------------- one label rule


def _ctx(theme, exporter) -> ExportContext:
    import datetime as dt

    release = Release(slug="r", title="R", date=dt.date(2025, 11, 10), articles=())
    return ExportContext(theme=theme, sink=Sink(Path("/nonexistent")), images=ImageStore(),
                         build_time=dt.datetime(2025, 11, 10, tzinfo=dt.UTC),
                         publication=Publication(title="R", releases=(release,)),
                         labels=theme.labels_for(exporter))


def test_labels_resolve_one_way_for_every_format(tmp_path):
    write_tree(tmp_path, {
        "t/theme.toml": '[labels.id]\ncontents = "Isi"\nlead = "Utama"\nstart = "Mulai"\n',
        "t/pdf/settings.toml": '[labels.id]\ncontents = "Isi PDF"\n',
    })
    theme = load_theme(tmp_path / "t")
    pdf, epub = _ctx(theme, PdfExporter), _ctx(theme, EpubExporter)
    # The format's own theme labels, then the theme's shared labels ...
    assert pdf.label("contents", "id") == "Isi PDF"
    assert epub.label("contents", "id") == "Isi"
    # ... over the exporter's defaults, for PDF and EPUB alike (EPUB used to
    # put its Python defaults first).
    assert pdf.label("lead", "id") == "Utama"
    assert epub.label("start", "id") == "Mulai"
    # Language picks the texts; an unknown language falls back to Indonesian.
    assert pdf.label("lead", "en-GB") == "Highlights"
    assert epub.label("start", "en") == "Start Reading"
    assert epub.label("landmarks", "fr") == "Penanda"
    assert pdf.label("page_of", "en", n=2, total=9) == "Page 2 of 9"
    assert pdf.label("contents", "en") == COMMON["en"]["contents"]


# ---------------------------------------------------------------- one load per theme and build


def _themes_of_build(source: Path, out: Path, monkeypatch) -> tuple[dict, list[str]]:
    """Build ``source`` (JSON Feed only); -> the build's themes by release slug
    and the spec of every ``load_theme`` call made after the source was loaded."""
    import publikasi.builder as builder
    import publikasi.parallel as parallel
    import publikasi.themes as themes

    calls: list[str] = []
    loaded: list[bool] = []
    real_load, real_load_theme, real_plan = builder.load, themes.load_theme, parallel.plan_tasks
    seen: dict = {}

    def load(*args, **kwargs):
        result = real_load(*args, **kwargs)
        loaded.append(True)
        return result

    def load_theme(spec, **kwargs):
        if loaded:
            calls.append(str(spec))
        return real_load_theme(spec, **kwargs)

    def plan_tasks(state, *args, **kwargs):
        seen.update(state.themes)
        return real_plan(state, *args, **kwargs)

    monkeypatch.setattr(builder, "load", load)
    monkeypatch.setattr(themes, "load_theme", load_theme)
    monkeypatch.setattr(parallel, "plan_tasks", plan_tasks)
    builder.build(source, out, builder.BuildOptions(formats=["jsonfeed"], cache=False, jobs=1))
    return seen, calls


def test_releases_with_the_same_theme_share_it_loaded_once(tmp_path, monkeypatch):
    source = Path(__file__).parent.parent / "samples" / "warta-malang"
    themes, calls = _themes_of_build(source, tmp_path / "out", monkeypatch)
    assert calls == ["default"]  # was once per release
    by_release = [themes[slug] for slug in themes if slug]
    assert len(by_release) == 2 and by_release[0] is by_release[1] is themes[""]


def test_releases_with_different_themes_each_get_their_own(tmp_path, monkeypatch):
    write_tree(tmp_path / "pub", {
        "publication.yaml": "title: P\nbase_url: https://contoh.example/\n",
        **valid_release({"a/tema/theme.toml": 'description = "tema A"\n'}, root="a"),
        **valid_release({"b/tema/theme.toml": 'description = "tema B"\n'}, root="b"),
        **valid_release(root="c"),
    })
    for name in ("a", "b"):
        release = tmp_path / "pub" / name / "release.yaml"
        release.write_text(release.read_text() + "theme: tema\n", encoding="utf-8")
    themes, calls = _themes_of_build(tmp_path / "pub", tmp_path / "out", monkeypatch)
    # "tema" names a different folder in each release: the same name, two themes.
    assert sorted(calls) == ["default", "tema", "tema"]
    assert [themes[n].chain[0] for n in ("a", "b")] == [
        (tmp_path / "pub" / n / "tema").resolve() for n in ("a", "b")]
    assert themes["c"].name == "default"
