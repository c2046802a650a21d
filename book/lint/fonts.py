"""Characters the pinned fonts cannot show.

A character outside the fonts' coverage prints as a box, or in whatever
font the reader's machine falls back to: wrong in a print-grade book, so it
is an error. The source files are scanned as written (chapters, book.yaml,
bibliographies): Markdown and YAML syntax is ASCII, which the fonts cover,
so what is left is what readers see. The fonts are the book's own and every
pinned family, script fallbacks included.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ..confine import LIMITS, read_bytes
from ..errors import BookError
from ..model import Metadata
from ..render.fontcheck import ADD_FONT, describe, uncovered


def uncovered_in_files(files: list[Path], meta: Metadata) -> list[BookError]:
    """An error at the first place of each character no face of the book has, in each file. One
    pass over each file, however many characters it lacks (a chapter in another script lacks thousands)."""
    problems: list[BookError] = []
    for path in files:
        try:  # no larger than the largest input a build reads; load reports what is wrong with it
            text = read_bytes(path, max_bytes=max(limit.max_bytes for limit in LIMITS.values())).decode("utf-8")
        except (BookError, UnicodeDecodeError):
            continue
        missing = uncovered(text, meta)
        if not missing:
            continue
        counts = Counter(text)
        first: dict[str, int] = {}
        for found in re.finditer("[" + "".join(map(re.escape, missing)) + "]", text):
            first.setdefault(found.group(), found.start())
            if len(first) == len(missing):
                break
        for char in missing:
            at = first[char]
            line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
            more = f" (and {counts[char] - 1} more in this file)" if counts[char] > 1 else ""
            problems.append(BookError(f"the book's fonts have no glyph for {describe(char)}{more}", path, line,
                                      column, ADD_FONT,
                                      rule="font-coverage"))
    return problems
