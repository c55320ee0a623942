"""Inline LaTeX math to MathML, for the small part of LaTeX that abstracts use.

Anything outside that part (an unknown command, unbalanced braces, prose between dollar signs)
is refused with MathError, and the caller shows the span as the plain text it was.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterator
from html import escape

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "ell": "ℓ", "hbar": "ℏ", "nabla": "∇",
    "partial": "∂", "infty": "∞", "emptyset": "∅", "aleph": "ℵ",
}
OPERATORS = {
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈",
    "sim": "∼", "simeq": "≃", "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫",
    "times": "×", "cdot": "⋅", "div": "÷", "pm": "±", "mp": "∓", "ast": "∗", "circ": "∘",
    "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "supset": "⊃", "supseteq": "⊇",
    "cup": "∪", "cap": "∩", "setminus": "∖", "to": "→", "rightarrow": "→", "leftarrow": "←",
    "Rightarrow": "⇒", "Leftarrow": "⇐", "leftrightarrow": "↔", "Leftrightarrow": "⇔",
    "mapsto": "↦", "implies": "⟹", "iff": "⟺", "forall": "∀", "exists": "∃", "neg": "¬",
    "land": "∧", "lor": "∨", "wedge": "∧", "vee": "∨", "oplus": "⊕", "otimes": "⊗",
    "sum": "∑", "prod": "∏", "int": "∫", "oint": "∮", "ldots": "…", "cdots": "⋯",
    "dots": "…", "vdots": "⋮", "ddots": "⋱", "mid": "∣", "parallel": "∥", "perp": "⊥",
    "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉",
    "{": "{", "}": "}", "|": "‖", "%": "%", "#": "#", "&": "&", "$": "$", "_": "_",
    "prime": "′", "star": "⋆", "top": "⊤", "bot": "⊥", "lvert": "|", "rvert": "|",
}
FUNCTIONS = {
    "log", "ln", "exp", "sin", "cos", "tan", "max", "min", "arg", "argmax", "argmin", "lim",
    "sup", "inf", "det", "dim", "ker", "deg", "gcd", "Pr", "tanh", "sinh", "cosh", "sgn",
}
FONTS = {
    "mathcal": "script", "mathbb": "double-struck", "mathbf": "bold", "mathit": "italic",
    "mathrm": "normal", "boldsymbol": "bold-italic", "bm": "bold-italic", "mathsf": "sans-serif",
    "mathfrak": "fraktur", "mathtt": "monospace", "operatorname": "normal",
}
TEXT_COMMANDS = {"text": None, "textrm": None, "textbf": "bold", "textit": "italic", "mbox": None}
ACCENTS = {
    "hat": "^", "widehat": "^", "tilde": "~", "widetilde": "~", "bar": "¯", "overline": "¯",
    "vec": "→", "dot": "˙", "ddot": "¨", "check": "ˇ", "breve": "˘",
}
SPACES = {",": "0.1667em", ":": "0.2222em", ";": "0.2778em", " ": "0.25em", "quad": "1em",
          "qquad": "2em", "!": "0em"}
SIZERS = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr"}
KNOWN_COMMANDS = (set(GREEK) | set(OPERATORS) | FUNCTIONS | set(FONTS) | set(TEXT_COMMANDS)
                  | set(ACCENTS) | {"frac", "dfrac", "tfrac", "sqrt", "binom"} | SIZERS)
# Command names that lost their backslash on the way from a PDF, such as `textbf{x}`.
STRIPPED_COMMAND = re.compile(
    r"(?<![A-Za-z\\])(?:" + "|".join(sorted((c for c in KNOWN_COMMANDS if len(c) >= 4), key=len,
                                          reverse=True)) + r")(?=[{A-Z_^\s]|$)"
)
PROSE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}\s+[A-Za-z]{3,}")
TOKEN = re.compile(r"\\(?:[A-Za-z]+|.)|\d+(?:\.\d+)?|\s+|.", re.S)
MAX_SOURCE = 500
MAX_DEPTH = 50  # groups and atoms inside each other: real math nests a few deep, and Python's stack ends


class MathError(ValueError):
    """The text between dollar signs is not math this converter understands."""


def latex_to_mathml(source: str) -> str:
    """Convert inline LaTeX to a MathML `<math>` element that keeps its source as annotation."""
    if len(source) > MAX_SOURCE or not source.strip():
        raise MathError("empty or too long")
    text_free = re.sub(r"\\(?:text|textrm|textbf|textit|mbox)\{[^{}]*\}", " ", source)
    if STRIPPED_COMMAND.search(text_free) or PROSE.search(text_free):
        raise MathError("looks like prose or a command without its backslash")
    parser = _Parser(source)
    body = parser.parse_sequence(stop=None)
    return (
        '<math display="inline"><semantics><mrow>' + body + "</mrow>"
        f'<annotation encoding="application/x-tex">{escape(source, quote=False)}</annotation>'
        "</semantics></math>"
    )


STYLE_NAMES = {
    "script": ("MATHEMATICAL SCRIPT", "SCRIPT"),
    "double-struck": ("MATHEMATICAL DOUBLE-STRUCK", "DOUBLE-STRUCK"),
    "bold": ("MATHEMATICAL BOLD",),
    "bold-italic": ("MATHEMATICAL BOLD ITALIC",),
    "fraktur": ("MATHEMATICAL FRAKTUR", "BLACK-LETTER"),
    "sans-serif": ("MATHEMATICAL SANS-SERIF",),
    "monospace": ("MATHEMATICAL MONOSPACE",),
    "italic": ("MATHEMATICAL ITALIC",),
}


def styled_identifier(letters: str, font: str | None) -> str:
    """Return an `<mi>`, spelling styled Latin letters with their Unicode math characters.

    Browsers that follow MathML Core ignore most `mathvariant` values, so a script O must be
    the character U+1D4AA itself to look like one.
    """
    if font is None:
        return f"<mi>{escape(letters)}</mi>"
    if font == "normal":
        return f'<mi mathvariant="normal">{escape(letters)}</mi>'
    styled = []
    for letter in letters:
        case = "CAPITAL" if letter.isupper() else "SMALL"
        for prefix in STYLE_NAMES[font]:
            try:
                styled.append(unicodedata.lookup(f"{prefix} {case} {letter.upper()}"))
                break
            except KeyError:
                continue
        else:
            styled.append(letter)
    return f'<mi mathvariant="normal">{escape("".join(styled))}</mi>'


class _Parser:
    def __init__(self, source: str):
        self.tokens = TOKEN.findall(source)
        self.position = 0
        self.font: str | None = None
        self.depth = 0

    def peek(self) -> str | None:
        while self.position < len(self.tokens) and self.tokens[self.position].isspace():
            self.position += 1
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise MathError("ends too early")
        self.position += 1
        return token

    def parse_sequence(self, stop: str | None) -> str:
        parts = []
        while True:
            token = self.peek()
            if token is None:
                if stop is not None:
                    raise MathError("a '{' is never closed")
                return "".join(parts)
            if token == stop:
                self.position += 1
                return "".join(parts)
            if token == "}":
                raise MathError("a '}' closes nothing")
            parts.append(self.parse_scripted())

    def parse_scripted(self) -> str:
        base = self.parse_atom()
        sub = sup = None
        while self.peek() in ("_", "^", "'"):
            token = self.take()
            if token == "'":
                sup = (sup or "") + "<mo>′</mo>"
                continue
            if (token == "_" and sub is not None) or (token == "^" and sup is not None):
                raise MathError("double script")
            if self.peek() is None or self.peek() in ("}", "_", "^"):
                raise MathError("a script has nothing after it")
            script = self.parse_atom()
            if token == "_":
                sub = script
            else:
                sup = script
        if sub is not None and sup is not None:
            return f"<msubsup>{base}{sub}{sup}</msubsup>"
        if sub is not None:
            return f"<msub>{base}{sub}</msub>"
        if sup is not None:
            return f"<msup>{base}{sup}</msup>"
        return base

    def parse_group(self) -> str:
        if self.take() != "{":
            raise MathError("expected '{'")
        with self.nested():
            return "<mrow>" + self.parse_sequence(stop="}") + "</mrow>"

    @contextlib.contextmanager
    def nested(self) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise MathError("nested too deeply")
        try:
            yield
        finally:
            self.depth -= 1

    def parse_argument(self) -> str:
        return self.parse_group() if self.peek() == "{" else self.parse_atom()

    def raw_group(self) -> str:
        if self.take() != "{":
            raise MathError("expected '{'")
        depth, words = 1, []
        while True:
            if self.position >= len(self.tokens):
                raise MathError("a '{' is never closed")
            token = self.tokens[self.position]
            self.position += 1
            depth += token == "{"
            depth -= token == "}"
            if depth == 0:
                return "".join(words)
            words.append(token)

    def parse_atom(self) -> str:
        token = self.take()
        if token == "{":
            self.position -= 1
            return self.parse_group()
        if token.startswith("\\"):
            with self.nested():
                return self.parse_command(token[1:])
        if token.isdigit() or re.fullmatch(r"\d+\.\d+", token):
            return f"<mn>{token}</mn>"
        if token.isalpha():
            return styled_identifier(token, self.font)
        if token in "+-=<>()[]|,;:!/*.?@~":
            symbol = {"-": "−", "*": "∗", "~": " "}.get(token, token)
            return f"<mo>{escape(symbol)}</mo>"
        raise MathError(f"unexpected {token!r}")

    def parse_command(self, name: str) -> str:
        if name in GREEK:
            return f"<mi>{GREEK[name]}</mi>"
        if name in OPERATORS:
            return f"<mo>{escape(OPERATORS[name])}</mo>"
        if name in FUNCTIONS:
            return f'<mi mathvariant="normal">{name}</mi>'
        if name in SPACES:
            return f'<mspace width="{SPACES[name]}"/>'
        if name in ("left", "right"):
            if self.peek() == ".":
                self.take()
                return ""
            return self.parse_atom()
        if name in SIZERS:
            return ""
        if name in ("frac", "dfrac", "tfrac"):
            return f"<mfrac>{self.parse_argument()}{self.parse_argument()}</mfrac>"
        if name == "binom":
            top, bottom = self.parse_argument(), self.parse_argument()
            return f'<mrow><mo>(</mo><mfrac linethickness="0">{top}{bottom}</mfrac><mo>)</mo></mrow>'
        if name == "sqrt":
            if self.peek() == "[":
                self.take()
                index = self.parse_sequence(stop="]")
                return f"<mroot>{self.parse_argument()}<mrow>{index}</mrow></mroot>"
            return f"<msqrt>{self.parse_argument()}</msqrt>"
        if name in FONTS:
            if name == "operatorname":
                return f'<mi mathvariant="normal">{escape(self.raw_group())}</mi>'
            outer, self.font = self.font, FONTS[name]
            try:
                return self.parse_argument()
            finally:
                self.font = outer
        if name in TEXT_COMMANDS:
            words = self.raw_group()
            if "\\" in words or "$" in words:
                raise MathError("commands inside text")
            variant = TEXT_COMMANDS[name]
            attribute = f' mathvariant="{variant}"' if variant else ""
            return f"<mtext{attribute}>{escape(words)}</mtext>"
        if name in ACCENTS:
            return f'<mover accent="true">{self.parse_argument()}<mo>{ACCENTS[name]}</mo></mover>'
        raise MathError(f"unknown command \\{name}")
