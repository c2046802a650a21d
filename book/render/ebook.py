"""The EPUB's XHTML documents, and the links between documents of a multi-file edition."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..model import INDEX_ID, REFERENCES_ID, Manuscript, ResolvedPart
from ..resources import TEMPLATES
from .context import context
from .indexview import Place, view
from .templates import environment_for

_HREF = re.compile(r'href="#([^"]+)"')


def retarget(html: str, current: str, owner: dict[str, str], suffix: str) -> str:
    """Point ``#id`` links at ``<doc><suffix>#id`` when the id lives in another document."""
    def repl(m: re.Match) -> str:
        ident = m.group(1)
        doc = owner.get(ident)
        if doc is None or doc == current:
            return m.group(0)
        if ident == doc:
            return f'href="{doc}{suffix}"'
        return f'href="{doc}{suffix}#{ident}"'
    return _HREF.sub(repl, html)


@dataclass(frozen=True)
class Document:
    """One file of a multi-file edition."""

    name: str
    """File name, e.g. ``rapallo.xhtml``."""
    id: str
    title: str
    content: str
    kind: str
    """``cover``, ``title``, ``nav``, ``front``, ``part``, ``chapter``, ``references``, ``back``."""


def _owner_map(ms: Manuscript) -> dict[str, str]:
    owner = dict(ms.anchor_owner)
    for part in ms.parts:
        owner[part.id] = part.id
    return owner


def render_ebook(ms: Manuscript, templates: Path = TEMPLATES) -> tuple[Document, ...]:
    """XHTML documents of the EPUB, in spine order (the nav document is built by the publisher)."""
    env = environment_for(ms, templates)
    owner = _owner_map(ms)
    docs: list[Document] = []

    def page(template: str, name: str, ident: str, title: str, kind: str, **kw) -> None:
        html = env.get_template(f"ebook/{template}").render(context(ms, doc_title=title, **kw))
        docs.append(Document(name, ident, title, retarget(html, ident, owner, ".xhtml"), kind))

    page("title.xhtml", "title-page.xhtml", "title-page", ms.meta.title, "title")
    for ch in ms.front:
        page("chapter.xhtml", f"{ch.id}.xhtml", ch.id, ch.title_text, "front", chapter=ch)
    for item in ms.body:
        if isinstance(item, ResolvedPart):
            page("part.xhtml", f"{item.id}.xhtml", item.id, item.title_text, "part", part=item)
            for ch in item.chapters:
                page("chapter.xhtml", f"{ch.id}.xhtml", ch.id, ch.title_text, "chapter", chapter=ch)
        else:
            page("chapter.xhtml", f"{item.id}.xhtml", item.id, item.title_text, "chapter", chapter=item)
    if ms.references:
        page("references.xhtml", f"{REFERENCES_ID}.xhtml", REFERENCES_ID, ms.references_title, "references")
    for ch in ms.back:
        page("chapter.xhtml", f"{ch.id}.xhtml", ch.id, ch.title_text, "back", chapter=ch)
    if ms.has_index:
        docs.append(render_ebook_index(ms, None, templates))
    return tuple(docs)


EBOOK_INDEX = "book-index.xhtml"
"""The index's file in the EPUB (``index`` is the id of its section, as in print)."""


def render_ebook_index(ms: Manuscript, places: Mapping[str, Place] | None,
                       templates: Path = TEMPLATES) -> Document:
    """The EPUB's index document: print folios from ``places`` (the page-break markers of the EPUB
    say where each mark is), or, without them, each entry's marks numbered in reading order."""
    env = environment_for(ms, templates)
    title = ms.meta.words.text("index")
    html = env.get_template("ebook/index.xhtml").render(
        context(ms, doc_title=title, book_index=view(ms.index, places), titles=_titles(ms)))
    return Document(EBOOK_INDEX, INDEX_ID, title, retarget(html, INDEX_ID, _owner_map(ms), ".xhtml"), "index")


def _titles(ms: Manuscript) -> dict[str, str]:
    """Chapter id → title as plain text, for the title of a link to a spot in the chapter."""
    return {ch.id: ch.title_text for ch in ms.chapters}
