"""What tagging and the archival pass cost the PDF build.

    python benchmarks/pdf_accessible_cost.py [N] [RUNS]    # default: 200 articles, 3 runs

Builds the PDF of an N-article corpus (``make_corpus.py``) cold, alternating
three variants RUNS times each, every build in a fresh child process:

- ``plain``: marked content and the structure tree switched off, and the
  finishing pass (pikepdf: structure tree, XMP, output intent) skipped, so
  reportlab's bytes are written as they come: the bulletin before issue 17;
- ``untagged``: marked content and the structure tree switched off, the
  archival finishing kept: what the tagging alone costs is full / untagged;
- ``full``: the build as shipped (tagged PDF/A-2A, PDF/UA-1).

Prints wall time and CPU time (user + system, which a busy machine does not
inflate) per run, and the ratio of the medians.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VARIANTS = ("plain", "untagged", "full")

BUILD = r"""
import sys
from pathlib import Path
from publikasi.builder import BuildOptions, build
source, out, variant = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
if variant in ("plain", "untagged"):  # the switches tests/test_pdf_tagged.py turns off
    from publikasi.exporters.pdf import deferred, finish, tagging
    tagging.begin_marked = deferred.begin_marked = lambda canv, node: tagging.NOT_MARKED
    tagging.MarkingCanvas.begin_artifacts = lambda self: None
    finish.apply_structure = lambda pdf, tags: False
if variant == "plain":
    finish.finish_pdf = lambda raw, **kwargs: raw
build(source, out, BuildOptions(formats=["pdf"], cache=False, jobs=1))
"""


def run_once(source: Path, out: Path, variant: str) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", BUILD, str(source), str(out), variant], check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(n), "-o", str(corpus)],
                       check=True, stdout=subprocess.DEVNULL)
        source = corpus / "source"
        times: dict[str, list[tuple[float, float]]] = {v: [] for v in VARIANTS}
        for i in range(runs):
            for variant in VARIANTS:
                wall, cpu = run_once(source, Path(tmp) / f"out-{variant}-{i}", variant)
                times[variant].append((wall, cpu))
                print(f"{variant:5} run {i + 1}: wall {wall:6.2f} s  cpu {cpu:6.2f} s", flush=True)
    med = {v: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
           for v, t in times.items()}
    for variant, (wall, cpu) in med.items():
        print(f"median {variant:8}: wall {wall:.2f} s, cpu {cpu:.2f} s")
    for base in ("plain", "untagged"):
        print(f"full / {base}: wall {med['full'][0] / med[base][0]:.3f}, "
              f"cpu {med['full'][1] / med[base][1]:.3f}")


if __name__ == "__main__":
    main()
