"""Time the PDF of one article holding one long table, for several row counts.

    python benchmarks/long_table.py [ROWS ...]     # default: 2500 5000 10000

Each size is built cold (no cache) in a child process; its wall time and its
CPU time (user + system, which a busy machine does not inflate) are printed
with the CPU time per 1,000 rows: near-constant time per row means the
layout is linear (issue 16 item 13: 10,000 rows must take under 30 s).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUILD = r"""
import sys
from pathlib import Path
from publikasi.builder import BuildOptions, build
root, rows = Path(sys.argv[1]), int(sys.argv[2])
root.mkdir(parents=True)
(root / "release.yaml").write_text("title: Tabel Panjang\ndate: 2025-11-10\n")
body = "\n".join(f"| Baris {n} | {n * 3} | keterangan {n % 17} |" for n in range(rows))
(root / "t.md").write_text("---\ntitle: Data\ndate: 2025-11-10\n---\n\n"
                           "| Nama | Nilai | Catatan |\n|---|--:|---|\n" + body + "\n")
build(root, root.parent / "out", BuildOptions(formats=["pdf"], cache=False))
"""


def main(sizes: list[int]) -> None:
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", BUILD, str(Path(tmp) / "t"), str(rows)],
                           check=True)
            took = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            pages = subprocess.run(["pdfinfo", str(Path(tmp) / "out" / "t.pdf")],
                                   capture_output=True, text=True, check=True).stdout
            count = next(line.split()[-1] for line in pages.splitlines()
                         if line.startswith("Pages:"))
        print(f"{rows:>7} rows  {count:>5} pages  wall {took:6.1f} s  CPU {cpu:6.1f} s  "
              f"({cpu / rows * 1000:4.2f} s CPU per 1,000 rows)", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [2500, 5000, 10000])
