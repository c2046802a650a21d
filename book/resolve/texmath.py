"""TeX math → MathML (latex2mathml), checked, with the TeX kept as ``alttext``.

latex2mathml converts the TeX that papers use (fractions, roots, sums and
integrals with limits, matrices, ``cases``, ``align``, accents, fonts such as
``\\mathbb``) but lets some mistakes through: an unbalanced brace, an unknown
command (it prints ``\\foo`` as a letter), an ``&`` outside a matrix (it writes
an unescaped ``&``, which is not XML). We check for those, so that bad TeX is
an error at its place instead of odd marks on the page, and rewrite the few
environments it does not know under their names (``aligned``).
"""

from __future__ import annotations

import re

from lxml import etree

MATHML = "http://www.w3.org/1998/Math/MathML"

_REWRITES = ((re.compile(r"\\(begin|end)\{aligned\}"), r"\\\1{align*}"),
             (re.compile(r"\\(begin|end)\{gathered\}"), r"\\\1{align*}"))
"""Environments latex2mathml lacks, as ones it has that mean the same in MathML."""

_MESSAGES = {
    "NumeratorNotFoundError": "\\frac needs a numerator and a denominator: \\frac{a}{b}",
    "DenominatorNotFoundError": "\\frac needs a numerator and a denominator: \\frac{a}{b}",
    "ExtraLeftOrMissingRightError": "a \\left without its \\right (or the other way round)",
    "MissingSuperScriptOrSubscriptError": "a '^' or '_' with nothing after it",
    "DoubleSubscriptsError": "two subscripts in a row: group them with braces, x_{a_b}",
    "DoubleSuperscriptsError": "two superscripts in a row: group them with braces, x^{a^b}",
    "MissingEndError": "a \\begin{…} without its \\end{…}",
    "NoAvailableTokensError": "a command with its argument missing",
    "InvalidAlignmentError": "an array's column alignment is not l, c or r",
    "InvalidWidthError": "a width that is not a TeX length",
    "LimitsMustFollowMathOperatorError": "\\limits after something that is not an operator",
}


ENVIRONMENTS = frozenset({"matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "smallmatrix", "array",
                          "cases", "split", "align", "align*", "aligned", "gathered", "matrix*", "pmatrix*",
                          "bmatrix*", "Bmatrix*", "vmatrix*", "Vmatrix*"})
"""The environments a formula may use."""


class TexError(Exception):
    """Why a formula cannot be set, and where in its TeX (0-based offset)."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def _check_braces(tex: str) -> None:
    opened: list[int] = []
    at = 0
    while at < len(tex):
        char = tex[at]
        if char == "\\":
            at += 2
            continue
        if char == "%":
            raise TexError("'%' starts a TeX comment, which would hide the rest of the formula; write \\%", at)
        if char == "{":
            opened.append(at)
        elif char == "}":
            if not opened:
                raise TexError("a '}' that closes nothing", at)
            opened.pop()
        at += 1
    if opened:
        raise TexError("a '{' that is never closed", opened[-1])


_ARITY = {"msub": 2, "msup": 2, "mfrac": 2, "mroot": 2, "munder": 2, "mover": 2, "msubsup": 3, "munderover": 3}
"""How many children each MathML script element has (MathML Core)."""


def _repair_arity(root) -> None:
    """latex2mathml gives a script on a bracketed matrix, ``\\begin{pmatrix}…\\end{pmatrix}_{t}``, the
    brackets and the table as separate bases (``<msub>`` with four children); MathML wants one base,
    so the extra leading children are grouped into an ``<mrow>``."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        want = _ARITY.get(etree.QName(node).localname)
        if want is None or len(node) <= want:
            continue
        extra = len(node) - want + 1
        row = etree.Element(f"{{{MATHML}}}mrow")
        for child in list(node)[:extra]:
            row.append(child)
        node.insert(0, row)


def to_mathml(tex: str, display: bool) -> str:
    """The MathML for ``tex`` (``<math display="block|inline" alttext="…">``), or :class:`TexError`."""
    from latex2mathml.converter import convert

    _check_braces(tex)
    for env in re.finditer(r"\\begin\{([^}]*)\}", tex):
        if env.group(1) not in ENVIRONMENTS:
            raise TexError(f"the environment '{env.group(1)}' is not supported here (use one of "
                           "aligned, cases, matrix, pmatrix, bmatrix, array)", env.start())
    source = tex
    for pattern, replacement in _REWRITES:
        source = pattern.sub(replacement, source)
    try:
        mathml = convert(source, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml's own errors, and its IndexErrors on truncated input
        raise TexError(_MESSAGES.get(type(exc).__name__, f"TeX it cannot read ({type(exc).__name__})")) from None
    try:
        root = etree.fromstring(mathml)
    except etree.XMLSyntaxError:
        at = max(tex.find("&"), 0)
        raise TexError("'&' belongs in an aligned or matrix environment: \\begin{aligned} a &= b \\end{aligned}",
                       at) from None
    for node in root.iter():
        text = (node.text or "").strip()
        unknown = re.match(r"\\[A-Za-z]+\*?", text)
        if unknown:
            name = unknown.group()
            hint = " (label an equation with {#eq-name} after its closing $$)" if name == "\\label" else ""
            raise TexError(f"unknown TeX command {name}{hint}", max(tex.find(name), 0))
    _repair_arity(root)
    root.set("alttext", " ".join(tex.split()))
    return etree.tostring(root, encoding="unicode")
