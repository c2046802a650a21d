"""Templates from elsewhere (a deposit that ``verify`` rebuilds), rendered in Jinja's sandbox, with limits.

Jinja's sandbox keeps a template from Python's internals; it does not keep it from
asking for too much. A deposit's template could include a file outside its folder,
make a string of forty billion characters, or loop over ``range(99999)`` inside
another such loop for ever. Here every render has a share of a time budget
(:data:`MAX_RENDER_SECONDS` for the whole build), a size limit on what it writes
(:data:`MAX_OUTPUT`), and the operators that multiply sizes (``*``, ``**``, ``%``)
are checked before they run (:data:`MAX_SIZE`); a build of untrusted templates
also runs with its memory limited (``verify`` sets it), so that what still
allocates too much fails at once. Each refusal, and any other error in such a
template (a missing include, a syntax error), is the template's author's
:class:`~book.errors.BookError` at the template's file and line.
"""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..errors import BookError

MAX_RENDER_SECONDS = 60.0
"""Time all renders of one build may take together: a real book's take a few seconds."""
MAX_OUTPUT = 64_000_000
"""Characters one render may write: a real book's longest page (the print edition) is a few million."""
MAX_SIZE = 10_000_000
"""Characters or items ``*`` may make, and how large a number ``**`` and ``%`` may work with."""


class OutOfTime(SecurityError):
    """The build's renders took :data:`MAX_RENDER_SECONDS`."""


class _Budget:
    """The render time left to this process, spent by each render of an untrusted template."""

    left = MAX_RENDER_SECONDS
    depth = 0


def _out_of_time(_signum, _frame) -> None:
    raise OutOfTime(f"the templates render for more than {MAX_RENDER_SECONDS:.0f} s (a loop that never ends?)")


class LimitedTemplate(jinja2.Template):
    """A template whose render stops at :data:`MAX_OUTPUT` characters and when the time budget is spent."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        ctx = self.new_context(dict(*args, **kwargs))
        outer = _Budget.depth == 0
        _Budget.depth += 1
        start = time.monotonic()
        previous = None
        try:
            if outer:
                if _Budget.left <= 0:
                    _out_of_time(0, None)
                previous = signal.signal(signal.SIGALRM, _out_of_time)
                signal.setitimer(signal.ITIMER_REAL, _Budget.left)
            parts: list[str] = []
            size = 0
            for part in self.root_render_func(ctx):
                size += len(part)
                if size > MAX_OUTPUT:
                    raise SecurityError(f"the template writes more than {MAX_OUTPUT:,} characters")
                parts.append(part)
            return "".join(parts)
        except Exception:
            self.environment.handle_exception()
        finally:
            _Budget.depth -= 1
            if outer:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                _Budget.left -= time.monotonic() - start


_FORMAT_NUMBER = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


class Sandboxed(ImmutableSandboxedEnvironment):
    """Jinja's sandbox, with limits, whose every error is the template author's, at the template's line."""

    template_class = LimitedTemplate
    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, (int, float)) \
                        and len(seq) * times > MAX_SIZE:
                    raise SecurityError(f"the template multiplies a text or list to more than {MAX_SIZE:,} "
                                        "characters or items")
        elif operator == "**":
            if isinstance(right, (int, float)) and isinstance(left, (int, float)) and abs(left) > 1 \
                    and abs(right) > 256:
                raise SecurityError("the template raises a number to a power too large to compute")
        elif operator == "%" and isinstance(left, str):
            values = right if isinstance(right, tuple) else (right,)
            for match in _FORMAT_NUMBER.finditer(left):
                for number in match.groups():
                    if number == "*" and any(isinstance(v, int) and abs(v) > MAX_SIZE for v in values) \
                            or number and number.isdigit() and int(number) > MAX_SIZE:
                        raise SecurityError(f"the template formats a field wider than {MAX_SIZE:,} characters")
        return super().call_binop(context, operator, left, right)

    def handle_exception(self, source: str | None = None):
        try:
            super().handle_exception(source)  # raises, its traceback rewritten to template lines
        except BookError:
            raise
        except (jinja2.TemplateError, MemoryError, RecursionError, ArithmeticError, TypeError, ValueError,
                LookupError, AttributeError) as exc:
            file, line = template_frame(exc.__traceback__, self.loader.searchpath)
            if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
                file, line = Path(exc.filename), exc.lineno
            raise refusal(exc, file, line) from None


def refusal(exc: BaseException, file: Path | None, line: int) -> BookError:
    """What the template author reads for ``exc`` raised at ``file``:``line``."""
    if isinstance(exc, SecurityError):
        return BookError(f"the template does what a template may not: {exc}", file, line, 0,
                         "templates may only read the variables they are given, and write a book's worth "
                         "of text", rule="unsafe-template")
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"the template includes '{exc.name}', which is not a template of this folder"
    elif isinstance(exc, MemoryError):
        message = "the template asks for more memory than a build has"
    elif isinstance(exc, RecursionError):
        message = "the template calls itself (or its macros call one another) without end"
    elif isinstance(exc, jinja2.TemplateError):  # a syntax error, an undefined variable …
        message = f"the template has a mistake: {getattr(exc, 'message', None) or exc}"
    else:
        message = f"the template fails: {type(exc).__name__}: {exc}"
    return BookError(message, file, line, 0, "fix the template (the builder's template of the same name shows "
                     "what it is given), or rebuild with the builder's own templates", rule="template")


def template_frame(tb, folders: list[str]) -> tuple[Path | None, int]:
    """The innermost template file (one in ``folders``) and line of a traceback Jinja rewrote."""
    found: tuple[Path | None, int] = (None, 0)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if any(Path(name).is_relative_to(folder) for folder in folders):
            found = (Path(name), tb.tb_lineno)
        tb = tb.tb_next
    return found
