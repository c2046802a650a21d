"""SVG pictures: what an SVG could hide is refused, and what the editions ship is rebuilt.

The four ways through the old filter — an SVG in UTF-16 with entities, a DOCTYPE naming a
remote DTD, CSS escapes hiding ``@import`` and ``url(`` — and a stylesheet processing
instruction: each is refused at the chapter's line (:func:`hostile.refused`), or the build
ships the picture rebuilt from the allow-lists (:mod:`book.svg`), which Chromium opens
without a single request. A real picture (an editor's metadata, a gradient, text) reaches
every edition: the same drawing, without the metadata.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import copy_fixture, epubcheck, pdf_pages_text, run_build
from hostile import Ctx, Listener, append, refused
from lxml import etree

SVG = "http://www.w3.org/2000/svg"


def _picture(c: Ctx, name: str, data: bytes, expect: str = "") -> tuple[str, int]:
    (c.book / "images" / name).write_bytes(data)
    if expect:
        c.expect.append(expect)
    return "chapters/beta.md", append(c.book / "chapters/beta.md", f"![A picture](../images/{name})")


def utf16_with_entities(c: Ctx):
    text = (f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE svg [<!ENTITY x SYSTEM '
            f'"http://127.0.0.1:{c.port}/entity">]><svg xmlns="{SVG}"><text>&x;</text></svg>')
    return _picture(c, "utf16.svg", text.encode("utf-16"), "declares XML entities")


def css_escape_hiding_import(c: Ctx):
    text = f'<svg xmlns="{SVG}"><style>@\\69mport "http://127.0.0.1:{c.port}/x.css";</style></svg>'
    return _picture(c, "import.svg", text.encode(), "@import")


def css_escape_hiding_url(c: Ctx):
    text = (f'<svg xmlns="{SVG}"><style>rect {{ fill: u\\72l(http://127.0.0.1:{c.port}/x.png) }}</style>'
            '<rect width="5" height="5"/></svg>')
    return _picture(c, "url.svg", text.encode(), "url")


def css_escape_in_a_style_attribute(c: Ctx):
    text = f'<svg xmlns="{SVG}"><rect style="fill: u\\72l(http://127.0.0.1:{c.port}/y.png)" width="5" height="5"/></svg>'
    return _picture(c, "attr.svg", text.encode(), "url")


def html_script_in_another_namespace(c: Ctx):
    text = f'<svg xmlns="{SVG}"><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>'
    return _picture(c, "script.svg", text.encode(), "<script>")


def animation_setting_a_link(c: Ctx):
    text = f'<svg xmlns="{SVG}"><set attributeName="href" to="javascript:alert(1)"/></svg>'
    return _picture(c, "set.svg", text.encode(), "<set>")


CASES = {f.__name__: f for f in (utf16_with_entities, css_escape_hiding_import, css_escape_hiding_url,
                                 css_escape_in_a_style_attribute, html_script_in_another_namespace,
                                 animation_setting_a_link)}


@pytest.mark.parametrize("case", list(CASES))
def test_an_svg_that_would_run_or_fetch_is_refused(case: str, basic_build: Path, listener: Listener,
                                                   tmp_path: Path):
    ctx = Ctx(copy_fixture("basic", tmp_path), listener.port, tmp_path)
    rel, line = CASES[case](ctx)
    refused(ctx, rel, line, basic_build, listener, tmp_path)


PICTURE = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet href="http://127.0.0.1:{port}/sheet.css" type="text/css"?>
<!DOCTYPE svg SYSTEM "http://127.0.0.1:{port}/svg.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" width="200" height="100"
     viewBox="0 0 200 100" sodipodi:docname="map.svg">
  <!-- drawn by hand -->
  <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
  <sodipodi:namedview pagecolor="#ffffff"/>
  <defs><linearGradient id="sea"><stop offset="0" stop-color="#369"/><stop offset="1" stop-color="#9cf"/>
  </linearGradient></defs>
  <style>.land {{ fill: #c96; stroke: #630; }}</style>
  <rect width="200" height="100" fill="url(#sea)"/>
  <path class="land" d="M20 80 L60 20 L100 70 Z"/>
  <text x="120" y="55" font-family="Book Garamond" font-size="14">Kilroy</text>
</svg>
"""


@pytest.fixture(scope="module")
def picture_build(tmp_path_factory, listener: Listener) -> tuple[Path, Path, int]:
    """The basic book with a real picture as an editor writes it, built: (book, dist, requests before)."""
    tmp = tmp_path_factory.mktemp("svg")
    book = copy_fixture("basic", tmp)
    (book / "images/map.svg").write_text(PICTURE.format(port=listener.port))
    append(book / "chapters/beta.md", "![A map of the sea and a coast](../images/map.svg)")
    seen = len(listener.requests)
    proc = run_build("--book", str(book), "--out", str(tmp / "dist"))
    assert proc.returncode == 0, proc.stderr
    return book, tmp / "dist", seen


def test_the_editions_ship_the_rebuilt_picture(picture_build, listener: Listener, tmp_path: Path):
    book, out, seen = picture_build
    shipped = (out / "web/images/map.svg").read_bytes()
    with zipfile.ZipFile(next(out.glob("*.epub"))) as epub:
        assert epub.read("EPUB/images/map.svg") == shipped
    for hidden in (b"xml-stylesheet", b"DOCTYPE", b"sodipodi", b"metadata", b"drawn by hand", b"127.0.0.1"):
        assert hidden not in shipped, hidden
    root = etree.fromstring(shipped)
    assert [etree.QName(e).localname for e in root.iter() if isinstance(e.tag, str)] == [
        "svg", "defs", "linearGradient", "stop", "stop", "style", "rect", "path", "text"]
    assert root.find(f"{{{SVG}}}text").text == "Kilroy"
    assert (book / "images/map.svg").read_text() == PICTURE.format(port=listener.port)  # the source as written
    assert "Kilroy" in " ".join(pdf_pages_text(next(out.glob("*[!l].pdf"))))  # drawn in print, text and all
    report = epubcheck(next(out.glob("*.epub")), tmp_path)
    assert report["summary"] == (0, 0, 0, 0), report["output"]
    assert listener.requests[seen:] == []


def test_chromium_opens_the_shipped_picture_without_a_request(picture_build, listener: Listener, browser):
    _book, out, _seen = picture_build
    seen = len(listener.requests)
    page = browser.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    for target in (out / "web/images/map.svg", out / "web/beta.html"):
        page.goto(target.as_uri())
        page.wait_for_load_state("load")
    page.close()
    assert [url for url in asked if not url.startswith("file://")] == []
    assert listener.requests[seen:] == []
