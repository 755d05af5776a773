"""Shared fixtures: a sandbox Workspace per test and the real Google clients pointed at it.

- ``sandbox``: a started :class:`SandboxServer` on port 0 with a fresh ``:memory:`` store.
- ``sandbox_module``: the same, shared by the tests of one module (faster; tests must not clash).
- ``build_service(sandbox, "drive", "v3", user)``: a googleapiclient Resource acting as ``user``.
- ``gspread_client(sandbox, user)``: a gspread 6 Client acting as ``user``.
- ``admin``: the super admin user name (fixture, and ``ADMIN`` in ``ilt_bot.sandbox.core``).

``build_service`` and ``gspread_client`` are fixtures returning the helper functions, so a test asks
for them as arguments: ``def test_x(sandbox, build_service): drive = build_service(sandbox, ...)``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from ilt_bot.sandbox.core import ADMIN
from ilt_bot.sandbox.identity import sandbox_credentials
from ilt_bot.sandbox.server import SandboxServer, load_api_packages
from ilt_bot.workspace.trace import HTTP_LOGGER
from ilt_bot.workspace.transport import sandbox_http, sandbox_session

# Register every API's handlers before any test swaps one out with monkeypatch.setitem(HANDLERS, ...).
load_api_packages()

admin = ADMIN


def load_benchmark(name: str) -> Any:
    """The script ``benchmarks/<name>.py`` as a module (the benchmarks are scripts, not a package)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_service(sandbox: SandboxServer | str, api: str, version: str, user: str, **kwargs: Any) -> Any:
    """A googleapiclient Resource for ``api`` acting as ``user``, reaching ``sandbox`` through the seam."""
    from google_auth_httplib2 import AuthorizedHttp
    from googleapiclient.discovery import build

    url = sandbox if isinstance(sandbox, str) else sandbox.url
    http = AuthorizedHttp(sandbox_credentials(user), http=sandbox_http(url))
    return build(api, version, http=http, static_discovery=True, cache_discovery=False, **kwargs)


def make_gspread_client(sandbox: SandboxServer | str, user: str) -> Any:
    """A gspread Client acting as ``user`` on ``sandbox``."""
    import gspread

    url = sandbox if isinstance(sandbox, str) else sandbox.url
    credentials = sandbox_credentials(user)
    return gspread.Client(auth=credentials, session=sandbox_session(url, credentials))


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fresh sandbox Workspace (``:memory:``) for one test."""
    server = SandboxServer(db=":memory:").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def sandbox_module() -> Iterator[SandboxServer]:
    """One sandbox Workspace shared by a test module."""
    server = SandboxServer(db=":memory:").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(name="build_service")
def build_service_fixture() -> Any:
    """``build_service(sandbox, api, version, user)`` -> googleapiclient Resource."""
    return make_service


@pytest.fixture(name="gspread_client")
def gspread_client_fixture() -> Any:
    """``gspread_client(sandbox, user)`` -> gspread.Client."""
    return make_gspread_client


@pytest.fixture(name="admin")
def admin_fixture() -> str:
    """The super admin's user name."""
    return ADMIN


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI configures logging for a real process; put the test process's logging back afterwards."""
    from ilt_bot import logs

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    bot_level = logging.getLogger("ilt_bot").level
    yield
    logs.disable_http_trace()
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("ilt_bot").setLevel(bot_level)
    for name in ("urllib3", "googleapiclient.discovery", HTTP_LOGGER):
        logging.getLogger(name).setLevel(logging.NOTSET)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the fidelity figures the replay tests measured (see docs/fidelity.md), so a plain run shows them."""
    from tests.fidelity.figures import MEASURED

    if MEASURED:
        terminalreporter.section("fidelity to Google's recorded answers")
        for line in MEASURED.values():
            terminalreporter.write_line(line)
