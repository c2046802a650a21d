"""The WeasyPrint floor: the least any WeasyPrint-based builder can spend on our print edition.

A bare process that imports WeasyPrint, lays out the print HTML of the whole
book as one document (:mod:`bench.floor_html`: our print HTML with the index
filled in; same fonts, same images through the book's folder as base URL, so
the same pages) and writes a PDF with WeasyPrint's defaults. Nothing of ours
runs here: no Markdown, no citations, no templates, no line-breaking fix, no
page labels, tags or metadata — and one process on one core, every page in
memory until the PDF is written, as WeasyPrint lays out a book.

``python bench/floor.py OUT.pdf BASE_URL BOOK.html``; prints the page count.
"""

import sys

import weasyprint


def main(target: str, base_url: str, book_html: str) -> None:
    with open(book_html, encoding="utf-8") as fh:
        document = weasyprint.HTML(string=fh.read(), base_url=base_url).render()
    document.write_pdf(target)
    print(len(document.pages))


if __name__ == "__main__":
    main(*sys.argv[1:4])
