"""Words kept whole where their hyphen would fall badly: at a page turn, on a paragraph's last
line, or third in a ladder of hyphens.

WeasyPrint breaks lines one at a time and pages after that; it cannot know that
the line it hyphenates will end a page. So the print layout is read back once
the pages are made (with :mod:`.preflight`'s own reader of WeasyPrint's
boxes), and each word hyphenated

* across a page turn (the reader would hold half a word over the page),
* on a paragraph's last but one line when its last line is nothing but the
  word's end ("poli-/cies."),
* or as the third hyphen in a row down the right edge

is set again whole (``<span class="no-hyphens">``, ``hyphens: manual``) in its
paragraph, found by the ``data-fix`` number :func:`number_blocks` gives every
``<p>`` and ``<li>``. The document is laid out again: the word moves whole to
the next line, the line before it takes the space, the page turns between
words. A repair may make another defect; at most :data:`ROUNDS` rounds are
made, and each is a function of the layout alone, so the result is the same on
every machine and for every ``--jobs``. A job of the print edition repairs its
own pages (:mod:`.piece`) and a document laid out at once (a handout, ``check
--print``) its own (:func:`book.publish.layout.layout`): a chapter's pages and
repairs are the same either way.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from .preflight import _read_page

ATTRIBUTE = "data-fix"
ROUNDS = 3
"""Layouts after the first, at most: a repair seldom makes a new defect, and never loops."""

Fix = tuple[str, str, int]
"""(the ``data-fix`` number of the paragraph, the word to keep whole, how many times the word
comes before that place in the paragraph)."""

_BLOCK = re.compile(r"<(p|li)(?=[\s>])")
_TOKEN = re.compile(r"<[^>]*>|[^<]+")
_EDGE = "\"'“”‘’«»„‚()[]{}.,;:!?…—–"


def number_blocks(html: str) -> str:
    """Every ``<p>`` and ``<li>`` of ``html`` numbered ``data-fix="1"``, ``"2"`` … in document order."""
    counter = iter(range(1, 1 << 30))
    return _BLOCK.sub(lambda m: f'<{m.group(1)} {ATTRIBUTE}="{next(counter)}"', html)


def fixes(page_boxes: Sequence[Any]) -> tuple[Fix, ...]:
    """The words to keep whole, read from laid-out pages (WeasyPrint's page boxes)."""
    lines = [line for i, box in enumerate(page_boxes) for line in _read_page(i, "", box, {}).lines]
    blocks: dict[int, list] = {}
    for line in lines:
        if line.element is not None and line.element.get(ATTRIBUTE):
            blocks.setdefault(id(line.element), []).append(line)
    out: list[Fix] = []
    for block in blocks.values():
        bad: set[int] = set()
        run = 0
        for i, line in enumerate(block[:-1]):
            run = run + 1 if line.hyphenated else 0
            if not line.hyphenated:
                continue
            if block[i + 1].page != line.page or run == 3:
                bad.add(i)
        if len(block) >= 2 and block[-2].hyphenated and " " not in block[-1].text.strip():
            bad.add(len(block) - 2)
        for i in sorted(bad):
            word = _word(block[i], block[i + 1])
            if word:
                here = block[i].text.rstrip()
                prior = _joined(block[:i]) + here[: here.rfind(" ") + 1]  # and this line before the word
                before = len(_whole(word).findall(prior))
                out.append((block[i].element.get(ATTRIBUTE), word, before))
    return tuple(dict.fromkeys(out))


def _word(line: Any, after: Any) -> str:
    """The word hyphenated at the end of ``line`` and ending on the line ``after`` it; empty when
    the line ends at a hyphen of the text itself ("Brest-/Litovsk"), which no setting removes."""
    hyphen = line.font["hyphenate_character"]
    text = line.text.rstrip()
    if not text.endswith(hyphen) or not after.text.strip():
        return ""
    head = text[: -len(hyphen)].split(" ")[-1].lstrip(_EDGE)
    tail = after.text.split(" ")[0].rstrip(_EDGE)
    return head + tail if head and tail and (head + tail).replace("\u2019", "").isalpha() else ""


def _joined(lines: Sequence[Any]) -> str:
    """The text of lines, a word hyphenated at a line's end joined again."""
    out = []
    for line in lines:
        hyphen = line.font["hyphenate_character"]
        text = line.text.rstrip()
        out.append(text[: -len(hyphen)] if line.hyphenated and text.endswith(hyphen) else text + " ")
    return "".join(out)


def _whole(word: str) -> re.Pattern:
    """``word`` as a whole word, with or without the book's soft hyphens in it."""
    return re.compile(r"(?<![\w\u00ad])" + "\u00ad?".join(map(re.escape, word)) + r"(?![\w\u00ad])")


def apply(html: str, found: Sequence[Fix]) -> str:
    """``html`` with each word of ``found`` kept whole at its place in its paragraph."""
    for number, word, before in found:
        at = html.find(f' {ATTRIBUTE}="{number}"')
        if at < 0:
            continue
        start = html.index(">", at) + 1  # after the paragraph's start tag
        end = html.find(f' {ATTRIBUTE}="', start)  # up to the next numbered block's start tag
        end = len(html) if end < 0 else html.rindex("<", start, end)
        html = html[:start] + _keep_whole(html[start:end], word, before) + html[end:]
    return html


def _keep_whole(region: str, word: str, before: int) -> str:
    """The whole-word place of ``word`` after ``before`` others in the text of ``region`` set whole
    (a soft hyphen the book wrote into it dropped)."""
    pattern = _whole(word)
    out, seen = [], 0
    for m in _TOKEN.finditer(region):
        token = m.group(0)
        if seen <= before and not token.startswith("<"):
            for hit in pattern.finditer(token):
                if seen == before:
                    kept = hit.group(0).replace("\u00ad", "")
                    token = f'{token[:hit.start()]}<span class="no-hyphens">{kept}</span>{token[hit.end():]}'
                    seen += 1
                    break
                seen += 1
        out.append(token)
    return "".join(out)
