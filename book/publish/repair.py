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
words. A paragraph with a loose line (word spaces :data:`LOOSE` times the
font's own space or more, where the greedy line breaker found no better
break) is set again with its word spaces a little narrower, then a little
wider (:data:`SPACING`, the small bounded range a compositor allows himself;
letters are never spaced, which would break their ligatures), and keeps the
setting whose worst line is best. A repair may make another defect; at most
:data:`ROUNDS` rounds are made, and each is a function of the layout alone, so the result is the same on
every machine and for every ``--jobs``. A job of the print edition repairs its
own pages (:mod:`.piece`) and a document laid out at once (a handout, ``check
--print``) its own (:func:`book.publish.layout.layout`): a chapter's pages and
repairs are the same either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from ..render.text import map_text
from . import keepnotes
from .preflight import bad_hyphens, by_chapter, read_page, space_ratio

ATTRIBUTE = "data-fix"
ROUNDS = 5
"""Layouts after the first, at most: a repair seldom makes a new defect, and never loops."""
SPACING_ROUNDS = 3
"""The rounds that may change a paragraph's word spacing (try narrower, wider, keep the best); the
rounds after them only keep words whole, as a new spacing may hyphenate other words."""
LOOSE = 2.6
"""A line is loose when its word spaces are this many times the font's own space or more (the
preflight's report counts twice the book's median, which is about 1.4 times the font's space)."""
LAST_PAGE = 4
"""The fewest lines a chapter's last page holds (the preflight's short last page holds 3 or fewer)."""
SPACING = ("-0.04em", "0.04em")
"""The word spacings a paragraph with a loose line is tried with, in this order."""

Fix = tuple[str, str, int]
"""(the ``data-fix`` number of the paragraph, the word to keep whole, how many times the word
comes before that place in the paragraph)."""

_EDGE = "\"'“”‘’«»„‚()[]{}.,;:!?…—–"


def number_blocks(html: str) -> str:
    """Every ``<p>`` and ``<li>`` of ``html`` numbered ``data-fix="1"``, ``"2"`` … in document order."""
    return keepnotes.number_blocks(html, "", ATTRIBUTE)


@dataclass(frozen=True)
class Repairs:
    """What a document is laid out with: words kept whole, paragraphs' word spacing, and what the
    rounds so far have learnt."""

    keep: tuple[Fix, ...] = ()
    spacing: tuple[tuple[str, int], ...] = ()
    """(paragraph, index in :data:`SPACING` + 1); 0, the book's own spacing, is not listed."""
    tried: tuple[tuple[str, tuple[tuple[int, float], ...]], ...] = ()
    """(paragraph, ((spacing, its worst word space ÷ the font's space), …))."""
    first: tuple[tuple[str, float], ...] = ()
    """Each paragraph's worst word space in the first layout."""
    refused: tuple[Fix, ...] = ()
    """Words not kept whole: they left their paragraph loose, a worse fault than the hyphen."""
    settled: tuple[str, ...] = ()
    """Paragraphs given their first setting back, and left as they are."""
    widows: tuple[tuple[str, int], ...] = ()
    """(paragraph, lines): the last paragraph of a chapter whose last page held too few lines,
    with as many lines carried over with it as make that page hold :data:`LAST_PAGE` lines."""


def next_round(page_boxes: Sequence[Any], done: Repairs, round_: int) -> Repairs | None:
    """What to lay the document out with after round ``round_`` (0: the first layout), read from
    its laid-out pages (WeasyPrint's page boxes); None when nothing is to change."""
    lines = [line for i, box in enumerate(page_boxes) for line in read_page(i, "", box, _Chapters()).lines]
    blocks = _blocks(lines)
    cache: dict = {}
    worst = {block[0].element.get(ATTRIBUTE): max((space_ratio(line, cache) for line in block), default=0.0)
             for block in blocks}
    first = dict(done.first) or worst
    refused, settled = done.refused, set(done.settled)
    if round_ >= SPACING_ROUNDS - 1:
        # Once spacing has had its tries, a paragraph left looser than it was at first gets its
        # first setting back, hyphens and spacing: a loose line is the worse fault.
        worse = {n for n, ratio in worst.items() if ratio >= LOOSE and ratio > first.get(n, 0.0) + 0.01}
        refused += tuple(fix for fix in done.keep if fix[0] in worse)
        settled |= worse
    # The last round only gives settings back: a word kept whole then could not be checked.
    found = _keep_whole_words(blocks) if round_ < ROUNDS - 1 else ()
    fresh = tuple(fix for fix in found if fix not in done.keep and fix[0] not in settled)
    keep = tuple(fix for fix in done.keep if fix not in refused) + fresh
    spacing, tried = dict(done.spacing), {number: dict(levels) for number, levels in done.tried}
    for number in settled:
        spacing.pop(number, None)
    for number in sorted(worst) if round_ < SPACING_ROUNDS else ():
        level = spacing.get(number, 0)
        if number in settled or (worst[number] < LOOSE and number not in tried):
            continue
        seen = tried.setdefault(number, {})
        seen[level] = worst[number]
        if worst[number] < LOOSE:
            continue
        untried = [k for k in range(len(SPACING) + 1) if k not in seen]
        spacing[number] = untried[0] if untried else min(seen, key=lambda k: (seen[k], k))
    widows = dict(done.widows)
    if round_ < ROUNDS - 1:
        widows.update(_carried_over(lines, widows))
    new = Repairs(keep, tuple(sorted((n, k) for n, k in spacing.items() if k)),
                  tuple(sorted((n, tuple(sorted(levels.items()))) for n, levels in tried.items())),
                  tuple(sorted(first.items())), refused, tuple(sorted(settled)), tuple(sorted(widows.items())))
    return None if (new.keep, new.spacing, new.widows) == (done.keep, done.spacing, done.widows) else new


class _Chapters(dict):
    """Every ``<section>``'s id counts as a chapter's for the reader of the boxes."""

    def __contains__(self, key: object) -> bool:
        return bool(key)


def _carried_over(lines: list, carried_before: dict[str, int]) -> dict[str, int]:
    """For each chapter whose last page holds fewer than :data:`LAST_PAGE` lines of a paragraph
    begun on the page before: that paragraph, and how many of its lines its last page needs. The
    page before gives them up when it keeps two lines of the paragraph; it then ends a little
    short, which a chapter's last spread allows. A paragraph so carried over whose page before
    ends in a hyphen carries one line more: the page turns between words."""
    out: dict[str, int] = {}
    for chapter in by_chapter(lines).values():
        last_page = chapter[-1].page
        last = [line for line in chapter if line.page == last_page]
        before = [line for line in chapter if line.page == last_page - 1]
        if not before or last[0].element is not before[-1].element:
            continue
        number = last[0].element.get(ATTRIBUTE)
        carried = sum(1 for line in last if line.element is last[0].element)
        kept = sum(1 for line in before if line.element is last[0].element)
        if len(last) < LAST_PAGE:
            if len(before) <= LAST_PAGE - len(last):
                continue
            need = carried + LAST_PAGE - len(last) + before[-(LAST_PAGE - len(last)) - 1].hyphenated
        elif number in carried_before and before[-1].hyphenated:
            need = carried + 1
        else:
            continue
        if number and kept - (need - carried) >= 2:
            out[number] = need
    return out


def _blocks(lines: list) -> list[list]:
    """The lines of each numbered paragraph, in order."""
    blocks: dict[int, list] = {}
    for line in lines:
        if line.element is not None and line.element.get(ATTRIBUTE):
            blocks.setdefault(id(line.element), []).append(line)
    return list(blocks.values())


def _keep_whole_words(blocks: list[list]) -> tuple[Fix, ...]:
    """The words whose hyphen falls badly."""
    out: list[Fix] = []
    for block in blocks:
        # A ladder's third hyphen on a paragraph's last line has no word going on: nothing to keep.
        bad = {i for _kind, i in bad_hyphens(block) if i < len(block) - 1}
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
    # The letters on either side of the break: "Trot-" and "sky’s" give "Trotsky", which is what
    # the text holds whole (its "’s" may be outside the element the name is in).
    head = re.search(r"[^\W\d_]*$", text[: -len(hyphen)]).group(0)
    tail = re.match(r"[^\W\d_]*", after.text.lstrip()).group(0)
    return head + tail if head and tail else ""


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


def apply(html: str, repairs: Repairs) -> str:
    """``html`` with the ``repairs``: words kept whole at their place, paragraphs' word spacing."""
    for number, level in repairs.spacing:
        html = _styled(html, number, f"word-spacing:{SPACING[level - 1]}")
    for number, lines in repairs.widows:
        html = _styled(html, number, f"widows:{lines}")
    for number, word, before in repairs.keep:
        at = html.find(f' {ATTRIBUTE}="{number}"')
        if at < 0:
            continue
        start = html.index(">", at) + 1  # after the paragraph's start tag
        end = html.find(f' {ATTRIBUTE}="', start)  # up to the next numbered block's start tag
        end = len(html) if end < 0 else html.rindex("<", start, end)
        html = html[:start] + _keep_whole(html[start:end], word, before) + html[end:]
    return html


def _styled(html: str, number: str, rule: str) -> str:
    """The paragraph numbered ``number`` with the CSS declaration ``rule``."""
    at = html.find(f' {ATTRIBUTE}="{number}"')
    if at < 0:
        return html
    end = html.index(">", at)
    tag = html[at:end]
    if ' style="' in tag:
        tag = tag.replace(' style="', f' style="{rule};', 1)
    else:
        tag += f' style="{rule}"'
    return html[:at] + tag + html[end:]


def _keep_whole(region: str, word: str, before: int) -> str:
    """The whole-word place of ``word`` after ``before`` others in the text of ``region`` set whole
    (a soft hyphen the book wrote into it dropped)."""
    pattern, seen = _whole(word), 0

    def one(m: re.Match) -> str:
        nonlocal seen
        seen += 1
        if seen - 1 != before:
            return m.group(0)
        return f'<span class="no-hyphens">{m.group(0).replace(chr(0xAD), "")}</span>'

    return map_text(region, lambda text: pattern.sub(one, text))
