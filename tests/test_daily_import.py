"""The daily imports against recorded answers on a local server: arXiv categories, Hugging Face
ranges, and `import daily` as site.yaml says."""

from __future__ import annotations

import datetime as dt
import time
import urllib.parse

import pytest

from generator.read.content import read_papers
from generator.read.records import slug_for_arxiv
from generator.recordfile import format_record, record_path

from conftest import ok, run_cli, snapshot

FAST = ("--request-interval", "0.01", "--retry-wait", "0.01")
PAGE_1, PAGE_2 = ok("arxiv-listing-2025-11-18-page1.xml"), ok("arxiv-listing-2025-11-18-page2.xml")


def query_of(request: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request).query))


def import_arxiv(content, api, *extra: str):
    return run_cli("import", "arxiv", "--category", "cs.CL", "--category", "cs.LG", "--date", "2025-11-18",
                   "--content", str(content), "--arxiv-api", api, "--page-size", "3", *extra)


def write_existing(content, arxiv_id: str) -> None:
    """A record already in the archive, on another day, as a contributor wrote it."""
    fields = {"title": "Already here", "authors": ["Someone"], "arxiv": arxiv_id}
    path = record_path(content, dt.date(2025, 11, 20), slug_for_arxiv(arxiv_id))
    path.parent.mkdir(parents=True)
    path.write_text(format_record(fields, "An abstract."))


def test_arxiv_import_reads_every_page_and_writes_each_new_paper_once(tmp_path, service):
    content = tmp_path / "content"
    write_existing(content, "2511.10002v2")  # the same paper as 2511.10002v1, under another version
    api = service.answer("/api/query", PAGE_1, PAGE_2)
    result = import_arxiv(content, api, *FAST)
    assert result.returncode == 0, result.stderr
    queries = [query_of(request) for request in service.requests]
    assert [q["start"] for q in queries] == ["0", "3"] and {q["max_results"] for q in queries} == {"3"}
    assert queries[0]["search_query"] == "(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202511180000 TO 202511182359]"
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("wrote")] == [
        f"wrote {content}/2025/11/18/{name}.md" for name in ("2511.10001", "2511.10003", "2511.10004")]
    assert f"skipped 2511.10002: arXiv 2511.10002 is already recorded in {content}/2025/11/20/2511.10002.md" in lines
    assert lines[-1] == "Imported from arXiv cs.CL, cs.LG for 2025-11-18: 3 written, 1 skipped."
    papers, problems = read_papers(content)
    assert problems == []
    by_id = {paper.slug: paper for paper in papers}
    first = by_id["2511.10001"]
    assert first.title == "Length Generalization in Transformers via Position Coupling"
    assert first.authors == ("Ada Lovelace", "Alan M. Turing")
    assert first.tags == ("cs.CL", "cs.LG")  # the primary first; the ACM class I.2.7 is no tag
    assert str(first.published) == "2025-11-18" and str(first.day) == "2025-11-18"
    assert first.link("pdf") == "https://arxiv.org/pdf/2511.10001v1"
    assert first.abstract.startswith("We study why transformers trained on short sequences fail on longer ones and "
                                     "propose position coupling")
    assert first.abstract.endswith("generalize with 95% accuracy.\n\nWe release code and data.")  # its paragraphs
    assert by_id["2511.10003"].tags == ("cs.LG", "cs.CL")  # cross-listed in both followed categories: once
    assert by_id["2511.10003"].authors == ("Émilie du Châtelet", "李 雷")
    before = snapshot(content)
    again = import_arxiv(content, service.answer("/api/query", PAGE_1, PAGE_2), *FAST)
    assert again.returncode == 0 and again.stdout.splitlines()[-1].endswith(": 0 written, 4 skipped.")
    assert snapshot(content) == before


def test_arxiv_is_asked_at_most_once_every_three_seconds(tmp_path, service):
    api = service.answer("/api/query", PAGE_1, PAGE_2)
    result = import_arxiv(tmp_path / "content", api)
    assert result.returncode == 0, result.stderr
    assert len(service.times) == 2 and service.times[1] - service.times[0] >= 3.0


def test_a_busy_arxiv_is_retried_at_its_pace(tmp_path, service):
    api = service.answer("/api/query", PAGE_1, (503, b"busy", 0.0), PAGE_2)
    result = import_arxiv(tmp_path / "content", api, "--request-interval", "0.3", "--retry-wait", "0.01")
    assert result.returncode == 0, result.stderr
    assert "answered 503 (busy); trying again" in result.stderr
    assert [query_of(r)["start"] for r in service.requests] == ["0", "3", "3"]
    assert min(b - a for a, b in zip(service.times, service.times[1:], strict=False)) >= 0.3


@pytest.mark.parametrize(("second_page", "message"), [
    ((500, b"oops", 0.0), "kept answering 500 (Internal Server Error) after 4 tries"),
    ((200, PAGE_2[1][: len(PAGE_2[1]) // 2], 0.0), "the arXiv API answered with XML that cannot be read"),
    ((200, b'{"papers": []}', 0.0), "XML that cannot be read"),
    ((200, b"<feed xmlns='http://www.w3.org/2005/Atom'><title>x</title></feed>", 0.0), "is not a listing"),
    (ok("arxiv-listing-empty.xml"), "answered an empty page at paper 4 of 5 for 2025-11-18 3 times"),
])
def test_a_failed_page_writes_nothing_and_says_so_in_one_line(tmp_path, service, second_page, message):
    # A listing whose first page is good and whose second is not: not even the first page is written.
    empty_in_the_middle = second_page[1].replace(b">0</opensearch:totalResults>", b">5</opensearch:totalResults>")
    api = service.answer("/api/query", PAGE_1, (second_page[0], empty_in_the_middle, 0.0))
    content = tmp_path / "content"
    result = import_arxiv(content, api, *FAST)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len([line for line in lines if line.startswith("error: ")]) == 1 and "Traceback" not in result.stderr
    assert message in lines[-1] and lines[-1].endswith("; nothing was written")
    assert not content.exists()
    if "empty page" in message:  # the API's passing quirk is asked again before it counts as a failure
        assert [query_of(r)["start"] for r in service.requests] == ["0", "3", "3", "3"]


def test_no_arxiv_to_reach_is_one_line(tmp_path):
    result = import_arxiv(tmp_path / "content", "http://127.0.0.1:9/api/query", *FAST)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: cannot reach http://127.0.0.1:9/api/query?search_query=")
    assert len(result.stderr.splitlines()) == 1


def listing(day: str, ids: list[int], start: int, total: int) -> bytes:
    """A listing page of synthetic papers, shaped as arXiv's."""
    entries = "".join(f"""<entry><id>http://arxiv.org/abs/2511.{number:05d}v1</id>
<published>{day}T12:00:00Z</published><title>Paper number {number}</title>
<summary>The abstract of paper {number},
wrapped as arXiv wraps it.</summary><author><name>Author {number}</name></author>
<link title="pdf" href="http://arxiv.org/pdf/2511.{number:05d}v1" rel="related"/>
<arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.LG"/>
<category term="cs.LG"/></entry>""" for number in ids)
    return (f"""<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}</opensearch:totalResults>
<opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{start}</opensearch:startIndex>
{entries}</feed>""").encode()


def test_a_day_of_a_thousand_papers(tmp_path, service):
    pages = [listing("2025-11-18", list(range(start + 1, start + 501)), start, 1000) for start in (0, 500)]
    api = service.answer("/api/query", *[(200, page, 0.0) for page in pages])
    content = tmp_path / "content"
    started = time.monotonic()
    result = run_cli("import", "arxiv", "--category", "cs.LG", "--date", "2025-11-18", "--content", str(content),
                     "--arxiv-api", api, *FAST)
    assert result.returncode == 0, result.stderr
    assert [query_of(r)["start"] for r in service.requests] == ["0", "500"]
    assert result.stdout.splitlines()[-1] == "Imported from arXiv cs.LG for 2025-11-18: 1000 written, 0 skipped."
    papers, problems = read_papers(content)
    assert problems == [] and len(papers) == 1000 and {str(p.day) for p in papers} == {"2025-11-18"}
    assert time.monotonic() - started < 60  # a generous bound: a check that it finishes, not a benchmark


def test_hf_import_of_a_range_asks_once_a_day_and_writes_nothing_when_a_day_fails(tmp_path, service):
    api = service.answer("/api/daily_papers", (200, b"[]", 0.0), ok("hf-daily-2025-11-18.json"))
    content = tmp_path / "content"
    result = run_cli("import", "hf", "--from", "2025-11-17", "--to", "2025-11-18", "--content", str(content),
                     "--hf-api", api, "--request-interval", "0.2")
    assert result.returncode == 0, result.stderr
    assert [query_of(r)["date"] for r in service.requests] == ["2025-11-17", "2025-11-18"]
    assert service.times[1] - service.times[0] >= 0.2
    assert result.stdout.splitlines()[-1] == \
        "Imported from Hugging Face for 2025-11-17 to 2025-11-18: 3 written, 2 skipped."
    failing = service.answer("/api/daily_papers", ok("hf-daily-2025-11-18.json"), (500, b"", 0.0))
    other = tmp_path / "other"
    result = run_cli("import", "hf", "--from", "2025-11-18", "--to", "2025-11-19", "--content", str(other),
                     "--hf-api", failing, *FAST)
    assert result.returncode == 1 and "kept answering 500" in result.stderr and not other.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2025-11-18"], "error: --from needs --to: the last day of the range"),
    (["--from", "2025-11-18", "--to", "2025-11-17"], "error: --from must not be after --to"),
    (["--date", "2025-11-18", "--to", "2025-11-19"], "error: --to goes with --from, not with --date"),
    ([], "error: say which day"),
])
def test_days_asked_wrongly_are_one_line(tmp_path, args, message):
    result = run_cli("import", "hf", *args, "--content", str(tmp_path / "content"))
    assert result.returncode == 2 and result.stderr.startswith(message) and not (tmp_path / "content").exists()


def test_daily_import_follows_site_yaml(tmp_path, service):
    settings = tmp_path / "site.yaml"
    settings.write_text("import:\n  huggingface: true\n  arxiv: [cs.CL, cs.LG]\n")
    hf = service.answer("/api/daily_papers", ok("hf-daily-2025-11-18.json"))
    arxiv = service.answer("/api/query", PAGE_1, PAGE_2)
    content = tmp_path / "content"
    result = run_cli("import", "daily", "--date", "2025-11-18", "--config", str(settings), "--content", str(content),
                     "--hf-api", hf, "--arxiv-api", arxiv, "--page-size", "3", *FAST)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == \
        "Imported from Hugging Face and arXiv cs.CL, cs.LG for 2025-11-18: 7 written, 2 skipped."
    assert len(read_papers(content)[0]) == 7
    settings.write_text("import:\n  huggingface: no\n  days: 2\n")
    nothing = run_cli("import", "daily", "--config", str(settings), "--content", str(content))
    assert nothing.returncode == 0 and nothing.stdout.startswith("Nothing to import:")
    settings.write_text("import:\n  arxiv: [cs.CL, I.2.7]\n")
    wrong = run_cli("import", "daily", "--config", str(settings), "--content", str(content))
    assert wrong.returncode == 1 and f"{settings}:2: import.arxiv: 'I.2.7' is not an arXiv category" in wrong.stderr


def test_daily_import_takes_the_last_days_up_to_yesterday(tmp_path, service):
    settings = tmp_path / "site.yaml"
    settings.write_text("import:\n  huggingface: true\n  days: 3\n")
    hf = service.answer("/api/daily_papers", (200, b"[]", 0.0))
    started = dt.datetime.now(dt.UTC).date()
    result = run_cli("import", "daily", "--config", str(settings), "--content", str(tmp_path / "content"),
                     "--hf-api", hf, *FAST)
    assert result.returncode == 0, result.stderr
    asked = [query_of(r)["date"] for r in service.requests]
    days = [dt.date.fromisoformat(day) for day in asked]
    assert [(b - a).days for a, b in zip(days, days[1:], strict=False)] == [1, 1]
    yesterday = started - dt.timedelta(days=1)
    assert days[-1] in (yesterday, dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1))  # a run across midnight


def hf_items(numbers) -> bytes:
    import json

    return json.dumps([{"paper": {"id": f"2511.{n:05d}", "title": f"Paper {n}", "summary": f"Abstract {n}.",
                                  "authors": [{"name": f"Author {n}"}], "upvotes": n % 50,
                                  "submittedOnDailyAt": "2025-11-18T08:00:00.000Z",
                                  "publishedAt": "2025-11-17T17:00:00.000Z"}} for n in numbers]).encode()


def test_a_hugging_face_day_of_a_thousand_papers_is_read_a_hundred_at_a_time(tmp_path, service):
    pages = [(200, hf_items(range(start + 1, start + 101)), 0.0) for start in range(0, 1000, 100)]
    api = service.answer("/api/daily_papers", *pages, (200, b"[]", 0.0))
    content = tmp_path / "content"
    result = run_cli("import", "hf", "--date", "2025-11-18", "--content", str(content), "--hf-api", api, *FAST)
    assert result.returncode == 0, result.stderr
    assert [query_of(r)["p"] for r in service.requests] == [str(n) for n in range(11)]
    assert {query_of(r)["limit"] for r in service.requests} == {"100"}
    assert result.stdout.splitlines()[-1] == "Imported from Hugging Face for 2025-11-18: 1000 written, 0 skipped."
    papers, problems = read_papers(content)
    assert problems == [] and len(papers) == 1000


def test_a_service_that_ignores_the_page_is_read_once(tmp_path, service):
    api = service.answer("/api/daily_papers", (200, hf_items(range(1, 101)), 0.0))  # the same page every time
    result = run_cli("import", "hf", "--date", "2025-11-18", "--content", str(tmp_path / "content"), "--hf-api", api,
                     *FAST)
    assert result.returncode == 0, result.stderr
    assert len(service.requests) == 2 and result.stdout.splitlines()[-1].endswith(": 100 written, 0 skipped.")


@pytest.mark.parametrize(("pages", "requests", "outcome"), [
    # A mirror that ignores `start` sends the first page again: the listing ends there.
    ([PAGE_1], 2, "3 written"),
    # A total no API gives, or one written in other digits, is refused whole.
    ([(200, PAGE_1[1].replace(b">5</opensearch:totalResults>", b">1000000</opensearch:totalResults>"), 0.0)], 1,
     "lists 1000000 papers for 2025-11-18, more than the 30000 it gives for one query"),
    ([(200, PAGE_1[1].replace(b">5</opensearch:totalResults>", ">²</opensearch:totalResults>".encode()), 0.0)], 1,
     "something that is not a listing"),
])
def test_a_listing_that_never_ends_is_not_followed(tmp_path, service, pages, requests, outcome):
    api = service.answer("/api/query", *pages)
    result = import_arxiv(tmp_path / "content", api, *FAST)
    assert len(service.requests) == requests and "Traceback" not in result.stderr
    assert outcome in (result.stdout if result.returncode == 0 else result.stderr), result.stderr


def test_a_dropped_connection_or_a_late_answer_is_asked_again(tmp_path, service):
    api = service.answer("/api/query", (200, b"late", 2.0), PAGE_1, PAGE_2)
    result = import_arxiv(tmp_path / "content", api, "--timeout", "0.5", *FAST)
    assert result.returncode == 0, result.stderr
    assert "did not answer within 0.5 seconds; trying again in" in result.stderr
    assert result.stdout.splitlines()[-1].endswith(": 4 written, 0 skipped.")


def test_a_linked_content_folder_is_never_written_through(tmp_path, service):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "content").symlink_to(elsewhere)
    api = service.answer("/api/query", PAGE_1, PAGE_2)
    result = import_arxiv(tmp_path / "content", api, *FAST)
    assert result.returncode == 1 and "is a symbolic link; records are written only into real folders" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_an_import_setting_with_nothing_under_it_means_the_defaults(tmp_path):
    settings = tmp_path / "site.yaml"
    settings.write_text("title: T\nimport:\n#  huggingface: true\n")
    result = run_cli("import", "mode", "--config", str(settings))
    assert result.returncode == 0 and result.stdout == "pull-request\n"
    (tmp_path / "content").mkdir()
    assert run_cli("check", "--config", str(settings), "--content", str(tmp_path / "content")).returncode == 0


def test_a_write_that_fails_midway_says_how_many_were_written(tmp_path, service, monkeypatch, capsys):
    from generator import recordfile
    from generator.cli import make_parser
    from generator.importers import command

    real, calls = recordfile.put_record, []

    def full_disk_at_the_second(content_dir, path, text):
        calls.append(path)
        if len(calls) == 2:
            raise recordfile.RecordFileError(f"cannot write {path.as_posix()}: No space left on device")
        real(content_dir, path, text)

    monkeypatch.setattr(recordfile, "put_record", full_disk_at_the_second)
    api = service.answer("/api/query", PAGE_1, PAGE_2)
    args = make_parser().parse_args(["import", "arxiv", "--category", "cs.CL", "--date", "2025-11-18", "--content",
                                     str(tmp_path / "content"), "--arxiv-api", api, *FAST])
    assert command.run_import(args) == 1
    said = capsys.readouterr().err
    assert said.endswith("No space left on device, after 1 of the 4 new records were written\n"), said
    assert "nothing was written" not in said
    assert len(list((tmp_path / "content").rglob("*.md"))) == 1
