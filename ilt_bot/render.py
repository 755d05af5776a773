"""Sandboxed Jinja2 rendering of the bot's HTML templates (agendas, reflections, digests).

Templates come from three places, first match wins:

1. a Google Doc (``templates.agenda_doc_id``) exported as HTML through the gateway: the school edits
   its agenda template in Docs (only for ``agenda.html.j2``);
2. a local folder (``templates.dir``) whose files override the packaged ones file by file;
3. the packaged templates (``templates/`` at the top of the repo, shipped as ``ilt_bot/templates``).

Every template runs in :class:`jinja2.sandbox.SandboxedEnvironment` with autoescape and
:class:`jinja2.StrictUndefined`: people's text is escaped, never executed, and a template that names an
unknown variable fails. :func:`validate_templates` finds such mistakes at ``ilt-bot check`` time.

Every render has a budget (:class:`Budget`: wall time, output size, loop iterations and calls, and the
size of what ``*`` and ``**`` make): a template that would hang or fill memory fails quickly with
:class:`TemplateBudgetExceeded`, naming the template and its line, so ``check``, ``tick`` and the daemon
never hang on one. Template files are read only from inside their folder: a symlink leading out of it
is refused (:class:`TemplateLookupError`).
"""

from __future__ import annotations

import html as html_lib
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    nodes,
)
from jinja2.environment import Template
from jinja2.sandbox import MAX_RANGE, SandboxedEnvironment

if TYPE_CHECKING:
    from ilt_bot.config import Config

AGENDA_TEMPLATE = "agenda.html.j2"
DOC_TEMPLATE_PREFIX = "gdoc:"
_TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2")


class TemplateLookupError(ValueError):
    """A template name that may not be used (path traversal, absolute path) or cannot be found."""


@dataclass(frozen=True)
class TemplateProblem:
    """A template that cannot render: where, what, and which variables it may use."""

    template: str
    line: int | None
    message: str
    available: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"{self.template}, line {self.line}" if self.line else self.template
        text = f"{where}: {self.message}"
        if self.available:
            text += f" (available variables: {', '.join(self.available)})"
        return text


def packaged_templates_dir() -> Path:
    """The packaged templates: ``ilt_bot/templates`` in an installed wheel, else the repo's ``templates/``."""
    try:
        shipped = resources.files("ilt_bot").joinpath("templates")
        if shipped.is_dir():
            return Path(str(shipped))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - ilt_bot is always importable here
        pass
    return Path(__file__).resolve().parent.parent / "templates"


def check_template_name(name: str) -> str:
    """``name`` if it is a plain relative template name; refuse traversal and absolute paths."""
    if not name or "\\" in name or "\x00" in name or name.startswith(("/", "~")) or re.match(r"^[A-Za-z]:", name):
        raise TemplateLookupError(f"template name {name!r} is not a relative file name")
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise TemplateLookupError(f"template name {name!r} may not contain '..', '.' or empty path parts")
    return name


class _SafeFileSystemLoader(FileSystemLoader):
    """A file system loader that refuses path traversal and files whose real path is outside its folder.

    A symlink (to a file or a folder) inside the template folder that leads out of it is refused with
    :class:`TemplateLookupError`, not followed, and not skipped for the next source either: the school
    sees why its template is not used.
    """

    def get_source(self, environment: Any, template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        check_template_name(template)
        source, filename, uptodate = super().get_source(environment, template)
        if filename is not None:
            for folder in self.searchpath:
                root = os.path.realpath(folder)
                if os.path.normpath(filename).startswith(os.path.normpath(folder) + os.sep):
                    real = os.path.realpath(filename)
                    if os.path.commonpath([root, real]) != root:
                        raise TemplateLookupError(
                            f"template {template!r} in {folder} is a link to {real}, outside the template folder; "
                            "refused: copy the file into the folder instead of linking to it")
        return source, filename, uptodate


_JINJA_TAG = re.compile(r"({{.*?}}|{%.*?%}|{#.*?#})", re.S)


def jinja_from_exported_html(exported: str) -> str:
    """A Doc's HTML export as a Jinja source: undo the HTML escaping inside ``{{ }}``/``{% %}`` tags.

    Docs exports ``"`` as ``&quot;``, ``>`` as ``&gt;`` and a typographic apostrophe for ``'``; inside a
    tag these must be plain characters again for Jinja to parse them. Text outside tags is left as is.
    """

    def fix(match: re.Match[str]) -> str:
        tag = html_lib.unescape(match.group(0))
        tag = re.sub(r"<[^>]+>", "", tag)  # a style span splitting a tag
        return tag.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\xa0": " "}))

    return _JINJA_TAG.sub(fix, exported)


class _DocLoader(BaseLoader):
    """Serves one template name from a Google Doc exported as HTML (fetched once per environment)."""

    def __init__(self, name: str, doc_id: str, workspace: Any) -> None:
        self.name = name
        self.doc_id = doc_id
        self.workspace = workspace
        self._source: str | None = None

    def get_source(self, environment: Any, template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template != self.name:
            raise TemplateNotFound(template)
        if self._source is None:
            self._source = jinja_from_exported_html(self.workspace.export_html(self.doc_id))
        return self._source, f"{DOC_TEMPLATE_PREFIX}{self.doc_id}", lambda: True


class _StrictUndefined(StrictUndefined):
    """StrictUndefined whose message names the keys a mapping does have (``meeting.motto`` -> its keys)."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        obj = self._undefined_obj
        if self._undefined_hint is None and isinstance(obj, dict) and isinstance(self._undefined_name, str):
            keys = ", ".join(sorted(str(k) for k in obj))
            return f"{self._undefined_name!r} is undefined here (this value has: {keys})"
        return super()._undefined_message


# --- the render budget -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What one render of a template may use (the agenda Doc of a big school uses a small fraction)."""

    seconds: float = 5.0
    output_chars: int = 2_000_000
    """Twice a Google Doc's own limit (about a million characters)."""
    iterations: int = 200_000
    """Loop iterations, all loops of the render together."""
    calls: int = 200_000
    """Function, method and macro calls (a recursive macro is counted too)."""
    value_chars: int = 1_000_000
    """The largest string or list a ``*`` may make; ``**`` may make numbers of 4,096 bits at most."""


LIMITS = Limits()


class TemplateBudgetExceeded(TemplateError):
    """A template used more than its :class:`Limits` (a loop too long, too much output, too slow)."""

    def __init__(self, message: str, template: str | None = None, line: int | None = None) -> None:
        self.template = template
        self.lineno = line
        where = f"template {template}" + (f", line {line}" if line else "") if template else "template"
        super().__init__(f"{where}: {message}; the template was stopped (fix or remove the loop or expression)")


@dataclass
class Budget:
    """What one render has used so far, checked against :class:`Limits`."""

    limits: Limits = LIMITS
    started: float = field(default_factory=time.monotonic)
    iterations: int = 0
    calls: int = 0
    output: int = 0

    def tick(self, what: str) -> None:
        """Count one loop iteration (``what="iterations"``) or call, and check the clock."""
        used = getattr(self, what) + 1
        setattr(self, what, used)
        if used > getattr(self.limits, what):
            _exceeded(f"more than {getattr(self.limits, what):,} loop {what}" if what == "iterations"
                      else f"more than {self.limits.calls:,} calls")
        if used % 256 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() - self.started > self.limits.seconds:
            _exceeded(f"rendering took more than {self.limits.seconds:g} seconds")

    def add_output(self, chars: int, template: str) -> None:
        """Count ``chars`` more characters of ``template``'s output, and check the clock."""
        self.output += chars
        if self.output > self.limits.output_chars:
            raise TemplateBudgetExceeded(f"more than {self.limits.output_chars:,} characters of output", template)
        if time.monotonic() - self.started > self.limits.seconds:
            raise TemplateBudgetExceeded(f"rendering took more than {self.limits.seconds:g} seconds", template)


_BUDGET: ContextVar[Budget | None] = ContextVar("ilt_bot_render_budget", default=None)


def _display_name(template: Template) -> str:
    """A template as a person finds it: its name, or the Google Doc it came from."""
    filename = template.filename or ""
    return filename if filename.startswith(DOC_TEMPLATE_PREFIX) else str(template.name or filename)


def _where() -> tuple[str | None, int | None]:
    """The template and line being rendered (the innermost template frame on the stack)."""
    frame: Any = sys._getframe(1)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if isinstance(template, Template):
            return _display_name(template), template.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return None, None


def _exceeded(message: str) -> None:
    template, line = _where()
    raise TemplateBudgetExceeded(message, template, line)


def _budget() -> Budget:
    """The budget of the render under way (a throwaway one outside :meth:`BudgetedTemplate.render`)."""
    return _BUDGET.get() or Budget()


def _range(*args: int) -> range:
    """Jinja's sandboxed ``range`` (at most ``MAX_RANGE`` numbers), failing with the template and line."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        _exceeded(f"range() of {len(numbers):,} numbers (at most {MAX_RANGE:,})")
    return numbers


def _counted(value: Iterable[Any]) -> Iterator[Any]:
    """The ``|iltbot_budget`` filter every ``{% for %}`` is compiled with: each iteration is counted."""
    budget = _budget()
    for item in value:
        budget.tick("iterations")
        yield item


class BudgetedTemplate(Template):
    """A template whose ``render`` runs on a fresh :class:`Budget` (an include shares its parent's)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        if _BUDGET.get() is not None:
            return super().render(*args, **kwargs)
        token = _BUDGET.set(Budget())
        try:
            ctx = self.new_context(dict(*args, **kwargs))
            parts: list[str] = []
            budget, name = _budget(), _display_name(self)
            try:
                for part in self.root_render_func(ctx):
                    budget.add_output(len(part), name)
                    parts.append(part)
            except Exception:  # noqa: BLE001 - Jinja rewrites the traceback to point at the template
                self.environment.handle_exception()
            return self.environment.concat(parts)  # type: ignore[attr-defined]
        finally:
            _BUDGET.reset(token)


class BudgetedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox with a render budget: loops, calls, ``*`` and ``**`` are counted or bounded."""

    template_class = BudgetedTemplate
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["iltbot_budget"] = _counted
        self.globals["range"] = _range

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, "iltbot_budget", [], [], None, None, lineno=loop.lineno)
        return tree

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        _budget().tick("calls")
        return super().call(context, obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        limits = _budget().limits
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 \
                and right * abs(left).bit_length() > 4096:
            _exceeded(f"{left!r} ** {right!r} is too large a number")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) \
                        and len(seq) * times > limits.value_chars:
                    _exceeded(f"a {type(seq).__name__} of {len(seq):,} times {times:,} is too large")
        return super().call_binop(context, operator, left, right)


def make_environment(
    config: Config | None = None, workspace: Any = None, *, base_dir: Path | None = None
) -> SandboxedEnvironment:
    """The sandboxed environment with the config's template sources (Doc, local folder, packaged)."""
    templates = config.templates if config is not None else None
    loaders: list[BaseLoader] = []
    doc_id = templates.agenda_doc_id if templates is not None else None
    if doc_id and workspace is not None:
        loaders.append(_DocLoader(AGENDA_TEMPLATE, doc_id, workspace))
    local_dir = templates.dir if templates is not None else None
    if local_dir:
        path = Path(local_dir)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        loaders.append(_SafeFileSystemLoader(str(path)))
    loaders.append(_SafeFileSystemLoader(str(packaged_templates_dir())))
    env = BudgetedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=_StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["nl2br"] = _nl2br
    return env


def _nl2br(value: Any) -> Any:
    """Escape ``value`` and keep its line breaks as ``<br>`` (for multi-line answers)."""
    from markupsafe import Markup, escape

    return Markup("<br>").join(escape(line) for line in str(value).splitlines())


def render(name: str, context: dict[str, Any], *, env: SandboxedEnvironment | None = None,
           config: Config | None = None, workspace: Any = None) -> str:
    """Render template ``name`` with ``context`` (raises :class:`jinja2.TemplateError` on mistakes)."""
    check_template_name(name)
    env = env or make_environment(config, workspace)
    return env.get_template(name).render(context)


# --- validation (ilt-bot check) -------------------------------------------------------------------

SampleContext = Callable[["Config"], dict[str, Any]]
"""A function(config) giving a complete sample context of one template (each routine has its own)."""


def _template_line(exc: BaseException, filename_hint: str | None) -> int | None:
    """The template line where ``exc`` happened (Jinja rewrites tracebacks to point at templates)."""
    if isinstance(exc, TemplateSyntaxError):
        return exc.lineno
    line = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename == filename_hint or filename.endswith(_TEMPLATE_SUFFIXES) or filename.startswith(
                DOC_TEMPLATE_PREFIX):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def template_names(env: SandboxedEnvironment, samples: Mapping[str, SampleContext] | None = None) -> list[str]:
    """Every template the environment can load, partials (``_*``) included, and every one with a sample."""
    try:
        names = env.list_templates()
    except TypeError:  # a loader that cannot list
        names = []
    return sorted({n for n in names if n.endswith(_TEMPLATE_SUFFIXES)} | set(samples or {}))


def validate_templates(config: Config, workspace: Any = None, *, samples: Mapping[str, SampleContext],
                       base_dir: Path | None = None) -> list[TemplateProblem]:
    """Render each template with a complete sample context; one problem per template that fails.

    ``samples`` (template name -> sample context) are every routine's, from the registry
    (``ilt_bot.registry.sample_contexts()``: the caller passes them, render sits below the routines).
    Templates with a sample are rendered; the others (partials) are parsed only. A problem names the
    template, the line and the variables the template may use.
    """
    problems: list[TemplateProblem] = []
    try:
        env = make_environment(config, workspace, base_dir=base_dir)
    except TemplateError as exc:  # pragma: no cover - loaders do not raise at construction
        return [TemplateProblem("(environment)", None, str(exc))]
    for name in template_names(env, samples):
        sample = samples.get(name)
        available = tuple(sorted(sample(config))) if sample else ()
        try:
            template = env.get_template(name)
            if sample is not None:
                template.render(sample(config))
        except TemplateNotFound as exc:
            problems.append(TemplateProblem(name, None, f"template not found: {exc}", available))
        except TemplateBudgetExceeded as exc:
            problems.append(TemplateProblem(_display(env, name), exc.lineno, str(exc), available))
        except UndefinedError as exc:
            problems.append(TemplateProblem(_display(env, name), _template_line(exc, None), str(exc), available))
        except TemplateSyntaxError as exc:
            problems.append(TemplateProblem(_display(env, name, exc.filename), exc.lineno, exc.message or str(exc),
                                            available))
        except (TemplateError, TemplateLookupError) as exc:
            problems.append(TemplateProblem(_display(env, name), _template_line(exc, None), str(exc), available))
        except Exception as exc:  # noqa: BLE001 - a sandbox SecurityError, a bad filter argument...
            problems.append(TemplateProblem(_display(env, name), _template_line(exc, None),
                                            f"{type(exc).__name__}: {exc}", available))
    return problems


def _display(env: SandboxedEnvironment, name: str, filename: str | None = None) -> str:
    """A template's name as a person finds it: the file path or the Doc it came from."""
    if filename:
        return filename
    try:
        _, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001
        return name
    return filename or name
