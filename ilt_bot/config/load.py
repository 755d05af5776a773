"""Finding and reading ``config.toml``: every problem at once, each section validated on its own.

A mistake in one section does not hide the mistakes in another, and the cross-field checks
(:mod:`ilt_bot.config.checks`) run on every section that is valid, or on the valid fields of one that is not.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ilt_bot.config.checks import cross_checks
from ilt_bot.config.models import Config
from ilt_bot.config.problems import merge_typos, problems_from, toml_problem, unknown_field, unwrap
from ilt_bot.errors import ConfigError, Problem

DEFAULT_CONFIG = "config.toml"
CONFIG_ENV = "ILT_BOT_CONFIG"


# --- loading ------------------------------------------------------------------------------------


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to use: ``explicit``, else ``./config.toml`` if it exists, else ``$ILT_BOT_CONFIG``."""
    if explicit:
        return Path(explicit)
    default = Path(DEFAULT_CONFIG)
    if default.exists():
        return default
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else default


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate a config file; raise :class:`ConfigError` listing every problem."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            [Problem("(file)", f"{source} does not exist",
                     "pass -c PATH, set ILT_BOT_CONFIG, or start from config.example.toml: "
                     "cp config.example.toml config.toml")],
            source,
        ) from None
    except OSError as exc:
        problem = Problem("(file)", f"cannot read {source}: {exc.strerror}", "check the path and its permissions")
        raise ConfigError([problem], source) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem("(file)", f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8")],
                          source) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([toml_problem(exc)], source) from None
    config = parse_config(data, source=source)
    config._source = path.resolve()
    return config

def parse_config(data: dict[str, Any], *, source: str | None = None) -> Config:
    """Validate a config already parsed from TOML; raise :class:`ConfigError` listing every problem."""
    problems: list[Problem] = []
    sections: dict[str, Any] = {}
    partial: dict[str, Any] = {}
    fields = Config.model_fields
    for key in data:
        if key not in fields:
            problems.append(unknown_field(key, key, list(fields)))
    for name, field in fields.items():
        if name not in data:
            if field.is_required():
                problems.append(Problem(name, f"the [{name}] section is missing",
                                        f"add a [{name}] section (see config.example.toml)"))
            continue
        try:
            sections[name] = TypeAdapter(field.annotation).validate_python(data[name])
        except ValidationError as exc:
            problems.extend(problems_from(exc, name, field.annotation))
            partial[name] = _partial(field.annotation, data[name])
    problems = merge_typos(problems)
    problems.extend(cross_checks({**{k: v for k, v in partial.items() if v is not None}, **sections}))
    if problems:
        raise ConfigError(problems, source)
    return Config(**sections)


def _partial(annotation: Any, value: Any) -> BaseModel | None:
    """A section model holding only its valid fields (for cross-checks when the section has mistakes)."""
    model = unwrap(annotation)
    if not (isinstance(model, type) and issubclass(model, BaseModel) and isinstance(value, dict)):
        return None
    good: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name in value:
            try:
                good[name] = TypeAdapter(field.annotation).validate_python(value[name])
            except ValidationError:
                continue
    return model.model_construct(**good)

