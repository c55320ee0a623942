"""Search at scale: build the search files of a synthetic archive and print what queries cost.

    .venv/bin/python tests/benchmarks/search_benchmark.py [--papers 100000] [--work /tmp/dp-bench]

Prints, for a fixed set of queries on a deterministic synthetic archive: the bytes headless
Chromium downloads to open the search page at the query (gzipped, everything it fetched: page,
code, index files, the hits' details and the snippets it shows), the time lunr.js takes to answer
once the query's shards are loaded, and whether the top 10 equal those of one unsplit
lunr.py index over the same documents. Run by hand; it is not part of the test suite.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the lunr.py oracle

from generator.build import read_static_files  # noqa: E402
from generator.config import SiteConfig  # noqa: E402
from generator.read.content import read_papers  # noqa: E402
from generator.search.shards import render_search  # noqa: E402
from generator.search.terms import search_documents  # noqa: E402
from generator.site.archive import group_papers  # noqa: E402
from generator.site.outputs import OUTPUTS, Output, Sources, render_file  # noqa: E402
from generator.site.pages import PageRenderer, Site  # noqa: E402
from generator.synthetic import write_synthetic  # noqa: E402
from generator.write.reuse import Reuse  # noqa: E402

from conftest import CHROMIUM_ARGS, find_chromium, write_site  # noqa: E402
from oracles import index_papers  # noqa: E402

CODE = ["static/lunr.min.js", "static/search-core.js", "static/search.js"]


def step(message: str, started: float) -> float:
    now = time.perf_counter()
    print(f"  {message}: {now - started:.1f} s", flush=True)
    return now


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def pick_queries(papers, rng: random.Random) -> list[str]:
    """Fixed queries of every kind a reader types: title words, surnames, abstract words, syntax."""
    sample = rng.sample(papers, 6)
    queries = [p.title.split()[1].lower() for p in sample[:2]]
    queries += [p.authors[0].split()[-1] for p in sample[2:4]]
    queries += [p.abstract.split()[7].strip(".").lower() for p in sample[4:6]]
    queries += ["grokking", "title:transformer", "+transformer -vision", "diffusion model", "quant*",
                f"authors:{sample[3].authors[0].split()[-1].lower()}", "model", "neural network training",
                "the model of the data", "grokking zebracorn",  # common words left out; no paper has both
                "trasnformer", "difusion model",  # typos, corrected
                "genralizaton", "trnasformer~1",  # two letters off a long word; word~N on what was typed
                '"neural network"', '"language model" training']  # phrases: the words in that order
    return list(dict.fromkeys(queries))


def phrase_words(text: str) -> list[str]:
    """Text as the site compares phrases: split on spaces and hyphens, trimmed, stemmed by lunr.py."""
    from lunr.stemmer import porter_stemmer

    trimmed = (re.sub(r"^\W+|\W+$", "", word) for word in re.split(r"[\s\-]+", text.lower()))
    return [porter_stemmer.stem(word) for word in trimmed if word]


def holds_phrases(paper, query: str) -> bool:
    """Whether a paper's title, authors, organization or abstract has each quoted phrase of the query."""
    fields = [" " + " ".join(phrase_words(text)) + " "
              for text in (paper.title, ", ".join(paper.authors), paper.organization or "", paper.abstract)]
    phrases = [" " + " ".join(phrase_words(phrase)) + " " for phrase in query.split('"')[1::2]]
    return all(any(phrase in field for field in fields) for phrase in phrases)


def node_answers(site: Path, queries: list[str]) -> dict:
    result = subprocess.run(["node", str(ROOT / "tests/js/search.js"), str(site)], input=json.dumps(queries),
                            capture_output=True, text=True, check=True, timeout=3600)
    return json.loads(result.stdout)


def unsplit_top10(builder, queries: list[str], answers: dict, paper_of: dict) -> dict[str, list[str]]:
    """The top 10 of one unsplit lunr.py index for each query as the site searched it (asked),
    keeping, for a quoted phrase, the papers that have it."""
    index = builder.build()
    tops = {}
    for query in queries:
        asked = answers[query].get("asked", query)
        results = sorted(((r["ref"], r["score"]) for r in index.search(asked)),
                         key=lambda r: (-round(r[1], 9), -int(r[0])))
        refs = [ref for ref, _ in results]
        if '"' in query and not answers[query].get("anyOrder"):
            refs = [ref for ref in refs[:PHRASE_CANDIDATES] if holds_phrases(paper_of[ref], query)]
        tops[query] = refs[:10]
    return tops


PHRASE_CANDIDATES = 40  # as search-core.js for a page of 20: the papers with a phrase's words it checks


def site_file(site: Path, url: str) -> Path | None:
    """The file of the site a local URL names, as a static host maps it."""
    path = urllib.parse.urlsplit(url).path.lstrip("/")
    file = site / path
    if path == "" or path.endswith("/"):
        file = file / "index.html"
    return file if file.is_file() else None


def chromium_figures(site: Path, queries: list[str], runs: int = 5) -> dict[str, tuple[float, int, int]]:
    """For each query: the median ms lunr.js takes once its shards are loaded, the requests and gzipped bytes
    a reader's browser downloads to open the search page at that query (page, code, index files,
    the shown hits' details and the snippets on the first screen of a 1366x900 window)."""
    from playwright.sync_api import sync_playwright

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{server.server_port}/"
    figures = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
            for query in queries:
                context = browser.new_context(viewport={"width": 1366, "height": 900})  # an empty cache
                page = context.new_page()
                fetched: list[str] = []
                page.on("request", lambda request, fetched=fetched: fetched.append(request.url))
                page.goto(address + "search/?q=" + urllib.parse.quote_plus(query))
                page.wait_for_function("""() => {
                    const status = document.querySelector('#search-status');
                    return status && status.textContent && status.textContent !== 'Searching…';
                }""", timeout=120_000)
                page.wait_for_load_state("networkidle")
                files = {site_file(site, url) for url in fetched} - {None}
                downloaded = sum(gzipped(file) for file in files)
                milliseconds = page.evaluate(
                    """async ([query, runs]) => {
                        const load = (p) => fetch('../' + p).then((r) => r.json());
                        const search = window.dailypapersSearch(window.lunr, load);
                        await search.find(query);  // download and parse the shards once
                        const times = [];
                        for (let i = 0; i < runs; i++) {
                          const start = performance.now();
                          await search.find(query);
                          times.push(performance.now() - start);
                        }
                        times.sort((a, b) => a - b);
                        return times[Math.floor(times.length / 2)];
                    }""", [query, runs])
                figures[query] = (milliseconds, downloaded, len(fetched))
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/dailypapers-search-bench"))
    args = parser.parse_args()
    content, site = args.work / f"content-{args.papers}", args.work / f"site-{args.papers}"
    print(f"Synthetic archive of {args.papers} papers in {args.work}", flush=True)
    started = time.perf_counter()
    if not (content / ".complete").is_file():
        write_synthetic(content, args.papers)
        (content / ".complete").write_text("done\n")
        started = step("wrote records", started)
    papers, problems = read_papers(content)
    assert not problems, problems[:5]
    archive = group_papers(papers)
    started = step(f"read {len(papers)} records", started)

    files = dict(render_search(archive))
    started = step("counted terms as lunr.py does and cut them into shards", started)
    pages, sources = Site(archive, PageRenderer(ROOT / "layouts", SiteConfig())), Sources(archive, SiteConfig(), {})
    files.update(render_file(output, value, pages, Reuse()) for output in OUTPUTS
                 if isinstance(output, Output) and output.name in ("API day", "paper", "search page", "search day")
                 for value in output.each(sources))
    files.update(read_static_files(ROOT / "layouts", ROOT / "node_modules"))
    write_site(files, site)
    started = step("wrote the search files", started)

    shards = [name for name in files if name.startswith("search/terms/")]
    shard_sizes = sorted(gzipped(site / name) for name in shards)
    manifest_gz = gzipped(site / "search/manifest.json")
    code_gz = sum(gzipped(site / name) for name in CODE)

    queries = pick_queries(papers, random.Random(7))
    answers = node_answers(site, queries)
    started = step("answered the queries under Node", started)
    documents = search_documents(archive)
    expected = unsplit_top10(index_papers(documents), queries, answers,
                             {str(number): paper for number, paper in documents})
    started = step("built one unsplit lunr.py index and searched it", started)
    figures = chromium_figures(site, queries)
    step("opened the search page at each query in headless Chromium", started)

    print()
    print(f"papers: {len(papers)}; shards: {len(shards)} (gzipped median {statistics.median(shard_sizes) / 1024:.1f} KB, "
          f"largest {shard_sizes[-1] / 1024:.1f} KB); manifest {manifest_gz / 1024:.1f} KB; "
          f"search code {code_gz / 1024:.1f} KB (all gzipped)")
    print(f"{'query':34} {'results':>7} {'requests':>8} {'first query KB gz':>18} {'answer ms':>10} "
          f"{'top 10 = unsplit':>17}")
    print("(results: every match, or the best 20 when the query could stop early)")
    worst_bytes = worst_ms = 0.0
    most_requests = 0
    all_equal = True
    for query in queries:
        answer = answers[query]
        if "error" in answer:
            print(f"{query:34} error: {answer['error']}")
            all_equal = False
            continue
        milliseconds, size, requests = figures[query]
        same = answer["refs"][:10] == expected[query]
        all_equal &= same
        worst_bytes, worst_ms = max(worst_bytes, size), max(worst_ms, milliseconds)
        most_requests = max(most_requests, requests)
        print(f"{query[:34]:34} {len(answer['refs']):7d} {requests:8d} {size / 1024:18.1f} {milliseconds:10.1f} "
              f"{str(same):>17}")
    print()
    print(f"worst first query: {worst_bytes / 1024:.1f} KB gzipped (target 300); slowest answer: {worst_ms:.1f} ms "
          f"(target 300); most requests: {most_requests}; top 10 equal to one unsplit lunr.py index for every "
          f"query: {all_equal}")


if __name__ == "__main__":
    main()
