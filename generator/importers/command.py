"""`dailypapers import`: Hugging Face's days, arXiv categories' days, or whatever site.yaml follows."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from generator.config import CONFIG_FILE, load_settings
from generator.importers.arxiv import ARXIV_API, ARXIV_REQUEST_INTERVAL, PAGE_SIZE, fetch_announced
from generator.importers.batch import Batch, Pacer
from generator.importers.fetch import FetchError, is_http_url
from generator.importers.huggingface import HF_API, HF_REQUEST_INTERVAL, fetch_daily_papers, parse_daily_papers
from generator.problems import BuildFailed, printable
from generator.read.records import category_problem
from generator.recordfile import PartlyWritten, RecordFileError, write_papers

# The services' addresses, for a mirror (or a test's local server) without changing a workflow.
HF_API_VARIABLE, ARXIV_API_VARIABLE = "DAILYPAPERS_HF_API", "DAILYPAPERS_ARXIV_API"


def web_address(text: str) -> str:
    if not is_http_url(text):
        raise argparse.ArgumentTypeError(f"{printable(text)!r} is not an http:// or https:// address")
    return text


def parse_day(text: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"{printable(text)!r} is not a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{printable(text)} is not a day of the calendar (no such month or "
                                         "day); give one that exists") from None


def arxiv_category(text: str) -> str:
    problem = category_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(printable(problem))
    return text


class DefaultsShown(argparse.HelpFormatter):
    """Help that ends each option's text with its default, where it has one worth saying."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if ("(default" in text or not action.option_strings or isinstance(action, argparse._StoreConstAction)
                or action.default in (None, argparse.SUPPRESS)):
            return text
        return text + " (default: %(default)s)"


def command_parser(commands, name: str, text: str) -> argparse.ArgumentParser:
    """A command of the command line, its help line also its description."""
    return commands.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".",
                               formatter_class=DefaultsShown)


def add_fetch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for an answer")
    parser.add_argument("--retry-wait", type=float, default=2.0,
                        help="seconds before the first retry when the service is busy (doubles each time)")


def add_days(parser: argparse.ArgumentParser, *, required: bool) -> None:
    when = parser.add_mutually_exclusive_group(required=required)
    when.add_argument("--date", type=parse_day, help="import this day, YYYY-MM-DD")
    when.add_argument("--from", dest="first", type=parse_day, help="import every day from this one... (with --to)")
    parser.add_argument("--to", dest="last", type=parse_day, help="...to this one, both included")


def add_services(parser: argparse.ArgumentParser, *, hf: bool, arxiv: bool) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), help="the record folder to write into")
    if hf:
        parser.add_argument("--hf-api", type=web_address, default=os.environ.get(HF_API_VARIABLE, HF_API),
                            help=f"the daily papers API's address (or set {HF_API_VARIABLE})")
    if arxiv:
        parser.add_argument("--arxiv-api", type=web_address, default=os.environ.get(ARXIV_API_VARIABLE, ARXIV_API),
                            help=f"the arXiv API's address (or set {ARXIV_API_VARIABLE})")
        parser.add_argument("--page-size", type=int, default=PAGE_SIZE, help="papers asked for in one request")
    parser.add_argument("--request-interval", type=float, default=None,
                        help=f"seconds between two requests to a service (default: Hugging Face "
                             f"{HF_REQUEST_INTERVAL:g}, arXiv {ARXIV_REQUEST_INTERVAL:g}, as arXiv asks)")
    add_fetch_options(parser)


def add_import_command(commands) -> None:
    parser = command_parser(commands, "import", "write records from Hugging Face or arXiv")
    sources = parser.add_subparsers(dest="source", required=True, metavar="source", help="one of:")
    hf = command_parser(sources, "hf", "the papers Hugging Face featured on a day, or on each day of a range")
    add_days(hf, required=False)
    hf.add_argument("--file", type=Path, help="read a saved /api/daily_papers answer instead")
    add_services(hf, hf=True, arxiv=False)
    arxiv = command_parser(sources, "arxiv", "the papers first submitted to arXiv categories on a day, or a range")
    arxiv.add_argument("--category", dest="categories", action="append", type=arxiv_category, required=True,
                       help="an arXiv category, such as cs.CL; give it once for each category")
    add_days(arxiv, required=True)
    add_services(arxiv, hf=False, arxiv=True)
    daily = command_parser(sources, "daily", "what site.yaml's `import:` follows, for the last days (the daily run)")
    add_days(daily, required=False)
    daily.add_argument("--config", type=Path, default=Path(CONFIG_FILE), help="the settings file")
    add_services(daily, hf=True, arxiv=True)
    mode = command_parser(sources, "mode", "print how imported papers reach main, as site.yaml says")
    mode.add_argument("--config", type=Path, default=Path(CONFIG_FILE), help="the settings file")


def said_on_stderr(message: str) -> None:
    print(printable(message), file=sys.stderr, flush=True)


def print_mode(config: Path) -> int:
    _, follows, problems = load_settings(config)
    if problems:
        print(BuildFailed(problems).report("no mode was read"), file=sys.stderr)
        return 1
    print(follows.mode)
    return 0


def days_asked(args: argparse.Namespace, default_days: int | None = None) -> tuple[dt.date, dt.date] | str:
    """The first and last day to import, or what is wrong with the options."""
    if args.date:
        return (args.date, args.date) if not args.last else "--to goes with --from, not with --date"
    if args.first:
        if not args.last:
            return "--from needs --to: the last day of the range"
        return (args.first, args.last) if args.first <= args.last else "--from must not be after --to"
    if args.last:
        return "--to needs --from: the first day of the range"
    if default_days is None:
        return "say which day: --date YYYY-MM-DD, or --from YYYY-MM-DD --to YYYY-MM-DD"
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    return yesterday - dt.timedelta(days=default_days - 1), yesterday


def run_import(args: argparse.Namespace) -> int:
    """Fetch everything asked, then write the new papers' records; on any failure write nothing."""
    if args.source == "mode":
        return print_mode(args.config)
    fetch_options = {"timeout": args.timeout, "backoff": args.retry_wait, "waiting": said_on_stderr}
    imports: list[tuple[str, Callable[[], Batch]]] = []
    if args.source == "daily":
        _, follows, problems = load_settings(args.config)
        if problems:
            print(BuildFailed(problems).report("nothing was imported"), file=sys.stderr)
            return 1
        huggingface, categories, default_days = follows.huggingface, list(follows.arxiv), follows.days
    else:
        huggingface, categories, default_days = args.source == "hf", getattr(args, "categories", []), None
    days = days_asked(args, default_days) if not getattr(args, "file", None) else None
    if isinstance(days, str):
        said_on_stderr(f"error: {days}")
        return 2
    interval = args.request_interval
    if getattr(args, "file", None):
        imports.append(("Hugging Face", lambda: parse_daily_papers(args.file.read_bytes())))
    elif huggingface:
        pacer = Pacer(HF_REQUEST_INTERVAL if interval is None else interval)
        imports.append(("Hugging Face", lambda: fetch_daily_papers(*days, args.hf_api, pacer, **fetch_options)))
    if categories:
        pacer = Pacer(ARXIV_REQUEST_INTERVAL if interval is None else interval)
        imports.append((f"arXiv {', '.join(categories)}", lambda: fetch_announced(
            categories, *days, args.arxiv_api, pacer, args.page_size, **fetch_options)))
    if not imports:
        print(printable(f"Nothing to import: {args.config.as_posix()} follows neither Hugging Face nor an arXiv "
                        "category (see `import:` in the README's settings)."))
        return 0
    batches = []
    for source, fetch_batch in imports:
        try:
            batches.append((source, fetch_batch()))
        except (FetchError, OSError) as error:
            said_on_stderr(f"error: {error}; nothing was written")
            return 1
    try:
        written, skipped = write_papers(args.content, [paper for _, batch in batches for paper in batch.papers])
    except RecordFileError as error:
        said_on_stderr(f"error: {error}" + ("" if isinstance(error, PartlyWritten) else "; nothing was written"))
        return 1
    for path in written:
        print(printable(f"wrote {path.as_posix()}"))
    for reason in skipped + [reason for _, batch in batches for reason in batch.unusable]:
        print(printable(f"skipped {reason}"))
    found = sum(len(batch.papers) + len(batch.unusable) for _, batch in batches)
    sources = " and ".join(source for source, _ in batches)
    span = "" if days is None else f" for {days[0].isoformat()}" + (
        f" to {days[1].isoformat()}" if days[1] != days[0] else "")
    print(printable(f"Imported from {sources}{span}: {len(written)} written, {found - len(written)} skipped."))
    return 0
