"""Command line: thin argument parsing over the library (see docs in README).

Heavy libraries are imported inside the command functions so that
``publikasi --help`` and ``--version`` answer at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__

EXAMPLES = {
    "build": """examples:
  publikasi build samples/warta-malang -o dist
  publikasi build samples/warta-malang/2025-46 -f pdf,epub -t buletin --paper f4
  publikasi build rilis.txt -o out --base-url https://malangkota.go.id/berita/""",
    "inspect": """example:
  publikasi inspect samples/warta-malang/2025-46 > model.json""",
    "import": """examples:
  publikasi import rilis-humas.txt -o samples/warta-malang/2025-47
  publikasi import halaman-tersimpan.html -o samples/warta-malang/2025-47
  publikasi import https://example.go.id/berita/123 --allow-remote -o rilis/
  publikasi import editan-redaktur.docx --into samples/warta-malang/2025-46""",
    "check": """examples:
  publikasi build samples/warta-malang -o dist && publikasi check dist
  publikasi check dist --require-all     # in CI: a missing validator is an error
  publikasi check laporan.pdf            # any PDF: PDF/A-2/3 and PDF/UA-1 rules""",
    "new": """example:
  publikasi new warta-2025-47""",
    "themes": """example:
  publikasi themes""",
    "serve": """examples:
  publikasi serve samples/warta-malang            # then open the printed address
  publikasi serve samples/warta-malang --host 0.0.0.0 --port 8080 --no-open""",
}


def _parser() -> argparse.ArgumentParser:
    from .registry import registry  # entry-point names only: no exporter is imported

    p = argparse.ArgumentParser(
        prog="publikasi",
        description="Turn a release of press articles into a PDF bulletin, Word files, "
                    "an EPUB and RSS/Atom/JSON feeds.",
        epilog="example:\n  publikasi build samples/warta-malang -o dist\n\n"
               "Run `publikasi COMMAND --help` for the options of a command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"publikasi {__version__}")
    p.add_argument("--debug", action="store_true", help="show a traceback on unexpected errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def cmd(name: str, help_text: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text, epilog=EXAMPLES[name],
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        sp.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show a traceback on unexpected errors")
        return sp

    b = cmd("build", "build every output format from a source")
    b.add_argument("source", type=Path, help="release folder, publication folder, or .md/.txt file")
    b.add_argument("-o", "--out", type=Path, default=Path("dist"),
                   help="output folder (default: dist)")
    b.add_argument("-f", "--formats", default="",
                   help=f"comma list of {','.join(registry())} (default: all; plugins "
                   "included)")
    b.add_argument("-t", "--theme", default=None, help="theme name or folder (default: from the "
                   "release, else `default`)")
    b.add_argument("-j", "--jobs", type=int, default=None,
                   help="parallel worker processes (default: number of CPUs for builds large "
                   "enough to gain from them)")
    b.add_argument("--paper", choices=["a4", "f4", "letter"], default=None,
                   help="paper size for the PDF bulletin and the Word files (overrides the theme)")
    b.add_argument("--no-cache", action="store_true", help="build cold: neither read nor write "
                   "the build cache")
    b.add_argument("--cache-dir", type=Path, default=None, help="where the build cache lives")
    b.add_argument("--base-url", default=None, help="base URL for feeds when the source has none")
    b.add_argument("--allow-remote", action="store_true",
                   help="download http(s) images named in the source (size limit and timeout "
                   "from `limits:`); without it a build never uses the network")
    b.add_argument("--strict", action="store_true",
                   help="treat every reader guess (unknown date, no dateline) as an error")

    i = cmd("inspect", "print the parsed model as JSON")
    i.add_argument("source", type=Path)
    i.add_argument("--strict", action="store_true")

    im = cmd("import", "turn pasted .txt releases, saved .html pages, web pages (URL) or "
             "edited .docx files into .md articles")
    im.add_argument("files", nargs="+", help="files, or http(s) addresses with --allow-remote")
    dest = im.add_mutually_exclusive_group()
    dest.add_argument("-o", "--out", type=Path, default=None, help="folder for the .md files "
                      "(default: current folder)")
    dest.add_argument("--into", type=Path, default=None,
                      help="release folder the .docx came from (replaces the article there)")
    im.add_argument("--strict", action="store_true")
    im.add_argument("--yes", action="store_true", help="overwrite existing .md files (the "
                    "previous versions are kept in .publikasi/history/)")
    im.add_argument("--force", action="store_true",
                    help="replace an article even when the new one has another title and "
                    "mostly another text")
    im.add_argument("--accept-changes", action="store_true",
                    help="apply tracked changes in .docx files instead of refusing them")
    im.add_argument("--allow-remote", action="store_true",
                    help="download web pages given as URLs, and their pictures (size limit and "
                    "timeout as for remote pictures in a build)")

    c = cmd("check", "validate built outputs (a folder, or one file such as any PDF) with the "
            "validators that are installed; PDFs also against PDF/A and PDF/UA rules")
    c.add_argument("out", type=Path)
    c.add_argument("--require-all", action="store_true",
                   help="fail (exit 2) when a validator is not installed and so a file is "
                   "not checked")

    n = cmd("new", "create a release folder to start from")
    n.add_argument("dir", type=Path)

    cmd("themes", "list the built-in themes")

    s = cmd("serve", "the desk: a live preview and editing pages in the browser")
    s.add_argument("source", type=Path, help="release folder, publication folder, or .md/.txt file")
    s.add_argument("--port", type=int, default=None,
                   help="port to listen on (default: 8765, or a free one when it is taken; "
                   "0: any free port)")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this computer only; any "
                   "other address requires the access token in the printed URL)")
    s.add_argument("--no-open", action="store_true", help="do not open a browser")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    debug = getattr(args, "debug", False)
    from .errors import InputError, terminal_safe

    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        for warning in exc.warnings:
            print(f"warning: {terminal_safe(str(warning))}", file=sys.stderr)
        for problem in exc.problems:
            print(f"error: {terminal_safe(str(problem))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        from .atomic import BuildInterrupted

        # `error: FILE: message` like every other error; FILE is the output folder.
        where = terminal_safe(str(getattr(args, "out", None) or args.command))
        if isinstance(exc, BuildInterrupted):  # SIGTERM/SIGHUP
            print(f"error: {where}: terminated; the output folder was left as it was",
                  file=sys.stderr)
            return 143
        print(f"error: {where}: interrupted; the output folder was left as it was",
              file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        from .atomic import is_disk_full

        if not is_disk_full(exc) or debug:
            return _unexpected(exc, debug)
        # A full disk outside a build's output folder (import, new, the cache).
        where = terminal_safe(str(exc.filename or getattr(args, "out", None) or args.command))
        print(f"error: {where}: no space left on device (or the file size limit was "
              "reached)", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the one place unexpected errors are reported
        from .builder import BuildInterrupted

        if isinstance(exc, BuildInterrupted):
            print("error: terminated; the output folder was left as it was", file=sys.stderr)
            return 143
        return _unexpected(exc, debug)


def _unexpected(exc: Exception, debug: bool) -> int:
    if debug:
        raise exc
    from .errors import terminal_safe

    print(f"publikasi: unexpected error: {type(exc).__name__}: {terminal_safe(str(exc))} "
          "(run again with --debug for details)", file=sys.stderr)
    return 1


def _warn(lines: list[str]) -> None:
    from .errors import terminal_safe

    for line in lines:
        print(f"warning: {terminal_safe(line)}", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        from .errors import fail

        raise fail("-j", "must be 1 or more")
    asked = {
        "formats": [f for f in args.formats.split(",") if f.strip()] or None,
        "theme": args.theme, "paper": args.paper, "jobs": args.jobs, "cache": not args.no_cache,
        "cache_dir": args.cache_dir, "strict": args.strict, "base_url": args.base_url,
        "allow_remote": args.allow_remote,
    }
    from .stamp import check

    # Nothing changed since the last build into OUT: answer before loading anything.
    done = check(args.source, args.out, asked)
    if done is not None:
        _warn(done.warnings)
        for line in done.files:
            print(line)
        from .errors import terminal_safe

        print(f"note: {terminal_safe(str(args.out))}: up to date, nothing rebuilt (no source "
              "file, option or output changed since the last build)", file=sys.stderr)
        return 0
    from .builder import BuildOptions, build

    result = build(args.source, args.out, BuildOptions(**asked))
    _warn(result.warnings)
    for path in result.files:
        print(path)
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from .serialize import publication_json
    from .source import load

    loaded = load(args.source, strict=args.strict)
    _warn([str(w) for w in loaded.warnings])
    json.dump(publication_json(loaded.publication), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .importer import import_files

    report = import_files(args.files, out=args.out, into=args.into, strict=args.strict,
                          overwrite=args.yes, accept_changes=args.accept_changes,
                          allow_remote=args.allow_remote, force=args.force)
    _warn(report.warnings)
    for line in report.lines:
        print(line)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check_folder
    from .errors import terminal_safe

    results = check_folder(args.out)
    for r in results:
        print(r.line())
    where = terminal_safe(str(args.out))
    failed = sum(r.failed for r in results)
    unchecked = sum(not r.ok and not r.failed for r in results)
    if failed:
        print(f"error: {where}: {failed} file(s) failed validation", file=sys.stderr)
    if unchecked:
        kind = "error" if args.require_all else "warning"
        print(f"{kind}: {where}: {unchecked} file(s) not fully checked: a validator is not "
              "installed (see `not checked` above)", file=sys.stderr)
    return 2 if failed or (unchecked and args.require_all) else 0


def cmd_new(args: argparse.Namespace) -> int:
    from .scaffold import new_release

    for path in new_release(args.dir):
        print(path)
    return 0


def cmd_themes(args: argparse.Namespace) -> int:
    from .themes import available_themes

    for name, description in available_themes():
        print(f"{name:12} {description}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .desk.server import serve

    if args.port is not None and not 0 <= args.port <= 65535:
        from .errors import fail

        raise fail("--port", "must be between 0 and 65535")
    return serve(args.source, host=args.host, port=args.port, open_browser=not args.no_open)


COMMANDS = {
    "build": cmd_build, "inspect": cmd_inspect, "import": cmd_import, "check": cmd_check,
    "new": cmd_new, "themes": cmd_themes, "serve": cmd_serve,
}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
