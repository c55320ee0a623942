"""Golden sites, as Pelican keeps them: the sample and a 1,000-paper synthetic archive build to the
bytes recorded here. A change that moves either hash says why in its commit, with the new hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

from generator.build import build
from generator.config import SiteConfig
from generator.synthetic import write_synthetic

from conftest import LAYOUTS, ROOT, SAMPLE

SAMPLE_SITE = "addb0ec91304e840abedfa18464769ac91b287ea89f2ed3c5abbca407115f454"
SYNTHETIC_1000_SITE = "57d13a801a1b85ed15e0a3c42c73dab7cad70ead95ebb4594cae83c15ad898fc"


def site_hash(folder: Path) -> str:
    """One hash of every file of a site: its path and a hash of its bytes, in path order."""
    digest = hashlib.sha256()
    for path in sorted(path for path in folder.rglob("*") if path.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def test_the_sample_site_is_the_recorded_one(tmp_path):
    build(SAMPLE, tmp_path / "out", LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules")
    assert site_hash(tmp_path / "out") == SAMPLE_SITE


def test_a_synthetic_1000_paper_site_is_the_recorded_one(tmp_path):
    write_synthetic(tmp_path / "content", 1000)
    build(tmp_path / "content", tmp_path / "out", LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules")
    assert site_hash(tmp_path / "out") == SYNTHETIC_1000_SITE
