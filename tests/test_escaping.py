"""The pages' escaping of `{{ }}` is markupsafe's, character for character, in every kind of template."""

from __future__ import annotations

import jinja2
import markupsafe
import pytest

from generator.site.escaping import PageEnvironment, html_text

HOSTILE = ["", "plain", "<script>alert('x')</script>", 'a "quoted" & <b>bold</b>', "&amp; already",
           "\u2028\x00\ud800 odd", "'; DROP --", "<!--", "]]>", "x" * 5000 + "<"]


class Shown:
    """An object that is not text, as a template may be given."""

    def __str__(self) -> str:
        return "<shown & 'told'>"


@pytest.mark.parametrize("value", [*HOSTILE, 0, 12.5, None, True, Shown(), markupsafe.Markup("<em>safe</em>")])
def test_html_text_is_markupsafes_escape(value):
    assert html_text(value) == str(markupsafe.escape(value))
    assert type(html_text(value)) in (str, markupsafe.Markup)


TEMPLATE = """\
{% macro card(v) %}<p title="{{ v }}">{{ v }}</p>{% endmacro %}
{% set block %}<i>{{ value }}</i>{% endset %}
{{ value }}|{{ card(value) }}|{{ block }}|{{ value | safe }}|{{ value ~ '<' }}|{{ value | upper }}
{% autoescape false %}{{ value }}{% endautoescape %}|{{ [value] | join(', ') }}|{{ value | e }}
{% for x in [value, 1] %}{{ loop.index }}{{ x }}{% endfor %}"""


@pytest.mark.parametrize("value", HOSTILE + [Shown(), markupsafe.Markup("<em>safe</em>")])
def test_templates_render_as_jinjas_own_escaping_renders_them(value):
    options = dict(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    ours = PageEnvironment(**options).from_string(TEMPLATE).render(value=value)
    theirs = jinja2.Environment(**options).from_string(TEMPLATE).render(value=value)
    assert ours == theirs
    assert ours.split("|")[0].lstrip("\n") == str(markupsafe.escape(value))  # the plain {{ value }}, escaped


def test_an_undefined_value_still_stops_the_render():
    template = PageEnvironment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("{{ missing }}")
    with pytest.raises(jinja2.UndefinedError):
        template.render()
