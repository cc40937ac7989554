"""Build on a Dask cluster: for archives too large for one machine.

Install the extra (``pip install "publikasi[distributed]"``) and point the
build at a scheduler::

    from dask.distributed import Client
    from publikasi.builder import BuildOptions
    from publikasi.distributed import build_distributed

    client = Client("tcp://scheduler:8786")        # or Client(LocalCluster())
    build_distributed("arsip-2025", "dist", BuildOptions(), client=client)

or from a shell: ``python -m publikasi.distributed arsip-2025 -o dist
--scheduler tcp://scheduler:8786``.

How the work is split: this machine (the client) reads the sources into the
model once and plans the same tasks as a local build (see
:mod:`publikasi.parallel`): one per article file (e.g. each article's DOCX,
with its pictures prepared on the worker that runs it), one per edition
file (a release's PDF, EPUB and Word edition) and one per feed.  The parsed
model is sent to every worker once; tasks are mapped over the workers, long
ones first; each returns the bytes of its files, which the client writes
into the staging folder and commits atomically when the last one is in.
The build cache stays on the client: tasks found there are not sent at all.

Workers must read the pictures at the paths the client saw, so the source
folder has to be on a filesystem every worker mounts at the same path (NFS,
a synced folder, or a container volume).  The output folder and the cache
are only touched by the client.  Outputs are byte-identical to a local build.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .parallel import BuildState, Task, remote_task, use_runner

if TYPE_CHECKING:
    from .builder import BuildOptions, BuildResult

# Larger numbers run first: an edition PDF started last would leave every
# other worker idle while it finishes.
PRIORITY = {"publication": 3, "release": 2, "article": 1}


class DaskRunner:
    """Maps a build's tasks over the workers of a ``dask.distributed.Client``."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def run(self, state: BuildState, tasks: list[Task]) -> Iterator[tuple[int, tuple[str, Any]]]:
        from dask.distributed import as_completed

        build_id = uuid.uuid4().hex[:12]
        shared = self.client.scatter(state, broadcast=True, hash=False)
        futures = [self.client.submit(remote_task, shared, task, pure=False,
                                      key=f"publikasi-{build_id}-{k}",
                                      priority=PRIORITY[task.kind])
                   for k, task in enumerate(tasks)]
        index = {f.key: k for k, f in enumerate(futures)}
        try:
            for future, answer in as_completed(futures, with_results=True):
                yield index[future.key], answer
                future.release()  # the bytes are written; let the cluster forget them
        finally:
            self.client.cancel([f for f in futures if not f.done()])
            self.client.cancel(shared)


def build_distributed(source: Path | str, out: Path | str = "dist",
                      options: BuildOptions | None = None, *, client: Any) -> BuildResult:
    """:func:`publikasi.builder.build`, with every task run on ``client``'s cluster."""
    from .builder import build

    with use_runner(DaskRunner(client)):
        return build(source, out, options)


def main(argv: list[str] | None = None) -> int:
    """``python -m publikasi.distributed SOURCE -o OUT --scheduler ADDRESS``."""
    p = argparse.ArgumentParser(prog="python -m publikasi.distributed",
                                description="build a publikasi source on a Dask cluster")
    p.add_argument("source", type=Path)
    p.add_argument("-o", "--out", type=Path, default=Path("dist"))
    p.add_argument("-f", "--formats", default="")
    p.add_argument("--scheduler", default=None,
                   help="scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local "
                        "cluster with one worker per CPU)")
    p.add_argument("--no-cache", action="store_true")
    p.add_argument("--cache-dir", type=Path, default=None)
    args = p.parse_args(argv)
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        print('error: Dask is not installed; pip install "publikasi[distributed]"',
              file=sys.stderr)
        return 2
    from .builder import BuildOptions
    from .errors import InputError, terminal_safe

    cluster = None if args.scheduler else LocalCluster(processes=True, dashboard_address=":0")
    client = Client(args.scheduler or cluster)
    try:
        result = build_distributed(args.source, args.out, BuildOptions(
            formats=[f for f in args.formats.split(",") if f.strip()] or None,
            cache=not args.no_cache, cache_dir=args.cache_dir), client=client)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {terminal_safe(str(problem))}", file=sys.stderr)
        return 2
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    for line in result.warnings:
        print(f"warning: {terminal_safe(line)}", file=sys.stderr)
    for path in result.files:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
