"""Importers against recorded answers served from a local HTTP server: never the internet."""

from __future__ import annotations

import threading
import time

import pytest

from generator.importers.fetch import FetchError, fetch
from generator.read.content import read_papers

from conftest import RECORDED, ok, run_cli, snapshot


def test_new_fills_a_record_from_arxiv(tmp_path, service):
    api = service.answer("/api/query", ok("arxiv-2305.02993.xml"))
    content = tmp_path / "content"
    result = run_cli("new", "2305.02993", "--day", "2025-11-18", "--content", str(content), "--arxiv-api", api)
    assert result.returncode == 0, result.stderr
    assert service.requests == ["/api/query?id_list=2305.02993&max_results=1"]
    papers, problems = read_papers(content)
    assert problems == []
    [paper] = papers
    assert paper.title == "SemEval-2023 Task 7: Multi-Evidence Natural Language Inference for Clinical Trial Data"
    assert paper.authors == ("Maël Jullien", "Marco Valentino", "Hannah Frost", "Paul O'Regan", "Donal Landers",
                             "André Freitas")
    assert paper.abstract.startswith("This paper describes the results of SemEval 2023 task 7 -- Multi-Evidence "
                                     "Natural Language Inference")
    assert "\n" not in paper.abstract
    assert str(paper.published) == "2023-05-04" and str(paper.day) == "2025-11-18"
    assert paper.tags == ("cs.CL",)
    assert paper.link("doi") == "https://doi.org/10.18653/v1/2023.semeval-1.307"
    assert "Wrote " in result.stdout and "2025/11/18/2305.02993.md from arXiv" in result.stdout


@pytest.mark.parametrize(("answers", "message"), [
    ([(404, b"no", 0.0)], "answered 404"),
    ([(500, b"oops", 0.0)], "kept answering 500 (Internal Server Error) after 4 tries"),
    ([(200, b"<feed><entry>", 0.0)], "XML that cannot be read"),
    ([(200, (RECORDED / "arxiv-unknown.xml").read_bytes(), 0.0)], "arXiv has no paper 2305.02993"),
    ([(429, b"slow down", 0.0)] * 5, "kept answering 429 (too many requests) after 4 tries"),
    ([(200, b"late", 3.0)], "did not answer within 0.5 seconds"),
])
def test_new_without_a_usable_answer_says_why_and_writes_a_skeleton(tmp_path, service, answers, message):
    api = service.answer("/api/query", *answers)
    content = tmp_path / "content"
    result = run_cli("new", "2305.02993", "--day", "2025-11-18", "--content", str(content), "--arxiv-api", api,
                     "--timeout", "0.5", "--retry-wait", "0.01")
    assert result.returncode == 0
    assert "warning: could not fill the record from arXiv:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr
    skeleton = content / "2025/11/18/2305.02993.md"
    assert skeleton.is_file() and 'title: ""' in skeleton.read_text()


def test_a_busy_service_is_retried_with_growing_waits(service):
    url = service.answer("/busy", (429, b"", 0.0), (429, b"", 0.0), (200, b"finally", 0.0))
    waits: list[float] = []
    assert fetch(url, retries=3, backoff=0.5, sleep=waits.append) == b"finally"
    assert waits == [0.5, 1.0]
    assert len(service.requests) == 3


def test_no_network_gives_a_clear_error():
    with pytest.raises(FetchError, match="cannot reach http://127.0.0.1:9/"):
        fetch("http://127.0.0.1:9/", timeout=2)


def test_new_refuses_a_paper_already_in_the_archive_without_asking_arxiv(service, content_copy):
    api = service.answer("/api/query", ok("arxiv-2305.02993.xml"))
    result = run_cli("new", "2305.02993v2", "--content", str(content_copy), "--arxiv-api", api)
    assert result.returncode == 1
    assert f"arXiv 2305.02993v2 is already recorded in {content_copy}/2023/05/04/2305.02993.md" in result.stderr
    assert service.requests == []


def test_hf_import_writes_new_papers_on_their_featured_day_and_skips_the_rest(tmp_path, service, content_copy):
    api = service.answer("/api/daily_papers", ok("hf-daily-2025-11-18.json"))
    before = snapshot(content_copy)
    result = run_cli("import", "hf", "--date", "2025-11-18", "--content", str(content_copy), "--hf-api", api)
    assert result.returncode == 0, result.stderr
    assert service.requests == ["/api/daily_papers?date=2025-11-18&limit=100&p=0"]
    lines = result.stdout.splitlines()
    assert lines[-1] == "Imported from Hugging Face for 2025-11-18: 1 written, 4 skipped."
    assert f"wrote {content_copy}/2025/11/18/2511.00001.md" in lines
    assert any(line.startswith("skipped 2510.12866: arXiv 2510.12866 is already recorded in") for line in lines)
    assert any(line.startswith("skipped 2305.02993: arXiv 2305.02993 is already recorded in") for line in lines)
    assert "skipped item 4: 'not-an-id' is not an arXiv id" in lines
    assert "skipped item 5: no paper in it" in lines
    papers, problems = read_papers(content_copy)
    assert problems == []
    new = next(p for p in papers if p.slug == "2511.00001")
    assert new.title == "A <b>Bold</b> & Brave Paper" and new.authors == ("Zoë Ångström", "李 雷")
    assert str(new.day) == "2025-11-18" and str(new.published) == "2025-11-01" and new.upvotes == 3
    assert new.link("code") is None  # a javascript: link is never kept
    assert new.link("huggingface") == "https://huggingface.co/papers/2511.00001"
    assert new.submitted_by == "a-contributor"
    again = run_cli("import", "hf", "--date", "2025-11-18", "--content", str(content_copy), "--hf-api", api)
    assert again.stdout.splitlines()[-1] == "Imported from Hugging Face for 2025-11-18: 0 written, 5 skipped."
    after = snapshot(content_copy)
    assert set(after) - set(before) == {"2025/11/18/2511.00001.md"}


def test_hf_import_from_a_saved_file_keeps_every_field(tmp_path):
    content = tmp_path / "content"
    result = run_cli("import", "hf", "--file", str(RECORDED / "hf-daily-2025-11-18.json"), "--content", str(content))
    assert result.returncode == 0 and "3 written, 2 skipped" in result.stdout
    papers, problems = read_papers(content)
    assert problems == []
    grasp = next(p for p in papers if p.slug == "2510.12866")
    assert str(grasp.day) == "2025-11-18"  # the day it was featured, not its arXiv date
    assert grasp.organization == "UC Berkeley" and grasp.upvotes == 12 and grasp.submitted_by == "akhaliq"
    assert grasp.link("code") == "https://github.com/example/lego-grasp"
    assert grasp.link("project") == "https://lego-grasp.github.io/"
    assert grasp.abstract == "Robotic manipulation policies often struggle to generalize to novel objects. We study toys."


@pytest.mark.parametrize(("answers", "message"), [
    ([(500, b"", 0.0)], "kept answering 500"),
    ([(200, b"{not json", 0.0)], "JSON that cannot be read"),
    ([(200, b'{"papers": []}', 0.0)], "not a list of papers"),
    ([(429, b"", 0.0)] * 5, "kept answering 429"),
])
def test_hf_import_errors_are_clear_and_write_nothing(tmp_path, service, answers, message):
    api = service.answer("/api/daily_papers", *answers)
    content = tmp_path / "content"
    result = run_cli("import", "hf", "--date", "2025-11-18", "--content", str(content), "--hf-api", api,
                     "--retry-wait", "0.01")
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert not content.exists()



class ScriptedServer:
    """A local TCP server that answers every request with the same bytes, sent in (bytes, pause)
    steps, then closes: for answers no well-behaved HTTP server would give."""

    def __init__(self, steps: list[tuple[bytes, float]]):
        import socket

        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/api"
        self.steps = steps
        self.stopped = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.answer, args=(connection,), daemon=True).start()

    def answer(self, connection) -> None:
        with connection:
            try:
                connection.recv(65536)
                for data, pause in self.steps:
                    if self.stopped.wait(pause):
                        return
                    connection.sendall(data)
            except OSError:
                pass

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def scripted():
    servers: list[ScriptedServer] = []

    def start(*steps: tuple[bytes, float]) -> str:
        servers.append(ScriptedServer(list(steps)))
        return servers[-1].url

    yield start
    for server in servers:
        server.close()


HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


@pytest.mark.parametrize(("steps", "message"), [
    ([(HEAD + b"Content-Length: 40\r\n\r\n", 0.0)] + [(b"x", 0.3)] * 40, "did not answer within 1 seconds"),
    ([(b"HTTP/1.1 200 OK\r\n", 0.0)] + [(b"X-Drip: 1\r\n", 0.3)] * 40, "did not answer within 1 seconds"),
    ([(HEAD + b"Content-Length: 100\r\n\r\n" + b"[" * 50, 0.0)], "broken answer (cut short: 50 of 100 bytes)"),
    ([(b"HTTQ/9 OK maybe\r\n\r\n", 0.0)], "broken answer (BadStatusLine"),
    ([(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n", 0.0)], "broken answer (LineTooLong"),
    ([(HEAD + b"Content-Length: 209715200\r\n\r\n", 0.0)], "answered with 209715200 bytes"),
    ([(HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"100000\r\n" + b"a" * 2**20 + b"\r\n", 0.0)] * 1
     + [(b"100000\r\n" + b"a" * 2**20 + b"\r\n", 0.0)] * 40, "answered with more than 33554432 bytes"),
    ([(b"HTTP/1.1 429 Too Many\r\nRetry-After: 3600\r\nContent-Length: 0\r\n\r\n", 0.0)],
     "asks to wait 3600 seconds; run the command again later"),
    ([(HEAD + b"Content-Length: 200000\r\n\r\n" + b"[" * 100_000 + b"]" * 100_000, 0.0)],
     "JSON that cannot be read (nested too deeply)"),
], ids=["a body dripped", "headers dripped", "a body cut short", "a bad status line", "an over-long header",
        "200 MB announced", "33 MB chunked", "a wait of an hour asked", "JSON 100,000 deep"])
def test_a_misbehaving_service_gives_one_line_within_the_deadline(tmp_path, scripted, steps, message):
    api = scripted(*steps)
    started = time.monotonic()
    result = run_cli("import", "hf", "--date", "2025-11-18", "--content", str(tmp_path / "content"), "--hf-api", api,
                     "--timeout", "1", "--retry-wait", "0.01")
    assert time.monotonic() - started < 20  # each try is bounded by its deadline, not by the server
    assert result.returncode == 1 and "Traceback" not in result.stderr
    *retries, last = result.stderr.strip().splitlines()
    assert message in last and last.startswith("error: ") and last.endswith("; nothing was written"), last
    if "did not answer" in message:  # no answer in time may pass: asked again, each retry said
        assert len(retries) == 3 and all("trying again in" in line for line in retries) and "(4 tries)" in last
    else:
        assert retries == []
    assert not (tmp_path / "content").exists()


def test_new_writes_its_empty_record_whatever_the_answer_was(tmp_path, scripted):
    api = scripted((b"HTTQ/9 nonsense\r\n\r\n", 0.0))
    content = tmp_path / "content"
    result = run_cli("new", "2305.02993", "--day", "2025-11-18", "--content", str(content), "--arxiv-api", api)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "warning: could not fill the record from arXiv:" in result.stderr and "broken answer" in result.stderr
    assert (content / "2025/11/18/2305.02993.md").is_file()


def test_a_short_wait_asked_by_the_service_is_said(service):
    url = service.answer("/busy", (429, b"", 0.0), (200, b"done", 0.0))
    said: list[str] = []
    waits: list[float] = []
    assert fetch(url, sleep=waits.append, waiting=said.append) == b"done"
    assert waits == [2.0] and said == [f"{url} answered 429 (busy); trying again in 2 s"]


def test_one_item_of_another_shape_is_skipped_and_the_rest_imported(tmp_path, service):
    import json

    good = json.loads((RECORDED / "hf-daily-2025-11-18.json").read_bytes())
    odd = [{"paper": {"id": "2511.00009", "authors": 7, "title": "T", "summary": "S",
                      "submittedOnDailyAt": "2025-11-18T00:00:00Z"}},
           {"paper": {"id": "2511.00008", "submittedOnDailyAt": ["not", "a", "date"]}}]
    api = service.answer("/api/daily_papers", (200, json.dumps(odd + good).encode(), 0.0))
    result = run_cli("import", "hf", "--date", "2025-11-18", "--content", str(tmp_path / "content"), "--hf-api", api)
    assert result.returncode == 0, result.stderr
    assert "skipped item 1: not a paper of the shape Hugging Face gives (TypeError)" in result.stdout
    assert "skipped 2511.00008: no day it was featured (submittedOnDailyAt)" in result.stdout
    assert result.stdout.splitlines()[-1] == "Imported from Hugging Face for 2025-11-18: 3 written, 4 skipped."


@pytest.mark.parametrize("command", [["new", "2305.02993", "--arxiv-api"], ["import", "hf", "--hf-api"]])
def test_a_service_address_must_be_http(tmp_path, command):
    result = run_cli(*command, "file:///etc/passwd", "--content", str(tmp_path / "content"))
    assert result.returncode == 2 and "'file:///etc/passwd' is not an http:// or https:// address" in result.stderr
    assert not (tmp_path / "content").exists()


@pytest.mark.parametrize("location", [b"http://[::1/x", b"http://a..b/", b"ftp://example.org/x", b"javascript:x"])
def test_a_redirect_nowhere_a_fetch_may_go_is_one_line(scripted, location):
    url = scripted((b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n", 0.0))
    with pytest.raises(FetchError):
        fetch(url, timeout=2, retries=0)


def test_the_deadline_holds_when_connecting_took_it_all(scripted, monkeypatch):
    """A slow connection (or name lookup) used the whole deadline before there was a socket to stop."""
    import socket

    url = scripted((HEAD + b"Content-Length: 40\r\n\r\n", 0.0), *[(b"x", 0.3)] * 40)
    connect = socket.create_connection

    def slow_connection(*arguments, **keywords):
        time.sleep(1.2)
        return connect(*arguments, **keywords)

    monkeypatch.setattr(socket, "create_connection", slow_connection)
    started = time.monotonic()
    with pytest.raises(FetchError, match="did not answer within 1 seconds"):
        fetch(url, timeout=1, retries=0)
    assert time.monotonic() - started < 5  # not the 12 s the server takes to drip its answer


def test_a_file_where_a_day_folder_belongs_is_one_line(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "2025").write_text("a file, not a folder")
    result = run_cli("import", "hf", "--file", str(RECORDED / "hf-daily-2025-11-18.json"), "--content", str(content))
    assert result.returncode == 1 and "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr == (f"error: {content}/2025 is not a real folder; records are written only into real "
                             "folders; nothing was written\n")
    assert [p.name for p in content.iterdir()] == ["2025"]
