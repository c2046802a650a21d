"""The WeasyPrint floor: the least any WeasyPrint-based builder can spend on our print edition.

A bare process that imports WeasyPrint, lays out the print HTML the builder
gave WeasyPrint (same fonts, same images through the book's folder as base
URL, so the same pages) and writes a PDF with WeasyPrint's defaults. Nothing
of ours runs here: no Markdown, no citations, no templates, no line-breaking
fix, no page labels, tags or metadata.

Our print edition is two layouts when the book has an index (the book with the
index's heading only, then the index with the page numbers the first layout
gave, :mod:`book.publish.index_pages`): given the second HTML too, the floor
does the same — the book's pages before the one holding ``id="index"``, then
the index's pages — with WeasyPrint's own ``Document.copy``.

``python bench/floor.py OUT.pdf BASE_URL BOOK.html [INDEX.html]``; prints the page count.
"""

import sys

import weasyprint

INDEX_ID = "index"


def main(target: str, base_url: str, book_html: str, index_html: str | None = None) -> None:
    def render(path: str):
        with open(path, encoding="utf-8") as fh:
            return weasyprint.HTML(string=fh.read(), base_url=base_url).render()

    document = render(book_html)
    if index_html:
        start = next(i for i, page in enumerate(document.pages) if INDEX_ID in page.anchors)
        document = document.copy(document.pages[:start] + render(index_html).pages)
    document.write_pdf(target)
    print(len(document.pages))


if __name__ == "__main__":
    main(*sys.argv[1:5])
