"""ebooklib, the library many Python tools read EPUBs with, reads ours back as written.

We write the EPUB package ourselves (templates/ebook/package.opf) because
ebooklib 0.20 cannot write a page-list, refines with the right file-as scheme,
or a clock-free zip; this test keeps it as a consumer.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from conftest import normalise


def test_ebooklib_reads_metadata_spine_and_toc(basic_build: Path):
    from ebooklib import ITEM_DOCUMENT, epub

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = epub.read_epub(str(basic_build / "the-test-book.epub"), {"ignore_ncx": False})
    assert book.get_metadata("DC", "title")[0][0] == "The Test Book"
    assert book.get_metadata("DC", "language")[0][0] == "en"
    assert book.get_metadata("DC", "identifier")[0][0] == "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016cb9e7a01"
    assert [c[0] for c in book.get_metadata("DC", "creator")] == ["Ada Writer"]
    names = [book.get_item_with_id(idref).get_name() for idref, _linear in book.spine]
    assert names.index("alpha.xhtml") < names.index("beta.xhtml") < names.index("gamma.xhtml")
    documents = {item.get_name(): item for item in book.get_items_of_type(ITEM_DOCUMENT)}
    assert "Betamax" in normalise(documents["beta.xhtml"].get_content().decode())

    def titles(entries):
        for entry in entries:
            if isinstance(entry, tuple):
                yield entry[0].title
                yield from titles(entry[1])
            else:
                yield entry.title
    assert "Alpha Chapter Opens the Story of the Book" in list(titles(book.toc))
