"""Writing records (new, seed, import): never through a link, and only records the build accepts."""

from __future__ import annotations

import json

import pytest

from generator.read.content import read_papers

from conftest import SEED_JSON, run_cli


@pytest.mark.parametrize("planted", ["record", "dangling record", "day folder", "year folder"])
def test_seed_and_new_never_write_through_a_planted_link(tmp_path, planted):
    from generator.recordfile import record_path, seed_record

    entry = json.loads(SEED_JSON.read_text())[0]
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps([entry]))
    content = tmp_path / "content"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "victim.txt"
    victim.write_text("precious")
    day, slug, _ = seed_record(entry)
    path = record_path(content, day, slug)
    if planted in ("record", "dangling record"):
        path.parent.mkdir(parents=True)
        path.symlink_to(victim if planted == "record" else elsewhere / "made.txt")
    elif planted == "day folder":
        path.parent.parent.mkdir(parents=True)
        path.parent.symlink_to(elsewhere)
    else:
        content.mkdir()
        (content / path.relative_to(content).parts[0]).symlink_to(elsewhere)
    seeded = run_cli("seed", str(seed), "--content", str(content))
    assert "Traceback" not in seeded.stderr and "0 records written, 0 unchanged, 1 skipped." in seeded.stdout
    assert "is a symbolic link" in seeded.stdout
    if "folder" in planted:  # new refuses a link it finds as a record before it writes anything
        made = run_cli("new", entry["arxiv_id"], "--day", day.isoformat(), "--content", str(content), "--offline")
        assert made.returncode == 1 and "is a symbolic link" in made.stderr and "Traceback" not in made.stderr
    assert sorted(path.name for path in elsewhere.iterdir()) == ["victim.txt"] and victim.read_text() == "precious"


def test_seed_checks_each_entry_as_import_does_and_keeps_the_good_ones(tmp_path):
    good = json.loads(SEED_JSON.read_text())[:2]
    bad = [
        {**good[0], "arxiv_id": "2101.00001", "links": None, "code_url": "javascript:alert(1)"},
        {**good[0], "arxiv_id": "2101.00002", "abstract": "x" * 1_500_000},
        {**good[0], "arxiv_id": "../../.md"},
        {"title": "no other field"},
        {**good[0], "arxiv_id": "2101.00003", "published": "2021-02-30"},
        "not even an object",
    ]
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(good + bad))
    content = tmp_path / "content"
    result = run_cli("seed", str(seed), "--content", str(content))
    assert result.returncode == 0 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].endswith(": 2 records written, 0 unchanged, 6 skipped.")
    assert any(line.startswith("skipped entry 3: the record would not be valid:") and "javascript" in line
               for line in lines)
    assert any(line.startswith("skipped entry 4: the record would not be valid:")
               and line.endswith(":1: file: is larger than 512 KiB; a record must be under 512 KiB") for line in lines)
    assert any(line.startswith("skipped entry 5: ") and "not an arXiv id" in line for line in lines)
    assert "skipped entry 6: not a paper of seed-papers.json's shape (KeyError: 'published')" in lines
    assert any(line.startswith("skipped entry 7: not a paper of seed-papers.json's shape (ValueError") for line in lines)
    assert "skipped entry 8: not a paper of seed-papers.json's shape (TypeError" in result.stdout
    papers, problems = read_papers(content)
    assert problems == [] and len(papers) == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == ["content", "seed.json"]


def test_seed_writes_an_early_year_where_the_build_reads_it(tmp_path):
    entry = {**json.loads(SEED_JSON.read_text())[0], "published": "0001-01-01"}
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps([entry]))
    result = run_cli("seed", str(seed), "--content", str(tmp_path / "content"))
    assert result.returncode == 0, result.stderr
    assert [path.relative_to(tmp_path / "content").parts[:3] for path in (tmp_path / "content").rglob("*.md")] == \
        [("0001", "01", "01")]
    papers, problems = read_papers(tmp_path / "content")
    assert problems == [] and str(papers[0].day) == "0001-01-01"
