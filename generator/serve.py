"""`dailypapers serve`: build, serve output/ on localhost, rebuild and reload on every change."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import stat
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jinja2

from generator.build import Carried, Progress, build
from generator.config import SiteConfig, load_config
from generator.files import read_plain_file
from generator.preview import preview_edits, restore
from generator.problems import BuildFailed, printable
from generator.read.listing import RECORD_SUFFIXES, RecordFile, is_editor_backup, listed_records
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
        self.carried = Carried()  # the record cache and the archive, held from one build to the next
        self.config: SiteConfig | None = None  # the settings the last build that succeeded was made with
        self.last_succeeded = False
        self.records: list[RecordFile] | None = None  # content/ as the last snapshot listed it

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Each watched file's time and size: the records as a build lists them (kept for the
        next build, which need not list them again), every layout, and the settings."""
        self.records = listed_records(self.args.content)
        state = {record.path: (record.mtime_ns, record.size) for record in self.records}
        for root in (self.args.layouts, self.args.config):
            # os.walk goes on where a folder goes while it is listed (a checkout of another branch).
            paths = ([os.fspath(root)] if root.is_file() else [os.path.join(folder, name) for folder, folders, files
                                                               in os.walk(root) for name in folders + files])
            for path in paths:
                try:
                    status = os.stat(path)
                except OSError:
                    continue
                state[path] = (status.st_mtime_ns, status.st_size)
        return state

    def rebuild(self, first: bool = False) -> bool:
        """Build the site; on a problem say so (the first build's OutputError is raised: serve stops)."""
        config, problems = load_config(self.args.config)
        if problems:
            print(BuildFailed(problems).report(), file=sys.stderr, flush=True)
            return self.built(False)
        config = dataclasses.replace(config, base_url=self.base_url)
        try:
            summary = build(self.args.content, self.args.output, self.args.layouts, config,
                            Progress(sys.stderr), self.args.node_modules, self.args.cache,
                            carried=self.carried, record_files=self.records)
        except BuildFailed as failed:
            print(failed.report() + " The previous build is still served.", file=sys.stderr, flush=True)
            return self.built(False)
        except OutputError as error:
            if first:
                raise
            print(printable(f"error: {error}") + " The previous build is still served.", file=sys.stderr, flush=True)
            return self.built(False)
        except OSError as error:  # a full disk, say: said, and served on
            if first:
                raise
            print(printable(f"error: {error.strerror or error}: {error.filename or ''}") + " The previous build is "
                  "still served.", file=sys.stderr, flush=True)
            return self.built(False)
        self.config = config
        if first or summary.written or summary.removed:  # no reload when no file changed (a file touched, say)
            self.new_build()
        print(summary, flush=True)
        return self.built(True)

    def built(self, succeeded: bool) -> bool:
        self.last_succeeded = succeeded
        return succeeded

    def new_build(self) -> None:
        """Tell the pages served that output/ changed (each reloads when it sees a new build id)."""
        with self.lock:
            self.build_id += 1

    def changed(self, paths: set[str] | None, listed: dict[str, tuple[int, int]] | None = None
                ) -> dict[str, tuple[int, int]]:
        """Rebuild after a change to these paths (None: unknown); where they are only records edited
        in place, first show the pages those edits change (preview.py), then build the rest. The
        build is made after the snapshot `listed` if the caller has just taken one (a listing of a
        large archive takes a second), else after a new one; return it."""
        shown = self.preview(paths) if paths is not None else {}
        if shown:
            self.new_build()
            print(printable(f"Edit shown ({', '.join(sorted(shown))}); building the rest."), flush=True)
        succeeded = False
        try:
            current = listed if listed is not None else self.snapshot()
            print("Change seen; rebuilding.", flush=True)
            succeeded = self.rebuild()
        finally:
            if shown and not succeeded:
                restore(self.args.output, shown)  # the previous build is the one served, whole
                self.new_build()
        return current

    def preview(self, paths: set[str]) -> dict[str, bytes | None]:
        """Write the pages the edited records change (what they held before, by file); nothing
        unless the last build succeeded and every change is to a record file still there (other
        files under content/, such as an editor's, are no record)."""
        archive, config, top = self.carried.archive, self.config, os.path.join(os.fspath(self.args.content), "")
        named = [path for path in paths if path.endswith(RECORD_SUFFIXES)]
        records = edited_records(named)
        if (not (self.last_succeeded and archive and config and records) or len(records) != len(named)
                or not all(path.startswith(top) for path in paths)):
            return {}
        try:
            return preview_edits(records, self.args.content, self.args.layouts, self.args.output, config, archive)
        except (jinja2.TemplateError, OutputError, OSError, ValueError):
            return {}  # the build that follows says what is wrong

    def watch(self, stop: threading.Event, previous: dict[str, tuple[int, int]], interval: float = 0.2) -> None:
        """Rebuild on every change from `previous` (taken before the first build, so none is missed):
        told of them by the system where it can (watchfiles), else by listing the files."""
        told = not self.args.poll
        while not stop.is_set():
            if told and self.roots_ready():
                try:
                    previous = self.watch_notices(stop, previous)  # until a root is replaced
                    continue
                except CannotWatch as error:
                    if not self.roots_ready():
                        continue  # a root went as the watch began: listed until it is back, then watched
                    print(printable(f"serve: cannot be told of changes ({error}); looking for them by listing "
                                    "the files instead"), file=sys.stderr, flush=True)
                    told = False
            # Listing, for good or until the roots are back to be watched (a folder made again).
            previous = self.watch_listing(stop, previous, interval, until=self.roots_ready if told else lambda: False)

    def roots(self) -> list[Path]:
        return [self.args.content, self.args.layouts]

    def roots_ready(self) -> bool:
        return all(root.is_dir() and not root.is_symlink() for root in self.roots())

    def watch_notices(self, stop: threading.Event, previous: dict[str, tuple[int, int]]
                      ) -> dict[str, tuple[int, int]]:
        """Rebuild when the system says a file under content/ or layouts/ changed, or when the
        settings file's time or size changed (looked at twice a second); return the last snapshot
        when a watched folder is no longer the one watched (removed, or made again)."""
        try:
            import watchfiles  # here: listing serves where it is not installed
        except ImportError as error:
            raise CannotWatch(error) from error
        roots = self.roots()
        watched = [folder_identity(root) for root in roots]
        tops = {top for root in roots for top in (os.path.abspath(root), os.path.realpath(root))}
        settings = setting_status(self.args.config)
        notices = watchfiles.watch(*roots, watch_filter=None, step=50, stop_event=stop, rust_timeout=500,
                                   yield_on_timeout=True, raise_interrupt=False)
        first = True
        while True:
            try:
                batch = next(notices)
            except StopIteration:
                return previous
            except (OSError, RuntimeError) as error:
                raise CannotWatch(error) from error
            paths: set[str] | None = {path for _, named in batch if (path := watched_path(named, roots))}
            # A folder gone is never watched again, even made again (by the same inode, maybe): watched anew.
            replaced = ([folder_identity(root) for root in roots] != watched
                        or any(change == watchfiles.Change.deleted and os.path.normpath(named) in tops
                               for change, named in batch))
            listed = None
            if first or replaced:  # the watch began, or lost a folder: what changed meanwhile is known by listing
                first = False
                listed = self.snapshot()
                paths |= changed_paths(previous, listed)
                previous = listed
            now = setting_status(self.args.config)
            if now != settings:
                settings, paths = now, None
            if paths is None or paths:
                previous = self.changed(paths, listed)
            if replaced:
                return previous

    def watch_listing(self, stop: threading.Event, previous: dict[str, tuple[int, int]], interval: float,
                      until: Callable[[], bool] = lambda: False) -> dict[str, tuple[int, int]]:
        """Poll for changes since `previous`, looking at most a third of the time (listing a large
        archive takes a second), until stopped or `until` says so; return the last snapshot."""
        pause = interval
        while not stop.wait(pause) and not until():
            started = time.monotonic()
            current = self.snapshot()
            pause = max(interval, 2 * (time.monotonic() - started))
            if current != previous:
                time.sleep(0.1)  # let an editor finish writing before reading
                now = self.snapshot()
                previous = self.changed(changed_paths(previous, now), now)
        return previous


class CannotWatch(Exception):
    """The system cannot tell serve of changes here (no watchfiles, too many folders to watch...)."""


def folder_identity(folder: Path) -> tuple[int, int] | None:
    return stat_fields(folder, "st_dev", "st_ino")


def changed_paths(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    """The paths whose time or size differ between two snapshots, or that only one has."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def setting_status(path: Path) -> tuple[int, int] | None:
    return stat_fields(path, "st_mtime_ns", "st_size")


def stat_fields(path: Path, *names: str) -> tuple[int, ...] | None:
    """These fields of a path's status (following a link, as reading it does), or None if it is not there."""
    try:
        status = path.stat()
    except OSError:
        return None
    return tuple(getattr(status, name) for name in names)


def watched_path(path: str, roots: list[Path]) -> str | None:
    """A path the system named, as the listing names it (under the root as given), or None for a
    hidden file or an editor's backup, which no build reads, or a path under no root."""
    for root in roots:
        for top in dict.fromkeys((os.path.abspath(root), os.path.realpath(root))):
            inside = os.path.relpath(path, top)
            if inside == "." or not (inside == ".." or inside.startswith(".." + os.sep)):
                parts = [] if inside == "." else inside.split(os.sep)
                if any(part.startswith(".") or is_editor_backup(part) for part in parts):
                    return None
                return os.path.join(os.fspath(root), *parts)
    return None


def edited_records(paths: list[str]) -> list[RecordFile]:
    """The plain files among these paths, as the listing of content/ sees them."""
    found = []
    for path in sorted(paths):
        try:
            status = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(status.st_mode):
            found.append(RecordFile(path, status.st_size, status.st_mtime_ns, status.st_mode))
    return found


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
    except (OutputError, OSError) as error:
        server.server_close()
        print(printable(f"error: {error}"), file=sys.stderr)
        return 2
    args.output.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    threading.Thread(target=watcher.watch, args=(stop, before_first_build), daemon=True).start()
    print(printable(f"Serving {args.output.as_posix()}/ at http://{args.host}:{server.server_port}/ "
                    "(rebuilds on changes; Ctrl-C stops)"), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        stop.set()
        server.server_close()
    return 0
