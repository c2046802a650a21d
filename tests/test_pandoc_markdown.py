"""pandoc is the oracle: the same Markdown through ``pandoc --mathml -t html5`` and through us has
the same structure — formulas, figures, tables and captions, definition lists, sub/sup/del, notes,
code blocks, line blocks, task and example lists, callouts, and the citations it resolves.

Where we differ on purpose, the comparison says why:

* Quarto's cross-references (``@fig-x``) are citations to pandoc 2.17, which has no crossref filter;
  to us they are links, never bibliography keys.
* A callout is an ``aside`` (the EPUB's element for a tip or a warning); pandoc writes a ``div``
  (a ``section`` when it opens with a heading).
* A table sits in a ``div.table-wrap`` (it scrolls on a phone, its caption stays with it in print);
  a display formula in a ``span.equation`` with its number.
* A note's call is an ``a.noteref`` raised by the stylesheet (pandoc: ``<sup>`` in the link), and the
  notes are the chapter's own (pandoc: an ``<ol>`` at the end).
* Citation keys and ``$`` rules are compared item by item on pandoc's own JSON.
"""

from __future__ import annotations

import json
import subprocess

import lxml.html
import pytest
from conftest import FIXTURES, require

from book.load import load_book
from book.resolve import resolve
from book.resolve.markdown import parser

CHAPTERS = ("front/preface.md", "chapters/introduction.md", "chapters/methods.md", "chapters/results.md")
COUNTED = ("math", "figure", "figcaption", "table", "caption", "dl", "dt", "dd", "sub", "sup", "del", "pre",
           "ol", "ul", "li", "blockquote", "img")
PANDOC = ["--mathml", "-f", "markdown+tex_math_single_backslash", "-t", "html5"]


def pandoc(markdown: str, *args: str) -> str:
    exe = require("pandoc", "pandoc")
    return subprocess.run([exe, *args], input=markdown, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def ours() -> dict[str, str]:
    ms = resolve(load_book(FIXTURES / "quarto-book"))
    return {ch.source.rel: ch.html + "".join(fn.html for fn in ch.footnotes) for ch in ms.chapters}


def _tree(html: str):
    return lxml.html.fromstring(f"<div>{html}</div>")


def _count(tree, tag: str) -> int:
    return len(tree.xpath(f"//*[local-name()='{tag}']"))


@pytest.mark.parametrize("rel", CHAPTERS)
def test_same_structure_as_pandoc(ours, rel):
    book = load_book(FIXTURES / "quarto-book")
    chapter = next(c for c in book.chapters if c.rel == rel)
    theirs, mine = _tree(pandoc(chapter.markdown, *PANDOC)), _tree(ours[rel])
    for tag in COUNTED:
        # pandoc sets a note's call in <sup>; ours is an a.noteref that the stylesheets raise.
        calls = len(theirs.xpath("//a[@class='footnote-ref']/sup")) if tag == "sup" else 0
        # pandoc lists a chapter's notes in an <ol> of <li>s; ours are kept apart, one per note.
        notes = len(theirs.xpath("//section[contains(@class,'footnotes')]//li")) if tag == "li" else 0
        lists = len(theirs.xpath("//section[contains(@class,'footnotes')]/ol")) if tag == "ol" else 0
        assert _count(mine, tag) == _count(theirs, tag) - calls - notes - lists, (rel, tag)
    # Formulas: inline and display alike; each nested where pandoc nests it (in a paragraph).
    for display in ("inline", "block"):
        assert (len(mine.xpath(f"//*[local-name()='math'][@display='{display}']"))
                == len(theirs.xpath(f"//*[local-name()='math'][@display='{display}']"))), (rel, display)
    assert all(m.getparent().tag in ("p", "span", "li", "dd", "td", "th") for m in mine.xpath("//*[local-name()='math']"))
    # Captions where pandoc puts them: in their figure or table.
    assert [c.getparent().tag for c in mine.iter("figcaption")] == [c.getparent().tag for c in theirs.iter("figcaption")]
    assert [c.getparent().tag for c in mine.iter("caption")] == [c.getparent().tag for c in theirs.iter("caption")]
    # Notes: pandoc's endnotes, our per-chapter notes.
    assert len(mine.xpath("//a[@class='noteref']")) == len(theirs.xpath("//a[@class='footnote-ref']"))
    for cls in ("line-block", "task-list", "example"):
        assert len(mine.find_class(cls)) == len(theirs.find_class(cls)), (rel, cls)
    # Callouts: pandoc's div (or section), our aside: one for one, same kind.
    kinds = lambda t: sorted(c for e in t.iter() for c in (e.get("class") or "").split()  # noqa: E731
                             if c.startswith("callout-") and c != "callout-title")
    assert kinds(mine) == kinds(theirs)
    # Citations: the keys pandoc cites, less Quarto's cross-references, are the ones we cite.
    cited = sorted({k for s in theirs.xpath("//span[@class='citation']") for k in s.get("data-cites").split()})
    refs = [k for k in cited if k.split("-")[0] in ("fig", "tbl", "eq", "sec")]
    assert sorted(set(next(c for c in resolve(book).chapters if c.source.rel == rel).cited_keys)) == \
        sorted(k for k in cited if k not in refs and k not in ("good", "spring"))
    assert len(mine.xpath("//a[@class='crossref']")) >= len(refs)


def _pandoc_citations(markdown: str) -> list[str]:
    ast = json.loads(pandoc(markdown, "-f", "markdown", "-t", "json"))
    keys: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") == "Cite":
                keys.extend(c["citationId"] for c in node["c"][0])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(ast)
    return keys


def _our_citations(markdown: str) -> list[str]:
    tokens = parser("en").parse(markdown, {})
    return [k for t in tokens for c in t.children or () if c.type in ("citation", "crossref")
            for k in c.meta["citation"].keys]


@pytest.mark.parametrize("text", [
    "[@url:https://www.fda.gov/food/water-quality]",
    "See @doi:10.1000/xyz.123 and [@isbn:9780306406157, p. 3].",
    "Braced @{foo{bar}} and @{a key:with.odd/chars}.",
    "Internal punctuation @a.b-c:d#e$f%g&h+i?j<k>l~m/n, ends at a period @smith2020.",
    "Not an email: me@example.com, but [-@doe99; see @roe_2001 chap. 2].",
    "A trailing colon @key: stays out, as does a slash @key/.",
])
def test_citation_keys_as_pandoc_reads_them(text):
    assert _our_citations(text) == _pandoc_citations(text)


def _pandoc_math(markdown: str) -> list[tuple[str, str]]:
    ast = json.loads(pandoc(markdown, "-f", "markdown+tex_math_single_backslash", "-t", "json"))
    found: list[tuple[str, str]] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") == "Math":
                found.append((node["c"][0]["t"], node["c"][1].strip()))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(ast)
    return found


def _our_math(markdown: str) -> list[tuple[str, str]]:
    kinds = {"math_inline": "InlineMath", "math_display": "DisplayMath"}
    return [(kinds[c.type], c.content) for t in parser("en").parse(markdown, {}) for c in t.children or ()
            if c.type in kinds]


@pytest.mark.parametrize("text", [
    "Prices of $20,000 and $30,000 are no math.",
    "Math $\\gamma$ and $x$2 and $ y$ and $y $ and $a$.",
    "Escaped \\$5 and \\$x$ and $\\$$ inside.",
    "Display $$ E = mc^2 $$ inline, and $$\na^2 + b^2\n$$ over lines.",
    "Backslash \\(x^2\\) and \\[\\int f\\] forms.",
    "Text in math: $\\text{a \\$ b}$ and $a \\, b$.",
    "Code `$x$` is code, and $x$ is math.",
])
def test_dollar_rules_as_pandoc_reads_them(text):
    assert _our_math(text) == _pandoc_math(text)
