"""The print edition cut into layout jobs: runs of the book between forced page breaks.

Every part, chapter, the references and the index open on a new page, so each
can be laid out on its own (:mod:`.piece`), in parallel and cached
(:mod:`.paginate`), and the pages joined into one PDF (:mod:`.join`). This
module only cuts the print HTML (:func:`book.render.render_print`); it needs
no WeasyPrint.

A job is one or more top-level elements of ``<body>``, in order. Its HTML is
the book's ``<head>`` (page geometry, fonts, stylesheet; ``<style>`` blocks
found in the body are styles of the whole book and move there), then, for
every job but the first:

* an empty *lead-in* block, which WeasyPrint sets on a page of its own: the
  job's first element then opens with its own page break, exactly as it does
  in the whole book (a blank verso included when it opens on a recto), the
  named strings of the pages before it can be carried onto that page, and
  ``@page :first`` matches the lead-in, not the job's first real page;
* a hidden copy of the element before the job (its start tag without id), so
  that sibling selectors such as ``section.part + section.chapter`` match as
  they do in the whole book.

Where an element does not open a new page (a chapter set to continue on the
page of the one before), the layout finds out (its first anchor lands on the
lead-in page) and the element is laid out with the element before it
(``joined``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

TINY = 1500
"""Characters of HTML below which an element (a part's title page, the half-title) is laid out
together with the element after it: a job of its own would cost more than its one page."""

LEAD_IN = '<div class="bookbuilder-lead-in"></div>'
"""The empty block that takes the page before a job's first element (never printed)."""

_STYLE = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.S | re.I)
_TOKEN = re.compile(r"<!--.*?-->|<(script|style|textarea|title)\b.*?</\1\s*>"
                    r"|<(/?)([A-Za-z][^\s/>]*)((?:\"[^\"]*\"|'[^']*'|[^'\">])*)>", re.S | re.I)
_ID = re.compile(r"""\bid\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


@dataclass(frozen=True)
class Element:
    """One top-level element of the print HTML's ``<body>``."""

    html: str
    """Its markup, from its start tag to the start of the next element."""
    start_tag: str
    anchor: str
    """Its id, else the first id inside it: the anchor that shows where it begins."""


@dataclass(frozen=True)
class Job:
    """A run of top-level elements laid out in one WeasyPrint document."""

    number: int
    """Its place in the book, from 0."""
    elements: tuple[Element, ...]
    before: Element | None
    """The element before the job (None for the first): its hidden copy keeps sibling selectors."""

    @property
    def anchor(self) -> str:
        """The anchor of the job's first element: on the page the job's own pages begin with."""
        return self.elements[0].anchor

    @property
    def body(self) -> str:
        return "".join(e.html for e in self.elements)


@dataclass(frozen=True)
class Plan:
    """The print HTML cut into jobs."""

    head: str
    """Everything up to and including ``<body>``, the body's ``<style>`` blocks moved into the head."""
    tail: str
    jobs: tuple[Job, ...]

    def html(self, job: Job, body: str | None = None) -> str:
        """The HTML document WeasyPrint lays ``job`` out from (``body`` replaces its elements)."""
        inner = job.body if body is None else body
        if job.before is None:
            return self.head + inner + self.tail
        return self.head + LEAD_IN + hidden_copy(job.before.start_tag) + inner + self.tail

    def key(self, job: Job, body: str | None = None) -> str:
        """A hash of the job's HTML."""
        return hashlib.sha256(self.html(job, body).encode("utf-8")).hexdigest()


def without_styles(html: str) -> str:
    """``html`` without its ``<style>`` blocks (a section rendered alone whose styles the head has)."""
    return _STYLE.sub("", html)


def hidden_copy(start_tag: str) -> str:
    """An element like the one ``start_tag`` opens, without id and hidden, with no content."""
    name = re.match(r"<([A-Za-z][^\s/>]*)", start_tag).group(1)
    tag = _ID.sub("", start_tag[:-1]).rstrip().rstrip("/")
    return f"{tag} hidden></{name}>"


def elements(body: str) -> list[Element] | None:
    """The top-level elements of ``body`` (markup between ``<body>`` and ``</body>``, styles
    removed), or None when its tags do not nest (then the book is laid out as one job)."""
    out: list[Element] = []
    depth = 0
    starts: list[tuple[int, str]] = []
    for match in _TOKEN.finditer(body):
        closing, name, attrs = match.group(2), match.group(3), match.group(4)
        if name is None:
            continue  # a comment or raw-text element: nothing nests in it
        name = name.lower()
        if closing:
            depth -= 1
            if depth < 0:
                return None
        elif name not in _VOID and not attrs.rstrip().endswith("/"):
            if depth == 0:
                starts.append((match.start(), match.group(0)))
            depth += 1
        elif depth == 0:
            starts.append((match.start(), match.group(0)))
    if depth != 0 or not starts:
        return None
    for i, (at, tag) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(body)
        html = body[at:end]
        found = _ID.search(html)
        anchor = (found.group(1) or found.group(2) or "") if found else ""
        if not anchor:
            return None  # an element without any id: its first page could not be told
        out.append(Element(html, tag, anchor))
    return out


def plan(html: str, joined: frozenset[str] = frozenset(), alone: frozenset[str] = frozenset()) -> Plan:
    """Cut the print HTML into jobs. ``joined`` names the anchors of elements known not to open a
    new page: each is laid out with the element before it. An element whose anchor is in
    ``alone`` (the index, laid out once the others' pages are known) is a job of its own."""
    open_at = html.index("<body>") + len("<body>")
    close_at = html.rindex("</body>")
    body = html[open_at:close_at]
    styles = "".join(_STYLE.findall(body))
    body = _STYLE.sub("", body)
    head = html[:open_at]
    if styles:
        at = head.rindex("</head>")
        head = head[:at] + styles + "\n" + head[at:]
    found = elements(body)
    if found is None:
        # Not cut: laid out as one document, as before jobs existed.
        anchor = (_ID.search(body) or [None, ""])[1] if _ID.search(body) else ""
        return Plan(head, html[close_at:], (Job(0, (Element(body, "", anchor),), None),))
    groups: list[list[Element]] = []
    for element in found:
        previous = groups[-1] if groups else None
        merge = element.anchor in joined or (previous is not None and _tiny(previous))
        if previous is not None and merge and element.anchor not in alone:
            previous.append(element)
        else:
            groups.append([element])
    jobs = []
    for number, group in enumerate(groups):
        before = groups[number - 1][-1] if number else None
        jobs.append(Job(number, tuple(group), before))
    return Plan(head, html[close_at:], tuple(jobs))


def _tiny(group: list[Element]) -> bool:
    return sum(len(e.html) for e in group) < TINY


_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def continued(ms, html: str) -> frozenset[str]:
    """Anchors of the top-level elements the book's settings set on the page before them (a
    chapter with ``chapter-opening: continue``, a part's first chapter with ``part-opening:
    continue``): each is laid out with the element before it. Joining more than needed is safe."""
    options = getattr(getattr(ms, "meta", None), "print", None)
    chapters = getattr(options, "chapter_opening", "recto") == "continue"
    parts = getattr(options, "part_opening", "recto") == "continue"
    if not (chapters or parts):
        return frozenset()
    open_at = html.find("<body>")
    close_at = html.rfind("</body>")
    found = elements(_STYLE.sub("", html[open_at + len("<body>"):close_at])) if open_at >= 0 else None
    out = set()
    previous: set[str] = set()
    for element in found or ():
        m = _CLASS.search(element.start_tag)
        classes = set((m.group(1) or m.group(2) or "").split()) if m else set()
        chapter = "chapter" in classes
        if chapter and chapters and not classes & {"front-matter", "body-start"}:
            out.add(element.anchor)
        if chapter and parts and "part" in previous:
            out.add(element.anchor)
        previous = classes
    return frozenset(out)
