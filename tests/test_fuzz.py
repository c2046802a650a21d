"""Property-based tests: whatever the author writes, the builder works or says what is wrong.

Hypothesis feeds arbitrary text to the Markdown layer (a one-chapter book,
resolved in memory), the citation parser, the YAML layer (book.yaml, chapter
front matter) and arbitrary entries to the bibliography reader and the CSL
formatter (the other readers: ``test_fuzz_readers.py``). ``make test`` runs the
same examples every time, ``make fuzz`` searches at random (:mod:`fuzzing`). Every example must either work or raise :class:`BookError`; any
other exception is a bug. What works must also be well-formed XHTML, because
the EPUB is XML and one stray ``<`` would break it for every reader.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES
from fuzzing import fuzzed
from hypothesis import example, given
from hypothesis import strategies as st
from lxml import etree

from book.errors import BookError
from book.load import load_book
from book.load.config import read_config
from book.load.yamlsrc import parse_yaml
from book.resolve import resolve
from book.resolve.cite.bibliography import load_bibliography
from book.resolve.cite.format import format_citations, load_style
from book.resolve.cite.syntax import parse_citation
from book.resolve.rawhtml import ALLOWED_ATTRS, ALLOWED_TAGS, RawHTMLError, clean

FUZZ = fuzzed(150)

# Pieces that mean something to Markdown, to the citation syntax, to raw HTML and
# to our own renderer rules, mixed with arbitrary text: random characters alone
# would almost never form a link, a note or a tag.
MARKDOWN_PIECES = [
    "*", "_", "**", "[", "]", "(", ")", "<", ">", "`", "```", "#", "## ", "-", "- ", "1. ", "> ", "!", "|",
    "\n", "\n\n", "  ", "    ", "&", "&amp;", "&#x3C;", ";", "\\", "^", "~~", "---", "@", "[@smith2001]",
    "@jones1999 [p. 4]", "[-@smith2001, chap. 2]", "[see @smith2001; @jones1999, pp. 3-5]", "[^1]", "[^1]: A note.",
    "^[inline note]", "![A square](../images/square.png)", "[alpha](alpha.md)", "[sec](alpha.md#a-section-in-alpha)",
    "[out](https://example.org/a?b=c&d)", "<abbr title=\"x & y\">", "</abbr>", "<sup>", "</sup>",
    "<span lang=\"de\">", "</span>", "<br>", "<!-- c -->", "<script>", "<img src=x onerror=y>", "<a href=\"",
    "javascript:", "\"", "'", "| a | b |\n|---|---|\n| 1 | 2 |", "\u00a0", "\u0301", "é", "—", "“", "\t",
]


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                       blacklist_characters="".join(map(chr, range(32))).replace("\n", "")
                                       .replace("\t", "") + "\ufffe\uffff"), max_size=12)
"""What a chapter can hold once loaded: the loader refuses control characters (tested below)."""


def _markdown() -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(MARKDOWN_PIECES), _TEXT)
    return st.lists(piece, max_size=40).map("".join)


class _OneChapter:
    """The basic fixture loaded once; each example swaps in new text for one chapter."""

    def __init__(self) -> None:
        self.book = load_book(FIXTURES / "basic")
        self.chapter = next(c for c in self.book.chapters if c.id == "alpha")

    def __repr__(self) -> str:  # hypothesis prints it with a failing example
        return "<the basic book, chapter alpha>"

    def with_text(self, text: str):
        return dataclasses.replace(self.book, front=(), back=(),
                                   body=(dataclasses.replace(self.chapter, markdown=text, part=""),))


@pytest.fixture(scope="module")
def one_chapter_book() -> _OneChapter:
    return _OneChapter()


def _well_formed(fragment: str) -> None:
    etree.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{fragment}</div>'.encode())


@FUZZ
@example(text="[^1]: A note.[@smith2001][^1]")  # make fuzz found it: a note called only from itself
@given(text=_markdown())
def test_markdown_resolves_or_reports(one_chapter_book, text: str):
    try:
        ms = resolve(one_chapter_book.with_text(text))
    except BookError as exc:
        assert exc.file is not None and exc.line > 0, exc.format()
        return
    for ch in ms.chapters:
        _well_formed(ch.html)
        for note in ch.footnotes:
            _well_formed(note.html)
    for ref in ms.references:
        _well_formed(ref.html)


@FUZZ
@given(text=st.lists(_TEXT, max_size=20).map("".join))
def test_arbitrary_unicode_markdown_resolves_or_reports(one_chapter_book, text: str):
    try:
        ms = resolve(one_chapter_book.with_text(text))
    except BookError:
        return
    _well_formed(ms.chapters[0].html)


@FUZZ
@given(text=st.one_of(st.text(max_size=80), st.lists(st.sampled_from(
    ["@", "-@", "smith2001", "see", ",", ";", "p.", "pp.", "chap.", "12", "–", "{", "}", " ", "[", "]", "_", ":"]),
    max_size=20).map("".join)))
def test_citation_parser_parses_or_declines(text: str):
    try:
        result = parse_citation(text)
    except BookError:
        return
    assert result is None or all(item.key for item in result.items)


HTML_PIECES = ["<", ">", "</", "/>", "=", "\"", "'", " ", "a", "abbr", "span", "script", "img", "iframe",
               "svg", "style", "title", "href", "src", "onerror", "onclick", "lang", "javascript:", "data:",
               "&", "#x61;", "&#106;", "<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE", "\n", "\t", "\x00"]


def _elements(markup: str) -> set[tuple[str, frozenset]]:
    """(tag, attributes) of every element, as lxml's HTML parser reads ``markup``."""
    from lxml import html as lxml_html

    root = lxml_html.fragment_fromstring(f"<div>{markup}</div>")
    # html5ever adds the <tbody> that HTML implies; libxml2 does not: ignore it on both sides
    return {(e.tag, frozenset(e.attrib.items())) for e in root.iter()
            if e is not root and isinstance(e.tag, str) and e.tag != "tbody"}


@FUZZ
@given(fragment=st.lists(st.one_of(st.sampled_from(HTML_PIECES), st.text(max_size=5)), max_size=30).map("".join))
def test_raw_html_is_refused_or_safe(fragment: str):
    """Whatever passes our allow-list parses, in two independent parsers, to allowed tags only.

    lxml (libxml2) reads the result and finds only allowed tags and attributes;
    nh3 (Rust's ammonia, a browser-grade HTML5 parser) given the same allow-list
    removes nothing from it: the two would disagree if a browser could read our
    output as something other than what we meant."""
    import nh3

    try:
        out = clean(fragment)
    except RawHTMLError:
        return
    ours = _elements(out)
    for tag, attrs in ours:
        assert tag in ALLOWED_TAGS, (fragment, out)
        for name, value in attrs:
            assert name in ALLOWED_ATTRS or name.startswith(("aria-", "data-")), (fragment, out)
            squashed = value.replace(" ", "").lower()
            assert not squashed.startswith(("javascript:", "data:", "vbscript:")), (fragment, out)
    sanitised = nh3.clean(out, tags=set(ALLOWED_TAGS), attributes={"*": set(ALLOWED_ATTRS)},
                          generic_attribute_prefixes={"data-", "aria-"}, link_rel=None,
                          url_schemes={"http", "https", "mailto", "ftp", "tel"})
    assert ours <= _elements(sanitised), (fragment, out, sanitised)


def _yaml_text() -> st.SearchStrategy[str]:
    pieces = ["title: ", "chapters:", "\n", "  - ", "- ", "a.md", "&a ", "*a", "[", "]", "{", "}", ": ", ":",
              "'", "\"", "!!python/object:os.system", "!!binary", "<<: *a", "---", "...", "#", "|", ">", "? ",
              "date: 2021-02-30", "lang: en", "author:", "  - name: X", "print:", "  page: A5", "\t", "%YAML 1.1",
              "null", "~", "true", "0x1F", "1e400", ".inf", "2001-01-01"]
    return st.lists(st.one_of(st.sampled_from(pieces), st.text(max_size=8)), max_size=40).map("".join)


@FUZZ
@given(text=_yaml_text())
def test_yaml_and_book_yaml_parse_or_report(text: str):
    try:
        doc = parse_yaml(text, Path("book.yaml"))
        read_config(doc)
    except BookError as exc:
        assert exc.file == Path("book.yaml") and exc.line >= 1, exc.format()


_scalar = st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(),
                    st.dates())
_value = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                      max_leaves=12)
_CONFIG_KEYS = ["title", "subtitle", "author", "editor", "lang", "date", "identifier", "rights", "subject",
                "slug", "bibliography", "csl", "nocite", "cover", "print", "front", "chapters", "back", "tilte"]


@FUZZ
@given(data=st.dictionaries(st.sampled_from(_CONFIG_KEYS), _value, max_size=10))
def test_book_yaml_values_validate_or_report(data: dict):
    text = yaml.safe_dump(data, allow_unicode=True)
    try:
        read_config(parse_yaml(text, Path("book.yaml")))
    except BookError as exc:
        assert exc.line >= 1, exc.format()


@pytest.fixture(scope="module")
def scratch_book():
    """A one-chapter book in a temporary folder; examples rewrite its chapter."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-book-"))
    (folder / "book.yaml").write_text("title: Fuzz\ndate: 2021-01-01\nidentifier: urn:x:fuzz\n"
                                      "chapters: [one.md]\n", encoding="utf-8")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@FUZZ
@given(front=_yaml_text(), body=st.text(max_size=40))
def test_front_matter_loads_or_reports(scratch_book: Path, front: str, body: str):
    chapter = scratch_book / "one.md"
    chapter.write_bytes(f"---\n{front}\n---\n{body}\n".encode("utf-8", "surrogatepass"))
    try:
        load_book(scratch_book)
    except BookError as exc:
        assert exc.file is not None and exc.line >= 1, exc.format()


@FUZZ
@given(raw=st.binary(max_size=60))
def test_chapter_bytes_load_or_report(scratch_book: Path, raw: bytes):
    (scratch_book / "one.md").write_bytes(b"---\ntitle: T\n---\n" + raw)
    try:
        load_book(scratch_book)
    except BookError as exc:
        assert exc.file is not None and exc.line >= 1, exc.format()


# ------------------------------------------------------------- bibliography

_NAME = st.one_of(
    st.fixed_dictionaries({}, optional={"family": st.text(max_size=12), "given": st.text(max_size=12),
                                        "literal": st.text(max_size=12), "suffix": st.text(max_size=4),
                                        "non-dropping-particle": st.sampled_from(["van", "de", ""])}),
    st.text(max_size=12), st.integers())
_DATE = st.one_of(
    st.fixed_dictionaries({"date-parts": st.lists(st.lists(st.integers(-3000, 3000), min_size=0, max_size=3),
                                                  min_size=0, max_size=2)}),
    st.fixed_dictionaries({"literal": st.text(max_size=10)}),
    st.text(max_size=12), st.integers(), st.dates().map(str))
_TYPES = ["book", "article-journal", "chapter", "thesis", "report", "webpage", "manuscript", "speech",
          "legal_case", "interview", "boook", "", "motion_picture", "entry-encyclopedia"]


def _entry(key: str) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {"id": st.just(key), "type": st.sampled_from(_TYPES)},
        optional={
            "title": st.one_of(st.text(max_size=30), st.sampled_from(["<i>It</i> & <b>so</b>", "A “q” <sc>b</sc>",
                                                                      "Unclosed <i>tag", "x\ny"])),
            "author": st.lists(_NAME, max_size=4), "editor": st.lists(_NAME, max_size=2),
            "issued": _DATE, "accessed": _DATE,
            "container-title": st.text(max_size=20), "publisher": st.text(max_size=20),
            "page": st.one_of(st.text(max_size=8), st.integers()),
            "volume": st.one_of(st.text(max_size=4), st.integers()),
            "edition": st.one_of(st.text(max_size=4), st.integers()), "URL": st.text(max_size=20),
            "DOI": st.text(max_size=20), "note": st.text(max_size=20),
            "language": st.sampled_from(["en", "de", "xx", ""]),
            "number": st.integers(), "genre": st.text(max_size=8), "unknown-field": _value,
        })


_LOCATOR = st.sampled_from(["", ", p. 3", ", pp. 3–5", ", chap. 2", ", 12", ", sec. iv", " and elsewhere",
                            ", fig. 1"])
_STYLES = ["chicago-author-date", "chicago-notes-bibliography", "apa", "ieee", "modern-language-association"]


@FUZZ
@example(entries=[{"id": "a", "type": "book", "issued": "\x1b"}], style="apa", cites=[("a", "", False)], lang="en")
@given(entries=st.lists(st.sampled_from(["a", "b", "c", "d"]).flatmap(_entry), min_size=1, max_size=4),
       style=st.sampled_from(_STYLES),
       cites=st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), _LOCATOR, st.booleans()), max_size=5),
       lang=st.sampled_from(["en", "de", "fr", "ru", "xx"]))
def test_bibliography_entries_format_or_report(scratch_book: Path, entries, style, cites, lang):
    bib_file = scratch_book / "refs.yaml"
    bib_file.write_text(yaml.safe_dump({"references": entries}, allow_unicode=True), encoding="utf-8")
    try:
        bib = load_bibliography([bib_file])
    except BookError as exc:
        assert exc.file == bib_file and exc.line >= 1, exc.format()
        return
    known = set(bib.keys())
    text = "; ".join(f"{'-' if suppress else ''}@{key}{loc}" for key, loc, suppress in cites if key in known)
    citation = parse_citation(text) if text else None
    citations = [citation] if citation is not None else []
    formatted = format_citations(bib, load_style(style, scratch_book), citations, ("*",), lang=lang)
    assert len(formatted.citations) == len(citations)
    for fragment in (*formatted.citations, *(r.html for r in formatted.references)):
        _well_formed(fragment)
