"""A book written for pandoc and Quarto (tests/fixtures/quarto-book) in every edition.

Math, labelled equations, figures with attributes, pipe/grid/simple and long
tables with captions, Quarto cross-references, callouts and divs, code in three
languages, definition/task/example lists, line blocks, sub- and superscripts,
raw HTML and LaTeX, and a Manubot citation key. Each test reads the real
outputs: the PDF with pdftotext, pdffonts, pikepdf and WeasyPrint's own layout
boxes; the EPUB with EPUBCheck, DAISY Ace and lxml; the web edition in Chromium.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, copy_fixture, epubcheck, normalise, pdf_pages_text, require, run_build
from lxml import etree

SLUG = "heat-and-light-in-small-lakes"
XHTML = "{http://www.w3.org/1999/xhtml}"
MATHML = "{http://www.w3.org/1998/Math/MathML}"
ACE = ROOT / ".venv" / "tools" / "node_modules" / ".bin" / "ace-puppeteer"


@pytest.fixture(scope="module")
def quarto(tmp_path_factory) -> tuple[Path, Path]:
    """The fixture built once, every edition, and a handout of its results chapter."""
    tmp = tmp_path_factory.mktemp("quarto")
    book = copy_fixture("quarto-book", tmp)
    out = tmp / "dist"
    proc = run_build("--book", str(book), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    proc = run_build("handout", "results", "--book", str(book), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return book, out


def _chapter(out: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(out / f"{SLUG}.epub") as z:
        return etree.fromstring(z.read(f"EPUB/{name}.xhtml"))


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


# ------------------------------------------------------------------ EPUB


def test_epub_passes_epubcheck_with_no_messages(quarto, tmp_path):
    report = epubcheck(quarto[1] / f"{SLUG}.epub", tmp_path)
    assert report["summary"] == (0, 0, 0, 0), report["output"]


def test_ace_finds_no_violations(quarto, tmp_path):
    chromium = require("chromium", "chromium")
    if not ACE.is_file():
        pytest.fail(f"{ACE} is missing: run `bash tests/install-tools.sh` (make test does this)")
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    proc = subprocess.run([str(ACE), "--force", "-o", str(tmp_path / "ace"), str(quarto[1] / f"{SLUG}.epub")],
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = json.loads((tmp_path / "ace" / "report.json").read_text(encoding="utf-8"))
    failures = [(a["earl:testSubject"]["url"], b["earl:test"]["dct:title"])
                for a in data["assertions"] for b in a.get("assertions", [])
                if b["earl:result"]["earl:outcome"] == "fail"]
    assert failures == []
    assert data["properties"]["hasMathML"] is True


def test_math_is_mathml_with_the_tex_as_alttext_and_declared_in_the_manifest(quarto):
    out = quarto[1]
    intro = _chapter(out, "introduction")
    maths = intro.findall(f".//{MATHML}math")
    assert len(maths) >= 12
    assert all(m.get("alttext") for m in maths)
    assert {m.get("display") for m in maths} == {"inline", "block"}
    assert any(m.get("alttext") == r"\partial T / \partial z" for m in maths)
    # No TeX left as text anywhere in the chapter.
    text = _text(intro)
    assert "\\frac" not in text and "$$" not in text and "\\(" not in text
    with zipfile.ZipFile(out / f"{SLUG}.epub") as z:
        opf = z.read("EPUB/content.opf").decode()
        css = z.read("EPUB/styles/book.css").decode()
        names = z.namelist()
    items = etree.fromstring(opf.encode()).iter("{http://www.idpf.org/2007/opf}item")
    props = {item.get("href"): item.get("properties") or "" for item in items}
    assert "mathml" in props["introduction.xhtml"] and "mathml" in props["results.xhtml"]
    assert "mathml" not in props["methods.xhtml"] and "mathml" not in props["preface.xhtml"]
    assert ">MathML</meta>" in opf
    # The math and code faces are embedded, subset, only because the book uses them.
    assert "EPUB/fonts/BookMath-Regular.ttf" in names and "EPUB/fonts/BookCode-Regular.ttf" in names
    assert 'font-family: "Book Math"' in css


def test_equations_figures_and_tables_are_numbered_and_cross_referenced(quarto):
    out = quarto[1]
    intro = _chapter(out, "introduction")
    eq = intro.find(f".//{XHTML}span[@id='eq-density']")
    assert eq is not None and eq.get("class") == "equation"
    assert _text(eq.find(f"{XHTML}span[@class='eqno']")) == "(1.1)"
    refs = {a.get("href"): _text(a) for a in intro.iter(f"{XHTML}a") if a.get("class") == "crossref"}
    assert refs["#eq-density"] == "Equation (1.1)" and refs["#eq-buoyancy"] == "Equation (1.2)"
    assert refs["results.xhtml#fig-profile"] == "Figure 3.1"
    assert refs["results.xhtml#fig-season"] == "Figure 3.2"
    assert "Figure 3.1 and Figure 3.2" in _text(intro)
    methods = _chapter(out, "methods")
    fig = methods.find(f".//{XHTML}figure[@id='fig-chain']")
    img = fig.find(f"{XHTML}img")
    assert img.get("alt").startswith("A diagram of a buoy")  # fig-alt, not the caption
    assert "width:50%" in img.get("style")
    assert _text(fig.find(f"{XHTML}figcaption")).startswith("Figure 2.1: A thermistor chain")
    captions = {t.get("id"): _text(t.find(f"{XHTML}caption")) for t in methods.iter(f"{XHTML}table")}
    assert captions["tbl-sites"] == "Table 2.1: Sampling sites and their depths."
    assert captions["tbl-instruments"] == "Table 2.2: Instruments and what they measured."
    assert captions["tbl-seasons"] == "Table 2.3: Seasons at site A."
    results = _chapter(out, "results")
    unlabelled = [f for f in results.iter(f"{XHTML}figure") if not f.get("id")]
    assert len(unlabelled) == 1 and "Figure" not in _text(unlabelled[0])  # no label, no number (pandoc)
    # -@ gives the number alone; sections are numbered (number-sections: true).
    preface = _chapter(out, "preface")
    assert "Section 1.1 introduces the physics" in _text(preface)
    assert "in Section 2.1" in _text(preface) and "in Table 2.1" in _text(preface)
    heading = methods.find(f".//{XHTML}h2[@id='sec-methods']")
    assert _text(heading) == "2.1 Instruments"
    mixing = [h for h in intro.iter(f"{XHTML}h3") if "Mixing" in _text(h)]
    assert _text(mixing[0]) == "Mixing"  # {-}: unnumbered


def test_column_alignment_callouts_divs_and_the_rest(quarto):
    out = quarto[1]
    methods = _chapter(out, "methods")
    sites = methods.find(f".//{XHTML}table[@id='tbl-sites']")
    assert [c.get("style") for c in sites.find(f".//{XHTML}tr")] == [
        "text-align:left", "text-align:left", "text-align:right", "text-align:right"]
    seasons = methods.find(f".//{XHTML}table[@id='tbl-seasons']")
    assert [c.get("style") for c in seasons.find(f".//{XHTML}tr")] == [
        "text-align:right", "text-align:right", "text-align:right"]
    asides = {a.get("class"): a for a in methods.iter(f"{XHTML}aside")}
    assert set(asides) == {"callout callout-warning", "callout callout-note", "callout callout-caution",
                           "callout callout-important"}
    assert all(a.get("role") == "note" for a in asides.values())
    titles = {k: _text(a.find(f"{XHTML}p[@class='callout-title']")) for k, a in asides.items()}
    assert titles == {"callout callout-warning": "Calibration drift", "callout callout-note": "Note",
                      "callout callout-caution": "Caution", "callout callout-important": "Safety"}
    div = methods.find(f".//{XHTML}div[@id='site-notes']")
    assert div.get("class") == "field-notes" and div.get("lang") == "nb"
    code = methods.find(f".//{XHTML}pre[@class='sourceCode python']")
    assert code.find(f".//{XHTML}span[@class='kn']").text == "import"
    assert code.find(f".//{XHTML}span[@class='k']").text == "as"
    cell = methods.find(f".//{XHTML}pre[@class='sourceCode r']")
    assert "read.csv" in _text(cell)  # the executable cell, shown as code
    intro = _chapter(out, "introduction")
    tags = {el.tag.replace(XHTML, "") for el in intro.iter() if isinstance(el.tag, str)}
    assert {"dl", "dt", "dd", "sub", "sup", "del"} <= tags
    tasks = [li.get("class") for li in intro.iter(f"{XHTML}li") if "task" in (li.get("class") or "")]
    assert tasks == ["task done", "task done", "task todo"]
    assert intro.find(f".//{XHTML}div[@class='line-block']") is not None
    example = intro.find(f".//{XHTML}ol[@class='example']")
    assert example.get("start") == "1" and len(example) == 2
    assert "as in (2), is dimictic" in _text(intro)
    assert intro.find(f".//{XHTML}span[@class='smallcaps']") is not None
    assert intro.find(f".//{XHTML}abbr") is not None and intro.find(f".//{XHTML}kbd") is not None
    assert "clearpage" not in _text(intro)  # raw LaTeX reaches no edition
    assert "{#" not in _text(intro) and ":::" not in _text(methods)


def test_manubot_url_key_resolves_as_pandoc_resolves_it(quarto):
    refs = _text(_chapter(quarto[1], "references"))
    assert "water quality guidance" in refs.lower()
    intro = _chapter(quarto[1], "introduction")
    assert "U.S. Food and Drug Administration 2023" in _text(intro)


# ------------------------------------------------------------------ PDF


def test_pdf_math_is_vector_formulas_tagged_with_their_tex(quarto):
    import pikepdf

    pdf_path = quarto[1] / f"{SLUG}.pdf"
    text = normalise(" ".join(pdf_pages_text(pdf_path)))
    # No TeX in the text: dollars only where pandoc leaves them (prices, an R data frame).
    assert re.findall(r"\$\S*", text) == ["$20,000", "$30,000", "$5", "$temperature,", "$depth,"]
    assert "\\frac" not in text and "\\partial" not in text
    fonts = subprocess.run([require("pdffonts", "poppler-utils"), str(pdf_path)], capture_output=True,
                           text=True, check=True).stdout
    assert "STIX" not in fonts  # formulas are outlines, not text in a font
    assert "Book-Code" in fonts  # the code role, set in Source Code Pro
    with pikepdf.open(pdf_path) as pdf:
        formulas = []

        def walk(node):
            if isinstance(node, pikepdf.Dictionary) and "/S" in node:
                if node.S == "/Formula":
                    formulas.append(str(node.get("/Alt", "")))
                kids = node.get("/K")
                for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                    walk(kid)
        walk(pdf.Root.StructTreeRoot.K[0])
    assert len(formulas) >= 20
    assert r"\partial T / \partial z" in formulas
    assert all(formulas)


def test_pdf_captions_numbers_and_cross_references(quarto):
    pages = [normalise(p.replace("\u2010\n", "")) for p in pdf_pages_text(quarto[1] / f"{SLUG}.pdf")]
    text = " ".join(pages)
    for expected in ("Figure 2.1: A thermistor chain", "Table 2.1: Sampling sites", "Figure 3.1: Temperature",
                     "Table 3.1: Daily mean temperatures", "(1.1)", "(3.3)", "Equation (1.1) with Equation (1.2)",
                     "see also Section 1.1 and Section 2.2", "Equation (3.1) and (3.2)"):
        assert expected.lower() in text.lower(), expected
    # The long table runs over a page turn and repeats its header row on each page.
    headed = [p for p in pages if "Day Date Surface" in p]
    assert len(headed) >= 2
    assert any(" 60 2023-" in p for p in headed[1:])


def test_no_box_lies_outside_its_page(quarto):
    """Every laid-out box (text, images, formulas, tables, code) inside the page's media box."""
    from book.load import load_book
    from book.publish.layout import layout
    from book.resolve import resolve

    from weasyprint.formatting_structure import boxes

    lay = layout(resolve(load_book(quarto[0])))
    outside = []
    for number, page in enumerate(lay.document.pages, 1):
        width, height = page.width, page.height

        def walk(box):
            if isinstance(box, (boxes.TextBox, boxes.ReplacedBox, boxes.TableBox, boxes.BlockBox)):
                x, y = box.position_x, box.position_y
                w, h = box.margin_width(), box.margin_height()
                if x < -0.5 or y < -0.5 or x + w > width + 0.5 or y + h > height + 0.5:
                    outside.append((number, type(box).__name__, getattr(box, "text", "")[:30], x + w - width))
            for child in getattr(box, "children", ()):
                walk(child)
        walk(page._page_box)
    assert outside == []


def test_handout_keeps_the_books_numbers(quarto):
    """A handout of one chapter numbers its figures, tables and equations as the book does."""
    handout = normalise(" ".join(pdf_pages_text(quarto[1] / "handouts" / "results.pdf")))
    assert "Figure 3.1: Temperature" in handout and "(3.1)" in handout
    assert "Table 3.1: Daily mean" in handout


# ------------------------------------------------------------------ web


def test_web_pages_fit_a_phone_and_show_mathml(quarto, browser):
    out = quarto[1] / "web"
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        for name in ("introduction", "methods", "results"):
            page.goto((out / f"{name}.html").as_uri())
            page.wait_for_load_state("load")
            widths = page.evaluate("() => [document.documentElement.clientWidth, document.documentElement.scrollWidth]")
            assert widths[0] == widths[1] == 390, (name, widths)
        page.goto((out / "introduction.html").as_uri())
        box = page.evaluate("""() => { const m = document.querySelector('#eq-density math');
            const r = m.getBoundingClientRect(); return [r.width, r.height, getComputedStyle(m).fontFamily]; }""")
        assert box[0] > 100 and box[1] > 20 and "Book Math" in box[2]
    finally:
        page.close()


# ------------------------------------------------------------------ numbering through the book


def test_numbering_through_the_book(tmp_path):
    book = copy_fixture("quarto-book", tmp_path)
    config = book / "book.yaml"
    config.write_text(config.read_text().replace("numbering: chapter", "numbering: book")
                      .replace("number-sections: true", "number-sections: false"))
    out = tmp_path / "dist"
    proc = run_build("epub", "--book", str(book), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    methods = _chapter(out, "methods")
    assert _text(methods.find(f".//{XHTML}figure[@id='fig-chain']/{XHTML}figcaption")).startswith("Figure 1:")
    results = _chapter(out, "results")
    assert _text(results.find(f".//{XHTML}figure[@id='fig-profile']/{XHTML}figcaption")).startswith("Figure 2:")
    assert _text(results.find(f".//{XHTML}table[@id='tbl-daily']/{XHTML}caption")).startswith("Table 4:")
    assert _text(results.find(f".//{XHTML}span[@id='eq-budget']/{XHTML}span")) == "(3)"
    # Sections without numbers: a reference names the section.
    preface = _chapter(out, "preface")
    assert "the methods are in Section “Instruments”" in _text(preface)
    assert _text(methods.find(f".//{XHTML}h2[@id='sec-methods']")) == "Instruments"


def test_check_lists_what_reaches_readers_as_typed(quarto):
    proc = run_build("check", "--book", str(quarto[0]))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if ": warning: " in line]
    assert [re.sub(r"^.*?chapters/", "", line) for line in lines] == [
        "introduction.md:80:1: warning: a raw latex block reaches no edition [raw-latex]",
        "methods.md:36:1: warning: the executable cell ```{r} is printed as code and not run [executable-cell]",
    ]
