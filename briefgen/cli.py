"""The ``briefgen`` command line: build, serve, check, new, init (SPEC §8)."""

from __future__ import annotations

import argparse
import gc
import os
import shlex
import sys
from datetime import datetime
from pathlib import Path

from briefgen import __version__
from briefgen.build import BuildOptions, BuildResult, build
from briefgen.chars import shortened, visible
from briefgen.config import (
    base_url_problem,
    folder_problem,
    load_config,
    local_base_url_warning,
)
from briefgen.contentfiles import Collection
from briefgen.dates import DateError
from briefgen.errors import SourceLines
from briefgen.report import TerminalProgress, plural, print_diagnostics, print_mentions
from briefgen.scaffold import KINDS, date_in_id, existing_files, init_site, starter
from briefgen.schema import url_problem
from briefgen.slug import id_slug, is_valid_id

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefgen",
        description="Build a static website of cited, cross-linked briefings from YAML and "
                    "Markdown.",
        epilog="Run 'briefgen COMMAND --help' for a command's options. "
               "Exit status: 0 success, 1 content or build errors, 2 wrong usage.",
    )
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    parser.add_argument("--site", metavar="DIR", type=_folder, default=Path("."),
                        help="the site folder, holding site.yaml (default: the current folder)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build_cmd = commands.add_parser("build", help="build the whole site",
                                    description="Validate everything, then build the site into "
                                                "the output folder (swapped in on success).")
    build_cmd.add_argument("--out", metavar="DIR", type=_folder,
                           help="output folder (default: output_dir of site.yaml, 'public')")
    _visibility_options(build_cmd)
    build_cmd.add_argument("--base-url", metavar="URL",
                           help="override base_url of site.yaml (e.g. for a staging host)")
    build_cmd.add_argument("-q", "--quiet", action="store_true",
                           help="print only errors, no warnings or summary")

    serve_cmd = commands.add_parser("serve", help="build, serve and rebuild on changes",
                                    description="Live preview: build, serve on loopback, watch "
                                                "the site and reload the browser on changes.")
    serve_cmd.add_argument("--host", type=_host, default="127.0.0.1",
                           help="address to bind (default 127.0.0.1)")
    serve_cmd.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    _visibility_options(serve_cmd)
    serve_cmd.add_argument("--poll", action="store_true",
                           help="watch by polling (network drives, virtual machines)")

    check_cmd = commands.add_parser("check", help="validate everything, write nothing",
                                    description="Report every error and warning; write nothing.")
    check_cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check_cmd.add_argument("--mentions", action="store_true",
                           help="also list actor names and aliases that entries hold without "
                                "a link (never an error)")
    _visibility_options(check_cmd)

    new_cmd = commands.add_parser("new", help="write a starter briefing, actor, source or page",
                                  description="Write a starter file; never overwrites.")
    new_cmd.add_argument("kind", choices=KINDS)
    new_cmd.add_argument("id", help="the new file's id: lower-case letters, digits, hyphens "
                                    "(a source id that ends in a date, such as "
                                    "memo-2024-03-01, gives the source that date)")
    new_cmd.add_argument("--yaml", action="store_true",
                         help="write a briefing in its YAML form (lead and entries) instead "
                              "of Markdown")

    init_cmd = commands.add_parser("init", help="scaffold a new site in an empty folder",
                                   description="Create a site with one example of each kind.")
    init_cmd.add_argument("dir", type=_folder)
    return parser


def _visibility_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--drafts", action="store_true", help="include briefings with status: draft")
    cmd.add_argument("--future", action="store_true", help="include briefings dated in the future")


def _summary(result: BuildResult, errors: int, warnings: int, verb: str) -> str:
    c = result.counts
    parts = [plural(c.get("briefings", 0), "briefing") + f" ({plural(c.get('entries', 0), 'entry')})",
             plural(c.get("actors", 0), "actor"), plural(c.get("sources", 0), "source"),
             plural(c.get("pages", 0), "page")]
    return f"{verb} {', '.join(parts)} in {result.seconds:.2f} s" + \
        (f"; {plural(warnings, 'warning')}" if warnings else "")


def _held_to_exit(args: argparse.Namespace, result: BuildResult) -> None:
    """Under ``run``, a build's objects live until the process exits (see there)."""
    held: list[object] | None = getattr(args, "held", None)
    if held is not None:
        held.append(result)


def cmd_build(args: argparse.Namespace) -> int:
    wrong = args.base_url and (url_problem(args.base_url) or base_url_problem(args.base_url))
    if wrong:
        print(f"briefgen build: --base-url {wrong}", file=sys.stderr)
        return EXIT_USAGE
    unusable = folder_problem(args.out, must_exist=False) if args.out else None
    if unusable:
        print(f"briefgen build: --out {visible(shortened(str(args.out)))} {unusable}", file=sys.stderr)
        return EXIT_USAGE
    progress = TerminalProgress()
    options = BuildOptions(out=args.out, drafts=args.drafts, future=args.future,
                           base_url=args.base_url, progress=progress,
                           waiting=lambda message: print(f"briefgen: {message}", file=sys.stderr,
                                                         flush=True))
    result = build(args.site, options)
    _held_to_exit(args, result)
    progress.clear()
    for note in result.notes:
        print(f"briefgen: note: {note}", file=sys.stderr)
    found = result.diagnostics
    # Only a build that writes the site: the warning is about the links it publishes.
    local = local_base_url_warning(result.config) \
        if result.config is not None and result.ok and not args.base_url else None
    if local is not None:
        found = [*found, local]
    diagnostics = found if not args.quiet else [d for d in found if d.severity.value == "error"]
    errors, warnings = print_diagnostics(diagnostics, SourceLines(args.site))
    if errors:
        where = f" {visible(str(result.out))} is unchanged." if result.out else ""
        print(f"Build failed: {plural(errors, 'error')}, {plural(warnings, 'warning')}. "
              f"Nothing was written.{where}", file=sys.stderr)
        return EXIT_CONTENT
    if not args.quiet and result.stats is not None:
        s = result.stats
        print(_summary(result, errors, warnings, "Built"))
        print(f"  {visible(str(result.out))}: {plural(result.counts.get('files', 0), 'file')} "
              f"({s.written} written, {s.unchanged} unchanged, {s.removed} removed"
              + (f", {s.kept} of yours kept" if s.kept else "") + ")")
        if result.images is not None:
            i = result.images
            print(f"  images: {i.resized} resized in {i.seconds:.2f} s, {i.reused} reused")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    result = build(args.site, BuildOptions(drafts=args.drafts, future=args.future, write=False,
                                           mentions=args.mentions))
    _held_to_exit(args, result)
    sources = SourceLines(args.site)
    errors, warnings = print_diagnostics(result.diagnostics, sources)
    if args.mentions:
        print_mentions(result.mentions, sources)
    verdict = "failed" if errors or (args.strict and warnings) else "passed"
    mentioned = f"; {plural(len(result.mentions), 'unlinked mention')}" if args.mentions else ""
    print(f"Check {verdict}: {plural(errors, 'error')}, {plural(warnings, 'warning')}"
          + (" (--strict: warnings count as errors)" if args.strict and warnings else "")
          + mentioned, file=sys.stderr)
    return EXIT_CONTENT if verdict == "failed" else EXIT_OK


def _folder(text: str) -> Path:
    """A folder named on the command line: an empty name (a shell variable that was not
    set, ``--out "$OUT"``) is a usage error, not the current folder."""
    if not text:
        raise argparse.ArgumentTypeError("needs a folder name, not an empty one (for the "
                                         "current folder, write '.')")
    return Path(text)


def _host(text: str) -> str:
    """An address to listen on: an empty one would be every address of the machine, said
    as ``http://:8000/``."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs an address, not an empty one (every address "
                                         "of this machine: write 0.0.0.0)")
    return text


def _port(text: str) -> int:
    """A TCP port number, as ``--port`` takes it (a usage error otherwise)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 1 <= port <= 65535:  # (0, "any free port", would give pages a wrong address)
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1 to 65535)")
    return port


def cmd_new(args: argparse.Namespace) -> int:
    if not is_valid_id(args.id):
        print(f"briefgen new: '{visible(args.id)}' is not a valid id (lower-case letters, "
              f"digits and hyphens); try '{id_slug(args.id) or 'my-id'}'", file=sys.stderr)
        return EXIT_USAGE
    refused = _new_refused(args.kind, args.id, args.yaml)
    if refused:
        print(f"briefgen new: {refused}", file=sys.stderr)
        return EXIT_USAGE
    config, diags = load_config(args.site)
    if config is None:
        print_diagnostics(diags.items, SourceLines(args.site))
        return EXIT_CONTENT
    collection = Collection(args.kind + "s")
    folder = config.content_path / collection.value
    if not folder.resolve().is_relative_to(config.content_path.resolve()):
        # As a build would refuse it: a linked folder is followed only inside content/.
        print(f"briefgen new: {folder} is a link to {folder.resolve()}, outside "
              f"{config.content_dir}/; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    suffix, text = starter(args.kind, args.id, datetime.now(config.zone).date(), args.yaml)
    path = folder / f"{args.id}{suffix}"
    try:
        clash = existing_files(folder, args.id)
        if clash:
            print(f"briefgen new: {clash[0]} already exists; nothing was written",
                  file=sys.stderr)
            return EXIT_CONTENT
        if folder.exists() and not folder.is_dir():
            print(f"briefgen new: {folder} is a file, not a folder; nothing was written",
                  file=sys.stderr)
            return EXIT_CONTENT
        folder.mkdir(parents=True, exist_ok=True)
        if args.kind == "source":
            _note_date_in_id(args.id)
        with path.open("x", encoding="utf-8") as handle:  # never overwrite, even in a race
            handle.write(text)
    except FileExistsError:
        print(f"briefgen new: {path} already exists; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    except OSError as exc:  # a name too long, a file where the folder should be, ...
        print(f"briefgen new: cannot write {path}: {exc.strerror or exc}; nothing was written",
              file=sys.stderr)
        return EXIT_CONTENT
    print(f"Wrote {path}")
    return EXIT_OK


def _new_refused(kind: str, doc_id: str, yaml_form: bool) -> str | None:
    """Why ``new`` cannot write this starter at all, or None."""
    from briefgen.site.documents import RESERVED_PAGE_IDS

    if kind == "page" and yaml_form:
        return "free pages are Markdown only; leave out --yaml"
    if kind == "page" and doc_id in RESERVED_PAGE_IDS:
        reserved = ", ".join(sorted(i for i in RESERVED_PAGE_IDS if is_valid_id(i)))
        return (f"'{doc_id}' cannot be a page id: briefgen makes /{doc_id}/ itself (the ids "
                f"{reserved} are taken); choose another id")
    return None


def _note_date_in_id(doc_id: str) -> None:
    try:
        date_in_id(doc_id)
    except DateError as exc:
        print(f"briefgen new: note: the id ends in a date that does not exist ({exc}); the "
              "source is dated today", file=sys.stderr)


def cmd_init(args: argparse.Namespace) -> int:
    target: Path = args.dir
    try:
        what = None
        if target.is_symlink() and not target.exists():
            what = "a symbolic link that leads nowhere"
        elif target.exists() and not target.is_dir():
            what = "a file, not a folder"
        elif target.exists() and any(target.iterdir()):
            what = "not an empty folder"
        if what is not None:
            print(f"briefgen init: {target} is {what}; nothing was written", file=sys.stderr)
            return EXIT_CONTENT
        written = init_site(target)
    except OSError as exc:  # a name too long, a file on the way, a folder not writable, ...
        print(f"briefgen init: cannot create a site in {target}: {exc.strerror or exc}",
              file=sys.stderr)
        return EXIT_CONTENT
    print(f"Created a new site in {target} ({plural(len(written), 'file')}).")
    here = target.resolve() == Path.cwd().resolve()
    go = "" if here else f"cd {shlex.quote(str(target))} && "
    print(f"Next: {go}briefgen serve   (or: briefgen build)")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from briefgen.preview import serve

    return serve(args.site, host=args.host, port=args.port, drafts=args.drafts,
                 future=args.future, poll=args.poll)


COMMANDS = {"build": cmd_build, "check": cmd_check, "new": cmd_new, "init": cmd_init,
            "serve": cmd_serve}


ONE_SHOT = {"build", "check", "new", "init"}  # commands that end when their work is done


def run() -> None:
    """The console command: ``main``, then a quick exit. Tearing down a large build's
    objects one by one at exit takes seconds and serves nothing: every file is closed.
    A one-shot command also leaves the cycle collector off for good (see
    ``collector.paused``): the process ends before any garbage would matter."""
    args = _parser().parse_args()
    if args.command in ONE_SHOT:
        gc.disable()
        args.held = []  # what the command made, freed by the exit alone
    code = _dispatch(args)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    return _dispatch(_parser().parse_args(argv))


def _dispatch(args: argparse.Namespace) -> int:
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
