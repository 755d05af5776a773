"""Template lookup, sandboxing and the ``ilt-bot check`` template validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError, TemplateNotFound

from ilt_bot import render
from ilt_bot.config import Templates, load_config
from ilt_bot.jobs.agenda import sample_context
from ilt_bot.registry import sample_contexts

SCHOOL = Path(__file__).parent / "jobs" / "school.toml"


def validate(config, workspace=None, **kwargs):
    """``render.validate_templates`` with every routine's sample context, as ``ilt-bot check`` runs it."""
    return render.validate_templates(config, workspace, samples=sample_contexts(), **kwargs)


@pytest.fixture
def config():
    return load_config(SCHOOL)


def with_templates(config, **settings):
    return config.model_copy(update={"templates": Templates(**settings)})


def test_packaged_templates_are_valid_and_escape_peoples_text(config):
    assert validate(config) == []
    page = render.render("agenda.html.j2", sample_context(config), config=config)
    assert "Clear &lt;b&gt;norms&lt;/b&gt; {{ 7*7 }}" in page  # the sample answer, escaped and not evaluated
    assert "49" not in page
    assert page.index("School vision") < page.index("Norms") < page.index("Revisiting our feedback") \
        < page.index("Focus area") < page.index("UIP goals") < page.index("Items from members") \
        < page.index("Open action items") < page.index("<h2>Action items") < page.index("feedback form")


def test_unknown_variable_is_reported_with_template_line_and_available_names(config, tmp_path):
    (tmp_path / "agenda.html.j2").write_text(
        '{% extends "_base.html.j2" %}\n{% block body %}\n<h1>{{ meeting.label }}</h1>\n'
        "<p>{{ meeting_motto }}</p>\n{% endblock %}\n")
    problems = validate(with_templates(config, dir=str(tmp_path)))
    assert len(problems) == 1
    problem = problems[0]
    assert problem.template == str(tmp_path / "agenda.html.j2")
    assert problem.line == 4
    assert "'meeting_motto' is undefined" in problem.message
    assert {"school", "meeting", "feedback_review", "open_actions"} <= set(problem.available)
    text = str(problem)
    assert text.startswith(f"{tmp_path / 'agenda.html.j2'}, line 4: 'meeting_motto' is undefined")
    assert "available variables: " in text and "feedback_form_url" in text


def test_unknown_attribute_and_syntax_errors_are_reported(config, tmp_path):
    (tmp_path / "agenda.html.j2").write_text("<p>{{ school.name }}</p>\n<p>{{ school.motto }}</p>\n")
    (tmp_path / "digest.html.j2").write_text("<p>\n{% for x in %}\n</p>\n")
    problems = {Path(p.template).name: p for p in validate(with_templates(config, dir=str(tmp_path)))}
    agenda = problems["agenda.html.j2"]
    assert agenda.line == 2
    assert agenda.message.startswith("'motto' is undefined here (this value has: ")
    assert "name" in agenda.message and "ilt_vision" in agenda.message  # what school does have
    assert problems["digest.html.j2"].line == 2


def test_local_folder_overrides_file_by_file(config, tmp_path):
    (tmp_path / "_base.html.j2").write_text("<html><body><p>Cedar header</p>{% block body %}{% endblock %}"
                                            "</body></html>")
    page = render.render("agenda.html.j2", sample_context(config), config=with_templates(config, dir=str(tmp_path)))
    assert page.startswith("<html><body><p>Cedar header</p>")  # local partial
    assert "Revisiting our feedback" in page  # packaged agenda


@pytest.mark.parametrize("name", ["../pyproject.toml", "/etc/passwd", "a/../../b.j2", "./agenda.html.j2", "..\\x"])
def test_template_names_with_path_traversal_are_refused(config, tmp_path, name):
    with pytest.raises(render.TemplateLookupError):
        render.render(name, {}, config=with_templates(config, dir=str(tmp_path)))
    env = render.make_environment(with_templates(config, dir=str(tmp_path)))
    with pytest.raises((render.TemplateLookupError, TemplateNotFound)):
        env.get_template(name)


def test_templates_cannot_reach_python_internals(config, tmp_path):
    (tmp_path / "agenda.html.j2").write_text("{{ school.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(SecurityError):
        render.render("agenda.html.j2", sample_context(config), config=with_templates(config, dir=str(tmp_path)))
    (problem,) = validate(with_templates(config, dir=str(tmp_path)))
    assert "unsafe" in problem.message and problem.line == 1


def test_doc_export_is_turned_back_into_jinja():
    exported = ('<p class="c1"><span>Agenda for {{ meeting.label }} &mdash; {{ &quot;x&quot; if meeting.number '
                '&gt; 1 else \u201cfirst\u201d }}</span></p>')
    source = render.jinja_from_exported_html(exported)
    assert '{{ "x" if meeting.number > 1 else "first" }}' in source
    assert "&mdash;" in source  # text outside tags stays as exported


def test_agenda_template_from_a_google_doc(config, sandbox, monkeypatch):
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", sandbox.url)
    with connect(config, limiter=RateLimiter(enabled=False)) as gateway:
        good = gateway.ensure_doc_from_html(
            "cedar/template/agenda", "Agenda template",
            '<h1>ILT meeting {{ meeting.label }}</h1><p>{{ "Welcome back" if feedback_review else "Welcome" }}, '
            "{{ school.name }}</p><ul>{% for norm in school.norms %}<li>{{ norm }}</li>{% endfor %}</ul>",
            "root").file
        bad = gateway.ensure_doc_from_html("cedar/template/bad", "Bad template",
                                           "<p>{{ meeting.label }}</p><p>{{ agenda_motto }}</p>", "root").file
        ok_config = with_templates(config, agenda_doc_id=good.id)
        assert validate(ok_config, gateway) == []
        page = render.render("agenda.html.j2", sample_context(config), config=ok_config, workspace=gateway)
        assert "ILT meeting Tue Sep 15, 2026" in page and "Welcome back, Cedar Ridge Elementary" in page
        assert "Start and end on time" in page

        (problem,) = validate(with_templates(config, agenda_doc_id=bad.id), gateway)
        assert problem.template == f"gdoc:{bad.id}"
        assert "'agenda_motto' is undefined" in problem.message and problem.line is not None
