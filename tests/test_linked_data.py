"""What crawlers and link previews read: schema.org JSON-LD on paper pages, og:image and twitter:card."""

from __future__ import annotations

import json

import html5lib
import pytest

from generator.build import build
from generator.config import SiteConfig, load_config
from generator.problems import BuildFailed
from generator.read.content import read_papers

from conftest import CONTENT, LAYOUTS, ROOT, SUB_PATH_BASE_URL, record, write


def head_of(path):
    return html5lib.parse(path.read_bytes(), namespaceHTMLElements=False).find("head")


def json_ld(path) -> dict:
    (script,) = [s for s in head_of(path).iter("script") if s.get("type") == "application/ld+json"]
    return json.loads(script.text)


def test_every_paper_page_says_what_it_is_as_a_scholarly_article(sample_site):
    papers = read_papers(CONTENT)[0]
    for paper in papers:
        article = json_ld(sample_site / "papers" / paper.slug / "index.html")
        assert article["@context"] == "https://schema.org" and article["@type"] == "ScholarlyArticle"
        assert article["name"] == paper.title
        assert [author["name"] for author in article["author"]] == list(paper.authors)
        assert article["datePublished"] == (paper.published or paper.day).isoformat()
        assert article["abstract"] == paper.abstract
        assert article["url"] == f"{SUB_PATH_BASE_URL}papers/{paper.slug}/"
        if paper.arxiv_base:
            assert article["identifier"] == {"@type": "PropertyValue", "propertyID": "arXiv", "value": paper.arxiv_base}


def test_json_ld_is_safe_whatever_a_record_holds(tmp_path):
    hostile = 'Ends </script><script>alert(1)</script> & <!-- here'
    write(tmp_path / "content", "2024/01/08/hostile.md",
          record(title=hostile, authors=("Google DeepMind", "Ada </script> Lovelace"), abstract=hostile))
    build(tmp_path / "content", tmp_path / "site", LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules")
    page = tmp_path / "site/papers/hostile/index.html"
    assert page.read_text().count("<script>alert") == 0
    article = json_ld(page)
    assert article["name"] == hostile and article["abstract"] == hostile
    assert article["author"] == [{"@type": "Organization", "name": "Google DeepMind"},
                                 {"@type": "Person", "name": "Ada </script> Lovelace"}]


def test_every_page_has_a_link_preview_picture(sample_site):
    pages = [path for path in sample_site.rglob("*.html")]
    assert len(pages) > 100
    for path in pages:
        head = head_of(path)
        meta = {(m.get("property") or m.get("name")): m.get("content") for m in head.iter("meta")}
        assert meta["og:image"] == SUB_PATH_BASE_URL + "static/social.png", path
        assert meta["twitter:card"] == "summary_large_image", path
    image = (sample_site / "static/social.png").read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and image[16:24] == (1200).to_bytes(4, "big") + (630).to_bytes(4, "big")


def test_a_site_sets_its_own_preview_picture_and_a_wrong_one_is_explained(tmp_path):
    write(tmp_path / "content", "2024/01/08/paper.md", record())
    (tmp_path / "site.yaml").write_text("image: https://example.org/card.png\n")
    config, problems = load_config(tmp_path / "site.yaml")
    assert problems == [] and config.image == "https://example.org/card.png"
    build(tmp_path / "content", tmp_path / "a", LAYOUTS, config, vendor_dir=ROOT / "node_modules")
    meta = {m.get("property"): m.get("content") for m in head_of(tmp_path / "a/index.html").iter("meta")}
    assert meta["og:image"] == "https://example.org/card.png"
    for wrong in ("javascript:alert(1)", "../secret.png", "static/../x.png", "card.txt"):
        (tmp_path / "site.yaml").write_text(f"title: T\nimage: '{wrong}'\n")
        _, problems = load_config(tmp_path / "site.yaml")
        assert [(p.line, p.field) for p in problems] == [(2, "image")], wrong
        assert "static/NAME.png" in problems[0].message
    with pytest.raises(BuildFailed) as failed:
        build(tmp_path / "content", tmp_path / "b", LAYOUTS, SiteConfig(image="static/missing.png"),
              vendor_dir=ROOT / "node_modules")
    assert "layouts/static/ does not hold" in str(failed.value.problems[0])
    assert not (tmp_path / "b").exists()
