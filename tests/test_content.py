"""Reading and validating record files: every malformed case gets its own clear message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.read.content import read_papers
from generator.read.records import Link

from conftest import CONTENT, VALID_RECORD, record, write


def read(tmp_path: Path, files: dict[str, str | bytes]):
    content = tmp_path / "content"
    content.mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        write(content, relative, text)
    papers, problems = read_papers(content)
    return papers, [str(problem).replace(content.as_posix() + "/", "") for problem in problems]


def only_problem(tmp_path: Path, text: str | bytes, name: str = "2025/01/02/2305.02993.md") -> str:
    papers, problems = read(tmp_path, {name: text})
    assert papers == []
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_markdown_record_becomes_a_paper(tmp_path):
    papers, problems = read(tmp_path, {"2025/01/02/2305.02993.md": VALID_RECORD})
    assert problems == []
    [paper] = papers
    assert paper.slug == "2305.02993"
    assert paper.day == dt.date(2025, 1, 2)
    assert paper.title == "A Valid Paper"
    assert paper.authors == ("Ada Lovelace", "Alan Turing")
    assert paper.arxiv == "2305.02993"
    assert paper.published == dt.date(2023, 5, 4)
    assert paper.upvotes == 3
    assert paper.tags == ("cs.CL",)
    assert paper.abstract == "An abstract with x < y."
    assert paper.abstract_html == "<p>An abstract with x &lt; y.</p>"


def test_valid_yaml_record_with_every_field(tmp_path):
    text = """title: Old Style
authors: [Edward Witten]
arxiv: hep-th/9901001v2
published: 1999-01-04
organization: IAS
links:
  code: https://example.org/code
  doi: https://doi.org/10.1000/xyz
submitted_by: "@octocat"
abstract: |
  First paragraph.

  Second paragraph.
"""
    papers, problems = read(tmp_path, {"1999/01/05/hep-th-9901001.yaml": text})
    assert problems == []
    [paper] = papers
    assert paper.slug == "hep-th-9901001"
    assert paper.arxiv_base == "hep-th/9901001"
    assert paper.organization == "IAS"
    assert paper.submitted_by == "octocat"
    assert paper.upvotes == 0
    assert paper.links == (Link("code", "https://example.org/code"), Link("doi", "https://doi.org/10.1000/xyz"))
    assert paper.abstract_html == "<p>First paragraph.</p>\n<p>Second paragraph.</p>"


def test_unquoted_arxiv_id_keeps_its_trailing_zero(tmp_path):
    papers, problems = read(tmp_path, {"2025/01/02/2305.02990.md": VALID_RECORD.replace('"2305.02993"', "2305.02990")})
    assert problems == []
    assert papers[0].arxiv == "2305.02990"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VALID_RECORD.replace("authors:", "autors:"),
         "2025/01/02/2305.02993.md:3: autors: unknown field; did you mean 'authors'?"),
        (VALID_RECORD.replace("upvotes: 3", "likes: 3"),
         "2025/01/02/2305.02993.md:8: likes: unknown field; did you mean 'upvotes'?"),
        (VALID_RECORD.replace("title: A Valid Paper", "Title: A Valid Paper"),
         "2025/01/02/2305.02993.md:2: Title: unknown field; did you mean 'title'? field names are lowercase"),
    ],
)
def test_misspelt_field_names_a_suggestion_and_never_vanishes(tmp_path, text, expected):
    problems = read(tmp_path, {"2025/01/02/2305.02993.md": text})[1]
    assert expected in problems


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"title": None}, ":1: title: is required; add it as `title: ...`"),
        ({"authors": ()}, ":3: authors: is required: a list of names"),
        ({"arxiv": "'2305.2993'"}, "arxiv: '2305.2993' needs five digits after the dot since 2015"),
        ({"arxiv": "'23-05.02993'"}, "arxiv: '23-05.02993' is not an arXiv id; write it like 2305.02993"),
        ({"arxiv": "'2313.02993'"}, "arxiv: '2313.02993' has month 13"),
        ({"arxiv": "arXiv:2305.02993"}, "arxiv: write just the id, without 'arXiv:'"),
        ({"published": "2023-02-30"}, "published: 2023-02-30 is not a real date"),
        ({"published": "May 2023"}, "published: must be a date written YYYY-MM-DD, not 'May 2023'"),
        ({"upvotes": -1}, "upvotes: must be a whole number of 0 or more, not -1"),
        ({"upvotes": "many"}, "upvotes: must be a whole number of 0 or more, not 'many'"),
        ({"tags": "cs.LG"}, "tags: must be a list, one item per line starting with '- '"),
        ({"tags": "['<script>']"}, "tags: '<script>' is not a short tag"),
        ({"tags": "['../../etc']"}, "tags: '../../etc' is not a short tag"),
        ({"tags": "['a/b']"}, "tags: 'a/b' is not a short tag"),
        ({"links": "{code: 'javascript:alert(1)'}"}, "links: code: 'javascript:alert(1)' is not an http"),
        ({"links": "{code: 'ftp://example.org/x'}"}, "links: code: 'ftp://example.org/x' is not an http"),
        ({"links": "{github: 'https://github.com/x/y'}"}, "links: unknown link kind 'github'; known kinds are"),
        ({"links": "{projet: 'https://x.org'}"}, "links: unknown link kind 'projet'; did you mean 'project'?"),
        ({"submitted_by": "'not a handle!'"}, "submitted_by: 'not a handle!' is not a handle"),
        ({"organization": "[a, b]"}, "organization: must be text, not a list; put the value in quotes"),
        ({"links": '{code: "https://example.com/\\ud800"}'}, "links: code: 'https://example.com/\\ud800' is not"),
        ({"links": '{code: "https://example.com/\\uFFFE"}'}, "links: code: 'https://example.com/\\ufffe' is not"),
        ({"links": '{code: "https://exa\\u200Bmple.com/"}'}, "links: code: 'https://exa\\u200bmple.com/' is not"),
        ({"tags": "[Aux]"}, "tags: 'Aux' would name its folder as Windows names a device"),
        ({"upvotes": "1:30"}, "upvotes: must be a whole number of 0 or more, not '1:30'"),  # YAML 1.1: 90
        ({"upvotes": "0x1F"}, "upvotes: must be a whole number of 0 or more, not '0x1F'"),
        ({"upvotes": "1_000"}, "upvotes: must be a whole number of 0 or more, not '1_000'"),
        ({"upvotes": 1_000_000_001}, "upvotes: is larger than 1,000,000,000; give the paper's own count"),
        # MessagePack (cache files, the second reader) takes no integer of 2**64 or more, and Python
        # reads none of more than 4,300 digits: both are refused, never a traceback.
        ({"upvotes": 2**64}, "upvotes: is larger than 1,000,000,000"),
        ({"upvotes": "9" * 5000}, "upvotes: is larger than 1,000,000,000"),
        ({"upvotes": "'12345678901'"}, "upvotes: is larger than 1,000,000,000"),
    ],
)
def test_field_values_are_checked(tmp_path, fields, expected):
    base = {"arxiv": "'2305.02993'"}
    base.update(fields)
    title = base.pop("title", "A Paper") if "title" in fields else "A Paper"
    authors = base.pop("authors", ("Ada Lovelace",))
    problem = only_problem(tmp_path, record(title=title, authors=authors, **base))
    assert problem.startswith("2025/01/02/2305.02993.md:")
    assert expected in problem


def test_authors_as_one_string_is_refused(tmp_path):
    text = "---\ntitle: T\nauthors: Ada Lovelace, Alan Turing\n---\n\nText.\n"
    problem = only_problem(tmp_path, text, "2025/01/02/slug.md")
    assert problem == "2025/01/02/slug.md:3: authors: must be a list, one item per line starting with '- '"


def test_missing_abstract_points_below_the_front_matter(tmp_path):
    problem = only_problem(tmp_path, "---\ntitle: T\nauthors: [A]\n---\n\n", "2025/01/02/slug.md")
    assert problem.startswith("2025/01/02/slug.md:")
    assert "abstract: is required; add it below the front matter" in problem


@pytest.mark.parametrize(("field", "escaped", "code"), [
    ("authors", '["Ada\\x1bLovelace"]', "U+001B"),
    ("authors", '["Ada \\uFFFE"]', "U+FFFE"),
    ("organization", '"La\\x9bb"', "U+009B"),
    ("tags", '["nlp\\x00"]', "U+0000"),
])
def test_characters_xml_cannot_carry_are_refused_before_any_feed(tmp_path, field, escaped, code):
    text = f"---\ntitle: T\nauthors: [A]\n{field}: {escaped}\n---\n\nText.\n".replace("authors: [A]\nauthors", "authors")
    problem = only_problem(tmp_path, text, "2025/01/02/slug.md")
    assert problem.startswith("2025/01/02/slug.md:")
    assert f"{field}: " in problem and f"invisible control character {code}" in problem


def test_empty_author_list_is_refused(tmp_path):
    problem = only_problem(tmp_path, "---\ntitle: T\nauthors: []\n---\n\nText.\n", "2025/01/02/slug.md")
    assert problem == "2025/01/02/slug.md:3: authors: must list at least one name"


def test_upvotes_are_read_as_the_decimal_number_written(tmp_path):
    papers, problems = read(tmp_path, {"2025/01/02/a.md": record(upvotes="010"),
                                       "2025/01/02/b.yaml": "title: B\nauthors: [A]\nabstract: x\nupvotes: 7\n"})
    assert problems == [] and sorted(paper.upvotes for paper in papers) == [7, 10]  # YAML 1.1 reads 010 as 8


@pytest.mark.parametrize(("field", "value", "character"), [
    ("title", "\u200b\u200b\u200b", "U+200B (ZERO WIDTH SPACE) at character 1"),
    ("title", "Safe \u202egnp.exe", "U+202E (RIGHT-TO-LEFT OVERRIDE) at character 6"),
    ("title", "Isolated \u2067text\u2069", "U+2067 (RIGHT-TO-LEFT ISOLATE) at character 10"),
    ("organization", "Deep\u00adMind", "U+00AD (SOFT HYPHEN) at character 5"),
    ("organization", "Lab\U000e0041\U000e0042", "U+E0041 (TAG LATIN CAPITAL LETTER A) at character 4"),
    ("title", "\u200d", "U+200D (ZERO WIDTH JOINER) at character 1"),
    ("title", "Word \u200c word", "U+200C (ZERO WIDTH NON-JOINER) at character 6"),
    ("tags", "['cs\u200bLG']", "item 1 contains the invisible character U+200B"),
    ("authors", "['Ada\u2066 Lovelace']", "item 1 contains the invisible character U+2066"),
])
def test_invisible_characters_are_refused_where_a_reader_would_be_fooled(tmp_path, field, value, character):
    fields = {"title": "A Paper", "authors": ["Ada"]}
    text = "---\n" + "".join(f"{name}: {value!r}\n" for name, value in fields.items() if name != field)
    text += f"{field}: {value if value.startswith('[') else repr(value)}\n---\n\nText.\n"
    problem = only_problem(tmp_path, text.replace("'", '"') if "\\" in text else text, "2025/01/02/a.md")
    assert f"{field}: " in problem and character in problem, problem


def test_joiners_inside_words_of_scripts_that_need_them_are_kept(tmp_path):
    title = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 and \u0915\u094d\u200d\u0937 and \U0001f468\u200d\U0001f469"
    papers, problems = read(tmp_path, {"2025/01/02/a.md": f"---\ntitle: {title}\nauthors: [A]\n---\n\nText.\n"})
    assert problems == [] and papers[0].title == title


def test_control_characters_are_refused(tmp_path):
    escaped = '---\ntitle: "Bell\\a rings"\nauthors: [A]\n---\n\nText.\n'
    problem = only_problem(tmp_path, escaped, "2025/01/02/slug.md")
    assert problem == ("2025/01/02/slug.md:2: title: contains the invisible control character U+0007 "
                       "at character 5; delete it")
    raw = "---\ntitle: T\nauthors: [A]\n---\n\nText \x1b[31m red.\n"
    problem = only_problem(tmp_path / "other", raw, "2025/01/02/slug2.md")
    assert problem.startswith("2025/01/02/slug2.md:6: abstract: contains the invisible control character U+001B")


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("2025/01/02/a.md", "", "2025/01/02/a.md:1: file: is empty; a record needs at least title, authors"),
        ("2025/01/02/a.md", "   \n\n", "2025/01/02/a.md:1: file: is empty"),
        ("2025/01/02/a.md", "title: T\n", "2025/01/02/a.md:1: front matter: the file must start with a line holding only '---'"),
        ("2025/01/02/a.md", "---\ntitle: T\nauthors: [A]\n\nText\n",
         "2025/01/02/a.md:1: front matter: no closing '---' line"),
        ("2025/01/02/a.md", "---\ntitle: T: with colon\nauthors: [A]\n---\nText\n",
         "2025/01/02/a.md:2: front matter: is not valid YAML: mapping values are not allowed here"),
        ("2025/01/02/a.md", "---\ntitle: [unclosed\nauthors: [A]\n---\nText\n", "2025/01/02/a.md:"),
        ("2025/01/02/a.md", "---\n- just\n- a list\n---\nText\n",
         "2025/01/02/a.md:2: front matter: must be `field: value` lines"),
        ("2025/01/02/a.md", b"---\ntitle: caf\xe9\nauthors: [A]\n---\nText\n",
         "2025/01/02/a.md:2: file: is not UTF-8 text (byte 0xe9); save the file as UTF-8"),
        ("2025/02/30/a.md", VALID_RECORD.replace('"2305.02993"', "null"),
         "2025/02/30/a.md:1: day: 2025-02-30 is not a real date"),
        ("2025/13/01/a.md", VALID_RECORD.replace('"2305.02993"', "null"),
         "2025/13/01/a.md:1: day: 2025-13-01 is not a real date"),
        ("2025/01/a.md", VALID_RECORD.replace('"2305.02993"', "null"),
         "2025/01/a.md:1: day: is not in a day folder; move it to content/YYYY/MM/DD/"),
        ("2025/01/02/notes.txt", "hello", "2025/01/02/notes.txt:1: file: is not a record"),
        ("2025/01/02/My Paper.md", VALID_RECORD.replace('"2305.02993"', "null"),
         "2025/01/02/My Paper.md:1: file: 'My Paper.md' is not a valid name"),
        ("2025/01/02/a.md", "---\ntitle: T\ntitle: U\nauthors: [A]\n---\nText\n",
         "2025/01/02/a.md:3: title: appears twice (first on line 2); keep one"),
        ("2025/01/02/a.md", "---\ntitle: T\nabstract: X\nauthors: [A]\n---\n",
         "2025/01/02/a.md:3: abstract: in a .md record the abstract goes below the closing '---'"),
        ("2025/01/02/a.md", "---\ntitle: &t T\nauthors: [*t]\n---\nText\n",
         "2025/01/02/a.md:2: front matter: uses YAML anchors and aliases (&name, *name)"),
        ("2025/01/02/2401.00001.md", VALID_RECORD, "2025/01/02/2401.00001.md:6: arxiv: the file is named '2401.00001'"),
        ("\u0662\u0660\u0662\u0665/\u0661\u0661/\u0661\u0667/a.md", VALID_RECORD.replace('"2305.02993"', "null"),
         "\u0662\u0660\u0662\u0665/\u0661\u0661/\u0661\u0667/a.md:1: day: is not in a day folder"),
        ("2025/01/02/con.md", VALID_RECORD.replace('"2305.02993"', "null"),
         "2025/01/02/con.md:1: file: 'con.md' is a name Windows reserves for a device"),
        ("2025/01/02/aux.yaml", "title: T\nauthors: [A]\nabstract: x\n",
         "2025/01/02/aux.yaml:1: file: 'aux.yaml' is a name Windows reserves"),
        ("2025/01/02/nul.v2.md", VALID_RECORD.replace('"2305.02993"', "null"),
         "2025/01/02/nul.v2.md:1: file: 'nul.v2.md' is a name Windows reserves"),
        ("2025/01/02/com1.md", VALID_RECORD.replace('"2305.02993"', "null"),
         "2025/01/02/com1.md:1: file: 'com1.md' is a name Windows reserves"),
    ],
)
def test_malformed_files_are_reported_without_a_traceback(tmp_path, name, data, expected):
    papers, problems = read(tmp_path, {name: data})
    assert papers == []
    assert any(problem.startswith(expected) for problem in problems), problems


def test_same_arxiv_paper_in_two_files_names_both(tmp_path):
    files = {
        "2025/01/02/2305.02993.md": VALID_RECORD,
        "2025/03/04/2305.02993.yaml": "title: Again\nauthors: [B]\narxiv: 2305.02993v2\nabstract: X\n",
    }
    papers, problems = read(tmp_path, files)
    assert len(papers) == 2
    assert problems == ["2025/03/04/2305.02993.yaml:1: arxiv: arXiv 2305.02993 is also recorded in "
                        "2025/01/02/2305.02993.md; keep one of the two files"]


def test_same_slug_without_arxiv_on_two_days(tmp_path):
    text = record(title="Notes")
    problems = read(tmp_path, {"2025/01/02/notes.md": text, "2025/01/03/notes.md": text})[1]
    assert len(problems) == 1
    assert problems[0].startswith("2025/01/03/notes.md:1: file: the name 'notes' is also used by ")


def test_every_problem_of_every_file_is_reported_in_one_run(tmp_path):
    files = {
        "2025/01/02/a.md": record(title=None, upvotes=-2, colour="red"),
        "2025/01/02/b.md": "",
        "2025/01/02/c.md": record(arxiv="'nonsense'"),
        "2025/01/02/d.md": record(),
    }
    papers, problems = read(tmp_path, files)
    assert [paper.slug for paper in papers] == ["d"]
    where = sorted(problem.split(": ")[0] + " " + problem.split(": ")[1] for problem in problems)
    assert where == ["2025/01/02/a.md:1 title", "2025/01/02/a.md:4 upvotes", "2025/01/02/a.md:5 colour",
                     "2025/01/02/b.md:1 file", "2025/01/02/c.md:5 arxiv"]


def test_symbolic_links_are_refused(tmp_path):
    content = tmp_path / "content"
    write(content, "2025/01/02/real.md", record())
    (content / "2025/01/02/link.md").symlink_to(content / "2025/01/02/real.md")
    (content / "2025/01/03").mkdir(parents=True)
    (content / "2025/01/03/folder").symlink_to(tmp_path)
    papers, problems = read_papers(content)
    assert [paper.slug for paper in papers] == ["real"]
    assert [str(p).removeprefix(str(content) + "/") for p in problems] == [
        "2025/01/02/link.md:1: file: is a symbolic link; records must be plain files",
        "2025/01/03/folder:1: file: is a symbolic link; records must be plain files",
    ]


def test_hidden_files_are_ignored(tmp_path):
    papers, problems = read(tmp_path, {".gitkeep": "", "2025/.DS_Store": "x", "2025/01/02/a.md": record()})
    assert problems == []
    assert len(papers) == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("---\ntitle: !!python/object/apply:os.system ['echo hi']\nauthors: [A]\n---\nText\n",
     "2025/01/02/a.md:2: front matter: uses the YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
    ("---\ntitle: !!binary aGk=\nauthors: [A]\n---\nText\n",
     "2025/01/02/a.md:2: front matter: uses the YAML tag 'tag:yaml.org,2002:binary'"),
    ("---\ntitle: T\nauthors:\n\t- A\n---\nText\n",
     "2025/01/02/a.md:4: front matter: is not valid YAML: found character '\\t' that cannot start any token; "
     "indent with spaces, not tabs"),
    ("---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\nText\n",
     "2025/01/02/a.md:2: front matter: uses YAML anchors and aliases"),
    ("---\nauthors: [A]\ntitle: " + "[" * 400 + "x" + "]" * 400 + "\n---\nText\n",
     "2025/01/02/a.md:3: front matter: nests lists or mappings more than 10 deep"),
    ("---\nauthors: [A]\ntitle: " + "{a: " * 300 + "x" + "}" * 300 + "\n---\nText\n",
     "2025/01/02/a.md:3: front matter: nests lists or mappings more than 10 deep"),
    ("---\ntitle: T\nauthors: [A]\nlinks:\n  code: https://a.org/1\n  code: https://b.org/2\n---\nText\n",
     "2025/01/02/a.md:6: front matter: 'code' appears twice (first on line 5); keep one"),
    ("---\ntitle: T\nauthors: [A]\nlinks: {pdf: 'https://a.org/1', pdf: 'https://b.org/2'}\n---\nText\n",
     "2025/01/02/a.md:4: front matter: 'pdf' appears twice (first on line 4); keep one"),
    ("---\nauthors: [A]\ntitle: " + "[" * 11 + "x" + "]" * 11 + "\n---\nText\n",
     "2025/01/02/a.md:3: front matter: nests lists or mappings more than 10 deep"),
])
def test_hostile_yaml_is_refused_before_it_builds_anything(tmp_path, text, expected):
    problem = only_problem(tmp_path, text, "2025/01/02/a.md")
    assert problem.startswith(expected), problem


def test_windows_line_ends_and_a_byte_order_mark_read_like_any_file(tmp_path):
    text = "\ufeff" + VALID_RECORD.replace("\n", "\r\n")
    papers, problems = read(tmp_path, {"2025/01/02/2305.02993.md": text.encode("utf-8")})
    assert problems == []
    assert papers[0].title == "A Valid Paper" and papers[0].abstract == "An abstract with x < y."


def test_libyaml_and_pyyaml_read_every_sample_record_alike(monkeypatch):
    import yaml

    from generator.read import content

    assert content.FAST_LOADER is yaml.CSafeLoader  # the wheel carries libyaml: the fast path is tested
    fast = content.read_papers(CONTENT)
    monkeypatch.setattr(content, "FAST_LOADER", yaml.SafeLoader)
    assert fast == content.read_papers(CONTENT)
    assert len(fast[0]) == 57


def test_naming_many_files_at_once_names_them_as_one_at_a_time(tmp_path, monkeypatch):
    from generator.read.listing import display_path

    write(tmp_path, "project/content/2025/01/02/a.md", "x")
    write(tmp_path, "elsewhere/b.md", "x")
    (tmp_path / "project/content/2025/01/02/link.md").symlink_to(tmp_path / "elsewhere/b.md")
    write(tmp_path, "project/README.md", "x")
    (tmp_path / "project/content/2025/01/02/inside.md").symlink_to("../../../../README.md")
    monkeypatch.chdir(tmp_path / "project")
    paths = [Path("content/2025/01/02/a.md"), tmp_path / "project/content/2025/01/02/a.md",
             Path("../project/content/2025/01/02/a.md"), tmp_path / "elsewhere/b.md",
             Path("content/2025/01/02/link.md"), Path("content/2025/01/02/inside.md"), Path("README.md")]
    memo: dict[str, str] = {}
    named = [display_path(path, memo) for path in paths]
    assert named == [display_path(path) for path in paths]
    assert named[:3] == ["content/2025/01/02/a.md"] * 3
    assert named[3] == (tmp_path / "elsewhere/b.md").as_posix()  # outside the project: as given
    assert named[4] == "content/2025/01/02/link.md"  # a link to outside the project: by its own name
    # A link to another file of the project: by its own name, not its target's (an annotation on
    # the link's line must not land on an innocent file).
    assert named[5:] == ["content/2025/01/02/inside.md", "README.md"]


def test_a_fifo_named_like_a_record_is_refused_not_read(tmp_path):
    """Reading a FIFO blocks until someone writes to it: build and check would hang forever."""
    import os

    from generator.read.cache import RecordCache

    content = tmp_path / "content"
    write(content, "2025/01/02/a.md", VALID_RECORD.replace('"2305.02993"', "null"))
    os.mkfifo(content / "2025/01/02/x.md")
    for cache in (None, RecordCache(tmp_path / "cache")):
        papers, problems = read_papers(content, cache=cache)
        assert len(papers) == 1 and [problem.field for problem in problems] == ["file"]
        assert str(problems[0]).endswith("x.md:1: file: is not a plain file (a FIFO, a device or a folder named "
                                         "like a record); records must be plain files")


def test_a_huge_record_is_refused_without_reading_it_whole(tmp_path):
    problem = only_problem(tmp_path, "---\ntitle: T\nauthors: [A]\n---\n\n" + "word " * 300_000)
    assert problem.endswith(":1: file: is larger than 512 KiB; a record must be under 512 KiB")


def test_editor_backups_are_ignored_and_a_stray_file_is_said_once(tmp_path):
    files = {"2025/01/02/a.md": VALID_RECORD.replace('"2305.02993"', "null"),
             "2025/01/02/a.md~": VALID_RECORD, "2025/01/02/#a.md#": VALID_RECORD, "2025/01/02/a.md.swp": "x",
             "2025/01/02/.a.md.swp": "x", "2025/01/02/notes.txt": "- a\n- list", "README.md": "# Notes\n"}
    papers, problems = read(tmp_path, files)
    assert [paper.slug for paper in papers] == ["a"]
    assert problems == [
        "2025/01/02/notes.txt:1: file: is not a record (records are .md, .yaml or .yml files in content/YYYY/MM/DD/); "
        "move it out of content/ or delete it",
        "README.md:1: day: is not in a day folder; move it to content/YYYY/MM/DD/ for the day it is featured",
    ]


def test_list_items_are_kept_as_typed_and_their_problems_reported_on_their_lines(tmp_path):
    text = ("---\ntitle: T\nauthors:\n  - Ada Lovelace\n  - No\n  - On\n  - 2024-01-01\ntags: [1.10, cs.CL, yes]\n"
            "links:\n  project: https://example.org/p\n  code: ftp://example.org/c\n---\n\nText.\n")
    papers, problems = read(tmp_path, {"2025/01/02/a.md": text})
    assert problems == ["2025/01/02/a.md:11: links: code: 'ftp://example.org/c' is not an http:// or https:// address"]
    text = text.replace("  code: ftp://example.org/c\n", "").replace("  - On\n", "  -\n  - [x]\n")
    papers, problems = read(tmp_path, {"2025/01/02/a.md": text})
    assert problems == ["2025/01/02/a.md:6: authors: item 3 is empty; write it, or delete its line",
                        "2025/01/02/a.md:7: authors: item 4 is a list, not text; write it as text, in quotes if it "
                        "starts with [ or {"]
    text = text.replace("  -\n  - [x]\n", "  - On\n")
    (paper,) = read(tmp_path, {"2025/01/02/a.md": text})[0]
    assert paper.authors == ("Ada Lovelace", "No", "On", "2024-01-01")  # not False, True and a date
    assert paper.tags == ("1.10", "cs.CL", "yes")  # not the number 1.1 and True


def test_a_record_named_with_its_version_is_told_to_drop_it(tmp_path):
    text = VALID_RECORD.replace('"2305.02993"', '"2305.02993v2"')
    papers, problems = read(tmp_path, {"2025/01/02/2305.02993v2.md": text})
    assert papers == [] and len(problems) == 1
    assert "a record is named by its arXiv id without the version: rename the file '2305.02993v2' to " \
           "'2305.02993'" in problems[0]


@pytest.mark.parametrize("given", ["content", "./content", "absolute", "through a link", "outside", "."])
def test_a_listings_folders_are_named_as_display_path_names_them(tmp_path, monkeypatch, given):
    from generator.read.listing import display_path, find_record_files, listed_names

    for name in ("2025/01/02/a.md", "2025/01/03/b.yaml", "top.md", "2024/12/31/c.md"):
        write(tmp_path, f"project/content/{name}", "x")
    (tmp_path / "project/content/2025/01/linked").symlink_to(tmp_path / "project/content/2024", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "project", target_is_directory=True)
    monkeypatch.chdir(tmp_path / ("project/content" if given == "." else "elsewhere" if given == "outside" else "project"))
    content = {"content": Path("content"), "./content": Path("./content"), "absolute": tmp_path / "project/content",
               "through a link": tmp_path / "alias/content", "outside": Path("../project/content"),
               ".": Path(".")}[given]
    records = find_record_files(content)
    assert len(records) == 5  # the linked folder is listed as itself (a problem, later), never gone into
    assert listed_names(content, records) == [display_path(record.path) for record in records]


def test_arxiv_versions_stripped_in_one_pass_are_stripped_as_one_by_one():
    from generator.read.records import strip_arxiv_version, strip_arxiv_versions

    ids = ["2305.02993v2", "2305.02993", "hep-th/9901001v10", "math.GT/0309136", "2401.00001v1", "1506.03134v"]
    assert strip_arxiv_versions(ids) == [strip_arxiv_version(arxiv_id) for arxiv_id in ids] == [
        "2305.02993", "2305.02993", "hep-th/9901001", "math.GT/0309136", "2401.00001", "1506.03134v"]
    odd = ["2305.02993v2\n2305.02994v3", "2401.00001v1"]  # no valid id holds a line break: one by one
    assert strip_arxiv_versions(odd) == ["2305.02993v2\n2305.02994", "2401.00001"] and strip_arxiv_versions([]) == []
