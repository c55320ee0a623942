"""The GitHub Actions workflow: valid, complete, and running only commands the tests also run."""

from __future__ import annotations

import datetime as dt
import functools
import re
import subprocess
import tarfile
from pathlib import Path

import yaml

from conftest import ROOT, run_cli

WORKFLOW = yaml.safe_load((ROOT / ".github/workflows/site.yml").read_text())


def steps(job: str) -> list[dict]:
    return WORKFLOW["jobs"][job]["steps"]


def commands(job: str) -> str:
    return "\n".join(step.get("run", "") for step in steps(job))


def base_repository(repo: Path):
    """Make repo, as it is, a git repository whose branch `base` is a pull request's base; return
    its git command."""
    def git(*arguments: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *arguments], cwd=repo,
                       check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("branch", "base")
    return git


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
    assert names.index(f"rm -rf {default_cache.as_posix()} output") < names.index(cache["uses"])  # output/ too
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

    git = base_repository(repo)
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


GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main"]
IMPORT_WORKFLOW = yaml.safe_load((ROOT / ".github/workflows/import.yml").read_text())


def import_step() -> dict:
    return next(step for step in IMPORT_WORKFLOW["jobs"]["import"]["steps"] if step.get("id") == "import")


def run_import_step(repo, inputs: dict[str, str], services: dict[str, str], tmp_path):
    """Run the import step's own script with bash, as the runner would, its ${{ inputs.* }} given."""
    import os
    import sys

    step = import_step()
    env = {name: re.sub(r"\$\{\{\s*inputs\.(\w+)\s*\}\}", lambda m: inputs.get(m[1], ""), value)
           for name, value in step["env"].items()}
    outputs = tmp_path / "github-output"
    outputs.write_text("")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    env.update(services, GITHUB_OUTPUT=str(outputs), RUNNER_TEMP=str(runner_temp),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", HOME=str(tmp_path))
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True,
                            timeout=300)
    found = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    if (runner_temp / "records.tar").exists() and result.returncode != 0:
        raise AssertionError("a failed step handed records on")
    return result, found, runner_temp / "records.tar"


def test_the_daily_import_step_runs_against_the_services_and_hands_on_only_new_records(tmp_path, service):
    from conftest import ok

    triggers = IMPORT_WORKFLOW[True] if True in IMPORT_WORKFLOW else IMPORT_WORKFLOW["on"]
    assert triggers["schedule"][0]["cron"] and set(triggers["workflow_dispatch"]["inputs"]) == {"date", "from", "to"}
    assert IMPORT_WORKFLOW["permissions"] == {}
    assert IMPORT_WORKFLOW["jobs"]["import"]["permissions"] == {"contents": "read"}  # it reads strangers' data
    repo = tmp_path / "site"
    (repo / "content/2025/11/20").mkdir(parents=True)
    (repo / "content/2025/11/20/2510.12866.md").write_text(
        (ROOT / "content").glob("*/*/*/2510.12866.md").__next__().read_text())
    (repo / "site.yaml").write_text("import:\n  huggingface: true\n  arxiv: [cs.CL, cs.LG]\n  mode: commit\n")
    git = GIT
    subprocess.run([*git, "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=repo, check=True)
    services = {"DAILYPAPERS_HF_API": service.answer("/api/daily_papers", ok("hf-daily-2025-11-18.json")),
                "DAILYPAPERS_ARXIV_API": service.answer("/api/query", ok("arxiv-listing-2025-11-18-page1.xml"),
                                                        ok("arxiv-listing-2025-11-18-page2.xml"))}
    result, outputs, records = run_import_step(repo, {"date": "2025-11-18"}, services, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "records checked: no problems" in result.stdout
    assert outputs == {"mode": "commit", "changed": "true", "label": dt.datetime.now(dt.UTC).date().isoformat()}
    with tarfile.open(records) as tar:
        names = sorted(tar.getnames())
    assert names == [f"content/2025/11/18/{n}.md" for n in
                     ("2305.02993", "2511.00001", "2511.10001", "2511.10002", "2511.10003", "2511.10004")]
    assert "skipped 2510.12866: arXiv 2510.12866 is already recorded in content/2025/11/20/2510.12866.md" \
        in result.stdout
    # The next day's run finds the same papers: nothing changes, nothing fails, nothing is handed on.
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "imported"], cwd=repo, check=True)
    records.unlink()
    services["DAILYPAPERS_ARXIV_API"] = service.answer("/api/query", ok("arxiv-listing-2025-11-18-page1.xml"),
                                                       ok("arxiv-listing-2025-11-18-page2.xml"))
    result, outputs, records = run_import_step(repo, {"date": "2025-11-18"}, services, tmp_path)
    assert result.returncode == 0, result.stderr
    assert outputs["changed"] == "false" and not records.exists()
    # A date that is no date fails the step before anything is written; so do a date and a range.
    for inputs in ({"date": "2025-11-18; touch pwned"}, {"date": "2025-11-18\nmode=pull-request"},
                   {"date": "2025-11-18", "from": "2025-11-17", "to": "2025-11-18"}):
        result, outputs, records = run_import_step(repo, inputs, services, tmp_path)
        assert result.returncode != 0 and "error" in result.stderr and outputs == {}, inputs
    assert not (repo / "pwned").exists() and not records.exists()


def test_in_pull_request_mode_each_run_adds_to_the_pull_request_still_open(tmp_path, service):
    from conftest import ok

    origin, repo = tmp_path / "origin.git", tmp_path / "site"
    subprocess.run([*GIT, "init", "-q", "--bare", str(origin)], check=True)
    subprocess.run([*GIT, "clone", "-q", str(origin), str(repo)], check=True, capture_output=True)
    (repo / "site.yaml").write_text("import:\n  huggingface: true\n")
    (repo / "content/2025/11/18").mkdir(parents=True)
    (repo / "content/2025/11/18/2510.12866.md").write_bytes((ROOT / "content/2025/11/18/2510.12866.md").read_bytes())
    run = functools.partial(subprocess.run, cwd=repo, check=True, capture_output=True)
    run([*GIT, "add", "."])
    run([*GIT, "commit", "-qm", "start"])
    run([*GIT, "push", "-q", "origin", "HEAD:main"])
    # Yesterday's run opened a pull request with one paper, which a maintainer then edited.
    run([*GIT, "checkout", "-qb", "import/daily"])
    pending = repo / "content/2025/11/17/2511.00001.md"
    pending.parent.mkdir(parents=True)
    pending.write_text("---\ntitle: Edited by a maintainer\nauthors: [Zoë Ångström]\narxiv: '2511.00001'\n---\n\n"
                       "Abstract.\n")
    run([*GIT, "add", "."])
    run([*GIT, "commit", "-qm", "pending"])
    run([*GIT, "push", "-q", "origin", "import/daily"])
    run([*GIT, "checkout", "-q", "main"])
    assert not pending.exists()
    services = {"DAILYPAPERS_HF_API": service.answer("/api/daily_papers", ok("hf-daily-2025-11-18.json"))}
    result, outputs, records = run_import_step(repo, {"date": "2025-11-18"}, services, tmp_path)
    assert result.returncode == 0, result.stderr
    assert outputs["mode"] == "pull-request" and outputs["changed"] == "true"
    assert "skipped 2511.00001: arXiv 2511.00001 is already recorded in content/2025/11/17/2511.00001.md" \
        in result.stdout
    with tarfile.open(records) as tar:
        assert sorted(tar.getnames()) == ["content/2025/11/17/2511.00001.md", "content/2025/11/18/2305.02993.md"]
        assert b"Edited by a maintainer" in tar.extractfile("content/2025/11/17/2511.00001.md").read()


def test_the_import_hands_its_records_to_the_job_its_mode_names_with_the_least_rights():
    jobs = IMPORT_WORKFLOW["jobs"]
    assert jobs["commit"]["permissions"] == {"contents": "write", "actions": "write"}
    assert jobs["pull-request"]["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert "needs.import.outputs.mode == 'commit'" in jobs["commit"]["if"]
    assert "needs.import.outputs.mode == 'pull-request'" in jobs["pull-request"]["if"]
    commit = "\n".join(step.get("run", "") for step in jobs["commit"]["steps"])
    assert "gh workflow run site.yml --ref main" in commit  # a GITHUB_TOKEN push starts no deploy by itself
    site_triggers = WORKFLOW[True] if True in WORKFLOW else WORKFLOW["on"]
    assert "workflow_dispatch" in site_triggers
    opened = next(step for step in jobs["pull-request"]["steps"] if "create-pull-request" in step.get("uses", ""))
    assert "secrets.DAILYPAPERS_IMPORT_TOKEN" in opened["with"]["token"]


def test_a_pull_request_of_records_only_runs_the_minute_check_and_any_other_runs_everything(tmp_path):
    """The workflow's own decision, run in a repository on real file lists: which job a pull request gets."""
    import shutil

    jobs = WORKFLOW["jobs"]
    decide = next(step["run"] for step in jobs["changes"]["steps"] if "pull-request-kind" in step.get("run", ""))
    decide = decide.replace("\\\n", "").replace("origin/${{ github.base_ref }}", "base").replace(' >> "$GITHUB_OUTPUT"', "")
    assert jobs["records"]["if"] == "needs.changes.outputs.kind == 'records'"
    assert "needs.changes.outputs.kind != 'records'" in jobs["check"]["if"]  # no answer: everything
    assert "github.event_name != 'pull_request'" in jobs["check"]["if"]  # every push to main: everything
    assert "needs.check.result == 'success'" in jobs["deploy"]["if"]  # changes is skipped on main
    fast = commands("records")
    assert "| xargs -0 -r dailypapers check" in fast and "dailypapers build" in fast and "make test" not in fast
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "content", repo / "content")
    (repo / ".ci").mkdir()
    shutil.copy(ROOT / ".ci/pull-request-kind", repo / ".ci/pull-request-kind")
    (repo / "generator").mkdir()
    (repo / "generator/build.py").write_text("# code\n")

    git = base_repository(repo)
    cases = [  # (files the pull request writes, the job it gets)
        ({"content/2025/11/19/new paper.md": "x", "content/2025/11/18/2507.13332.md": "edited"}, "records"),
        ({"content/2025/11/19/a.md": "x", "generator/build.py": "# changed\n"}, "everything"),
        ({"site.yaml": "title: T\n"}, "everything"),
        ({"layouts/day.html": "x", ".github/workflows/site.yml": "x"}, "everything"),
        ({".ci/pull-request-kind": "print('kind=records')\n"}, "everything"),  # its own copy is not asked
        ({"content/x\n.md": "a name with a newline"}, "records"),
    ]
    for files, expected in cases:
        git("checkout", "-q", "-B", "pr", "base")
        for name, text in files.items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(text)
        git("add", "-A")
        git("commit", "-q", "-m", "pull request")
        result = subprocess.run(["bash", "-c", decide], cwd=repo, capture_output=True, text=True, check=True)
        assert result.stdout.strip() == f"kind={expected}", (files, result.stdout)
    # A base without the decision (the pull request that brings it) gives no kind: everything runs.
    git("checkout", "-q", "-B", "older", "base")
    git("rm", "-q", ".ci/pull-request-kind")
    git("commit", "-q", "-m", "before the decision")
    git("branch", "-f", "base", "older")
    (repo / "content/2025/11/19").mkdir(parents=True, exist_ok=True)
    (repo / "content/2025/11/19/b.md").write_text("x")
    git("add", "-A")
    git("commit", "-q", "-m", "pull request")
    result = subprocess.run(["bash", "-c", decide], cwd=repo, capture_output=True, text=True)
    assert "kind=records" not in result.stdout
