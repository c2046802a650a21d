"""Page references in print at the end of the clause (book/render/pagerefs.py): the rules on
fragments, then a German book built for real, its PDF read back."""

from __future__ import annotations

import zipfile

import pytest
from pypdf import PdfReader

from book.render.pagerefs import clause_references
from conftest import copy_fixture, normalise, pdf_pages_text, run_build


def refs(*targets: str, see: bool = False) -> str:
    cls = "page-ref see" if see else "page-ref"
    return '<span class="page-refs">' + "".join(f'<a class="{cls}" href="#{t}"></a>' for t in targets) + "</span>"


def link(target: str, words: str, extra: str = "") -> str:
    return f'<a href="#{target}" class="xref{" " + extra if extra else ""}">{words}</a>'


@pytest.mark.parametrize("fragment, expected", [
    # Before the comma that ends the clause, not after the linked words.
    (f"<p>he supported the {link('s', 'Socialism in One Country')} theory, and so.</p>",
     f"<p>he supported the {link('s', 'Socialism in One Country')} theory{refs('s')}, and so.</p>"),
    # A full stop after an abbreviation or an initial does not end the clause.
    (f"<p>the {link('r', 'Rapallo')} cooperation with the U.S. army. Then</p>",
     f"<p>the {link('r', 'Rapallo')} cooperation with the U.S. army{refs('r')}. Then</p>"),
    # A bracket opened after the link is passed over whole.
    (f"<p>the {link('r', 'Rapallo')} cooperation (from 1922; secret) went on; then</p>",
     f"<p>the {link('r', 'Rapallo')} cooperation (from 1922; secret) went on{refs('r')}; then</p>"),
    # Punctuation right after the link.
    (f"<p>magnified at {link('m', 'Munich')}. The</p>", f"<p>magnified at {link('m', 'Munich')}{refs('m')}. The</p>"),
    # Two links in one clause share one bracket; the same target twice is given once.
    (f"<p>{link('a', 'A')} and {link('b', 'B')} and {link('a', 'A again')} end</p>",
     f"<p>{link('a', 'A')} and {link('b', 'B')} and {link('a', 'A again')} end{refs('a', 'b')}</p>"),
    # A note call closes the clause: the page comes before it.
    (f'<p>at {link("m", "Munich")} too<a class="noteref" href="#n1">1</a> and</p>',
     f'<p>at {link("m", "Munich")} too{refs("m")}<a class="noteref" href="#n1">1</a> and</p>'),
    # The author's choices: "see p.", right after the words, none.
    (f"<p>{link('m', 'Munich', 'see')} was a blow.</p>",
     f"<p>{link('m', 'Munich', 'see')} was a blow{refs('m', see=True)}.</p>"),
    (f"<p>{link('m', 'Munich', 'page-here')} was a blow.</p>",
     f"<p>{link('m', 'Munich', 'page-here')}{refs('m')} was a blow.</p>"),
    (f"<p>{link('m', 'the next chapter', 'no-page')} tells it.</p>",
     f"<p>{link('m', 'the next chapter', 'no-page')} tells it.</p>"),
    # Other links are left alone.
    ('<p><a href="https://x.org" class="external">x</a>, y</p>', '<p><a href="https://x.org" class="external">x</a>, y</p>'),
    ('<p><a class="crossref" href="#fig-a">Figure 1</a>, y</p>', '<p><a class="crossref" href="#fig-a">Figure 1</a>, y</p>'),
])
def test_the_page_reference_goes_to_the_end_of_the_clause(fragment, expected):
    assert clause_references(fragment) == expected


TITLE = "Die Pferdebahn"


def test_a_book_prints_its_page_references_in_its_own_words_and_only_on_paper(tmp_path):
    book = copy_fixture("lang-de", tmp_path)
    chapter = book / "chapters" / "elektrisch.md"
    chapter.write_text(chapter.read_text().replace(
        "[das erste Kapitel](pferdebahn.md#der-alltag-der-kutscher).",
        "[das erste Kapitel](pferdebahn.md#der-alltag-der-kutscher) ausführlich.\n\n"
        "Mehr dazu steht [im ersten Kapitel](pferdebahn.md){.see} am Anfang.\n\n"
        "Die [Pferdebahn](pferdebahn.md){.page-here} war langsam, wie\n"
        "[das vorige Kapitel](pferdebahn.md){.no-page} zeigt.\n"))
    result = run_build("pdf", "epub", "--book", str(book), "--out", str(tmp_path / "out"), "-q")
    assert result.returncode == 0, result.stderr
    pages = pdf_pages_text(next((tmp_path / "out").glob("*.pdf")))
    text = normalise(" ".join(pages))
    assert "das erste Kapitel ausführlich (S. " in text, text
    assert "im ersten Kapitel am Anfang (siehe S. " in text, text
    assert "Die Pferdebahn (S. " in text and ") war langsam, wie das vorige Kapitel zeigt." in text, text
    # The number is the folio of the page the chapter opens on.
    labels = PdfReader(next((tmp_path / "out").glob("*.pdf"))).page_labels
    opening = next(i for i, page in enumerate(pages) if page.lstrip().startswith(TITLE))
    assert f"(siehe S. {labels[opening]})" in text
    # The screen editions keep the link alone.
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.epub"))) as epub:
        markup = b"".join(epub.read(n) for n in epub.namelist() if n.endswith(".xhtml")).decode()
    assert "page-ref" not in markup and "im ersten Kapitel</a> am Anfang." in markup
