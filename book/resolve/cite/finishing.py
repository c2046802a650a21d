"""What the processor does to a cite or an entry once it is rendered: capitalise the first
word of a note or a sentence, substitute an author repeated from the entry before
(``subsequent-author-substitute``), and give an entry with no author a name to sort by.
"""

from __future__ import annotations

import re
from typing import Any

from book.resolve.cite import markup
from book.resolve.cite.output import Node, first, leaves, plain, walk
from book.resolve.cite.references import Reference


def starts_with_punctuation(prefix: str) -> bool:
    return prefix.lstrip()[:1] in (".", ",", ";", ":")


def sentence_start(prefix: str, first_in_citation: bool) -> bool:
    """Whether a cite starts a sentence: first in its note, or after a prefix of
    more than one word that ends a sentence ("This has been said. Ibid.",
    but "cf. ibid.")."""
    if not prefix:
        return first_in_citation
    text = markup.plain_text(prefix).strip()
    return bool(re.search(r"[.!?][\"'\u201d\u2019)]*$", text)) and len(text.split()) > 1


def capitalize_term(node: Node) -> Node:
    """A cite that starts with a term ("ibid.") gets a capital letter (citeproc-js does
    this in note styles)."""
    term = first(node, "term")
    if term is None or text_before(node, term):
        return node
    node = copy_tree(node)
    term = first(node, "term")
    for parent, index, _ in leaves(term):
        text = parent[index]
        for position, char in enumerate(text):
            if char.isalpha():
                parent[index] = text[:position] + char.upper() + text[position + 1:]
                return node
            if not char.isspace():
                return node
    return node


def text_before(node: Any, target: Node) -> bool:
    """Whether any text comes before ``target`` inside ``node``."""
    def walk_(value: Any) -> bool | None:
        if value is target:
            return False
        if isinstance(value, str):
            return True if value else None
        if value.prefix:
            return True
        for child in value.children:
            found = walk_(child)
            if found is not None:
                return found
        return None
    return bool(walk_(node))


def copy_tree(value: Any) -> Any:
    if isinstance(value, Node):
        node = value.copy()
        node.children = [copy_tree(c) for c in value.children]
        return node
    return value



def substitute_author(body: Any, previous: Any, substitute: str, rule: str) -> tuple[Any, Any]:
    """subsequent-author-substitute (CSL 1.0.2, "Reference Grouping"): the names
    of an entry's first cs:names that repeat those of the entry before are
    replaced — the whole list (complete-all), each name (complete-each), or
    the names that match from the first on (partial-each, partial-first).
    Names are compared as written, whatever their role's label says; a title
    that stood in for them is compared as a whole."""
    if body is None:
        return body, None
    names = first(body, "names")
    if names is None:
        return body, None
    lists = list(walk(names, "namelist"))
    people = [plain(name) for lst in lists for name in walk(lst, "name")]
    current: Any = tuple(people) if lists else plain(names)
    if previous is None or not current:
        return body, current
    if not lists:
        if current == previous:
            replace(names, [substitute] if substitute else [])
        return body, current
    if rule in ("complete-all", "complete-each"):
        if current != previous:
            return body, current
        if rule == "complete-all":
            for lst in lists:
                replace(lst, [substitute] if substitute else [])
        else:
            for node in walk(names, "name"):
                replace(node, [substitute])
        return body, current
    if not isinstance(previous, tuple):
        return body, current
    matched = 0
    for a, b in zip(people, previous):
        if a != b:
            break
        matched += 1
    if rule == "partial-first":
        matched = min(matched, 1)
    for index, node in enumerate(walk(names, "name")):
        if index < matched:
            replace(node, [substitute])
    return body, current


def replace(node: Node, children: list[Any]) -> None:
    node.children = children
    node.fmt = ()


def fallback_author(reference: Reference, and_term: str, et_al: str) -> str | None:
    """The author as "Family", "Family and Family" or "Family et al.", for
    author-in-text citations in styles whose citations name no one."""
    for role in ("author", "editor", "translator", "director", "composer", "container-author"):
        names = reference.get(role)
        if names:
            break
    else:
        return None
    families = [" ".join(p for p in (n.non_dropping, n.family) if p) or n.literal or n.given for n in names]
    if len(families) == 1:
        return families[0]
    if len(families) == 2:
        return f"{families[0]} {and_term} {families[1]}"
    return f"{families[0]} {et_al}"



FIRST_LETTER = re.compile(r"^((?:<[^>]*>|&[#\w]+;|[^\w<&])*)([^\W\d_])")


def capitalize(note: str) -> str:
    """A note is a sentence: "See Pollan…" (as pandoc does)."""
    return FIRST_LETTER.sub(lambda m: m.group(1) + m.group(2).upper(), note, count=1)
