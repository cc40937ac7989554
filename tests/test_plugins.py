"""Third-party exporters: registered through an entry point, with their own theme folder.

The plugin is a real installed distribution as far as ``importlib.metadata``
can tell (a ``*.dist-info`` folder with ``entry_points.txt`` on PYTHONPATH),
and the build runs through ``publikasi build`` in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from safety_support import valid_release, write_tree

from publikasi import exporters

PLUGIN = '''
import json
from dataclasses import dataclass

from publikasi.exporters import ArticleExporter, Exporter, ReleaseExporter
from publikasi.settings import setting


@dataclass(frozen=True)
class StampSettings:
    greeting: str = "halo"
    copies: int = setting(1, lo=1, hi=9)
    ink: str = setting("black", choices=("black", "red"))


class StampExporter(Exporter, ReleaseExporter, ArticleExporter):
    """Writes what it was given, so the test can read it back."""

    format = "stamp"
    description = "a rubber stamp per release (test plugin)"
    theme_folder = "stempel"
    settings = StampSettings
    labels = {"id": {"stamp": "Cap {title}", "received": "Diterima"},
              "en": {"stamp": "Stamp {title}", "received": "Received"}}

    def export_release(self, release, ctx):
        s = ctx.settings(StampSettings)
        lang = release.language
        ctx.sink.write(f"{release.slug}.stamp.json", json.dumps({
            "greeting": s.greeting, "copies": s.copies, "ink": s.ink,
            "stamp": ctx.label("stamp", lang, title=release.title),
            "received": ctx.label("received", lang),
            "contents": ctx.label("contents", lang),
            "contents_en": ctx.label("contents", "en"),
        }, ensure_ascii=False).encode("utf-8"))

    def export_article(self, article, release, ctx):
        ctx.sink.write(f"stamp/{article.slug}.txt",
                       ctx.label("stamp", article.language, title=article.title).encode())
'''


def _plugin_env(tmp_path: Path) -> dict[str, str]:
    plug = tmp_path / "plugin"
    write_tree(plug, {
        "stamp_plugin.py": PLUGIN,
        "stamp_plugin-1.0.dist-info/METADATA":
            "Metadata-Version: 2.1\nName: stamp-plugin\nVersion: 1.0\n",
        "stamp_plugin-1.0.dist-info/entry_points.txt":
            "[publikasi.exporters]\nstamp = stamp_plugin:StampExporter\n",
    })
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(plug),
                                                         os.environ.get("PYTHONPATH")]))}


def _source(tmp_path: Path, settings: str, theme_labels: str = "") -> None:
    write_tree(tmp_path, valid_release({
        "rel/tema/theme.toml": 'inherits = "default"\n' + theme_labels,
        "rel/tema/stempel/settings.toml": settings,
    }))
    yaml = tmp_path / "rel" / "release.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "theme: tema\n", encoding="utf-8")


def test_a_plugin_gets_its_theme_settings_and_labels(tmp_path):
    _source(tmp_path, 'greeting = "selamat pagi"\ncopies = 3\n\n'
                      '[labels.id]\nstamp = "Cap resmi: {title}"\n',
            '\n[labels.id]\ncontents = "Isi"\n')
    env = _plugin_env(tmp_path)
    proc = run_cli("build", "rel", "-o", "out", "-f", "stamp,pdf", "--no-cache", cwd=tmp_path,
                   env=env)
    assert proc.returncode == 0, proc.stderr
    written = json.loads((tmp_path / "out" / "rel.stamp.json").read_text(encoding="utf-8"))
    assert written == {
        "greeting": "selamat pagi",  # the user theme's stempel/settings.toml
        "copies": 3,
        "ink": "black",  # the plugin's own default
        "stamp": "Cap resmi: Warta Uji",  # the theme's label for this format
        "received": "Diterima",  # the plugin's default label
        "contents": "Isi",  # the theme's shared label reaches the plugin too
        "contents_en": "Contents",
    }
    [article] = (tmp_path / "out" / "stamp").iterdir()
    assert article.read_text() == "Cap resmi: Wali Kota Resmikan Taman Baru"
    assert (tmp_path / "out" / "rel.pdf").is_file()
    # The plugin is listed like a built-in format.
    help_text = run_cli("build", "--help", env=env).stdout
    assert "stamp" in help_text


@pytest.mark.parametrize("settings, line, message", [
    ("copies = 12\n", 1, "`copies` must be from 1 to 9, not 12"),
    ('greting = "x"\n', 1, "unknown setting `greting`; did you mean `greeting`?"),
    ('ink = "blue"\n', 1, "`ink` must be one of black, red, not 'blue'"),
    ('[labels.en]\nstamp = "Stamp {name}"\n', 2,
     "stamp: unknown placeholder {name} (this label knows: {title})"),
])
def test_a_plugin_settings_file_is_validated_like_the_built_in_ones(tmp_path, settings, line,
                                                                     message):
    _source(tmp_path, settings)
    proc = run_cli("build", "rel", "-o", "out", "-f", "stamp", "--no-cache", cwd=tmp_path,
                   env=_plugin_env(tmp_path))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == f"error: rel/tema/stempel/settings.toml:{line}: {message}"
    assert not (tmp_path / "out").exists()


def test_the_built_in_exporters_are_the_entry_points_in_pyproject():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = data["project"]["entry-points"][exporters.GROUP]
    assert list(declared.items()) == list(exporters.BUILTIN.items())
