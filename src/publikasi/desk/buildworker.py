"""The desk's build process: ``python -m publikasi.desk.buildworker``.

A child process that stays warm between builds (its libraries loaded: a
rebuild after one edit takes a fraction of a second instead of the second or
more that starting Python and importing the exporters take), and runs each
build exactly as ``publikasi build`` does: through :func:`publikasi.cli.main`,
with its messages, exit codes and atomic output folder.

Protocol: one JSON object per line on stdin, ``{"argv": [...]}``; one answer
per line on stdout, ``{"code": N, "stderr": "..."}``.  End of input ends the
process.

SIGINT interrupts a build under way (the build's transaction rolls its
output back and the answer has code 130); between builds it is ignored, so
Ctrl-C in the terminal stops the desk, which then closes this process's
input.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sys
from types import FrameType

_building = False


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    if _building:
        raise KeyboardInterrupt


def main() -> int:
    global _building
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    signal.signal(signal.SIGINT, _on_sigint)
    from .. import cli

    for line in sys.stdin:
        request = json.loads(line)
        err, out = io.StringIO(), io.StringIO()
        code: int | str | None
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
                _building = True
                try:
                    code = cli.main([str(a) for a in request["argv"]])
                finally:
                    _building = False
        except KeyboardInterrupt:  # between the flag and cli.main's own handling
            code = 130
        except SystemExit as exc:  # argparse
            code = exc.code
        answer = {"code": code if isinstance(code, int) else 2, "stderr": err.getvalue()}
        answers.write(json.dumps(answer, ensure_ascii=False) + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
