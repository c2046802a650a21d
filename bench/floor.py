"""The WeasyPrint floor: the least any WeasyPrint-based builder can spend on our print edition.

A bare process that imports WeasyPrint, lays out the print HTML the builder
already rendered (same fonts, same base URL, so the same pages) and writes a
PDF with WeasyPrint's defaults. Nothing of ours runs here: no Markdown, no
citations, no templates, no page labels, tags or metadata.

``python bench/floor.py PRINT.html BASE_URL OUT.pdf``
"""

import sys

import weasyprint


def main(html_file: str, base_url: str, target: str) -> None:
    with open(html_file, encoding="utf-8") as fh:
        html = fh.read()
    document = weasyprint.HTML(string=html, base_url=base_url).render()
    document.write_pdf(target)
    print(len(document.pages))


if __name__ == "__main__":
    main(*sys.argv[1:4])
