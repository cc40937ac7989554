"""Benchmark publikasi against Pandoc and against the libraries' raw floor.

    python benchmarks/run.py --sizes 20,200,2000 --reps 3 [--reps-for 2000=1]

For every size N it generates a corpus (``make_corpus.py``, kept in
``--work`` between runs) and times, one after the other on this machine:

* ``publikasi build`` per format (docx, pdf, epub, feeds = rss+atom+jsonfeed)
  and all formats together, cold (``--no-cache``), with the default ``-j``;
  all formats with ``-j 1``; a warm rebuild with nothing changed; a warm
  rebuild after one article was edited;
* Pandoc converting the same articles (one Markdown file) to DOCX and to EPUB;
* the raw floor: ``floor_<format>.py``, one library writing the same text.

Each run is a child process.  Reported: the median and min-max wall time
over the repetitions, CPU time (user+sys of the process and its workers),
peak memory (the largest single process's RSS, from ``wait4``; with psutil
installed also the peak of the summed RSS of the whole process tree, which
counts pages shared by forked workers more than once), and output size.
Results go to ``benchmarks/RESULTS.md`` (Markdown, with the machine noted)
and ``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import make_corpus  # noqa: E402

FORMATS = {"docx": "docx", "pdf": "pdf", "epub": "epub", "feeds": "rss,atom,jsonfeed",
           "html": "html"}


@dataclass
class Sample:
    wall: float
    cpu: float
    max_rss_mb: float  # largest single process
    tree_rss_mb: float | None  # peak of the summed RSS of the process tree (psutil)
    out_mb: float
    ok: bool
    error: str = ""
    load: float = -1.0  # 1-minute load average when the run started (-1: not recorded)


@dataclass
class Case:
    size: int
    name: str  # e.g. "publikasi pdf"
    group: str  # publikasi | pandoc | floor
    fmt: str  # docx | pdf | epub | feeds | all
    samples: list[Sample] = field(default_factory=list)

    def med(self, attr: str = "wall") -> float:
        return statistics.median(getattr(s, attr) for s in self.samples)

    @property
    def ok(self) -> bool:
        return bool(self.samples) and all(s.ok for s in self.samples)


# ---------------------------------------------------------------- measuring


def _tree_sampler(pid: int, stop: threading.Event, peak: list[float]) -> None:
    try:
        import psutil
    except ImportError:
        peak.append(-1)
        return
    best = 0
    try:
        root = psutil.Process(pid)
        while not stop.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            best = max(best, total)
            stop.wait(0.05)
    except psutil.Error:
        pass
    peak.append(best / 2**20)


def folder_mb(path: Path) -> float:
    if not path.exists():
        return 0.0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


SNAPSHOT: list[Path] = []  # set by --snapshot: a frozen copy of src/ to run


def snapshot(work: Path) -> Path:
    """Copy src/ and templates/ so that edits made during a long run do not leak in."""
    target = work / "snapshot"
    shutil.rmtree(target, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "src", target / "src", ignore=ignore)
    shutil.copytree(ROOT / "templates", target / "templates", ignore=ignore)
    # Byte-compiled once, as an installed package is: without it every timed
    # run compiles publikasi's modules again when PYTHONDONTWRITEBYTECODE is
    # set (~0.07 s CPU of a feeds build at N=200).
    compileall.compile_dir(target / "src", quiet=1)
    return target / "src"


def measure(cmd: list[str], out: Path, cwd: Path | None = None,
            extra_env: dict[str, str] | None = None) -> Sample:
    """Run ``cmd`` once; wall time, CPU and peak memory of it and its children."""
    env = dict(os.environ)
    env.update(extra_env or {})
    env.pop("SOURCE_DATE_EPOCH", None)
    env["PYTHONPATH"] = os.pathsep.join([*map(str, SNAPSHOT), str(HERE),
                                         env.get("PYTHONPATH", "")])
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    stop, peak = threading.Event(), []
    sampler = threading.Thread(target=_tree_sampler, args=(proc.pid, stop, peak), daemon=True)
    sampler.start()
    stderr = proc.stderr.read() if proc.stderr else b""
    # wait4 gives this child's resource use including the workers it waited for.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    sampler.join()
    code = proc.returncode
    tree = peak[0] if peak and peak[0] >= 0 else None
    return Sample(wall=wall, cpu=usage.ru_utime + usage.ru_stime,
                  max_rss_mb=usage.ru_maxrss / 1024, tree_rss_mb=tree, out_mb=folder_mb(out),
                  ok=code == 0, error="" if code == 0 else stderr.decode(errors="replace")[-400:],
                  load=load)


# ---------------------------------------------------------------- cases


def pages_only(source: Path) -> Sample:
    """html_pages.py in a child process; its own timing of the page rendering."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*map(str, SNAPSHOT), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, str(HERE / "html_pages.py"), str(source)],
                          capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        return Sample(0.0, 0.0, 0.0, None, 0.0, False, proc.stderr[-400:])
    got = json.loads(proc.stdout)
    return Sample(got["wall"], got["cpu"], got["max_rss_mb"], None, got["out_mb"], True,
                  load=os.getloadavg()[0])


def publikasi(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "publikasi", "build", *map(str, args)]


def corpus_for(n: int, work: Path, seed: int) -> Path:
    folder = work / f"corpus-{n}-{seed}"
    stamp = folder / "stamp.json"
    want = {"n": n, "seed": seed,
            "generator": (HERE / "make_corpus.py").stat().st_size}
    if not (stamp.is_file() and json.loads(stamp.read_text()) == want):
        print(f"generating corpus N={n} ...", file=sys.stderr)
        make_corpus.generate(n, folder, seed)
        stamp.write_text(json.dumps(want))
    return folder


def edit_one_article(source: Path, rep: int) -> None:
    """Append a paragraph to the newest release's first article (a real content change)."""
    newest = sorted(p for p in source.iterdir() if p.is_dir())[-1]
    article = sorted(newest.glob("*.md"))[0]
    article.write_text(article.read_text(encoding="utf-8") +
                       f"\nRalat redaksi nomor {rep} pada pukul {10 + rep}.00 WIB.\n",
                       encoding="utf-8")


PEER_ENV = HERE / ".venv"  # the benchmark's own environment: WeasyPrint, pyinstrument


def peer_env() -> Path | None:
    """benchmarks/.venv with WeasyPrint (created on first use); None when it cannot be made."""
    weasy = PEER_ENV / "bin" / "weasyprint"
    if not weasy.is_file():
        print("creating benchmarks/.venv with WeasyPrint and pyinstrument ...", file=sys.stderr)
        made = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages",
                               str(PEER_ENV)], check=False).returncode == 0 and \
            subprocess.run([str(PEER_ENV / "bin" / "python"), "-m", "pip", "install", "-q",
                            "weasyprint", "pyinstrument"], check=False).returncode == 0
        if not made or not weasy.is_file():
            print("benchmarks/.venv: could not install WeasyPrint; no Pandoc PDF row",
                  file=sys.stderr)
            return None
    return PEER_ENV / "bin"


@dataclass
class Job:
    """One command of a size's round: run once per repetition, in turn with the others."""

    case: Case
    run: Callable[[int], Sample]


def run_size(n: int, reps: int, work: Path, seed: int, jobs: str | None,
             skip: set[str]) -> list[Case]:
    """Every case of size ``n``; repetitions alternate (round 1 of every case, then round 2
    ...), so a change in the machine's load spreads over all cases instead of one."""
    corpus = corpus_for(n, work, seed)
    source = work / f"source-{n}"  # a copy: the warm runs edit it
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(corpus / "source", source)
    scratch = work / "out"
    todo: list[Job] = []
    j = ["-j", jobs] if jobs else []

    def timed(case: Case, cmd: list[str], out: Path, cwd: Path | None = None,
              before: Callable[[int], None] | None = None, fresh: bool = True,
              env: dict[str, str] | None = None) -> None:
        def once(rep: int) -> Sample:
            if fresh and out.exists():
                shutil.rmtree(out)
            if before:
                before(rep)
            out.mkdir(parents=True, exist_ok=True)
            return measure(cmd, out, cwd, env)
        todo.append(Job(case, once))

    for key, fmts in FORMATS.items():
        if "formats" not in skip and key not in skip:
            out = scratch / f"publikasi-{key}"
            timed(Case(n, f"publikasi {key}", "publikasi", key),
                  publikasi(source, "-o", out, "-f", fmts, "--no-cache", *j), out)
    out = scratch / "publikasi-all"
    if "all" not in skip:
        timed(Case(n, "publikasi all", "publikasi", "all"),
              publikasi(source, "-o", out, "--no-cache", *j), out)
    if "html" not in skip and "formats" not in skip:
        # The web edition's pages alone: html_pages.py prepares the pictures first
        # and times only the rendering, in-process.
        todo.append(Job(Case(n, "publikasi html, pages only", "publikasi", "html-pages"),
                        lambda rep: pages_only(source)))
    if "j1" not in skip:
        timed(Case(n, "publikasi all -j 1", "publikasi", "all-j1"),
              publikasi(source, "-o", out, "--no-cache", "-j", "1"), out)
    if "help" not in skip:
        help_out = scratch / "publikasi-help"
        timed(Case(n, "publikasi --help", "publikasi", "help"),
              [sys.executable, "-m", "publikasi", "--help"], help_out)
    if "warm" not in skip:
        cache = work / f"cache-{n}"
        shutil.rmtree(cache, ignore_errors=True)
        warm_out = scratch / "publikasi-warm"
        shutil.rmtree(warm_out, ignore_errors=True)
        fill = measure(publikasi(source, "-o", warm_out, "--cache-dir", cache, *j), warm_out)
        print(f"N={n:<5} {'(filling the cache)':<28} {fill.wall:8.2f} s", file=sys.stderr)
        warm = publikasi(source, "-o", warm_out, "--cache-dir", cache, *j)
        # Each round runs "no change" before "1 edited"; the previous round's
        # edited run left the cache agreeing with the source again.
        timed(Case(n, "publikasi all, warm, no change", "publikasi", "warm"), warm, warm_out,
              fresh=False)
        timed(Case(n, "publikasi all, warm, 1 edited", "publikasi", "warm-edit"), warm,
              warm_out, before=lambda rep: edit_one_article(source, rep), fresh=False)
    if "pandoc" not in skip and shutil.which("pandoc"):
        for ext in ("docx", "epub"):
            out = scratch / f"pandoc-{ext}"
            timed(Case(n, f"pandoc {ext}", "pandoc", ext),
                  ["pandoc", "corpus.md", "-o", str(out / f"corpus.{ext}"),
                   "--resource-path", str(corpus)], out, cwd=corpus)
        peer_bin = None if "weasyprint" in skip else peer_env()
        if peer_bin:
            out = scratch / "pandoc-pdf"
            env = {"PATH": os.pathsep.join([str(peer_bin), os.environ.get("PATH", "")])}
            timed(Case(n, "pandoc pdf (WeasyPrint)", "pandoc", "pdf"),
                  ["pandoc", "corpus.md", "-o", str(out / "corpus.pdf"),
                   "--pdf-engine=weasyprint", "--resource-path", str(corpus)], out,
                  cwd=corpus, env=env)
    if "floor" not in skip:
        for key in (k for k in FORMATS if (HERE / f"floor_{k}.py").is_file()):
            out = scratch / f"floor-{key}"
            timed(Case(n, f"floor {key}", "floor", key),
                  [sys.executable, str(HERE / f"floor_{key}.py"), str(corpus), str(out)], out)

    for rep in range(reps):
        for job in todo:
            sample = job.run(rep)
            job.case.samples.append(sample)
            status = "ok" if sample.ok else "FAILED " + sample.error
            print(f"N={n:<5} {job.case.name:<30} {sample.wall:8.2f} s  cpu {sample.cpu:8.2f} s  "
                  f"rss {sample.max_rss_mb:6.0f} MB  load {sample.load:5.1f}  {status}",
                  file=sys.stderr)
    return [job.case for job in todo]


# ---------------------------------------------------------------- report


def machine() -> dict[str, str]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pandoc = ""
    if shutil.which("pandoc"):
        pandoc = subprocess.run(["pandoc", "--version"], capture_output=True, text=True,
                                check=False).stdout.splitlines()[0]
    from importlib.metadata import version

    libs = []
    for name in ("publikasi", "reportlab", "rl-accel", "python-docx", "EbookLib", "feedgen",
                 "Pillow"):
        try:
            libs.append(f"{name} {version(name)}")
        except Exception:  # noqa: BLE001
            pass
    commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                            capture_output=True, text=True, check=False).stdout.strip()
    return {"commit": commit, "cpus": str(os.cpu_count()), "cpu": cpu,
            "python": platform.python_version(),
            "os": platform.platform(), "pandoc": pandoc, "libraries": ", ".join(libs),
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}


def _fmt(x: float) -> str:
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def find(cases: list[Case], size: int, name: str) -> Case | None:
    return next((c for c in cases if c.size == size and c.name == name and c.ok), None)


PANDOC_PEER = {"pdf": ["pandoc pdf (WeasyPrint)"], "docx": ["pandoc docx"],
               "epub": ["pandoc epub"], "all": ["pandoc docx", "pandoc epub"]}
PEER_LABEL = {"pdf": "Pandoc->WeasyPrint", "docx": "Pandoc DOCX", "epub": "Pandoc EPUB",
              "all": "Pandoc DOCX+EPUB"}


def peer_ratio(cases: list[Case], c: Case) -> tuple[float, float, str] | None:
    """(wall ratio, CPU ratio, peer name) of ``c`` against what Pandoc does instead."""
    names = PANDOC_PEER.get(c.fmt)
    if c.group != "publikasi" or not names:
        return None
    peers = [find(cases, c.size, name) for name in names]
    if not all(peers):
        return None
    wall = sum(p.med() for p in peers if p)
    cpu = sum(p.med("cpu") for p in peers if p)
    return c.med() / wall, c.med("cpu") / cpu, PEER_LABEL[c.fmt]


def ratio_note(cases: list[Case], c: Case) -> str:
    notes = []
    peer = peer_ratio(cases, c)
    if peer:
        notes.append(f"{peer[0]:.2f}x {peer[2]} (CPU {peer[1]:.2f}x)")
    if c.group == "publikasi" and c.fmt in FORMATS:
        floor = find(cases, c.size, f"floor {c.fmt}")
        if floor:
            notes.append(f"{c.med() / floor.med():.2f}x floor "
                         f"(CPU {c.med('cpu') / floor.med('cpu'):.2f}x)")
    if c.fmt in ("warm", "warm-edit"):
        cold = find(cases, c.size, "publikasi all")
        if cold:
            notes.append(f"{100 * c.med() / cold.med():.1f}% of cold "
                         f"(CPU {100 * c.med('cpu') / cold.med('cpu'):.1f}%)")
    if c.fmt == "all-j1":
        par = find(cases, c.size, "publikasi all")
        if par:
            notes.append(f"default -j is {c.med() / par.med():.2f}x faster")
    return "; ".join(notes)


# Issue 15's goals: (format, limit as a share of what Pandoc takes for the same corpus).
PEER_GOALS = [("pdf", 0.15), ("docx", 0.35), ("epub", 0.5), ("all", 0.5)]
WARM_GOAL = 0.05  # a rebuild with nothing changed, share of a cold build, from N=200
HELP_GOAL = 0.3  # seconds for `publikasi --help`
MEMORY_GOAL = 400  # MB, largest process, N=2000
PAGES_GOAL = 1.0  # seconds for the web edition's 200 article pages


def targets(cases: list[Case]) -> list[tuple[str, bool | None, str]]:
    """Issue 15's goals first (each with its measured ratio), then the earlier floor targets."""
    out: list[tuple[str, bool | None, str]] = []
    sizes = sorted({c.size for c in cases})
    for size in sizes:
        for fmt, limit in PEER_GOALS:
            mine = find(cases, size, "publikasi all" if fmt == "all" else f"publikasi {fmt}")
            peer = peer_ratio(cases, mine) if mine else None
            if mine and peer:
                what = "all formats" if fmt == "all" else fmt.upper()
                out.append((f"{what}, N={size}, <= {limit}x {peer[2]}", peer[0] <= limit,
                            f"{peer[0]:.2f}x wall, {peer[1]:.2f}x CPU"))
    pages = find(cases, 200, "publikasi html, pages only")
    if pages:
        out.append((f"web edition, N=200: the 200 article pages in < {PAGES_GOAL:g} s",
                    pages.med() < PAGES_GOAL,
                    f"{pages.med():.2f} s wall, {pages.med('cpu'):.2f} s CPU (pictures "
                    "prepared; a cold `-f html` build also makes every picture in 3 widths)"))
    for size in sizes:
        warm, cold = find(cases, size, "publikasi all, warm, no change"), \
            find(cases, size, "publikasi all")
        if warm and cold and size >= 200:
            r = warm.med() / cold.med()
            out.append((f"rebuild with nothing changed, N={size}, <= {100 * WARM_GOAL:g}% of "
                        "cold", r <= WARM_GOAL,
                        f"{100 * r:.1f}% wall ({warm.med():.2f} s of {cold.med():.2f} s), "
                        f"{100 * warm.med('cpu') / cold.med('cpu'):.1f}% CPU"))
    helps = [s for c in cases if c.name == "publikasi --help" and c.ok for s in c.samples]
    if helps:
        wall = statistics.median(s.wall for s in helps)
        out.append((f"`publikasi --help` <= {HELP_GOAL} s", wall <= HELP_GOAL,
                    f"{wall:.2f} s wall (median of {len(helps)}), "
                    f"{statistics.median(s.cpu for s in helps):.2f} s CPU"))
    big, mid = find(cases, 2000, "publikasi all"), find(cases, 200, "publikasi all")
    if big:
        peak = max(s.max_rss_mb for s in big.samples)
        tree = [s.tree_rss_mb for s in big.samples if s.tree_rss_mb]
        extra = f"; all processes together {max(tree):.0f} MB" if tree else ""
        out.append((f"peak memory <= {MEMORY_GOAL} MB at N=2000 (largest process)",
                    peak <= MEMORY_GOAL, f"{peak:.0f} MB{extra}"))
    if big and mid:
        r = big.med() / mid.med()
        out.append(("linear: t(2000)/t(200) <= 11 (all formats)", r <= 11,
                    f"{r:.1f} wall, {big.med('cpu') / mid.med('cpu'):.1f} CPU"))
    for size in sizes:
        for key in FORMATS:
            mine, floor = find(cases, size, f"publikasi {key}"), find(cases, size, f"floor {key}")
            if mine and floor:
                r = mine.med() / floor.med()
                out.append((f"(earlier target) {key}, N={size}, <= 1.3x floor", r <= 1.3,
                            f"{r:.2f}x (CPU {mine.med('cpu') / floor.med('cpu'):.2f}x)"))
    return out


def report(cases: list[Case], info: dict[str, str], reps: str, notes: list[str]) -> str:
    lines = ["# Benchmark results", "",
             "Generated by `python benchmarks/run.py` "
             f"(repetitions: {reps}); times are wall-clock seconds, median and min-max.", "",
             f"- Machine: {info['cpus']} CPUs ({info['cpu']}), {info['os']}",
             f"- Python {info['python']}; {info['pandoc']}; publikasi at {info['commit']}",
             f"- Libraries: {info['libraries']}",
             f"- Load average when the run started: {info['load']} "
             "(a busy machine makes wall times noisy; CPU time is steadier)",
             *[f"- {note}" for note in notes], ""]
    for size in sorted({c.size for c in cases}):
        n_releases = -(-size // 25)
        lines += [f"## N = {size} articles ({n_releases} releases, {-(-size // 3)} photos)", "",
                  "| run | median s | min-max s | CPU s | peak RSS MB | output MB | load "
                  "| compared |",
                  "|---|---:|---:|---:|---:|---:|---:|---|"]
        for c in (c for c in cases if c.size == size):
            if not c.samples:
                continue
            if not c.ok:
                lines.append(f"| {c.name} | failed | | | | | | {c.samples[-1].error[:80]} |")
                continue
            walls = [s.wall for s in c.samples]
            rss = max(s.max_rss_mb for s in c.samples)
            tree = [s.tree_rss_mb for s in c.samples if s.tree_rss_mb]
            rss_text = f"{rss:.0f}" + (f" ({max(tree):.0f} all)" if tree and
                                        max(tree) > rss * 1.2 else "")
            loads = [s.load for s in c.samples if s.load >= 0]
            load = f"{statistics.median(loads):.1f}" if loads else ""
            lines.append(f"| {c.name} | {_fmt(c.med())} | {_fmt(min(walls))}-{_fmt(max(walls))}"
                         f" | {_fmt(c.med('cpu'))} | {rss_text} | {c.med('out_mb'):.1f} | "
                         f"{load} | {ratio_note(cases, c)} |")
        lines.append("")
    lines += ["## Targets", "", "| target | holds | measured |", "|---|---|---|"]
    for name, held, text in targets(cases):
        lines.append(f"| {name} | {'yes' if held else 'no'} | {text} |")
    lines.append("")
    return "\n".join(lines)


TABLE_START = "<!-- benchmark-table: generated by benchmarks/run.py --update-docs -->"
TABLE_END = "<!-- /benchmark-table -->"
DOCS_PAGE = ROOT / "docs" / "speed.md"


def speed_tables(cases: list[Case], info: dict[str, str]) -> str:
    """The tables docs/speed.md quotes: per size, then issue 15's goals."""
    def cell(size: int, name: str, attr: str = "wall") -> str:
        c = find(cases, size, name)
        return _fmt(c.med(attr)) if c else "-"

    lines = [f"Median wall seconds on {info['cpus']} CPUs ({info['cpu']}), load average "
             f"{info['load']} when the run started, publikasi at `{info['commit']}`; "
             "full table in [`benchmarks/RESULTS.md`](../benchmarks/RESULTS.md).", "",
             "| N | PDF | Pandoc→WeasyPrint | DOCX | Pandoc DOCX | EPUB | Pandoc EPUB | "
             "all formats | all, -j 1 | rebuild, no change | rebuild, 1 edited | "
             "peak RSS MB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size in sorted({c.size for c in cases}):
        big = find(cases, size, "publikasi all")
        rss = f"{max(s.max_rss_mb for s in big.samples):.0f}" if big else "-"
        lines.append(" | ".join([
            f"| {size}", cell(size, "publikasi pdf"), cell(size, "pandoc pdf (WeasyPrint)"),
            cell(size, "publikasi docx"), cell(size, "pandoc docx"),
            cell(size, "publikasi epub"), cell(size, "pandoc epub"),
            cell(size, "publikasi all"), cell(size, "publikasi all -j 1"),
            cell(size, "publikasi all, warm, no change"),
            cell(size, "publikasi all, warm, 1 edited"), rss]) + " |")
    lines += ["", "| goal (issue 15) | holds | measured |", "|---|---|---|"]
    for name, held, text in targets(cases):
        if not name.startswith("(earlier"):
            lines.append(f"| {name} | {'yes' if held else '**no**'} | {text} |")
    return "\n".join(lines)


def update_docs(results: Path, page: Path = DOCS_PAGE) -> None:
    """Replace the generated part of docs/speed.md with tables made from ``results``."""
    data = json.loads(results.read_text())
    cases = [Case(c["size"], c["name"], c["group"], c["fmt"],
                  [Sample(**x) for x in c["samples"]]) for c in data["cases"]]
    text = page.read_text(encoding="utf-8")
    head, found, rest = text.partition(TABLE_START)
    _, found_end, tail = rest.partition(TABLE_END)
    if not (found and found_end):
        raise SystemExit(f"{page}: no {TABLE_START!r} ... {TABLE_END!r} markers")
    page.write_text(f"{head}{TABLE_START}\n{speed_tables(cases, data['machine'])}\n"
                    f"{TABLE_END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="20,200,2000")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--reps-for", default="", help="per-size repetitions, e.g. 2000=1")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--jobs", default=None, help="publikasi -j (default: its own default)")
    p.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) /
                   "publikasi-bench")
    p.add_argument("--skip", default="", help="comma list of: formats,j1,warm,help,pandoc,"
                   "weasyprint,floor,all or format names (docx,pdf,epub,feeds,html)")
    p.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    p.add_argument("--merge", type=Path, default=None,
                   help="an earlier results.json: its rows are kept unless re-measured now")
    p.add_argument("--report-only", type=Path, default=None,
                   help="rewrite --out from a results.json without measuring anything")
    p.add_argument("--update-docs", type=Path, default=None, metavar="RESULTS_JSON",
                   help="regenerate the tables in docs/speed.md from a results.json; no run")
    p.add_argument("--no-snapshot", action="store_true",
                   help="run the live source tree instead of a copy taken at the start")
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    per = {int(k): int(v) for k, v in (x.split("=") for x in args.reps_for.split(",") if x)}
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if args.update_docs:
        update_docs(args.update_docs)
        return 0
    if args.report_only:
        data = json.loads(args.report_only.read_text())
        cases = [Case(c["size"], c["name"], c["group"], c["fmt"],
                      [Sample(**x) for x in c["samples"]]) for c in data["cases"]]
        args.out.write_text(report(cases, data["machine"], data.get("reps", "?"),
                                   data.get("notes", [])), encoding="utf-8")
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    info = machine()
    earlier: list[Case] = []
    notes: list[str] = []
    if args.merge:
        old = json.loads(args.merge.read_text())
        for c in old["cases"]:
            earlier.append(Case(c["size"], c["name"], c["group"], c["fmt"],
                                [Sample(**x) for x in c["samples"]]))
        notes += old.get("notes", []) or [f"Earlier run: publikasi at {old['machine']['commit']}"
                                          f", load {old['machine']['load']}"]
    if not args.no_snapshot:
        SNAPSHOT.append(snapshot(args.work))
    cases: list[Case] = []
    if args.merge:
        notes.append(f"Re-measured in a later run (publikasi at {info['commit']}, load "
                     f"{info['load']}): sizes {args.sizes}, skipping {sorted(skip) or 'nothing'}")
    for n in sizes:
        cases += run_size(n, per.get(n, args.reps), args.work, args.seed, args.jobs, skip)
        # Write after every size, so a long run leaves results behind.
        reps = f"{args.reps}" + "".join(f", {k}: {v}" for k, v in per.items())
        fresh = {(c.size, c.name) for c in cases}
        merged = [c for c in earlier if (c.size, c.name) not in fresh] + cases
        order = {(c.size, c.name): i for i, c in enumerate(earlier + cases)}
        merged.sort(key=lambda c: (c.size, order[(c.size, c.name)]))
        args.out.write_text(report(merged, info, reps, notes), encoding="utf-8")
        (args.out.parent / "results.json").write_text(json.dumps(
            {"machine": info, "notes": notes, "reps": reps,
             "cases": [asdict(c) for c in merged]}, indent=1))
    print(args.out.read_text(encoding="utf-8"))
    return 0 if all(c.ok for c in cases) else 1


if __name__ == "__main__":
    sys.exit(main())
