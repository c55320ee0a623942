"""Shared fixtures: the project's paths, temporary content folders, built sites and servers."""

from __future__ import annotations

import atexit
import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from generator.build import build
from generator.config import SiteConfig

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content"  # the sample: Hugging Face's day of 18 November 2025, its 57 papers
LAYOUTS = ROOT / "layouts"
SEED_JSON = ROOT / "tests" / "data" / "seed-papers.json"  # a copy of ../shared/sample/seed-papers.json


def spread_archive() -> Path:
    """The sample's 57 records, each on the day of its arXiv date (57 days from 2015 to 2025): real
    text (math, every script, long author lists) on many days, for the tests of days, weeks,
    months, years and their links. Written once per test run."""
    from generator.recordfile import write_seed

    folder = Path(tempfile.mkdtemp(prefix="dailypapers-spread-"))
    atexit.register(shutil.rmtree, folder, True)
    written, _, skipped = write_seed(folder / "content", json.loads(SEED_JSON.read_text(encoding="utf-8")))
    assert written == 57 and not skipped, skipped
    return folder / "content"


CONTENT = spread_archive()  # what most tests read: the sample's papers over many days
SUB_PATH = "/dailypapers/"
SUB_PATH_BASE_URL = "https://example.github.io" + SUB_PATH
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")


def find_chromium() -> str:
    """The Chromium the browser tests drive: DAILYPAPERS_CHROMIUM if set, else the first of the
    usual names on PATH (Debian's package is `chromium`; `make test` installs it on Debian and Ubuntu)."""
    named = os.environ.get("DAILYPAPERS_CHROMIUM")
    if named:
        return named
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("no Chromium found: install Debian's `chromium` (make test does, on Debian and Ubuntu), "
                       "or set DAILYPAPERS_CHROMIUM to a Chromium or Chrome executable")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

VALID_RECORD = """---
title: A Valid Paper
authors:
  - Ada Lovelace
  - Alan Turing
arxiv: "2305.02993"
published: 2023-05-04
upvotes: 3
tags: [cs.CL]
---

An abstract with x < y.
"""


def write(root: Path, relative: str, text: str | bytes) -> Path:
    """Write a file under root, making its folders."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def record(title: str = "A Paper", authors=("Ada Lovelace",), abstract: str = "Text.", **fields) -> str:
    """Return a Markdown record with the given fields."""
    lines = ["---"] + ([f"title: {title!r}"] if title is not None else []) + ["authors:"]
    lines += [f"  - {name!r}" for name in authors]
    lines += [f"{name}: {value}" for name, value in fields.items()]
    lines += ["---", "", abstract, ""]
    return "\n".join(lines)


def note_who_lists_output(monkeypatch, listed_by: Path) -> None:
    """Make every listing of output/ write its process's id into `listed_by` (a file: the listing may
    run in other processes), then list as it does."""
    from generator.write import listing

    real = listing.files_on_disk

    def noted(output_dir, *chosen):
        with listed_by.open("a") as file:
            file.write(f"{os.getpid()}\n")
        return real(output_dir, *chosen)

    monkeypatch.setattr(listing, "files_on_disk", noted)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file of a folder with its bytes."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def search_files_of(archive, **options) -> dict[str, bytes]:
    """The search's files of an archive as a build makes them: the index's and each day's."""
    from generator.search.shards import day_search_file, day_search_path, render_search

    files = dict(render_search(archive, **options))
    files.update((day_search_path(day), day_search_file(day)) for day in archive.days)
    return files


def write_site(files: dict, output_dir: Path, ledger=None):
    """Make output_dir hold exactly these files, through the build's own writer."""
    from generator.write.writer import SiteWriter

    writer = SiteWriter.open(output_dir, ledger)
    try:
        for path in sorted(files):
            writer.add(path, files[path])
        return writer.finish()
    except BaseException:
        writer.discard()
        raise


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run `python -m generator` as a user would and capture what it prints."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def two_cores(monkeypatch):
    """A machine with two cores, whatever this one has: the two-process paths run for real."""
    from generator import parallel

    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The many-day archive built once, published under a GitHub Pages project sub-path."""
    output = tmp_path_factory.mktemp("sample") / "output"
    build(CONTENT, output, LAYOUTS, SiteConfig(base_url=SUB_PATH_BASE_URL, repository="example/dailypapers"))
    return output


class SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serve a folder only under a sub-path, the way GitHub Pages serves a project site."""

    prefix = SUB_PATH

    def send_head(self):
        if not self.path.startswith(self.prefix):
            self.send_error(404)
            return None
        self.path = "/" + self.path[len(self.prefix):]
        return super().send_head()

    def send_error(self, code, message=None, explain=None):
        not_found = Path(self.directory) / "404.html"
        if code == 404 and not_found.is_file():
            body = not_found.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="session")
def sub_path_server(sample_site):
    """Serve the sample site at http://127.0.0.1:PORT/dailypapers/ and yield that address."""
    with served_under_sub_path(sample_site) as address:
        yield address


class RootHandler(SubPathHandler):
    """Serve a folder from the host's root, showing its 404 page for anything missing."""

    prefix = "/"


@contextlib.contextmanager
def served_under_sub_path(site: Path, handler_class: type = SubPathHandler):
    """Serve a built site at http://127.0.0.1:PORT/dailypapers/, as GitHub Pages serves a project
    (or at the host's root, given RootHandler)."""
    handler = functools.partial(handler_class, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{handler_class.prefix}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole run, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A private copy of the many-day archive that a test may break."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


RECORDED = ROOT / "tests/data/recorded"


class RecordedService:
    """A local server that answers each path with a queue of (status, body, delay) answers."""

    def __init__(self):
        self.routes: dict[str, list[tuple[int, bytes, float]]] = {}
        self.requests: list[str] = []
        self.times: list[float] = []  # when each request arrived, by the monotonic clock
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                service.requests.append(self.path)
                service.times.append(time.monotonic())
                answers = service.routes.get(self.path.split("?")[0], [(404, b"not found", 0.0)])
                status, body, delay = answers.pop(0) if len(answers) > 1 else answers[0]
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str, *answers: tuple[int, bytes, float]) -> str:
        self.routes[path] = list(answers)
        return self.url + path


@pytest.fixture
def service():
    running = RecordedService()
    yield running
    running.server.shutdown()
    running.server.server_close()


def ok(name: str) -> tuple[int, bytes, float]:
    return 200, (RECORDED / name).read_bytes(), 0.0
