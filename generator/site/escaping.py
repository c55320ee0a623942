"""How a page's `{{ value }}` is escaped: exactly as markupsafe escapes it, but into plain text.

Jinja escapes each `{{ }}` of an autoescaped template with markupsafe.escape, which wraps its
result in a Markup made by Python code, only for the page to join it into text at once, and a
page has many of them: the templates of this environment escape into text instead, the same
characters into the same entities. What a macro, a `{% set %}` block or `| safe` gives is still
Markup, and passes as it is. Where a Jinja release has no such hook, its templates keep
markupsafe's escape: slower, never less safe.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2.compiler import CodeGenerator


def html_text(value: Any) -> str:
    """The value as HTML text: markupsafe's escaping (& < > ' "), what has __html__ as it says."""
    if type(value) is not str:
        html = getattr(value, "__html__", None)
        if html is not None:
            return html()
        value = str(value)  # an undefined value raises here, as it does when markupsafe escapes it
    return (value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
            .replace('"', "&#34;"))


class PageCodeGenerator(CodeGenerator):
    """Jinja's code generator, with each `{{ }}` of an autoescaped template escaped by html_text."""

    def visit_Template(self, node, frame=None) -> None:
        self.writeline(f"from {__name__} import html_text")
        super().visit_Template(node, frame)

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("html_text(")
        if finalize.src is not None:
            self.write(finalize.src)


class PageEnvironment(jinja2.Environment):
    code_generator_class = PageCodeGenerator
