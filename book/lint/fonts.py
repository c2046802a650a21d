"""Characters the pinned fonts cannot show.

A character outside the fonts' coverage prints as a box, or in whatever
font the reader's machine falls back to: wrong in a print-grade book, so it
is an error. The source files are scanned as written (chapters, book.yaml,
bibliographies): Markdown and YAML syntax is ASCII, which the fonts cover,
so what is left is what readers see. The fonts are the book's own and every
pinned family, script fallbacks included.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BookError
from ..model import Metadata
from ..render.fontcheck import ADD_FONT, describe, locate, uncovered


def uncovered_in_files(files: list[Path], meta: Metadata) -> list[BookError]:
    """An error at the first place of each uncovered character in each file."""
    problems: list[BookError] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # load reports unreadable files
        for char in uncovered(text, meta):
            line, column = locate(path, char)
            count = text.count(char)
            more = f" (and {count - 1} more in this file)" if count > 1 else ""
            problems.append(BookError(f"the book's fonts have no glyph for {describe(char)}{more}", path, line,
                                      column, ADD_FONT,
                                      rule="font-coverage"))
    return problems
