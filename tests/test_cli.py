"""The command line as a user types it: new, check, build, seed, and both ways to start it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONTENT, LAYOUTS, ROOT, SAMPLE, SEED_JSON, run_cli, snapshot, write


def test_new_writes_a_skeleton_that_check_then_guides_to_completion(tmp_path):
    content = tmp_path / "content"
    result = run_cli("new", "2305.99999", "--offline", "--day", "2025-01-02", "--content", str(content))
    assert result.returncode == 0, result.stderr
    path = content / "2025/01/02/2305.99999.md"
    assert path.is_file() and str(path) in result.stdout

    check = run_cli("check", "--content", str(content))
    assert check.returncode == 1 and "Traceback" not in check.stderr
    assert f"{path}:2: title: is required" in check.stderr
    assert check.stderr.strip().endswith("3 problems found; fix them and run the check again.")
    assert f"{path}:4: authors: item 1 is empty; write it, or delete its line" in check.stderr  # its own line
    assert "abstract: is required; add it below the front matter" in check.stderr

    text = path.read_text().replace('title: ""', 'title: "A Title"').replace('  - ""', "  - Ada Lovelace")
    path.write_text(text + "The abstract.\n")
    check = run_cli("check", "--content", str(content))
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "1 record checked: no problems."


def test_new_refuses_a_recorded_paper_and_a_bad_id(tmp_path):
    content = tmp_path / "content"
    assert run_cli("new", "hep-th/9901001", "--offline", "--day", "2025-01-02", "--content", str(content)).returncode == 0
    assert (content / "2025/01/02/hep-th-9901001.md").is_file()
    again = run_cli("new", "hep-th/9901001v2", "--day", "2025-03-04", "--content", str(content))
    assert again.returncode == 1
    assert "is already recorded in" in again.stderr and "2025/01/02/hep-th-9901001.md" in again.stderr
    bad = run_cli("new", "12345", "--day", "2025-03-04", "--content", str(content))
    assert bad.returncode == 1 and "is not an arXiv id" in bad.stderr
    bad_day = run_cli("new", "2305.99999", "--day", "2025-02-30", "--content", str(content))
    assert bad_day.returncode == 2 and "is not a day of the calendar" in bad_day.stderr
    assert "Traceback" not in again.stderr + bad.stderr + bad_day.stderr


def test_seed_recreates_the_sample_content_exactly(tmp_path):
    assert SEED_JSON.is_file(), f"the seed file is expected at {SEED_JSON}"
    content = tmp_path / "content"
    result = run_cli("seed", str(SEED_JSON), "--day", "2025-11-18", "--content", str(content))
    assert result.returncode == 0, result.stderr
    assert "57 records written, 0 unchanged" in result.stdout
    assert snapshot(content) == snapshot(SAMPLE)
    assert {path.parent.relative_to(SAMPLE).as_posix() for path in SAMPLE.rglob("*.md")} == {"2025/11/18"}
    spread = tmp_path / "spread"
    assert "57 records written" in run_cli("seed", str(SEED_JSON), "--content", str(spread)).stdout
    assert snapshot(spread) == snapshot(CONTENT)  # without --day, each on its arXiv date
    again = run_cli("seed", str(SEED_JSON), "--day", "2025-11-18", "--content", str(content))
    assert "0 records written, 57 unchanged" in again.stdout


def test_build_prints_a_summary_and_the_console_script_works_the_same(tmp_path):
    result = run_cli("build", "--output", str(tmp_path / "a"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Built 57 papers on 1 day: ")  # the sample: one day of 57 papers
    assert "written" in result.stdout and result.stdout.rstrip().endswith(" s")
    script = Path(sys.executable).parent / "dailypapers"
    other = subprocess.run([str(script), "build", "--output", str(tmp_path / "b")], capture_output=True,
                           text=True, cwd=ROOT, timeout=120)
    assert other.returncode == 0, other.stderr
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_check_passes_on_the_sample_and_settings_typos_are_caught(tmp_path):
    assert run_cli("check").stdout.strip() == "57 records checked: no problems."
    settings = tmp_path / "site.yaml"
    settings.write_text("titel: My digest\nbase_url: ftp://nope\n")
    result = run_cli("build", "--config", str(settings), "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    assert f"{settings}:1: titel: unknown setting; did you mean 'title'?" in result.stderr
    assert f"{settings}:2: base_url: must be an http:// or https:// address" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("address", ["https://example.org/papers/?ref=x", "https://example.org/#top"])
def test_a_base_url_with_a_query_or_fragment_is_refused(tmp_path, address):
    """Every absolute address is made by adding to it: a ? or # in it would corrupt them all."""
    settings = tmp_path / "site.yaml"
    settings.write_text(f"title: T\nbase_url: {address}\n")
    result = run_cli("build", "--config", str(settings), "--output", str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{settings}:2: base_url: must be the site's address without a ?query or #fragment" in result.stderr
    given = run_cli("build", "--base-url", address, "--output", str(tmp_path / "out"))
    assert given.returncode == 1 and "base_url: must be the site's address without" in given.stderr
    assert not (tmp_path / "out").exists()


def test_synthesize_writes_the_same_valid_archive_every_time(tmp_path):
    for name in ("one", "two"):
        result = run_cli("synthesize", "--papers", "300", "--content", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert len(snapshot(tmp_path / "one")) == 300
    check = run_cli("check", "--content", str(tmp_path / "one"))
    assert check.returncode == 0 and "300 records checked: no problems." in check.stdout
    refused = run_cli("synthesize", "--papers", "3", "--content", str(tmp_path / "one"))
    assert refused.returncode == 1 and "is not empty" in refused.stderr


def test_check_of_given_files_compares_them_with_the_whole_archive(tmp_path, content_copy):
    duplicate = content_copy / "2025/11/01/2305.02993.md"  # the same paper again, on a new day
    duplicate.parent.mkdir(parents=True)
    duplicate.write_text(CONTENT.joinpath("2023/05/04/2305.02993.md").read_text().replace(
        "'2305.02993'", "'2305.02993v3'"))
    (content_copy / "2025/11/01/broken.md").write_text("---\ntitle: T\nautors: [A]\n---\n\nText.\n")
    result = run_cli("check", "--content", str(content_copy), str(duplicate))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{duplicate}:1: arxiv: arXiv 2305.02993 is also recorded in {content_copy}/2023/05/04/2305.02993.md; "
        "keep one of the two files",
        "1 problem found; fix them and run the check again.",
    ]  # broken.md is not among the files checked, so it is not reported
    ok = run_cli("check", "--content", str(content_copy), str(content_copy / "2025/10/14/2510.12866.md"))
    assert ok.returncode == 0 and ok.stdout.strip() == "1 record checked against all 58: no problems."
    outside = run_cli("check", "--content", str(content_copy), str(tmp_path / "elsewhere.md"))
    assert outside.returncode == 1 and "elsewhere.md:1: file: is not under" in outside.stderr


def test_check_inside_github_actions_prints_annotations(content_copy):
    broken = content_copy / "2025/11/01/broken.md"
    broken.parent.mkdir(parents=True)
    broken.write_text("---\ntitle: T\nautors: [A]\n---\n\nText, 100%.\n")
    env = dict(os.environ, GITHUB_ACTIONS="true")
    result = subprocess.run([sys.executable, "-m", "generator", "check", "--content", str(content_copy), str(broken)],
                            cwd=CONTENT.parent, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"::error file={broken},line=1,title=authors::is required: a list of names, each on a line starting with '- '",
        f"::error file={broken},line=3,title=autors::unknown field; did you mean 'authors'?",
    ]


def test_names_and_keys_from_records_are_printed_escaped(tmp_path):
    """A YAML key or a file name holding a newline and '::error' cannot forge a GitHub Actions
    annotation, and an escape sequence cannot reach the terminal, on stdout or stderr."""
    content = tmp_path / "content"
    write(content, "2025/01/02/a.md", '---\ntitle: T\nauthors: [A]\n"x\\n::error file=README.md::forged": 1\n---\n\nText.\n')
    write(content, "2025/01/02/b\x1b[2J.md", "---\ntitle: T\nauthors: [A]\n---\n\nText.\n")
    write(content, "2025/01/02/c##[error]forged.md", "---\ntitle: T\nauthors: [A]\n---\n\nText.\n")
    for environment in ({}, {"GITHUB_ACTIONS": "true"}):
        result = subprocess.run([sys.executable, "-m", "generator", "check", "--content", str(content)],
                                capture_output=True, text=True, cwd=tmp_path, timeout=60,
                                env={**os.environ, **environment})
        assert result.returncode == 1 and "Traceback" not in result.stderr
        printed = result.stdout + result.stderr
        assert "\x1b" not in printed
        assert all(not line.startswith("::") or line.startswith("::error file=content/2025/01/02/")
                   for line in printed.splitlines()), printed
        assert "content/2025/01/02/a.md:4: x\\n:\\:error file=README.md:\\:forged: unknown field" in result.stderr
        assert "content/2025/01/02/b\\x1b[2J.md:1: file:" in result.stderr
        assert "##[" not in printed and "content/2025/01/02/c#\\#[error]forged.md:1: file:" in result.stderr


def test_check_names_a_record_that_is_a_link_to_itself(tmp_path):
    content = tmp_path / "content"
    (content / "2025/11/18").mkdir(parents=True)
    (content / "2025/11/18/2511.00001.md").symlink_to("2511.00001.md")
    result = run_cli("check", "--content", str(content), str(content / "2025/11/18/2511.00001.md"), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "content/2025/11/18/2511.00001.md:1: file: is a symbolic link; records must be plain files" in result.stderr


@pytest.mark.parametrize(("text", "message"), [
    (None, "settings: is a symbolic link; the settings must be a plain file"),
    ("title: " + "[" * 5000 + "]" * 5000 + "\n", "settings: nests lists or mappings too deeply"),
])
def test_settings_that_are_a_link_or_nested_deep_are_refused(tmp_path, text, message):
    settings = tmp_path / "site.yaml"
    if text is None:
        (tmp_path / "secret.txt").write_text("title: x\nline two: token=s3cret\n")
        settings.symlink_to(tmp_path / "secret.txt")
    else:
        settings.write_text(text)
    result = run_cli("build", "--config", str(settings), "--output", str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr and "s3cret" not in result.stderr
    assert message in result.stderr


def every_command(parser, name="dailypapers"):
    """(name, parser) for the command line and each of its commands, nested ones too."""
    import argparse

    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                yield from every_command(sub, f"{name} {command}")


def test_every_command_and_option_says_what_it_is_and_its_default():
    from generator.cli import make_parser

    commands = dict(every_command(make_parser()))
    assert {"dailypapers build", "dailypapers import hf", "dailypapers synthesize", "dailypapers seed"} <= set(commands)
    for name, parser in commands.items():
        assert parser.description, name
        for action in parser._actions:
            if action.dest != "help":
                assert action.help, (name, action.option_strings or action.dest)
    build_help = commands["dailypapers build"].format_help()
    assert "the record folder (default: content)" in build_help and "(default: None)" not in build_help
    serve_help = " ".join(commands["dailypapers serve"].format_help().split())
    assert "the port to serve at (default: 8000)" in serve_help


def test_version_and_a_synthetic_archive_needs_its_size():
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("dailypapers ")
    result = run_cli("synthesize", "--content", "/tmp/never-written")
    assert result.returncode == 2 and "--papers" in result.stderr  # no silent 100,000 records


@pytest.mark.parametrize("papers", [3, 2500])  # an archive this big is built by two processes, where there are two
def test_a_template_that_fails_as_it_renders_is_named_with_its_line(tmp_path, papers, two_cores, capsys,
                                                                    monkeypatch):
    import shutil

    from generator.cli import main
    from generator.synthetic import write_synthetic

    monkeypatch.chdir(ROOT)  # given back after the test

    layouts = tmp_path / "layouts"
    shutil.copytree(ROOT / "layouts", layouts)
    page = layouts / "paper.html"
    lines = page.read_text().splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if "<h1>{{ view.paper.title }}</h1>" in line)
    page.write_text(page.read_text().replace("{{ view.paper.title }}</h1>", "{{ view.paper.titel }}</h1>"))
    write_synthetic(tmp_path / "content", papers)
    monkeypatch.chdir(tmp_path)  # in this process, where two_cores holds, from the project as a user runs it
    code = main(["build", "--content", "content", "--layouts", "layouts", "--output", "out", "--node-modules",
                 str(ROOT / "node_modules")])
    said = capsys.readouterr().err
    assert code == 1 and "Traceback" not in said
    assert f"layouts/paper.html:{number}: template: " in said and "titel" in said, said


def test_new_takes_what_people_paste_and_names_a_day_that_does_not_exist(tmp_path):
    content = tmp_path / "content"
    for pasted, slug in (("arXiv:2401.12345", "2401.12345"), ("https://arxiv.org/abs/2401.12346v2", "2401.12346"),
                         ("https://arxiv.org/pdf/2401.12347v1.pdf", "2401.12347")):
        result = run_cli("new", pasted, "--offline", "--day", "2025-02-03", "--content", str(content))
        assert result.returncode == 0, (pasted, result.stderr)
        assert (content / "2025/02/03" / f"{slug}.md").is_file()
    wrong = run_cli("new", "2401.12348", "--offline", "--day", "2025-02-30", "--content", str(content))
    assert wrong.returncode == 2 and "2025-02-30 is not a day of the calendar" in wrong.stderr
    assert "YYYY-MM-DD" in run_cli("new", "2401.12348", "--offline", "--day", "30/02/2025").stderr


def test_the_submission_repository_is_owner_slash_name():
    import tempfile

    from generator.config import load_config

    with tempfile.TemporaryDirectory() as folder:
        settings = Path(folder) / "site.yaml"
        settings.write_text("title: T\nrepository: octocat/papers\n")
        assert load_config(settings)[0].repository == "octocat/papers"
        for wrong in ("https://github.com/octocat/papers", "octocat", "octo cat/papers", "a/b/c"):
            settings.write_text(f"title: T\nrepository: {wrong}\n")
            problems = load_config(settings)[1]
            assert [(p.line, p.field) for p in problems] == [(2, "repository")], wrong
            assert "OWNER/NAME" in problems[0].message


def test_the_command_holds_what_the_build_read_until_the_process_ends(monkeypatch):
    import weakref

    from generator import cli

    class Read:  # stands for what a build keeps; a list of them is what main is handed
        pass

    alive = []

    def main(argv=None, hold=None):
        thing = Read()
        hold.append(thing)
        alive.append(weakref.ref(thing))
        return 3

    def exit_now(code):
        alive.append(alive[0]() is not None)  # is it still held as the process ends?
        raise SystemExit(code)

    monkeypatch.setattr(cli, "main", main)
    monkeypatch.setattr(cli.os, "_exit", exit_now)
    with pytest.raises(SystemExit) as ended:
        cli.run()
    assert ended.value.code == 3 and alive[1] is True


def test_a_failed_build_holds_nothing(tmp_path):
    from generator.build import build
    from generator.config import SiteConfig
    from generator.problems import BuildFailed

    content = tmp_path / "content"
    (content / "2025/01/02").mkdir(parents=True)
    (content / "2025/01/02/broken.md").write_text("---\ntitle: [unclosed\n---\n\nText.\n")
    held: list = []
    with pytest.raises(BuildFailed):
        build(content, tmp_path / "out", LAYOUTS, SiteConfig(), vendor_dir=ROOT / "node_modules",
              cache_dir=tmp_path / "cache", hold=held)
    assert held == []  # what it started (the listing of output/ beside it) is let go, and so stopped
