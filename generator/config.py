"""Site settings: read site.yaml over the defaults, and say clearly what is wrong with it."""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.files import read_plain_file
from generator.problems import Problem
from generator.read.records import bad_character, category_problem, is_web_url

CONFIG_FILE = "site.yaml"
MAX_SETTINGS_BYTES = 64 * 1024


@dataclass(frozen=True)
class SiteConfig:
    """What the site is called and where it is published."""

    title: str = "Daily Papers"
    description: str = "Papers featured each day, with abstracts, links and a BibTeX entry to copy."
    base_url: str = "http://localhost:8000/"
    language: str = "en"
    feed_days: int = 3  # the paper feeds hold the newest days, always whole...
    feed_min_papers: int = 20  # ...and older whole days until they hold this many papers
    digest_days: int = 30  # the daily digest feeds hold one item for each of this many days
    home_min_papers: int = 10  # a newest day of fewer papers is followed on the home page by the days before
    image: str = ""  # the link-preview picture: an http(s) address or static/NAME.png (else static/social.png)
    repository: str = ""  # the GitHub repository papers are submitted to, OWNER/NAME, for the submission page


IMPORT_MODES = ("pull-request", "commit")


@dataclass(frozen=True)
class ImportSettings:
    """What the daily import follows, and how its papers reach main."""

    huggingface: bool = False  # the papers Hugging Face features each day
    arxiv: tuple[str, ...] = ()  # arXiv categories whose new papers are imported, such as cs.CL
    mode: str = "pull-request"  # or "commit": straight to main, which deploys
    # Each run imports this many days up to yesterday (UTC): arXiv announces a Friday afternoon's
    # papers on Monday evening (New York), so five days still find them the next morning.
    days: int = 5


IMPORT_SETTINGS = tuple(field.name for field in dataclasses.fields(ImportSettings))
SETTINGS = tuple(field.name for field in dataclasses.fields(SiteConfig)) + ("import",)
NUMBER_SETTINGS = frozenset(f.name for f in dataclasses.fields(SiteConfig) if f.type in ("int", int))
MAX_NUMBER = 10_000


def load_config(path: Path, *, base_url: str | None = None) -> tuple[SiteConfig, list[Problem]]:
    """Read the settings file if there is one; a given base_url wins over the file's."""
    config, _, problems = load_settings(path, base_url=base_url)
    return config, problems


def load_settings(path: Path, *, base_url: str | None = None) -> tuple[SiteConfig, ImportSettings, list[Problem]]:
    """Read the settings file: the site's settings and the daily import's, each over its defaults."""
    config, imports, problems = read_settings(path, base_url)
    if problems:  # what was read is not what the file says; use none of it
        return SiteConfig(), ImportSettings(), problems
    return config, imports, problems


def read_settings(path: Path, base_url: str | None) -> tuple[SiteConfig, ImportSettings, list[Problem]]:
    values: dict[str, str | int] = {}
    imports = ImportSettings()
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    shown = path.as_posix()
    if path.is_symlink():
        return SiteConfig(), imports, [Problem(shown, 1, "settings",
                                               "is a symbolic link; the settings must be a plain file")]
    if path.exists():
        data = read_plain_file(path, MAX_SETTINGS_BYTES + 1)
        if data is None or len(data) > MAX_SETTINGS_BYTES:
            return SiteConfig(), imports, [Problem(shown, 1, "settings", "must be a plain file of at most 64 KiB")]
        try:
            root = yaml.compose(data.decode("utf-8"), Loader=yaml.SafeLoader)
        except RecursionError:
            return SiteConfig(), imports, [Problem(shown, 1, "settings", "nests lists or mappings too deeply; write "
                                          "`name: value` lines")]
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            what = ("not UTF-8 text" if isinstance(error, UnicodeDecodeError)
                    else getattr(error, "problem", None) or "not valid YAML")
            return SiteConfig(), imports, [Problem(shown, line, "settings", f"cannot be read: {what}")]
        if root is not None and not isinstance(root, yaml.MappingNode):
            return SiteConfig(), imports, [Problem(shown, 1, "settings", "must be `name: value` lines")]
        for key, value in root.value if root is not None else []:
            name = str(key.value)
            lines[name] = key.start_mark.line + 1
            text = value.value.strip() if isinstance(value, yaml.ScalarNode) else ""
            if name == "import":
                imports = read_import_settings(value, shown, problems)
            elif name not in SETTINGS:
                close = difflib.get_close_matches(name, SETTINGS, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "known settings: " + ", ".join(SETTINGS)
                problems.append(Problem(shown, lines[name], name, f"unknown setting; {hint}"))
            elif name in NUMBER_SETTINGS:
                if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_NUMBER:
                    values[name] = int(text)
                else:
                    message = f"must be a whole number from 1 to {MAX_NUMBER}, not {text!r}"
                    problems.append(Problem(shown, lines[name], name, message))
            elif not text or bad_character(text):
                problems.append(Problem(shown, lines[name], name, "must be a line of text"))
            else:
                values[name] = text
    if base_url is not None:
        values["base_url"] = base_url
    config = SiteConfig(**values)  # type: ignore[arg-type]
    if not is_web_url(config.base_url):
        message = "must be an http:// or https:// address"
        problems.append(Problem(shown, lines.get("base_url", 1), "base_url", message))
    elif "?" in config.base_url or "#" in config.base_url:
        message = ("must be the site's address without a ?query or #fragment (every page's address is made "
                   "by adding to it)")
        problems.append(Problem(shown, lines.get("base_url", 1), "base_url", message))
    elif not config.base_url.endswith("/"):
        config = dataclasses.replace(config, base_url=config.base_url + "/")
    if config.image and not (is_web_url(config.image) or STATIC_IMAGE.fullmatch(config.image)):
        message = ("must be the http(s):// address of a picture, or a picture in layouts/static/ written "
                   "static/NAME.png (or .jpg, .jpeg, .webp, .gif)")
        problems.append(Problem(shown, lines.get("image", 1), "image", message))
    if config.repository and not GITHUB_REPOSITORY.fullmatch(config.repository):
        problems.append(Problem(shown, lines.get("repository", 1), "repository",
                                f"must be a GitHub repository written OWNER/NAME, such as octocat/papers, "
                                f"not {config.repository!r}"))
    return config, imports, problems


GITHUB_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
STATIC_IMAGE = re.compile(r"static/[A-Za-z0-9_-][A-Za-z0-9._-]*\.(png|jpe?g|webp|gif)")


YES, NO = ("true", "yes", "on"), ("false", "no", "off")


def read_import_settings(node: yaml.Node, shown: str, problems: list[Problem]) -> ImportSettings:
    """The `import:` mapping of site.yaml; each wrong setting added to `problems`."""
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        return ImportSettings()  # `import:` with everything under it commented out
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(shown, node.start_mark.line + 1, "import", "must be `name: value` lines, such as "
                                "`huggingface: true` and `arxiv: [cs.CL, cs.LG]`, indented under it"))
        return ImportSettings()
    values: dict[str, object] = {}
    for key, value in node.value:
        name, line = str(key.value), key.start_mark.line + 1
        text = value.value.strip() if isinstance(value, yaml.ScalarNode) else None
        where = f"import.{name}"
        if name not in IMPORT_SETTINGS:
            close = difflib.get_close_matches(name, IMPORT_SETTINGS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else "known: " + ", ".join(IMPORT_SETTINGS)
            problems.append(Problem(shown, line, where, f"unknown setting; {hint}"))
        elif name == "huggingface":
            if text is not None and text.lower() in YES + NO:
                values[name] = text.lower() in YES
            else:
                problems.append(Problem(shown, line, where, f"must be true or false, not {text!r}"))
        elif name == "arxiv":
            items = [value] if isinstance(value, yaml.ScalarNode) and text else \
                value.value if isinstance(value, yaml.SequenceNode) else None
            categories = [item.value.strip() for item in items or [] if isinstance(item, yaml.ScalarNode)]
            wrong = [c for c in categories if category_problem(c)]
            if items is None or len(categories) != len(items) or wrong:
                what = category_problem(wrong[0]) if wrong else "must be a list of arXiv categories"
                problems.append(Problem(shown, line, where, f"{what}; write for example `arxiv: [cs.CL, cs.LG]`"))
            else:
                values[name] = tuple(dict.fromkeys(categories))
        elif name == "mode":
            if text in IMPORT_MODES:
                values[name] = text
            else:
                problems.append(Problem(shown, line, where, f"must be pull-request (a pull request to review each "
                                        f"day) or commit (straight to main), not {text!r}"))
        elif text is not None and text.isascii() and text.isdigit() and 1 <= int(text) <= 31:
            values[name] = int(text)
        else:
            problems.append(Problem(shown, line, where, f"must be a whole number of days from 1 to 31, not {text!r}"))
    return ImportSettings(**values)  # type: ignore[arg-type]
