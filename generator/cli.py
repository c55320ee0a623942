"""The `dailypapers` command: build, check, serve, new, import, seed, synthesize and check-size."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

from generator.build import Progress, build
from generator.config import CONFIG_FILE, SiteConfig, load_config
from generator.importers.arxiv import ARXIV_API, fetch_arxiv
from generator.importers.command import (
    add_fetch_options,
    add_import_command,
    command_parser,
    parse_day,
    run_import,
    said_on_stderr,
    web_address,
)
from generator.importers.fetch import FetchError
from generator.parallel import in_second_process
from generator.problems import BuildFailed, Problem, printable
from generator.read.listing import display_path
from generator.read.records import arxiv_problem, slug_for_arxiv
from generator.recordfile import RecordFileError, existing_record, write_record, write_seed, write_skeleton
from generator.write.artifact import GITHUB_PAGES_BYTES, artifact_of
from generator.write.writer import OutputError


def add_site_options(parser: argparse.ArgumentParser, *, output: bool = True) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), help="the record folder")
    parser.add_argument("--config", type=Path, default=Path(CONFIG_FILE), help="the settings file")
    if output:
        parser.add_argument("--output", type=Path, default=Path("output"), help="the site folder")
        parser.add_argument("--layouts", type=Path, default=Path("layouts"), help="the templates and assets")
        parser.add_argument("--node-modules", type=Path, default=Path("node_modules"),
                            help="where npm installed lunr.js")
        parser.add_argument("--base-url", help="the address the site is published at, ending in /")
        parser.add_argument("--cache", type=Path, default=Path(".dailypapers-cache"),
                            help="where a build keeps what the next one can reuse")
        parser.add_argument("--no-cache", dest="cache", action="store_const", const=None,
                            help="build everything from scratch and keep nothing")


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dailypapers")
    except PackageNotFoundError:  # run from a checkout without installing
        return "unknown"


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dailypapers", description="Build a daily paper digest site: one file "
                                     "per paper in content/, a static website out in output/.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command", help="one of:")

    build_parser = command_parser(commands, "build", "check every record and build the site")
    add_site_options(build_parser)
    build_parser.add_argument("--quiet", action="store_true", help="print only problems")
    build_parser.add_argument("--verify", action="store_true",
                              help="check every file of the site folder against what the last build left and "
                                   "repair what was edited or deleted by hand (otherwise a build trusts it to hold "
                                   "what the last build left)")

    check_parser = command_parser(commands, "check", "check the records, or the given ones; build nothing")
    add_site_options(check_parser, output=False)
    check_parser.add_argument("files", nargs="*", type=Path,
                              help="check only these records (a pull request's), against the whole archive")

    serve_parser = command_parser(commands, "serve", "build, serve locally, rebuild on every change")
    add_site_options(serve_parser)
    serve_parser.add_argument("--host", default="127.0.0.1", help="the address to serve at (0.0.0.0: every one)")
    serve_parser.add_argument("--port", type=int, default=8000, help="the port to serve at")
    serve_parser.add_argument("--poll", action="store_true",
                              help="look for changes by listing the files, not by the system's notices (for "
                                   "folders on a network or in a container, whose changes the system may not tell)")

    new_parser = command_parser(commands, "new", "write a record for an arXiv paper, filled in from arXiv")
    new_parser.add_argument("arxiv_id", help="the paper's arXiv id, like 2305.02993 (arXiv:2305.02993 or its "
                            "arxiv.org address work too)")
    new_parser.add_argument("--day", type=parse_day, default=None,
                            help="the day it is featured, YYYY-MM-DD (default: today, UTC)")
    new_parser.add_argument("--content", type=Path, default=Path("content"), help="the record folder to write into")
    new_parser.add_argument("--offline", action="store_true", help="write an empty record; ask no one")
    new_parser.add_argument("--arxiv-api", type=web_address, default=ARXIV_API, help="the arXiv API's address")
    add_fetch_options(new_parser)

    add_import_command(commands)

    synthetic_parser = command_parser(commands, "synthesize", "write a synthetic archive for benchmarks")
    synthetic_parser.add_argument("--papers", type=int, required=True,
                                  help="how many records to write (the benchmarks use 10000 and 100000)")
    synthetic_parser.add_argument("--seed", type=int, default=2026,
                                  help="the random seed: the same seed writes the same records")
    synthetic_parser.add_argument("--content", type=Path, required=True,
                                  help="an empty folder to write into (never your real content/)")

    size_parser = command_parser(commands, "check-size", "say whether the built site fits its host; fail if not")
    size_parser.add_argument("--output", type=Path, default=Path("output"), help="the site folder")
    size_parser.add_argument("--max-bytes", type=int, default=GITHUB_PAGES_BYTES,
                             help="the most the site may weigh as a tar (default: GitHub Pages' 1 GB)")
    size_parser.add_argument("--max-files", type=int, default=None,
                             help="the most files the host takes (GitLab Pages: 200000)")

    seed_parser = command_parser(commands, "seed", "write records from a seed-papers.json file")
    seed_parser.add_argument("json_file", type=Path, help="a JSON list of papers, like tests/data/seed-papers.json")
    seed_parser.add_argument("--content", type=Path, default=Path("content"), help="the record folder to write into")
    seed_parser.add_argument("--day", type=parse_day, default=None,
                             help="feature every paper on this day, YYYY-MM-DD (default: each on its arXiv date)")
    return parser


def report_problems(problems: list[Problem], outcome: str = "nothing was written") -> int:
    print(BuildFailed(problems).report(outcome), file=sys.stderr)
    return 1


def read_config(args: argparse.Namespace, outcome: str = "nothing was written") -> SiteConfig | None:
    config, problems = load_config(args.config, base_url=getattr(args, "base_url", None))
    if problems:
        report_problems(problems, outcome)
        return None
    return config


def run_build(args: argparse.Namespace) -> int:
    config = read_config(args)
    if config is None:
        return 1
    progress = Progress(stream=None if args.quiet else sys.stderr)
    try:
        summary = build(args.content, args.output, args.layouts, config, progress, args.node_modules, args.cache,
                        args.verify, args.hold)
    except BuildFailed as failed:
        return report_problems(failed.problems)
    except OutputError as error:
        said_on_stderr(f"error: {error}")
        return 2
    if not args.quiet:
        print(summary)
    return 0


def github_annotation(problem: Problem) -> str:
    """Format a problem as a GitHub Actions error annotation, shown on the pull request's diff."""
    def escape(text: str, *, property: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if property else text

    return (f"::error file={escape(printable(problem.path), property=True)},line={max(problem.line, 1)},"
            f"title={escape(printable(problem.field), property=True)}::{escape(printable(problem.message))}")


def given_file_problems(files: list[Path], content_dir: Path) -> list[Problem]:
    """Say which of the files named on the command line cannot be records of the archive."""
    problems = []
    root = os.path.join(os.path.realpath(content_dir), "")
    for path in files:
        # The file's folder resolved, its own name kept: a link (even one to itself) is named as it is.
        if not os.path.join(os.path.realpath(path.parent), path.name).startswith(root):
            message = f"is not under {content_dir.as_posix()}/, where records live"
            problems.append(Problem(display_path(path), 1, "file", message))
        elif not os.path.lexists(path):
            problems.append(Problem(display_path(path), 1, "file", "not found"))
    return problems


def run_check(args: argparse.Namespace) -> int:
    config = read_config(args, "fix them and run the check again")
    if config is None:
        return 1
    from generator.read.content import read_papers  # here: a build that has nothing to do need not load it
    from generator.site.pages import count_label

    changed = frozenset(display_path(path) for path in args.files)
    papers, problems = read_papers(args.content, changed=changed, beside=in_second_process)
    problems += given_file_problems(args.files, args.content)
    if changed:
        problems = [problem for problem in problems if problem.path in changed]
    if problems:
        if os.environ.get("GITHUB_ACTIONS") == "true":
            print("\n".join(github_annotation(problem) for problem in sorted(problems)))
        return report_problems(problems, "fix them and run the check again")
    if changed:
        print(f"{count_label(len(changed), 'record')} checked against all {len(papers):,}: no problems.")
    else:
        print(f"{count_label(len(papers), 'record')} checked: no problems.")
    return 0


def pasted_arxiv_id(text: str) -> str:
    """The arXiv id in what a person pastes: arXiv:2401.12345, or an abs or pdf address of it."""
    text = text.strip()
    for prefix in ("arXiv:", "arxiv:", "https://arxiv.org/abs/", "http://arxiv.org/abs/", "https://arxiv.org/pdf/",
                   "http://arxiv.org/pdf/", "https://www.arxiv.org/abs/", "arxiv.org/abs/"):
        if text.startswith(prefix):
            text = text[len(prefix):].removesuffix(".pdf").rstrip("/")
            break
    return text


def run_new(args: argparse.Namespace) -> int:
    day = args.day or dt.datetime.now(dt.UTC).date()
    args.arxiv_id = pasted_arxiv_id(args.arxiv_id)
    problem = arxiv_problem(args.arxiv_id)
    found = existing_record(args.content, slug_for_arxiv(args.arxiv_id)) if not problem else None
    if problem or found:
        said_on_stderr(f"error: {problem or f'arXiv {args.arxiv_id} is already recorded in {found.as_posix()}'}")
        return 1
    if not args.offline:
        try:
            paper = fetch_arxiv(args.arxiv_id, args.arxiv_api, timeout=args.timeout, backoff=args.retry_wait,
                                waiting=said_on_stderr)
            path = write_record(args.content, day, args.arxiv_id, paper["fields"], paper["abstract"])
        except (FetchError, RecordFileError) as error:
            said_on_stderr(f"warning: could not fill the record from arXiv: {error}")
        else:
            print(printable(f"Wrote {path.as_posix()} from arXiv: check it, add links and tags, then open a "
                            "pull request."))
            return 0
    try:
        path = write_skeleton(args.content, args.arxiv_id, day)
    except RecordFileError as error:
        said_on_stderr(f"error: {error}")
        return 1
    print(printable(f"Wrote {path.as_posix()}: fill in the fields and the abstract, then run `dailypapers check`."))
    return 0


def run_seed(args: argparse.Namespace) -> int:
    try:
        entries = json.loads(args.json_file.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else error
        said_on_stderr(f"error: cannot read {args.json_file}: {reason}")
        return 1
    written, unchanged, skipped = write_seed(args.content, entries, args.day)
    for reason in skipped:
        print(printable(f"skipped {reason}"))
    print(printable(f"Seeded {args.content.as_posix()}/: {written} records written, {unchanged} unchanged, "
                    f"{len(skipped)} skipped."))
    return 0


def run_synthesize(args: argparse.Namespace) -> int:
    from generator.synthetic import write_synthetic

    if args.content.exists() and any(args.content.iterdir()):
        said_on_stderr(f"error: {args.content} is not empty; synthesize writes only into a new or empty folder")
        return 1
    count = write_synthetic(args.content, args.papers, args.seed)
    print(printable(f"Wrote {count} synthetic records under {args.content.as_posix()}/."))
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from generator.serve import serve

    return serve(args)


def run_check_size(args: argparse.Namespace) -> int:
    if not args.output.is_dir() or args.output.is_symlink():
        said_on_stderr(f"{args.output}: no built site here; run `dailypapers build` first")
        return 2
    artifact = artifact_of(args.output)
    measured = (f"{args.output} holds {artifact.files:,} files, {artifact.tar_bytes / 1e9:.3f} GB as the tar a host "
                f"receives ({artifact.bytes / 1e9:.3f} GB of files)")
    too_big = artifact.tar_bytes > args.max_bytes
    too_many = args.max_files is not None and artifact.files > args.max_files
    if not (too_big or too_many):
        print(printable(f"{measured}: fits (at most {args.max_bytes / 1e9:.3f} GB"
                        + (f" and {args.max_files:,} files)" if args.max_files is not None else ")")))
        return 0
    limit = (f"at most {args.max_bytes / 1e9:.3f} GB" if too_big else "") + (" and " if too_big and too_many else "") \
        + (f"at most {args.max_files:,} files" if too_many else "")
    said_on_stderr(f"{measured}: too large for the host, which takes {limit}. Publish it on a host without the "
                   "limit (copy output/ to any static host), or split the archive into sites (one per year "
                   "or per category); see README, Deploying")
    return 1


COMMANDS = {"check-size": run_check_size,
            "build": run_build, "check": run_check, "serve": run_serve, "new": run_new, "seed": run_seed,
            "synthesize": run_synthesize, "import": run_import}


def main(argv: list[str] | None = None, hold: list | None = None) -> int:
    """Run a command; a build puts what it read in `hold`, if given."""
    args = make_parser().parse_args(argv)
    args.hold = hold
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return 130


def run() -> NoReturn:
    """The `dailypapers` command: run, then end the process at once. What a build read is held till
    then and left to the system, which takes it back whole, where freeing its millions of objects
    one by one would add most of a second to a build of a large archive."""
    held: list = []  # referenced here until the end: freed when main returns, it would be freed one by one
    code = main(hold=held)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # a reader that went away is no news
            pass
        except OSError:  # output lost (a full disk): say so by the code, as Python does
            code = code or 120
    os._exit(code)


if __name__ == "__main__":
    run()
