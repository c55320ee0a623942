"""What a built site weighs: files and bytes per kind of file, the heaviest of each, totals per paper.

    .venv/bin/python tests/benchmarks/site_size.py OUTPUT_DIR PAPERS

A page's weight is what a reader downloads for it, gzipped: the HTML with the stylesheet and the
scripts it loads (every `<script src>` and `<link rel=stylesheet>`), as GitHub Pages serves them.
Run by hand, or by build_benchmark.py after each cold build; it is not part of the test suite.
"""

from __future__ import annotations

import gzip
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

BUDGET_PER_PAPER = 10_000  # bytes: 1 GB, GitHub Pages' limit, at 100,000 papers
FILES_PER_PAPER = 2.0  # 200,000 files, GitLab Pages' limit, at 100,000 papers
PAGE_BUDGET = 50_000  # gzipped bytes of a page with its stylesheet and scripts

# The kinds of file, by path: the first pattern that matches names it.
KINDS = [
    ("paper pages", r"papers/[^/]+/index\.html"),
    ("day pages", r"\d{4}/\d\d/\d\d/(page/\d+/)?index\.html|index\.html|page/\d+/index\.html"),
    ("week pages", r"\d{4}/W\d\d/(page/\d+/)?index\.html"),
    ("month and year pages", r"\d{4}/(\d\d/)?(page/\d+/)?index\.html"),
    ("tag pages", r"tags/.*\.html"),
    ("sitemap and robots", r"sitemap[^/]*\.xml|robots\.txt"),
    ("feeds", r".*\.(xml|atom)|feed\.json"),
    ("JSON API", r"api/.*"),
    ("search index", r"search/.*\.json"),
    ("other pages", r".*\.html"),
    ("static and other", r".*"),
]
ASSET = re.compile(rb'<(?:script[^>]*\bsrc|link[^>]*rel="stylesheet"[^>]*\bhref)="([^"]+)"')


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


@dataclass
class Kind:
    files: int = 0
    bytes: int = 0
    heaviest: tuple[int, str] = (0, "")  # gzipped weight (with assets, for pages) and path
    over_budget: list[str] = field(default_factory=list)


def kind_of(path: str) -> str:
    return next(name for name, pattern in KINDS if re.fullmatch(pattern, path))


def measure_site(output: Path) -> dict[str, Kind]:
    """Every file of the site by kind, with its pages' weights (HTML and assets, gzipped)."""
    kinds = {name: Kind() for name, _ in KINDS}
    assets: dict[Path, int] = {}
    for file in sorted(p for p in output.rglob("*") if p.is_file() and not p.is_symlink()):
        path = file.relative_to(output).as_posix()
        if path.startswith("."):
            continue
        data = file.read_bytes()
        kind = kinds[kind_of(path)]
        kind.files += 1
        kind.bytes += len(data)
        weight = gzipped(data)
        if path.endswith(".html"):
            for link in dict.fromkeys(ASSET.findall(data)):
                asset = (file.parent / link.decode()).resolve()
                if asset not in assets:
                    assets[asset] = gzipped(asset.read_bytes()) if asset.is_file() else 0
                weight += assets[asset]
            if weight > PAGE_BUDGET:
                kind.over_budget.append(path)
        kind.heaviest = max(kind.heaviest, (weight, path))
    return kinds


def report(output: Path, papers: int) -> str:
    """The table build_benchmark.py prints for one site."""
    kinds = measure_site(output)
    lines = [f"{'kind of file':<22} {'files':>9} {'MB':>9} {'KB/paper':>9} {'heaviest KB gz':>15}  heaviest file"]
    for name, kind in kinds.items():
        if kind.files:
            lines.append(f"{name:<22} {kind.files:>9} {kind.bytes / 1e6:>9.1f} {kind.bytes / papers / 1e3:>9.2f} "
                         f"{kind.heaviest[0] / 1e3:>15.1f}  {kind.heaviest[1]}")
    files = sum(kind.files for kind in kinds.values())
    size = sum(kind.bytes for kind in kinds.values())
    over = [path for kind in kinds.values() for path in kind.over_budget]
    lines.append(f"{'total':<22} {files:>9} {size / 1e6:>9.1f} {size / papers / 1e3:>9.2f}")
    lines.append(f"per paper: {size / papers / 1e3:.2f} KB (budget {BUDGET_PER_PAPER / 1e3:.0f}), "
                 f"{files / papers:.2f} files (budget {FILES_PER_PAPER:.0f}); pages over "
                 f"{PAGE_BUDGET // 1000} KB gzipped with their assets (budget 0): {len(over)}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(Path(sys.argv[1]), int(sys.argv[2])))
