"""Time the web edition's page rendering alone (pictures prepared beforehand).

    python benchmarks/html_pages.py SOURCE

Loads SOURCE, runs the ``html`` exporter once so every picture is prepared
(and the templates compiled), then times a second run in this process and
prints JSON: ``wall`` and ``cpu`` seconds, ``pages`` written, ``out_mb``,
``max_rss_mb``.  ``run.py`` reports it as "publikasi html, pages only".
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from publikasi.exporters import ExportContext, Sink, export
from publikasi.exporters.web import WebExporter
from publikasi.images import ImageStore
from publikasi.links import LinkIndex
from publikasi.source import load
from publikasi.themes import load_theme


def run(pub, theme, images, staging: Path) -> Sink:
    sink = Sink(staging)
    ctx = ExportContext(theme=theme, sink=sink, images=images,
                        build_time=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                        publication=pub, links=LinkIndex.of(pub))
    exporter = WebExporter()
    export(exporter, pub, ctx)  # the front pages, then every release's article pages
    exporter.finish_build(pub, ctx, lambda rel: None)
    return sink


def main() -> None:
    pub = load(Path(sys.argv[1])).publication
    theme = load_theme(pub.releases[0].theme or "default")
    images = ImageStore()
    with tempfile.TemporaryDirectory() as tmp:
        run(pub, theme, images, Path(tmp) / "warm-up")
        shutil.rmtree(Path(tmp) / "warm-up")
        start, cpu = time.perf_counter(), time.process_time()
        sink = run(pub, theme, images, Path(tmp) / "timed")
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        size = sum((Path(tmp) / "timed" / rel).stat().st_size for rel in sink.written)
    pages = sum(1 for rel in sink.written if rel.endswith(".html"))
    print(json.dumps({"wall": wall, "cpu": cpu, "pages": pages, "out_mb": size / 2**20,
                      "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
