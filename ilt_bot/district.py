"""Many schools, one installation: district configs, sharding, and ticking schools under their locks.

A *district config* is a TOML file with a ``[district]`` section::

    [district]
    name = "Front Range Schools"
    schools = ["schools/*.toml"]   # globs or folders, relative to this file
    max_workers = 4                # schools ticked at once by `tick --all`

    [workspace]                    # any other section is a default every school inherits
    backend = "google"
    [workspace.auth]
    method = "service_account"
    key_file = "secrets/service-account.json"

Each school file is deep-merged over the defaults (tables merge key by key, the school's value wins;
lists and values are replaced) and then validated like a single-school config, so an error names the
school file and the field path (``schools/oak.toml: meetings.weekday``). Relative paths in the defaults
(key files, token files, templates, the sandbox db) are relative to the district file.

:func:`run_schools` ticks many schools (each with :func:`ilt_bot.runner.run_school`)
concurrently (bounded thread pool) through one shared rate limiter, so the district as a whole stays
inside Google's per-project quotas. :func:`select_shard` splits the schools between workers.
"""

from __future__ import annotations

import glob
import logging
import os
import re
import threading
import tomllib
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ilt_bot.config import Config, load_config, parse_config
from ilt_bot.errors import ConfigError, Problem
from ilt_bot.runner import Connect, SchoolResult, run_school, stopped_before_turn
from ilt_bot.workspace.embedded import sandbox_db_path, seed_accounts, seed_root_folder
from ilt_bot.workspace.ratelimit import RateLimiter, limits_from_quotas, shared_limiter

if TYPE_CHECKING:
    from ilt_bot.sandbox.server import SandboxServer

log = logging.getLogger("ilt_bot.district")

DISTRICT_KEYS = {"name", "schools", "max_workers"}
DEFAULT_WORKERS = 4
MAX_WORKERS = 32

PATH_FIELDS = (
    ("workspace", "sandbox_db"),
    ("workspace", "auth", "key_file"),
    ("workspace", "auth", "token_file"),
    ("workspace", "auth", "client_secrets"),
    ("templates", "dir"),
)
"""Fields holding file paths; in district defaults they are made relative to the district file."""


# --- loading ------------------------------------------------------------------------------------


@dataclass
class District:
    """A district: its schools' validated configs (sorted by school id) and how to run them."""

    name: str
    source: Path | None
    schools: list[Config]
    max_workers: int = DEFAULT_WORKERS
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def quotas(self) -> dict[str, int]:
        """The district-wide ``workspace.quotas`` (shared by every school's calls)."""
        return dict((self.defaults.get("workspace") or {}).get("quotas") or {})

    def where(self, config: Config) -> str:
        """``schools/oak.toml: ``, the prefix that names a school's file in a problem's path."""
        if config.source is None:
            return ""
        try:
            return f"{config.source.relative_to(self.source.parent if self.source else Path.cwd())}: "
        except ValueError:
            return f"{config.source}: "

    def school(self, school_id: str) -> Config:
        for config in self.schools:
            if config.school.id == school_id:
                return config
        raise KeyError(school_id)


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; missing/unreadable/invalid files raise ConfigError (via load_config's rules)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        load_config(path)  # raises the same readable ConfigError a single-school config gets
        raise  # pragma: no cover - load_config raised above


def is_district(path: str | os.PathLike[str]) -> bool:
    """True when the file is a district config (has a ``[district]`` section)."""
    path = Path(path)
    try:
        return "district" in tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``: tables merge recursively, anything else (lists included) is replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _absolute_paths(defaults: dict[str, Any], base: Path) -> dict[str, Any]:
    """``defaults`` with the relative file paths of :data:`PATH_FIELDS` made absolute against ``base``."""
    out = deep_merge({}, defaults)
    for path in PATH_FIELDS:
        node: Any = out
        for name in path[:-1]:
            node = node.get(name) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            continue
        value = node.get(path[-1])
        if isinstance(value, str) and value != ":memory:" and not Path(value).expanduser().is_absolute():
            node[path[-1]] = str((base / value).resolve())
    return out


def _school_files(patterns: Iterable[str], base: Path) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for i, pattern in enumerate(patterns):
        full = base / pattern
        if full.is_dir():
            found = sorted(full.glob("*.toml"))
        else:
            found = sorted(Path(p) for p in glob.glob(str(full), recursive=True) if Path(p).is_file())
        if not found:
            problems.append(Problem(f"district.schools[{i}]", f"{pattern!r} matches no school config",
                                    "write a glob like \"schools/*.toml\" or a folder, relative to this file"))
        for path in found:
            resolved = path.resolve()
            if resolved not in files:
                files.append(resolved)
    return files, problems


def _district_problems(section: Any) -> list[Problem]:
    if not isinstance(section, dict):
        return [Problem("district", "must be a table", "write [district] with schools = [\"schools/*.toml\"]")]
    problems = [Problem(f"district.{k}", f"unknown field {k!r}", f"known fields: {', '.join(sorted(DISTRICT_KEYS))}")
                for k in section if k not in DISTRICT_KEYS]
    schools = section.get("schools")
    if not isinstance(schools, list) or not schools or not all(isinstance(s, str) for s in schools):
        problems.append(Problem("district.schools", "is required: a list of globs or folders of school configs",
                                'write schools = ["schools/*.toml"]'))
    workers = section.get("max_workers", DEFAULT_WORKERS)
    if not isinstance(workers, int) or isinstance(workers, bool) or not 1 <= workers <= MAX_WORKERS:
        problems.append(Problem("district.max_workers", f"{workers!r} is not a whole number from 1 to {MAX_WORKERS}",
                                "write max_workers = 4"))
    if "name" in section and not isinstance(section["name"], str):
        problems.append(Problem("district.name", "must be text", 'write name = "Front Range Schools"'))
    return problems


def load_district(path: str | os.PathLike[str]) -> District:
    """Read a district config and every school it lists; ConfigError lists every problem of every file."""
    path = Path(path)
    data = read_toml(path)
    source = str(path)
    base = path.resolve().parent
    section = data.get("district")
    problems = _district_problems(section)
    if problems:
        raise ConfigError(problems, source)
    assert isinstance(section, dict)
    defaults = _absolute_paths({k: v for k, v in data.items() if k != "district"}, base)
    files, problems = _school_files(section["schools"], base)
    schools: list[Config] = []
    where: dict[str, Path] = {}
    for school_file in files:
        shown = _shown(school_file, base)
        try:
            school_data = read_toml(school_file)
        except ConfigError as exc:
            problems += [Problem(f"{shown}: {p.path}", p.message, p.fix) for p in exc.problems]
            continue
        if "district" in school_data:
            problems.append(Problem(f"{shown}: district", "a school config cannot hold a [district] section",
                                    "move it to the district file"))
            continue
        merged = deep_merge(defaults, school_data)
        school_id = (merged.get("school") or {}).get("id") if isinstance(merged.get("school"), dict) else None
        other = where.get(school_id) if isinstance(school_id, str) else None
        if other is not None:
            problems.append(Problem(f"{shown}: school.id", f"{school_id!r} is also the id in "
                                    f"{_shown(other, base)}", "give every school its own id"))
            continue
        if isinstance(school_id, str):
            where[school_id] = school_file
        try:
            config = parse_config(merged, source=shown)
        except ConfigError as exc:
            problems += [Problem(f"{shown}: {p.path}", p.message, p.fix) for p in exc.problems]
            continue
        config._source = school_file
        schools.append(config)
    if problems:
        raise ConfigError(problems, source)
    schools.sort(key=lambda c: c.school.id)
    return District(name=str(section.get("name") or path.stem), source=path.resolve(), schools=schools,
                    max_workers=int(section.get("max_workers", DEFAULT_WORKERS)), defaults=defaults)


def _shown(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def load_schools(path: str | os.PathLike[str]) -> tuple[list[Config], District | None]:
    """The schools a config file names: one for a school config, all of them for a district config."""
    if is_district(path):
        district = load_district(path)
        return district.schools, district
    return [load_config(path)], None


# --- sharding -----------------------------------------------------------------------------------

SHARD_ENVS = (("JOB_COMPLETION_INDEX", "SHARD_COUNT"), ("CLOUD_RUN_TASK_INDEX", "CLOUD_RUN_TASK_COUNT"))
"""(index, count) environment variables: Kubernetes Indexed Jobs, Cloud Run Jobs."""


def parse_shard(spec: str, env: Mapping[str, str] | None = None) -> tuple[int, int]:
    """``"i/n"`` -> (i, n); ``"auto"`` reads the Kubernetes or Cloud Run task index and count. ValueError if bad."""
    env = os.environ if env is None else env
    if spec == "auto":
        for index_name, count_name in SHARD_ENVS:
            if env.get(index_name) not in (None, ""):
                if env.get(count_name) in (None, ""):
                    raise ValueError(f"--shard auto: {index_name} is set but {count_name} is not; set {count_name} "
                                     "to the number of workers")
                return _check_shard(env[index_name], env[count_name])
        raise ValueError("--shard auto needs JOB_COMPLETION_INDEX and SHARD_COUNT (Kubernetes Indexed Job) or "
                         "CLOUD_RUN_TASK_INDEX and CLOUD_RUN_TASK_COUNT (Cloud Run Jobs) in the environment")
    found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec)
    if not found:
        raise ValueError(f"--shard {spec!r}: write it as i/n (like 0/4, the first of 4 workers) or auto")
    return _check_shard(found.group(1), found.group(2))


def _check_shard(index: str, count: str) -> tuple[int, int]:
    try:
        i, n = int(index), int(count)
    except ValueError:
        raise ValueError(f"shard index {index!r} and count {count!r} must be whole numbers") from None
    if n < 1 or not 0 <= i < n:
        raise ValueError(f"shard {i}/{n}: the index must be from 0 to count-1 and the count at least 1")
    return i, n


def select_shard(schools: list[Config], index: int, count: int) -> list[Config]:
    """The schools whose position in the list sorted by school id, modulo ``count``, is ``index``."""
    ordered = sorted(schools, key=lambda c: c.school.id)
    return [c for n, c in enumerate(ordered) if n % count == index]


# --- running ticks ------------------------------------------------------------------------------


def district_limiter(quotas: Mapping[str, Any] | None = None) -> RateLimiter:
    """One rate limiter for every school of the process (project buckets shared, user buckets per bot user)."""
    return shared_limiter(limits_from_quotas(quotas or {}))


class SharedSandbox:
    """For schools on the embedded sandbox: one sandbox server for all of them (one db), started once.

    Without it each school would start its own in-process sandbox; with a district, the schools'
    configs are pointed at this server instead (``workspace.backend = "sandbox_url"``).
    """

    def __init__(self, schools: list[Config]) -> None:
        self.server: SandboxServer | None = None
        embedded = [c for c in schools if c.workspace.backend == "sandbox"]
        if not embedded or os.environ.get("ILT_BOT_SANDBOX_URL"):
            return
        from ilt_bot.sandbox.server import SandboxServer  # lazy: the sandbox loads only when a school runs on it

        db = sandbox_db_path(embedded[0])
        if db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        self.server = SandboxServer(db=db).start()
        for config in embedded:
            seed_accounts(self.server.store, config)
            if config.drive.root_folder_id:
                seed_root_folder(self.server.store, config.drive.root_folder_id, config.workspace.bot_user)

    def config_for(self, config: Config) -> Config:
        """``config`` pointed at the shared server when it is on the embedded sandbox."""
        if self.server is None or config.workspace.backend != "sandbox":
            return config
        workspace = config.workspace.model_copy(update={"backend": "sandbox_url", "sandbox_url": self.server.url})
        moved = config.model_copy(update={"workspace": workspace})
        moved._source = config._source
        return moved

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> SharedSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_schools(
    schools: list[Config],
    now: datetime | None = None,
    *,
    dry_run: bool = False,
    wait_lock: float = 0.0,
    lock_dir: Path | None = None,
    max_workers: int = DEFAULT_WORKERS,
    quotas: Mapping[str, Any] | None = None,
    limiter: RateLimiter | None = None,
    stop: threading.Event | None = None,
    connect: Connect | None = None,
) -> list[SchoolResult]:
    """Tick ``schools`` concurrently (at most ``max_workers`` at once) through one shared rate limiter.

    Results come back in the schools' order. ``now`` (default: the real time) is the same moment for all.
    """
    limiter = limiter if limiter is not None else district_limiter(quotas)
    with SharedSandbox(schools) as shared:
        configs = [shared.config_for(c) for c in schools]

        def one(config: Config) -> SchoolResult:
            if stop is not None and stop.is_set():
                return stopped_before_turn(config.school.id)
            moment = None
            if now is not None:
                moment = now.replace(tzinfo=config.tz) if now.tzinfo is None else now.astimezone(config.tz)
            return run_school(config, moment, dry_run=dry_run, wait_lock=wait_lock, lock_dir=lock_dir,
                              limiter=limiter, stop=stop, connect=connect)

        workers = max(1, min(max_workers, len(configs) or 1))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ilt-bot-school") as pool:
            return list(pool.map(one, configs))
