"""The choices a Desk runs with, in one typed object: read from arguments, then a
``storydesk.toml`` (given, beside the store, or in the user's config folder), then the
environment. This module is the one reader of the environment; the stages ask ``current()``.

    >>> Settings.load(store="news.db", quotes="learned")
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

CONFIG_NAME = "storydesk.toml"
ENVIRONMENT = {
    "quotes": "STORYDESK_QUOTES",
    "spacy_model": "STORYDESK_SPACY_MODEL",
    "pipelines": "STORYDESK_PIPELINES",
    "data": "STORYDESK_DATA",
    "place_threshold": "STORYDESK_PLACE_THRESHOLD",
    "cluster_threshold": "STORYDESK_CLUSTER_THRESHOLD",
    "absorb_threshold": "STORYDESK_ABSORB_THRESHOLD",
}
# The clustering thresholds, probabilities that two articles tell of one story.
THRESHOLDS = ("place_threshold", "cluster_threshold", "absorb_threshold")


# The analyse stage's quote finders (analyse.QUOTE_FINDERS), named here so that a wrong name is
# refused when the settings are read, before any article is analysed.
QUOTE_FINDERS = ("rules", "learned", "combined", "tagger")


class SettingsError(ValueError):
    """A configuration file that cannot be read, or a setting of the wrong kind."""


@dataclass(frozen=True)
class Settings:
    """``quotes``: the quote finder (rules, learned, combined, tagger); ``spacy_model``: an
    installed pipeline's name or path for English (None: the packaged default); ``pipelines``: a
    pipeline's name or path for another language, by ISO 639-1 code (``{"de": "/path"}``; in the
    environment ``de=/path,fr=fr_core_news_md``); ``data``: a folder whose
    vocabulary files add entries; ``max_analysed_chars``: how much of an article is parsed
    (None: the analyse stage's limit). The clustering thresholds, from 0 to 1 (None: the values
    learned with the clustering model, ``data/cluster_model.json``): ``place_threshold``, the
    score a story needs for a new article to join it; ``cluster_threshold``, the average link at
    which batch clustering (``cluster --rebuild``) and the revisits join stories;
    ``absorb_threshold``, the lower one at which a group of up to 3 articles joins a larger one."""

    quotes: str = "tagger"
    spacy_model: str | None = None
    pipelines: dict[str, str] = field(default_factory=dict)
    data: Path | None = None
    max_analysed_chars: int | None = None
    place_threshold: float | None = None
    cluster_threshold: float | None = None
    absorb_threshold: float | None = None

    @classmethod
    def load(cls, store: str | Path | None = None, config: str | Path | None = None, **given: Any) -> Settings:
        """The settings ``given`` as arguments (None: not given), else in the ``config`` file
        (by default ``storydesk.toml`` beside ``store``, else in the user's config folder),
        else in the environment, else the defaults."""
        unknown = set(given) - {field.name for field in fields(cls)}
        if unknown:
            raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
        from_file = _read(Path(config)) if config is not None else _read_found(store)
        chosen: dict[str, Any] = {}
        for setting in fields(cls):
            name = setting.name
            value = next((v for v in (given.get(name), from_file.get(name), _environment(name)) if v is not None), None)
            if value is not None:
                chosen[name] = _typed(name, value)
        return cls(**chosen)


def _environment(name: str) -> str | None:
    variable = ENVIRONMENT.get(name)
    return (os.environ.get(variable) or None) if variable else None


def _typed(name: str, value: Any) -> Any:
    if name == "quotes" and value not in QUOTE_FINDERS:
        raise SettingsError(f"quotes must be one of {', '.join(QUOTE_FINDERS)}, not {value!r}")
    if name == "data":
        return Path(value)
    if name == "pipelines":
        return _pipelines(value)
    if name == "max_analysed_chars":
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SettingsError(f"max_analysed_chars must be a positive whole number, not {value!r}")
        return value
    if name in THRESHOLDS:
        return _threshold(name, value)
    if not isinstance(value, str):
        raise SettingsError(f"{name} must be text, not {value!r}")
    return value


def _threshold(name: str, value: Any) -> float:
    """A clustering threshold given as a number (arguments, the file) or as text (the environment)."""
    try:
        number = float(value) if isinstance(value, (int, float, str)) and not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not 0 <= number <= 1:
        raise SettingsError(f"{name} must be a number from 0 to 1, not {value!r}")
    return number


def _pipelines(value: Any) -> dict[str, str]:
    """Pipelines by language from a table ({"de": "/path"}) or text ("de=/path,fr=name")."""
    if isinstance(value, str):
        pairs = [part.partition("=") for part in value.split(",") if part.strip()]
        if any(not sep for _, sep, _ in pairs):
            raise SettingsError(f"pipelines must read language=pipeline, separated by commas, not {value!r}")
        value = {language.strip(): name.strip() for language, _, name in pairs}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()):
        raise SettingsError(f"pipelines must map language codes to pipeline names or paths, not {value!r}")
    return dict(value)


def config_candidates(store: str | Path | None) -> list[Path]:
    """Where a ``storydesk.toml`` is looked for, in order: beside the store, then the user's
    config folder ($XDG_CONFIG_HOME or ~/.config, under storydesk/)."""
    user_folder = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "storydesk"
    beside = [Path(store).resolve().parent / CONFIG_NAME] if store is not None else []
    return [*beside, user_folder / CONFIG_NAME]


def _read_found(store: str | Path | None) -> dict[str, Any]:
    found = next((path for path in config_candidates(store) if path.is_file()), None)
    return _read(found) if found is not None else {}


def _read(path: Path) -> dict[str, Any]:
    """The settings a TOML file holds, at its top level or under ``[storydesk]``."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise SettingsError(f"no settings file {path}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"cannot read the settings file {path}") from error
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"the settings file {path} is not valid TOML") from error
    found = dict(table.get("storydesk", table))
    unknown = set(found) - {field.name for field in fields(Settings)}
    if unknown:
        raise SettingsError(f"unknown settings in {path}: {', '.join(sorted(unknown))}")
    if isinstance(found.get("data"), str):  # a folder named in a file is relative to that file
        found["data"] = str(path.parent / found["data"])
    return found


_active: ContextVar[Settings | None] = ContextVar("storydesk_settings", default=None)


def current() -> Settings:
    """The settings of the Desk running a stage now; outside any Desk, those of the
    environment and config folder."""
    return _active.get() or Settings.load()


@contextmanager
def using(settings: Settings) -> Iterator[Settings]:
    """Run the stages inside with ``settings`` (each Desk wraps its operations in this)."""
    token = _active.set(settings)
    try:
        yield settings
    finally:
        _active.reset(token)
