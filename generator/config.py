"""Site settings: read site.yaml over the defaults, and say clearly what is wrong with it."""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.problems import Problem
from generator.records import bad_character, is_web_url

CONFIG_FILE = "site.yaml"


@dataclass(frozen=True)
class SiteConfig:
    """What the site is called and where it is published."""

    title: str = "Daily Papers"
    description: str = "Papers featured each day, with abstracts, links and a BibTeX entry to copy."
    base_url: str = "http://localhost:8000/"
    language: str = "en"


SETTINGS = tuple(field.name for field in dataclasses.fields(SiteConfig))


def load_config(path: Path, *, base_url: str | None = None) -> tuple[SiteConfig, list[Problem]]:
    """Read the settings file if there is one; a given base_url wins over the file's."""
    values: dict[str, str] = {}
    problems: list[Problem] = []
    shown = path.as_posix()
    if path.is_file():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            return SiteConfig(), [Problem(shown, line, "settings", f"cannot be read: {error}")]
        if not isinstance(loaded, dict):
            return SiteConfig(), [Problem(shown, 1, "settings", "must be `name: value` lines")]
        for name, value in loaded.items():
            if name not in SETTINGS:
                close = difflib.get_close_matches(str(name), SETTINGS, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "known settings: " + ", ".join(SETTINGS)
                problems.append(Problem(shown, 1, str(name), f"unknown setting; {hint}"))
            elif not isinstance(value, str) or not value.strip() or bad_character(value):
                problems.append(Problem(shown, 1, name, "must be a line of text"))
            else:
                values[name] = value.strip()
    if base_url is not None:
        values["base_url"] = base_url
    config = SiteConfig(**values)
    if not is_web_url(config.base_url):
        problems.append(Problem(shown, 1, "base_url", "must be an http:// or https:// address"))
    elif not config.base_url.endswith("/"):
        config = dataclasses.replace(config, base_url=config.base_url + "/")
    return config, problems
