"""Formatting with real CSL styles, checked against the styles' published examples.

Expected strings are the Chicago Manual of Style author-date quick guide
(17th and 18th editions) and the IEEE Reference Guide, character for
character, except where the CSL style itself departs from its guide (said
at each place; pandoc's citeproc gives the same output there).
"""

from __future__ import annotations

import re
import time
import warnings
from pathlib import Path
from xml.etree import ElementTree

import pytest

from book.errors import BookError
from book.resolve.cite import format as cite_format
from book.resolve.cite.bibliography import load_bibliography
from book.resolve.cite.format import (
    FormattedCitations,
    format_citations,
    load_style,
    reference_anchor,
)
from book.resolve.cite.syntax import Citation, CiteItem, parse_citation

FIXTURES = Path(__file__).parent / "fixtures" / "cite"
BIB = load_bibliography([FIXTURES / "cmos.yaml", FIXTURES / "more.yaml", FIXTURES / "ieee.json",
                         FIXTURES / "extra.json"])
LINK = re.compile(r'<a class="citation" href="#([^"]+)">|</a>')


def cite(*texts: str) -> list[Citation]:
    """``"@key, p. 4"`` is ``[@key, p. 4]``; ``"!key"`` is author-in-text ``@key``."""
    out = []
    for text in texts:
        if text.startswith("!"):
            key, _, locator = text[1:].partition(" ")
            out.append(Citation((CiteItem(key, locator=locator, label="page" if locator else "",
                                          author_in_text=True),)))
        else:
            parsed = parse_citation(text)
            assert parsed is not None, text
            out.append(parsed)
    return out


def run(style: str, *texts: str, nocite: tuple[str, ...] = (), lang: str = "en") -> FormattedCitations:
    return format_citations(BIB, load_style(style, FIXTURES), cite(*texts), nocite, lang)


def text_of(html: str) -> str:
    """The citation without its wrapper span and entry links."""
    html = re.sub(r'^<span class="citation" data-cites="[^"]*">(.*)</span>$', r"\1", html)
    return LINK.sub("", html)


def entries(result: FormattedCitations) -> dict[str, str]:
    return {r.key: r.html for r in result.references}


# --- Chicago author-date, 17th edition (the quick guide's examples) ---------------

def test_cmos17_in_text() -> None:
    result = run("chicago-author-date-17th-edition", "@pollan2006, 99-100", "@ward2007, 52", "@kelly2010, 77",
                 "@keng2017, 9–10", "@yale")
    assert [text_of(c) for c in result.citations] == [
        "(Pollan 2006, 99–100)",
        "(Ward and Burns 2007, 52)",
        "(Kelly 2010, 77)",
        "(Keng, Lin, and Orazem 2017, 9–10)",
        "(Yale University, n.d.)",
    ]


def test_cmos17_reference_list() -> None:
    refs = entries(run("chicago-author-date-17th-edition", "@pollan2006; @ward2007; @kelly2010; @keng2017; @yale"))
    assert refs["pollan2006"] == (
        "Pollan, Michael. 2006. <i>The Omnivore’s Dilemma: A Natural History of Four Meals</i>. "
        "New York: Penguin.")
    assert refs["ward2007"] == (
        "Ward, Geoffrey C., and Ken Burns. 2007. <i>The War: An Intimate History, 1941–1945</i>. New York: Knopf.")
    assert refs["kelly2010"] == (
        "Kelly, John D. 2010. “Seeing Red: Mao Fetishism, Pax Americana, and the Moral Economy of War.” "
        "In <i>Anthropology and Global Counterinsurgency</i>, edited by John D. Kelly, Beatrice Jauregui, "
        "Sean T. Mitchell, and Jeremy Walton, 67–83. Chicago: University of Chicago Press.")
    # The guide writes "11, no. 1 (Spring): 1–34"; the CSL style "11 (1): 1–34".
    assert refs["keng2017"] == (
        "Keng, Shao-Hsun, Chun-Hung Lin, and Peter F. Orazem. 2017. “Expanding College Access in Taiwan, "
        "1978–2014: Effects on Graduate Quality and Income Inequality.” <i>Journal of Human Capital</i> "
        '11 (1): 1–34. <a href="https://doi.org/10.1086/690235">https://doi.org/10.1086/690235</a>.')
    assert refs["yale"] == (
        "Yale University. n.d. “About Yale: Yale Facts.” Accessed May 1, 2017. "
        '<a href="https://www.yale.edu/about-yale/yale-facts">https://www.yale.edu/about-yale/yale-facts</a>.')


def test_cmos17_author_in_text_and_repeated_author() -> None:
    result = run("chicago-author-date-17th-edition", "!nekrich1997 201", "@pollan2006; @pollan2008")
    assert [text_of(c) for c in result.citations] == [
        "Nekrich, Ulam, and Freeze (1997, 201)", "(Pollan 2006, 2008)"]
    refs = entries(result)
    assert refs["pollan2008"] == "———. 2008. <i>In Defense of Food</i>. New York: Penguin."


# --- Chicago author-date, 18th edition (the default style) --------------------------

def test_default_style_is_cmos18() -> None:
    assert load_style("chicago-author-date", FIXTURES).title == "Chicago Manual of Style 18th edition (author-date)"


def test_cmos18_examples() -> None:
    result = run("chicago-author-date", "@grazer2015, 12", "@thoreau2016, 177–78", "@keng2017, 9–10", "@yale")
    assert [text_of(c) for c in result.citations] == [
        "(Grazer and Fishman 2015, 12)", "(Thoreau 2016, 177–78)", "(Keng et al. 2017, 9–10)",
        "(Yale University, n.d.)"]
    refs = entries(result)
    assert refs["grazer2015"] == (
        "Grazer, Brian, and Charles Fishman. 2015. <i>A Curious Mind: The Secret to a Bigger Life</i>. "
        "Simon &amp; Schuster.")
    assert refs["thoreau2016"] == (
        "Thoreau, Henry David. 2016. “Walking.” In <i>The Making of the American Essay</i>, "
        "edited by John D’Agata. Graywolf Press.")
    assert refs["keng2017"].startswith(
        "Keng, Shao-Hsun, Chun-Hung Lin, and Peter F. Orazem. 2017. “Expanding College Access in Taiwan, "
        "1978–2014: Effects on Graduate Quality and Income Inequality.” <i>Journal of Human Capital</i> 11 (1): 1–34.")


def test_author_in_text_suppress_author_prefix_and_suffix() -> None:
    result = run("chicago-author-date", "!nekrich1997 201", "!pollan2006", "-@pollan2006",
                 "see @pollan2006, 4, emphasis added", "@pollan2006, chap. 3", "*cf.* @ward2007, pp. 3-5")
    assert [text_of(c) for c in result.citations] == [
        "Nekrich et al. (1997, 201)",
        "Pollan (2006)",
        "(2006)",
        "(see Pollan 2006, 4, emphasis added)",
        "(Pollan 2006, chap. 3)",
        "(<i>cf.</i> Ward and Burns 2007, 3–5)",
    ]
    assert result.in_text == result.citations


def test_every_cited_item_links_to_its_entry() -> None:
    result = run("chicago-author-date", "@pollan2006; see @ward2007, 3; @kelly2010", "!keng2017 9")
    first, second = result.citations
    assert first.startswith('<span class="citation" data-cites="pollan2006 ward2007 kelly2010">')
    assert LINK.findall(first)[::2] == ["ref-pollan2006", "ref-ward2007", "ref-kelly2010"]
    assert second == ('<span class="citation" data-cites="keng2017"><a class="citation" href="#ref-keng2017">'
                      'Keng et al.</a> (<a class="citation" href="#ref-keng2017">2017, 9</a>)</span>')
    assert {r.anchor for r in result.references} == {"ref-pollan2006", "ref-ward2007", "ref-kelly2010",
                                                     "ref-keng2017"}


def test_disambiguation() -> None:
    result = run("chicago-author-date", "@doe2005a; @doe2005b", "@smithj; @smitha", "@barnes2010, 5")
    assert [text_of(c) for c in result.citations] == [
        "(Doe 2005a, 2005b)",  # same author, same year: year suffixes, collapsed
        "(J. Smith 2010; A. Smith 2012)",  # same family name: initials (CMOS 15.21)
        "(Barnes et al. 2010, 5)",
    ]
    refs = entries(result)
    assert refs["doe2005a"] == "Doe, John. 2005a. “Frogs.” <i>Journal of Amphibians</i> 44: 321–28."
    assert refs["doe2005b"] == "Doe, John. 2005b. “Toads.” <i>Journal of Amphibians</i> 45: 101–9."
    assert list(refs)[:2] == ["barnes2010", "doe2005a"]


def test_references_sorted_by_the_style() -> None:
    result = run("chicago-author-date", "@yale", "@ward2007", "@pollan2006", "@grazer2015")
    assert [r.key for r in result.references] == ["grazer2015", "pollan2006", "ward2007", "yale"]


def test_escaping_markup_and_no_leaking_note() -> None:
    result = run("chicago-author-date", "@markup", "@doe2005")
    refs = entries(result)
    assert refs["markup"] == (
        "Lovelace, Ada. 1843. <i>Notes on <span style=\"font-style:normal\">Engines</span> &amp; Tables "
        "&lt;Of&gt; Numbers</i>. R. &amp; J. E. Taylor.")
    # the note's "original-date: 1999" line became the original date
    assert refs["doe2005"] == ("Doe, John. (1999) 2005. “Frogs &amp; <i>Rana</i> pH.” "
                               "<i>Journal of Amphibians</i> 44 (March): 321–28.")
    everything = " ".join(result.citations) + " ".join(refs.values())
    assert "Citation Key" not in everything and "tex." not in everything


def test_british_english_keeps_punctuation_outside_quotes() -> None:
    us = entries(run("chicago-author-date", "@thoreau2016"))["thoreau2016"]
    gb = entries(run("chicago-author-date", "@thoreau2016", lang="en-GB"))["thoreau2016"]
    assert "“Walking.” In" in us
    assert "‘Walking’. In" in gb  # and British quotation marks


# --- IEEE (IEEE Reference Guide examples) ---------------------------------------------

def test_ieee_examples() -> None:
    result = run("ieee", "@klaus1986", "@stein1994, p. 60", "@liu1997; @klaus1986, pp. 3-5", "@ieee-rg")
    assert [text_of(c) for c in result.citations] == ["[1]", "[2, p. 60]", "[1, pp. 3–5], [3]", "[4]"]
    assert result.second_field_align == "flush"
    margin = '<div class="csl-left-margin">[{}] </div><div class="csl-right-inline">{}</div>'
    assert [r.html for r in result.references] == [
        margin.format(1, "B. Klaus and P. Horn, <i>Robot Vision</i>. Cambridge, MA, USA: MIT Press, 1986."),
        # the guide has "J. S. Brake, Ed. New York"; the CSL style puts a comma
        margin.format(2, "L. Stein, “Random patterns,” in <i>Computers and You</i>, J. S. Brake, Ed., "
                         "New York, NY, USA: Wiley, 1994, pp. 55–70."),
        # the guide abbreviates June as "June"; the CSL style as "Jun."
        margin.format(3, "G. Liu, K. Y. Lee, and H. F. Jordan, “TDM and TWDM de Bruijn networks and "
                         "shufflenets for optical communications,” <i>IEEE Trans. Comp.</i>, vol. 46, "
                         "pp. 695–701, Jun. 1997."),
        margin.format(4, "IEEE, “IEEE Reference Guide,” IEEE Author Center. Accessed: Mar. 05, 2024. "
                         '[Online]. Available: <a href="https://journals.ieeeauthorcenter.ieee.org/">'
                         "https://journals.ieeeauthorcenter.ieee.org/</a>"),
    ]


def test_ieee_author_in_text_names_the_author() -> None:
    result = run("ieee", "@klaus1986", "!liu1997 12")
    assert text_of(result.citations[1]) == "Liu et al. [2, p. 12]"


def test_a_subset_is_its_own_document() -> None:
    """A handout formats one chapter's citations: its own references, its own numbers."""
    book = run("ieee", "@klaus1986", "@stein1994", "@liu1997")
    assert [r.key for r in book.references] == ["klaus1986", "stein1994", "liu1997"]
    chapter = run("ieee", "@liu1997", "@stein1994, p. 60")
    assert [text_of(c) for c in chapter.citations] == ["[1]", "[2, p. 60]"]
    assert [r.key for r in chapter.references] == ["liu1997", "stein1994"]
    assert chapter.references[0].html.startswith('<div class="csl-left-margin">[1] </div>')
    author_date = run("chicago-author-date", "@ward2007")
    assert [r.key for r in author_date.references] == ["ward2007"]


def test_nocite() -> None:
    assert [r.key for r in run("ieee", "@liu1997", nocite=("@klaus1986",)).references] == ["liu1997", "klaus1986"]
    every = run("chicago-author-date", "@liu1997", nocite=("@*",))
    assert len(every.references) == len(BIB)


def test_unknown_key_is_visible() -> None:
    (html,) = run("chicago-author-date", "@nosuchkey").citations
    assert text_of(html) == "(<b>nosuchkey?</b>)"


# --- note styles --------------------------------------------------------------------

def test_note_style() -> None:
    result = run("chicago-notes-bibliography", "@pollan2006, 99-100", "@pollan2006, 3", "see @ward2007",
                 "!pollan2006 12")
    assert result.is_note_style
    assert [text_of(c) for c in result.citations] == [
        "Michael Pollan, <i>The Omnivore’s Dilemma: A Natural History of Four Meals</i> (Penguin, 2006), 99–100.",
        "Pollan, <i>The Omnivore’s Dilemma: A Natural History of Four Meals</i>, 3.",
        "See Geoffrey C. Ward and Ken Burns, <i>The War: An Intimate History, 1941–1945</i> (Knopf, 2007).",
        "<i>The Omnivore’s Dilemma: A Natural History of Four Meals</i>, 12.",
    ]
    assert result.in_text[:3] == ("", "", "")
    assert text_of(result.in_text[3]) == "Pollan"
    assert entries(result)["pollan2006"] == (
        "Pollan, Michael. <i>The Omnivore’s Dilemma: A Natural History of Four Meals</i>. Penguin, 2006.")


def test_ibid_and_unknown_keys_in_notes() -> None:
    result = run("chicago-notes-bibliography-subsequent-ibid", "@pollan2006, 3", "@pollan2006, 3", "@pollan2006, 4",
                 "@pollan2006; @ward2007", "@ward2007", "@nosuchkey")
    assert [text_of(c) for c in result.citations] == [
        "Michael Pollan, <i>The Omnivore’s Dilemma: A Natural History of Four Meals</i> (Penguin, 2006), 3.",
        "Ibid.",
        "Ibid., 4.",
        "Pollan, <i>The Omnivore’s Dilemma: A Natural History of Four Meals</i>; Geoffrey C. Ward and Ken Burns, "
        "<i>The War: An Intimate History, 1941–1945</i> (Knopf, 2007).",
        "Ward and Burns, <i>The War: An Intimate History, 1941–1945</i>.",  # the note before cited two works
        "<b>nosuchkey?</b>",
    ]


def test_note_style_by_its_repository_name() -> None:
    style = load_style("chicago-notes-bibliography", FIXTURES)
    assert style.is_note_style and style.has_bibliography
    assert not load_style("ieee", FIXTURES).is_note_style


# --- all output ---------------------------------------------------------------------

STYLES = ["chicago-author-date", "chicago-author-date-17th-edition", "chicago-notes-bibliography", "ieee", "apa",
          "modern-language-association", "harvard-cite-them-right", "nature"]


@pytest.mark.parametrize("style", STYLES)
def test_output_is_well_formed_xhtml_and_quiet(style: str, capsys: pytest.CaptureFixture[str]) -> None:
    texts = [f"@{key}, 3-5" for key in BIB.keys()] + ["see @markup; -@doe2005, chap. 2", "!who"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run(style, *texts)
    assert caught == []
    assert capsys.readouterr() == ("", "")
    for html in result.citations + result.in_text + tuple(r.html for r in result.references):
        ElementTree.fromstring(f"<div>{html}</div>")
    assert len(result.references) == len(BIB)


def test_deterministic() -> None:
    texts = [f"@{key}" for key in BIB.keys()] + ["@doe2005a; @doe2005b"]
    first = run("chicago-author-date", *texts)
    cite_format._engine.cache_clear()
    assert run("chicago-author-date", *texts) == first


def test_fast_enough_for_a_long_book() -> None:
    """800 citations (a book forty times the sample) in well under 2 s."""
    keys = BIB.keys()
    citations = []
    for n in range(800):
        key = keys[n * 7 % len(keys)]
        locator = str(n % 300 + 1) if n % 3 else ""
        citations.append(Citation((CiteItem(key, locator=locator, label="page" if locator else ""),)))
    style = load_style("chicago-author-date", FIXTURES)
    cite_format._engine.cache_clear()
    start = time.process_time()
    result = format_citations(BIB, style, citations)
    assert time.process_time() - start < 1.5
    assert len(result.citations) == 800


# --- styles -------------------------------------------------------------------------

def test_unknown_style_suggests_close_names() -> None:
    with pytest.raises(BookError) as caught:
        load_style("chicago-note-bibliography", FIXTURES)
    assert caught.value.message == "unknown citation style 'chicago-note-bibliography'"
    assert "chicago-notes-bibliography" in caught.value.hint


def test_style_file_relative_to_the_book(tmp_path: Path) -> None:
    ieee = Path(load_style("ieee", tmp_path).path).read_text(encoding="utf-8")
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "house.csl").write_text(ieee.replace("[", "(").replace("]", ")"), encoding="utf-8")
    style = load_style("styles/house.csl", tmp_path)
    result = format_citations(BIB, style, cite("@liu1997"))
    assert text_of(result.citations[0]) == "(1)"
    with pytest.raises(BookError, match="not found"):
        load_style("styles/missing.csl", tmp_path)


def test_broken_style_file(tmp_path: Path) -> None:
    (tmp_path / "broken.csl").write_text('<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl">\n<info>\n</style>\n',
                                         encoding="utf-8")
    with pytest.raises(BookError) as caught:
        load_style("broken.csl", tmp_path)
    assert "not well-formed XML" in caught.value.message
    assert (caught.value.file, caught.value.line) == (tmp_path / "broken.csl", 4)


def test_dependent_style_uses_its_parent() -> None:
    style = load_style("nature-digest", FIXTURES)
    assert style.path.name == "nature.csl"


def test_reference_anchor_is_a_valid_distinct_id() -> None:
    keys = ["plain2006", "a:b/c", "a_3a_b/c", "doe_2005", "doe-2005", "doe.2005", "пункт3", "a b", "x&<y>\"'"]
    anchors = [reference_anchor(key) for key in keys]
    assert all(re.fullmatch(r"ref-[A-Za-z0-9._\-]+", anchor) for anchor in anchors)
    assert len(set(anchors)) == len(keys)
    assert reference_anchor("plain2006") == "ref-plain2006"
