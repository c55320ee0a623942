"""The GitHub Actions workflow: valid, complete, and running only commands the tests also run."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT, run_cli

WORKFLOW = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text())


def steps(job: str) -> list[dict]:
    return WORKFLOW["jobs"][job]["steps"]


def commands(job: str) -> str:
    return "\n".join(step.get("run", "") for step in steps(job))


def test_pull_requests_are_checked_and_main_is_deployed_to_pages():
    triggers = WORKFLOW[True] if True in WORKFLOW else WORKFLOW["on"]  # YAML 1.1 reads `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    check = commands("check")
    assert "| xargs -0 -r dailypapers check" in check and "make test" in check
    assert ".venv/bin/dailypapers build" in check  # a pull request is built too
    assert "--diff-filter=AMR" in check
    deploy = WORKFLOW["jobs"]["deploy"]
    assert deploy["needs"] == "check"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "github.event_name != 'pull_request'" in deploy["if"]
    uses = [step.get("uses", "") for step in steps("deploy")]
    assert any(u.startswith("actions/configure-pages@") for u in uses)
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert 'dailypapers build --base-url "${{ steps.pages.outputs.base_url }}/"' in commands("deploy")
    upload = next(step for step in steps("deploy") if step.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "output"
    size_check = next(place for place, step in enumerate(steps("deploy")) if "dailypapers check-size" in step.get("run", ""))
    assert size_check < steps("deploy").index(upload)  # before the upload, of the folder it uploads
    assert "--output output" in steps("deploy")[size_check]["run"]


def test_a_deploy_starts_from_the_last_deploys_build_cache():
    from generator.cli import make_parser

    default_cache = make_parser().parse_args(["build"]).cache
    names = [step.get("uses", "") or step.get("run", "") for step in steps("deploy")]
    cache = next(step for step in steps("deploy") if step.get("uses", "").startswith("actions/cache@"))
    build_step = next(i for i, name in enumerate(names) if "dailypapers build" in name)
    assert names.index(cache["uses"]) < build_step  # restored before the build, saved after the job
    # Where `dailypapers build` keeps it, and the key its files are stamped with (outside the checkout).
    assert cache["with"]["path"].split() == [default_cache.as_posix(), "~/.cache/dailypapers"]
    # Whatever cache the checkout brings (a pull request may commit one) is gone before the restore.
    assert names.index(f"rm -rf {default_cache.as_posix()}") < names.index(cache["uses"])
    # A new key each commit (a cache entry is never overwritten), restored from the newest one.
    assert "${{ github.sha }}" in cache["with"]["key"]
    assert cache["with"]["key"].startswith(cache["with"]["restore-keys"])


def test_every_dailypapers_command_in_the_workflow_works_as_the_workflow_runs_it(tmp_path):
    used = set(re.findall(r"dailypapers ([\w-]+)", commands("check") + commands("deploy")))
    assert used == {"check", "build", "check-size"}
    assert run_cli("check").returncode == 0
    built = run_cli("build", "--base-url", "https://octocat.github.io/papers", "--output", str(tmp_path / "out"))
    assert built.returncode == 0, built.stderr
    home = (tmp_path / "out/index.html").read_text()
    assert '<link rel="canonical" href="https://octocat.github.io/papers/">' in home
    assert "Sitemap: https://octocat.github.io/papers/sitemap.xml" in (tmp_path / "out/robots.txt").read_text()
    fits = run_cli("check-size", "--output", str(tmp_path / "out"))
    assert fits.returncode == 0 and "fits" in fits.stdout


def test_a_site_too_large_for_its_host_stops_the_deploy_in_one_line_that_says_the_size(tmp_path):
    """The size is the tar's the upload makes (GNU tar measures the same), and the limit is the host's."""
    import subprocess

    built = run_cli("build", "--output", str(tmp_path / "out"), "--no-cache")
    assert built.returncode == 0, built.stderr
    tar = subprocess.run(["tar", "-cf", "-", "."], cwd=tmp_path / "out", capture_output=True, check=True).stdout
    fits = run_cli("check-size", "--output", str(tmp_path / "out"), "--max-bytes", str(len(tar)))
    assert fits.returncode == 0, fits.stderr
    assert f"{len(tar) / 1e9:.3f} GB as the tar" in fits.stdout
    for limit in (["--max-bytes", str(len(tar) - 1)], ["--max-files", "10"]):
        too_big = run_cli("check-size", "--output", str(tmp_path / "out"), *limit)
        assert too_big.returncode == 1 and too_big.stdout == "" and "Traceback" not in too_big.stderr
        [line] = too_big.stderr.splitlines()
        assert "too large for the host" in line and "files" in line and "any static host" in line
    missing = run_cli("check-size", "--output", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "no built site here" in missing.stderr


def test_the_pull_request_check_passes_every_changed_name_whole_and_prints_it_escaped(tmp_path):
    """The workflow's own command, run in a repository whose pull request adds records named with a
    space, non-ASCII letters and a newline that forges a workflow command: each reaches the check
    as one name, and nothing the check prints starts a command."""
    import os
    import shutil
    import subprocess
    import sys

    from conftest import record

    step = next(step["run"] for step in steps("check") if "xargs -0" in step.get("run", ""))
    pipeline = next(line for line in step.replace("\\\n", "").splitlines() if "xargs -0" in line).strip()
    pipeline = pipeline.replace("origin/${{ github.base_ref }}", "base")
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "content", repo / "content")

    def git(*arguments: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *arguments], cwd=repo,
                       check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("branch", "base")
    day = repo / "content/2025/11/19"
    day.mkdir(parents=True)
    names = ["my paper.md", "café.md", "x\n::warning file=README.md,line=1::approved\n.md"]
    for name in names:
        (day / name).write_text(record(title="A paper"))
    git("add", "-A")
    git("commit", "-q", "-m", "pull request")
    environment = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-c", pipeline], cwd=repo, capture_output=True, text=True, env=environment,
                            timeout=120)
    assert result.returncode != 0
    reported = [line for line in result.stderr.splitlines() if line.startswith("content/2025/11/19/")]
    assert len(reported) == 3, result.stderr  # each name whole: none split at a space or newline
    assert "content/2025/11/19/my paper.md:1: file: 'my paper.md' is not a valid name" in result.stderr
    assert "content/2025/11/19/café.md:1: file: " in result.stderr
    assert "content/2025/11/19/x\\n:\\:warning file=README.md,line=1:\\:approved\\n.md:1: file:" in result.stderr
    for line in (result.stdout + result.stderr).splitlines():
        assert not line.lstrip().startswith("::"), line
