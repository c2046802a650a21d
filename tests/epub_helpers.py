"""Reading a built EPUB in tests: its package, navigation and documents, parsed with lxml."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from posixpath import dirname, join, normpath

from lxml import etree

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/", "c": "urn:oasis:names:tc:opendocument:xmlns:container"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@dataclass
class Epub:
    path: Path
    files: dict[str, bytes]
    opf_path: str
    opf: etree._Element

    @classmethod
    def open(cls, path: Path) -> "Epub":
        with zipfile.ZipFile(path) as z:
            files = {name: z.read(name) for name in z.namelist()}
        container = etree.fromstring(files["META-INF/container.xml"])
        opf_path = container.find(".//c:rootfile", NS).get("full-path")
        return cls(path, files, opf_path, etree.fromstring(files[opf_path]))

    def href(self, href: str) -> str:
        """The archive path of an href relative to the package document."""
        return normpath(join(dirname(self.opf_path), href.split("#")[0]))

    def manifest(self) -> dict[str, etree._Element]:
        return {item.get("id"): item for item in self.opf.findall("opf:manifest/opf:item", NS)}

    def spine(self) -> list[str]:
        items = self.manifest()
        return [items[ref.get("idref")].get("href") for ref in self.opf.findall("opf:spine/opf:itemref", NS)]

    def doc(self, href: str) -> etree._Element:
        return etree.fromstring(self.files[self.href(href)])

    def nav_href(self) -> str:
        return next(item.get("href") for item in self.manifest().values()
                    if "nav" in (item.get("properties") or "").split())

    def nav(self, kind: str) -> etree._Element:
        navs = [n for n in self.doc(self.nav_href()).iter(f"{{{NS['x']}}}nav") if n.get(EPUB_TYPE) == kind]
        assert len(navs) == 1, f"{len(navs)} nav elements of type {kind}"
        return navs[0]

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.findall("opf:metadata/opf:meta", NS) if m.get("property") == prop]

    def dc(self, name: str) -> list[etree._Element]:
        return self.opf.findall(f"opf:metadata/dc:{name}", NS)

    def resolve(self, base: str, href: str) -> tuple[str, str]:
        """(archive path, fragment) of a link found in the document ``base`` (an href)."""
        target, _, fragment = href.partition("#")
        path = self.href(base) if not target else normpath(join(dirname(self.href(base)), target))
        return path, fragment


def toc_tree(ol: etree._Element) -> list[tuple[str, str, list]]:
    """A nav ``ol`` as [(title, href, children)]."""
    out = []
    for li in ol.findall("x:li", NS):
        a = li.find("x:a", NS)
        sub = li.find("x:ol", NS)
        out.append(("".join(a.itertext()).strip(), a.get("href"), toc_tree(sub) if sub is not None else []))
    return out


SKIP = {"footnotes", "footnote"}


def text_with_markers(root: etree._Element) -> str:
    """The document's text in reading order, each page-break marker as ``\\x01<label>\\x02``;
    notes at the chapter's end are left out (print sets them at the page foot)."""
    parts: list[str] = []

    def walk(el):
        if not isinstance(el.tag, str):
            return
        classes = set((el.get("class") or "").split())
        if el.get(EPUB_TYPE) == "pagebreak":
            parts.append(f"\x01{el.get('aria-label')}\x02")
        elif not classes & SKIP:
            parts.append(el.text or "")
            for child in el:
                walk(child)
                parts.append(child.tail or "")
            return
    body = root.find("x:body", NS)
    walk(body)
    return "".join(parts)


def squeeze(text: str) -> str:
    """Text as both editions can be compared: case-folded, without spaces or soft hyphens."""
    return re.sub(r"[\s\u00ad]+", "", text.casefold())


def print_page_text(page: str) -> str:
    """pdftotext's page text, squeezed, with what print adds and the EPUB has not removed:
    hyphens of hyphenated line ends, "(p. 12)" after cross-references, list bullets."""
    page = re.sub("\u2010\n", "", page)
    page = re.sub(r"\s?\(p\.\s?\d+\)", "", page)
    page = page.replace("•", "")
    return squeeze(page)
