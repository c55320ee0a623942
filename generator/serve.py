"""`dailypapers serve`: build, serve output/ on localhost, rebuild and reload on every change."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
import threading
import time
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jinja2

from generator.build import Carried, Progress, build
from generator.config import load_config
from generator.files import read_plain_file
from generator.problems import BuildFailed, printable
from generator.read.content import RecordFile, listed_records
from generator.site.pages import template_problem
from generator.write.writer import OutputError

BUILD_ID_PATH = "/__dailypapers/build"
# Added to HTML as it is served, never written to output/: the built site stays script-free.
RELOAD_SCRIPT = (
    "<script>(function(){var seen=null;function poll(){fetch('" + BUILD_ID_PATH + "',{cache:'no-store'})"
    ".then(function(r){return r.text()}).then(function(id){if(seen!==null&&id!==seen){location.reload()}"
    "seen=id}).catch(function(){}).finally(function(){setTimeout(poll,250)})}poll()})();</script>"
).encode()


class SiteWatcher:
    """Rebuild the site whenever a file under the watched paths changes."""

    def __init__(self, args: argparse.Namespace, base_url: str):
        self.args = args
        self.base_url = base_url
        self.build_id = 0
        self.lock = threading.Lock()
        self.carried = Carried()  # the record cache, held from one build to the next
        self.records: list[RecordFile] | None = None  # content/ as the last snapshot listed it

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Each watched file's time and size: the records as a build lists them (kept for the
        next build, which need not list them again), every layout, and the settings."""
        self.records = listed_records(self.args.content)
        state = {record.path: (record.mtime_ns, record.size) for record in self.records}
        for root in (self.args.layouts, self.args.config):
            paths = [root] if root.is_file() else root.rglob("*") if root.is_dir() else []
            for path in paths:
                try:
                    stat = path.stat()
                except OSError:
                    continue
                state[str(path)] = (stat.st_mtime_ns, stat.st_size)
        return state

    def rebuild(self, first: bool = False) -> bool:
        """Build the site; on a problem say so (the first build's OutputError is raised: serve stops)."""
        config, problems = load_config(self.args.config)
        if problems:
            print(BuildFailed(problems).report(), file=sys.stderr, flush=True)
            return False
        config = dataclasses.replace(config, base_url=self.base_url)
        try:
            summary = build(self.args.content, self.args.output, self.args.layouts, config,
                            Progress(sys.stderr), self.args.node_modules, self.args.cache,
                            carried=self.carried, record_files=self.records)
        except BuildFailed as failed:
            print(failed.report() + " The previous build is still served.", file=sys.stderr, flush=True)
            return False
        except jinja2.TemplateError as error:
            print(printable(str(template_problem(error, self.args.layouts))) + " The previous build is still served.",
                  file=sys.stderr, flush=True)
            return False
        except OutputError as error:
            if first:
                raise
            print(printable(f"error: {error}") + " The previous build is still served.", file=sys.stderr, flush=True)
            return False
        with self.lock:
            self.build_id += 1
        print(summary, flush=True)
        return True

    def watch(self, stop: threading.Event, previous: dict[str, tuple[int, int]], interval: float = 0.2) -> None:
        """Poll for changes since `previous` (taken before the first build, so none is missed),
        looking at most a third of the time: listing a large archive takes a second."""
        pause = interval
        while not stop.wait(pause):
            started = time.monotonic()
            current = self.snapshot()
            pause = max(interval, 2 * (time.monotonic() - started))
            if current != previous:
                time.sleep(0.1)  # let an editor finish writing before reading
                previous = self.snapshot()
                print("Change seen; rebuilding.", flush=True)
                self.rebuild()


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serve the built site's plain files (never through a link), answer the reload poll, and add
    the reload script to HTML pages; anything else is a 404."""

    watcher: SiteWatcher
    head_only = False  # a HEAD request: the headers a GET would get, without the body

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
        self.head_only = True
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        address = self.path.split("?")[0].split("#")[0]
        if address == BUILD_ID_PATH:
            self.send_bytes(str(self.watcher.build_id).encode(), "text/plain", HTTPStatus.OK)
            return
        found = self.site_file(address)
        if found == "folder":
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)  # as a static host does: the folder's page
            self.send_header("Location", address + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = read_plain_file(found, MAX_SERVED) if isinstance(found, Path) else None
        if data is None:
            not_found = read_plain_file(Path(self.directory) / "404.html", MAX_SERVED)
            self.send_html(not_found or b"<h1>Not found</h1>", HTTPStatus.NOT_FOUND)
        elif found.suffix == ".html":
            self.send_html(data, HTTPStatus.OK)
        else:
            self.send_bytes(data, self.guess_type(str(found)), HTTPStatus.OK)

    def site_file(self, address: str) -> Path | str | None:
        """The file of output/ the request names (a folder's index.html), "folder" for a folder
        asked without its '/', or None: missing, a name no file can have, or reached through a link."""
        root = Path(self.directory)
        try:
            relative = Path(self.translate_path(self.path)).relative_to(root)
            current = root
            for part in relative.parts:
                current = current / part
                if current.is_symlink():
                    return None
            if current.is_dir():
                if not address.endswith("/"):
                    return "folder"
                current = current / "index.html"
                if current.is_symlink():
                    return None
            return current if current.is_file() else None
        except (OSError, ValueError):  # a name longer than the file system allows, say
            return None

    def send_html(self, body: bytes, status: HTTPStatus) -> None:
        marker = b"</body>"
        body = body.replace(marker, RELOAD_SCRIPT + marker, 1) if marker in body else body + RELOAD_SCRIPT
        self.send_bytes(body, "text/html; charset=utf-8", status)

    def send_bytes(self, body: bytes, content_type: str, status: HTTPStatus) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not self.head_only:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


MAX_SERVED = 256 * 2**20  # no file of a site is larger; a bigger one is not served whole from memory


class PreviewServer(ThreadingHTTPServer):
    """The preview's server: a client that goes away mid-answer is no news."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        print(printable(f"serve: a request failed: {type(error).__name__}: {error}"), file=sys.stderr, flush=True)


def serve(args: argparse.Namespace) -> int:
    """Build, then serve output/ until interrupted, rebuilding on changes."""
    base_url = args.base_url or f"http://{args.host}:{args.port}/"
    watcher = SiteWatcher(args, base_url)
    handler = functools.partial(PreviewHandler, directory=str(args.output))
    PreviewHandler.watcher = watcher
    try:  # the port first: a busy one is said at once, not after a whole build
        server = PreviewServer((args.host, args.port), handler)
    except OSError as error:
        print(printable(f"error: cannot serve at {args.host}:{args.port}: {error.strerror or error}. Another "
                        f"program (perhaps another `dailypapers serve`) may have it: choose another port with "
                        f"--port {args.port + 1} (make serve PORT={args.port + 1})"), file=sys.stderr)
        return 2
    before_first_build = watcher.snapshot()
    try:
        watcher.rebuild(first=True)
    except OutputError as error:
        server.server_close()
        print(printable(f"error: {error}"), file=sys.stderr)
        return 2
    args.output.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    threading.Thread(target=watcher.watch, args=(stop, before_first_build), daemon=True).start()
    print(f"Serving {args.output.as_posix()}/ at http://{args.host}:{server.server_port}/ "
          "(rebuilds on changes; Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        stop.set()
        server.server_close()
    return 0
