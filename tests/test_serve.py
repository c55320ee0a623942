"""`dailypapers serve`: serves the built site, rebuilds on change, keeps serving through errors."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT

BUILD_ID = "__dailypapers/build"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(condition, timeout: float = 20.0, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")


@contextmanager
def running_server(content: Path, output: Path, *options: str, port: int | None = None):
    """Start `python -m generator serve` and yield its address once it answers."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content), "--output", str(output),
         "--port", str(port), *options],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    process.said = []  # what it prints, line by line, as it prints it
    reader = threading.Thread(target=lambda: process.said.extend(process.stdout), daemon=True)
    reader.start()
    try:
        def answers():
            try:
                return fetch(url + BUILD_ID)[0] == 200
            except OSError:
                assert process.poll() is None, "".join(process.said)
                return False
        wait_for(answers)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=10)
        reader.join(timeout=10)


@pytest.mark.parametrize("watching", ["told by the system", "--poll"])
def test_serve_rebuilds_on_change_and_survives_a_broken_record(tmp_path, content_copy, watching):
    output = tmp_path / "out"
    with running_server(content_copy, output, *(["--poll"] if watching == "--poll" else [])) as (url, process):
        status, home = fetch(url)
        assert status == 200 and "Learning to Grasp Anything" in home
        assert BUILD_ID in home  # the reload script is added to served pages...
        assert BUILD_ID not in (output / "index.html").read_text()  # ...but never written to output/
        assert fetch(url + BUILD_ID) == (200, "1")

        def built() -> int:
            return sum(line.startswith(("Built ", "Nothing changed")) for line in process.said)

        record = content_copy / "2025/10/14/2510.12866.md"
        record.write_text(record.read_text().replace("Learning to Grasp Anything", "Grasping Everything"))
        # An edit in place is shown first (a reload), then the whole site is built (another).
        wait_for(lambda: "Grasping Everything by Playing" in fetch(url + "papers/2510.12866/")[1])
        wait_for(lambda: built() >= 2 and int(fetch(url + BUILD_ID)[1]) >= 3)
        assert any(line.startswith("Edit shown (") and "papers/2510.12866/index.html" in line for line in process.said)
        assert "Grasping Everything" in fetch(url)[1]

        served = fetch(url + BUILD_ID)[1]
        broken = content_copy / "2025/10/14/broken.md"
        broken.write_text("---\ntitle: [\n---\n")
        wait_for(lambda: any("The previous build is still served." in line for line in process.said))
        assert fetch(url + BUILD_ID)[1] == served  # no new build...
        assert "Grasping Everything" in fetch(url)[1]  # ...and the previous site is still served

        builds = built()
        broken.unlink()  # the site as served again: nothing to build, nothing to reload
        wait_for(lambda: built() > builds)
        assert process.said[-1].startswith("Nothing changed") and fetch(url + BUILD_ID)[1] == served

        status, missing = fetch(url + "no/such/page/")
        assert status == 404 and "Page not found" in missing
    log = "".join(process.said)
    assert "broken.md:2: front matter: is not valid YAML" in log
    assert "The previous build is still served." in log
    assert "Traceback" not in log and "cannot be told of changes" not in log  # told, where asked to be


def test_serve_started_on_the_site_it_served_before_shows_its_first_edit_at_once(tmp_path, content_copy):
    """A serve whose first build finds nothing to do (it served the same site, at the same address,
    before) reads the archive through the record cache, so that its first edit in place is shown
    before the build, as every later one is."""
    output, cache, port = tmp_path / "out", tmp_path / "cache", free_port()
    with running_server(content_copy, output, "--cache", str(cache), port=port) as (url, process):
        wait_for(lambda: any(line.startswith("Built ") for line in process.said))
    with running_server(content_copy, output, "--cache", str(cache), port=port) as (url, process):
        wait_for(lambda: any(line.startswith("Nothing changed") for line in process.said))
        record = content_copy / "2025/10/14/2510.12866.md"
        record.write_text(record.read_text().replace("Learning to Grasp Anything", "Grasping Everything"))
        wait_for(lambda: any(line.startswith("Edit shown (") and "papers/2510.12866/index.html" in line
                             for line in process.said))
        wait_for(lambda: "Grasping Everything by Playing" in fetch(url + "papers/2510.12866/")[1])
        wait_for(lambda: any(line.startswith("Built ") for line in process.said))
    assert "Traceback" not in "".join(process.said)


def test_serve_rebuilds_when_a_layout_changes(tmp_path, content_copy):
    layouts = tmp_path / "layouts"
    shutil.copytree(ROOT / "layouts", layouts)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content_copy), "--output",
         str(tmp_path / "out"), "--layouts", str(layouts), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: _quiet_fetch(url + BUILD_ID) == "1")
        template = layouts / "base.html"
        template.write_text(template.read_text().replace("Skip to content", "Jump to the papers"))
        wait_for(lambda: _quiet_fetch(url + BUILD_ID) == "2")
        assert "Jump to the papers" in fetch(url)[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


def _quiet_fetch(url: str) -> str | None:
    try:
        return fetch(url)[1]
    except OSError:
        return None


def test_serve_answers_only_plain_files_and_stays_quiet_about_odd_clients(tmp_path, content_copy):
    """A link inside output/ is never followed; a name longer than any file's gets a 404, not a
    dropped connection; a client that goes away mid-request leaves no traceback."""
    secret = tmp_path / "secret.txt"
    secret.write_text("token=s3cret")
    output = tmp_path / "out"
    with running_server(content_copy, output) as (url, process):
        (output / "leak.txt").symlink_to(secret)
        (output / "static/linked").symlink_to(tmp_path)
        for address in ("leak.txt", "static/linked/secret.txt", "x" * 300, "a/" + "y" * 300 + "/"):
            status, body = fetch(url + address)
            assert status == 404 and "s3cret" not in body, address
        assert fetch(url + "static/style.css")[0] == 200 and fetch(url + "archive")[1].startswith("<!doctype html>")
        for address, status in (("leak.txt", 404), ("static/linked/", 404), ("static/style.css", 200)):
            request = urllib.request.Request(url + address, method="HEAD")
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert (response.status, response.read()) == (status, b""), address
            except urllib.error.HTTPError as error:
                assert error.code == status, address
        for _ in range(3):  # ask, then hang up before the answer is read
            with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1].strip("/")))) as client:
                client.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1].strip("/")))) as client:
            client.sendall(b"GET /ind")  # half a request, then gone
        assert fetch(url)[0] == 200
    said = "".join(process.said)
    assert "Traceback" not in said and "Error" not in said, said


def test_serve_on_a_busy_port_says_so_at_once_and_how_to_choose_another(tmp_path, content_copy):
    from conftest import run_cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = run_cli("serve", "--content", str(content_copy), "--output", str(tmp_path / "out"),
                         "--port", str(port))
        assert result.returncode == 2
        assert time.monotonic() - started < 30
    assert f"cannot serve at 127.0.0.1:{port}" in result.stderr and f"--port {port + 1}" in result.stderr
    assert f"make serve PORT={port + 1}" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()  # it said so before building anything


def test_serve_names_its_folder_escaped(tmp_path, content_copy):
    """A folder named with a newline is said on one line: a CI log never reads a command in it."""
    with running_server(content_copy, tmp_path / "out\n::error::forged") as (url, process):
        wait_for(lambda: any(line.startswith("Serving") for line in process.said))
    serving = next(line for line in process.said if line.startswith("Serving"))
    assert "/out\\n" in serving and "forged/ at http" in serving
    assert not any(line.startswith("::error::") for line in process.said)
