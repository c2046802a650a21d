"""The e-reader edition: EPUB 3 (with an EPUB 2 NCX) packaged by ebooklib.

ebooklib writes the package document (OPF) and the NCX from our metadata and
table of contents; the XHTML documents and the navigation document come from
``templates/ebook/``. ebooklib stamps the clock into the zip, so the archive
is rewritten with fixed entry dates and order: same sources, same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from ..model import Manuscript, ResolvedPart
from ..render import TEMPLATES, Document, environment, fonts, render_ebook
from . import Output, write_atomic

XHTML = "application/xhtml+xml"


def build_epub(ms: Manuscript, page_breaks=None) -> tuple[bytes, int]:
    """The EPUB's bytes and the number of content documents."""
    from ebooklib import epub

    meta = ms.meta
    docs = render_ebook(ms, page_breaks)
    env = environment(TEMPLATES)

    book = epub.EpubBook()
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.lang)
    for i, person in enumerate(meta.creators):
        book.add_author(person.name, file_as=person.file_as, role=person.role, uid=f"creator{i + 1}")
    if meta.subtitle:
        book.add_metadata("DC", "title", meta.subtitle, {"id": "subtitle"})
        book.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle", "property": "title-type"})
    for key, value in (("publisher", meta.publisher), ("rights", meta.rights),
                       ("description", meta.description), ("source", meta.source)):
        if value:
            book.add_metadata("DC", key, value)
    book.add_metadata("DC", "date", meta.date)
    for subject in meta.subjects:
        book.add_metadata("DC", "subject", subject)

    css = epub.EpubItem(uid="css", file_name="styles/book.css", media_type="text/css",
                        content=env.get_template("ebook/book.css").render(fonts=fonts()).encode("utf-8"))
    book.add_item(css)
    for i, font in enumerate(fonts()):
        book.add_item(epub.EpubItem(uid=f"font{i + 1}", file_name=f"fonts/{font.name}", media_type="font/ttf",
                                    content=font.path.read_bytes()))
    for asset in ms.assets:
        book.add_item(epub.EpubItem(uid="img-" + _safe_id(asset.href), file_name=asset.href,
                                    media_type=asset.media_type, content=asset.path.read_bytes()))

    items: dict[str, object] = {}
    for doc in docs:
        item = epub.EpubItem(uid=doc.id, file_name=doc.name, media_type=XHTML, content=doc.content.encode("utf-8"))
        book.add_item(item)
        items[doc.id] = item

    nav = epub.EpubNav(uid="nav", file_name="nav.xhtml")
    book.add_item(nav)
    book.add_item(epub.EpubNcx())

    toc: list = []
    for ch in ms.front:
        toc.append(epub.Link(f"{ch.id}.xhtml", ch.title_text, f"toc-{ch.id}"))
    for item in ms.body:
        if isinstance(item, ResolvedPart):
            toc.append((epub.Link(f"{item.id}.xhtml", item.title_text, f"toc-{item.id}"),
                        [epub.Link(f"{ch.id}.xhtml", ch.title_text, f"toc-{ch.id}") for ch in item.chapters]))
        else:
            toc.append(epub.Link(f"{item.id}.xhtml", item.title_text, f"toc-{item.id}"))
    if ms.references:
        toc.append(epub.Link("references.xhtml", ms.references_title, "toc-references"))
    for ch in ms.back:
        toc.append(epub.Link(f"{ch.id}.xhtml", ch.title_text, f"toc-{ch.id}"))
    book.toc = toc
    spine: list = [items["title-page"], "nav"] + [items[d.id] for d in docs if d.id != "title-page"]
    book.spine = spine

    nav_xhtml = env.get_template("ebook/nav.xhtml").render(
        ms=ms, meta=meta, docs=docs, is_part=lambda x: isinstance(x, ResolvedPart), page_list=[]).encode("utf-8")

    raw = io.BytesIO()
    date = dt.datetime.fromisoformat(meta.date)
    writer = epub.EpubWriter(raw, book, {"mtime": date, "epub3_landmark": False, "epub3_pages": False,
                                         "play_order": {"enabled": True, "start_from": 1}})
    writer.process()
    writer.write()
    return _repack(raw.getvalue(), {"EPUB/nav.xhtml": nav_xhtml}, date), len(docs)


def _safe_id(href: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in href)


def _repack(data: bytes, replace: dict[str, bytes], date: dt.datetime) -> bytes:
    """The same archive with fixed dates and order: mimetype first and stored."""
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    order = ["mimetype", "META-INF/container.xml"] + sorted(n for n in names if n not in ("mimetype", "META-INF/container.xml"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in order:
            content = replace.get(name, src.read(name))
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                dst.writestr(info, content)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(info, content, compresslevel=9)
    return out.getvalue()


class EpubPublisher:
    name = "epub"
    description = "EPUB 3: the book for e-readers and screen readers"

    def publish(self, ms: Manuscript, out: Path, page_breaks=None) -> list[Output]:
        data, count = build_epub(ms, page_breaks)
        target = out / f"{ms.meta.slug}.epub"
        write_atomic(target, data)
        return [Output(target, self.name, count, "documents")]
