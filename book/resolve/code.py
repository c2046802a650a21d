"""Code blocks highlighted by Pygments: ``<pre class="sourceCode python"><code>`` with Pygments' short
CSS classes (``k`` keyword, ``s`` string …), which each edition's stylesheet colours (print: in greys).

Every source line is a ``span.line`` of its own, so that the print stylesheet can
mark the lines it has to wrap. A block whose language Pygments does not know is
set as plain code; Quarto's executable cells (```` ```{python} ````) are shown as
code in their language (``check`` warns that they are not run).
"""

from __future__ import annotations

import functools
import re
from html import escape

_CELL = re.compile(r"\{\s*([A-Za-z][\w+-]*)[^}]*\}")


def language(info: str) -> tuple[str, bool]:
    """The language of a fence's info string, and whether it is an executable cell: ``python``
    for ``python``, ``{.python}``, ``{python}`` (a cell) or ``python {.numberLines}``."""
    info = info.strip()
    cell = _CELL.fullmatch(info)
    if cell and not info.startswith("{."):
        return cell.group(1).lower(), True
    m = re.match(r"\{?\s*\.?([A-Za-z][\w+#-]*)", info)
    return (m.group(1).lower() if m else ""), False


@functools.lru_cache(maxsize=64)
def _lexer(name: str):
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight(code: str, info: str) -> str:
    """A code block as XHTML: highlighted when its language is known, one ``span.line`` per line."""
    lang, _cell = language(info)
    lexer = _lexer(lang) if lang else None
    code = code[:-1] if code.endswith("\n") else code
    if lexer is None:
        lines = [escape(line) for line in code.split("\n")]
    else:
        from pygments import lex
        from pygments.token import STANDARD_TYPES

        lines, current = [], []
        for kind, text in lex(code, lexer):
            css = ""
            while kind is not None and not css:
                css = STANDARD_TYPES.get(kind, "")
                kind = kind.parent
            for i, part in enumerate(text.split("\n")):
                if i:
                    lines.append("".join(current))
                    current = []
                if part:
                    current.append(f'<span class="{css}">{escape(part)}</span>' if css else escape(part))
        lines.append("".join(current))
    # The line's end inside its span: the print stylesheet sets each line as a block of its own.
    body = "".join(f'<span class="line">{line}\n</span>' for line in lines)
    cls = f"sourceCode {escape(lang)}" if lang else "sourceCode"
    code_cls = f' class="language-{escape(lang)}"' if lang else ""
    return f'<pre class="{cls}"><code{code_cls}>{body}</code></pre>\n'
