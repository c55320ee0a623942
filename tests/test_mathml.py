"""Inline LaTeX to MathML: what converts, and what is refused so it shows as text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from generator.read.mathml import MathError, latex_to_mathml

M = "{http://www.w3.org/1998/Math/MathML}"


def parse(source: str) -> ET.Element:
    """Convert and parse as XML: the MathML must be well-formed."""
    return ET.fromstring(latex_to_mathml(source).replace("<math ", f'<math xmlns="{M[1:-1]}" ', 1))


def tags(source: str) -> list[str]:
    return [element.tag.removeprefix(M) for element in parse(source).iter()]


def test_scripts_fractions_roots_and_greek():
    assert "msubsup" in tags("x_i^2")
    assert "mfrac" in tags(r"\frac{a+b}{2}")
    assert "msqrt" in tags(r"\sqrt{n}") and "mroot" in tags(r"\sqrt[3]{n}")
    math = parse(r"\alpha \leq \beta")
    assert [e.text for e in math.iter(f"{M}mi")] == ["α", "β"]
    assert [e.text for e in math.iter(f"{M}mo")] == ["≤"]


def test_text_keeps_its_spaces_and_fonts_use_math_letters():
    math = parse(r"\text{for all } x \in \mathbb{R}")
    assert math.find(f".//{M}mtext").text == "for all "
    assert [e.text for e in math.iter(f"{M}mi")] == ["x", "ℝ"]


def test_source_is_kept_as_an_annotation_and_escaped():
    math = parse(r"a < b \& c")
    assert math.find(f".//{M}annotation").text == r"a < b \& c"
    assert [e.text for e in math.iter(f"{M}mo")] == ["<", "&"]


@pytest.mark.parametrize(
    "source",
    [
        r"textbf{specialist} and textbf{generalist}",  # backslashes lost on the way from a PDF
        r"mathcal{O}(d^k)",
        "the cost of training",  # prose between two dollar signs
        r"x^{2",
        r"x}",
        r"\unknown{x}",
        r"x^",
        r"x^2^3",
        r"\frac{1}",
        "",
        "x" * 600,
    ],
)
def test_what_is_not_math_is_refused(source):
    with pytest.raises(MathError):
        latex_to_mathml(source)


@pytest.mark.parametrize("source", ["{" * 249 + "x" + "}" * 249, "\\frac" * 99, "\\sqrt" * 90 + "x",
                                    "\\hat{" * 60 + "x" + "}" * 60],
                         ids=["249 braces", "99 fractions", "90 roots", "60 accents"])
def test_math_nested_past_any_real_formula_is_refused_not_a_crash(source):
    with pytest.raises(MathError, match="nested too deeply"):
        latex_to_mathml(source)


def test_math_nested_as_deep_as_real_formulas_go_is_still_math():
    ET.fromstring(latex_to_mathml("{" * 20 + "x" + "}" * 20))
    ET.fromstring(latex_to_mathml("\\frac{\\sqrt{\\hat{x}^{2}}}{\\frac{1}{\\frac{2}{3}}}"))
