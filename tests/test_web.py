"""The web edition of the sample book, read by the W3C validator and by a real browser from the file system."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import copy_fixture, run_build, vnu_jar
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def web(tmp_path_factory) -> Path:
    """content/ built once for this module, web edition only."""
    out = tmp_path_factory.mktemp("web")
    proc = run_build("web", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out / "web"


def url(web: Path, page: str) -> str:
    return (web / page).as_uri()


def arrives(page, ending: str) -> None:
    """Following a link is a navigation the browser may finish after the click or key event returns:
    wait for the address to end so (for up to 5 s), rather than race it."""
    expect(page).to_have_url(re.compile(re.escape(ending) + "$"), timeout=5000)


def test_every_page_and_the_stylesheet_pass_the_nu_html_checker(web, tmp_path):
    pages = sorted(str(p) for p in web.glob("*.html"))
    assert len(pages) == 26  # contents, 22 chapters, references, index, search: nothing missing
    basic = copy_fixture("basic", tmp_path)  # footnotes, figures, parts: what the sample book lacks
    assert run_build("web", "--book", str(basic), "--out", str(tmp_path / "dist")).returncode == 0
    pages += sorted(str(p) for p in (tmp_path / "dist" / "web").glob("*.html"))
    proc = subprocess.run(["java", "-jar", str(vnu_jar()), "--also-check-css", *pages,
                           str(web / "assets" / "book.css")], capture_output=True, text=True, timeout=300)
    # Not an error, not a warning, not even an info message.
    assert proc.returncode == 0 and proc.stdout + proc.stderr == "", proc.stdout + proc.stderr


def test_pages_have_language_landmarks_and_a_skip_link(web):
    for page in web.glob("*.html"):
        html = page.read_text()
        assert '<html lang="en" dir="ltr">' in html
        assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
        for landmark in ("<header", "<nav class=\"sidebar\" id=\"toc\" aria-label=\"Contents\">", "<footer", "role=\"search\""):
            assert landmark in html, (page.name, landmark)
        assert "live-reload" not in html  # the preview's script never reaches the published edition
        assert not re.search(r'<(script|link|img|source)\b[^>]*\b(src|href)="(https?:)?//', html), page.name


def test_nothing_is_fetched_but_the_edition_itself(web, browser):
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(url(web, "munich.html"))
    page.wait_for_load_state("load")
    page.goto(url(web, "search.html") + "?q=treaty")
    page.wait_for_selector("#search-results li")
    assert requested and all(u.startswith(web.as_uri()) for u in requested), requested
    # The fonts load after the page does: ask once they are ready, rather than race them.
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.check('16px \"Book Garamond\"'))")
    assert page.evaluate("document.fonts.ready.then(() => [...document.fonts].some("
                         "f => f.family.includes('Book Garamond') && f.status === 'loaded'))")


def test_contents_to_chapter_citation_to_bibliography_and_back(web, browser):
    page = browser.new_page()
    page.goto(url(web, "index.html"))
    page.click(".contents a:has-text('Spanish Civil War')")
    arrives(page, "/spanish-civil-war.html")
    assert page.inner_text("h1") == "Spanish Civil War (1936–39)"

    citation = page.locator("a.citation").first
    cite_id = citation.get_attribute("id")
    target = citation.get_attribute("href")
    assert cite_id and target.startswith("references.html#ref-")
    citation.click()
    arrives(page, "/" + target)
    entry = page.locator(f"#{target.split('#')[1]}")
    assert entry.is_visible()
    assert page.evaluate("document.querySelector(':target').id") == target.split("#")[1]

    entry.locator(f"a[href='spanish-civil-war.html#{cite_id}']").click()
    arrives(page, f"/spanish-civil-war.html#{cite_id}")
    assert page.locator(f"#{cite_id}").is_visible()
    assert page.evaluate("(() => { const r = document.querySelector(':target').getBoundingClientRect();"
                         " return r.top >= 0 && r.bottom <= innerHeight; })()")


def test_footnotes_link_both_ways(tmp_path, browser):
    book = copy_fixture("basic", tmp_path)  # the sample book has no footnotes
    proc = run_build("web", "--book", str(book), "--out", str(tmp_path / "dist"))
    assert proc.returncode == 0, proc.stderr
    page = browser.new_page()
    page.goto(url(tmp_path / "dist" / "web", "alpha.html"))
    call = page.locator("a.noteref").first
    call_id = call.get_attribute("id")
    call.click()
    arrives(page, call.get_attribute("href"))
    note_id = page.evaluate("document.querySelector(':target').id")
    assert note_id.startswith("fn-")
    page.locator(f"#{note_id} a.note-back").click()
    arrives(page, "#" + call_id)


def test_search_a_word_from_the_middle_of_the_book_lands_on_its_chapter(web, browser):
    page = browser.new_page()
    page.goto(url(web, "introduction.html"))
    page.fill("#site-search-q", "sudetenland")
    page.press("#site-search-q", "Enter")
    page.wait_for_selector("#search-results li")
    assert "search.html?q=sudetenland" in page.url
    assert page.locator("#search-results li").count() == 1
    assert page.inner_text("#search-results mark").lower() == "sudetenland"
    page.click("#search-results li a")
    expect(page).to_have_url(re.compile(r"/munich\.html(#[\w-]+)?$"))
    assert page.inner_text("h1") == "Munich (1938)"
    assert "Sudetenland" in page.inner_text("main")


def test_search_folds_accents_and_needs_every_word(web, browser):
    page = browser.new_page()
    page.goto(url(web, "search.html") + "?q=vinas")  # the reference list has Viñas
    page.wait_for_selector("#search-results li")
    assert "Viñas" in page.inner_text("#search-results")
    page.fill("#search-input", "vinas zzzznotaword")
    page.wait_for_selector("text=Nothing found")


@pytest.mark.parametrize("width", [390, 1280])
def test_layout_fits_the_window_from_phone_to_desktop(web, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    for name in ("index.html", "two-track-policy.html", "references.html", "search.html"):
        page.goto(url(web, name))
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    text_left = page.evaluate("document.querySelector('main').getBoundingClientRect().left")
    toc = page.evaluate("(() => { const r = document.querySelector('#toc').getBoundingClientRect();"
                        " return [r.left, r.top]; })()")
    main_top = page.evaluate("document.querySelector('main').getBoundingClientRect().top")
    if width < 600:  # phone: the text first, the contents after it, reachable from the header
        assert toc[1] > main_top and page.is_visible("a.toc-jump")
    else:  # desktop: the contents beside the text
        assert toc[0] < text_left and not page.is_visible("a.toc-jump")


def test_fonts_are_woff_files_with_the_pinned_fonts_own_tables(web):
    """WOFF compresses each table and changes nothing in it: the glyphs, kerning and variation
    axes a reader's browser draws with are the pinned fonts', in less than half the bytes."""
    from fontTools.ttLib import TTFont

    from book.fonts import fonts
    css = (web / "assets" / "book.css").read_text()
    total_ttf = total_woff = 0
    for font in fonts():
        served = web / "assets" / "fonts" / Path(font.name).with_suffix(".woff").name
        assert f'src: url("fonts/{served.name}") format("woff")' in css
        woff, ttf = TTFont(str(served), lazy=True), TTFont(str(font.path), lazy=True)
        assert woff.flavor == "woff" and sorted(woff.keys()) == sorted(ttf.keys())
        for tag in ttf.keys():
            if tag != "GlyphOrder":
                assert woff.reader[tag] == ttf.reader[tag], (font.name, tag)
        total_ttf += font.path.stat().st_size
        total_woff += served.stat().st_size
    assert not list((web / "assets" / "fonts").glob("*.ttf"))
    assert total_woff < 0.5 * total_ttf


def test_print_stylesheet_keeps_only_the_text(web, browser):
    page = browser.new_page()
    page.goto(url(web, "rapallo.html"))
    page.emulate_media(media="print")
    for hidden in ("#toc", ".site-header", ".pager"):
        assert not page.is_visible(hidden), hidden
    assert page.is_visible("main h1")


def test_skip_link_is_the_first_stop_and_shows_when_focused(web, browser):
    page = browser.new_page()
    page.goto(url(web, "rapallo.html"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0
    page.keyboard.press("Enter")
    # Following the link is a navigation the browser finishes after the key event: wait for it, not race it.
    arrives(page, "#main")


def test_the_web_edition_is_byte_reproducible(web, tmp_path):
    proc = run_build("web", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    ours = {p.relative_to(web): p.read_bytes() for p in web.rglob("*") if p.is_file()}
    again = {p.relative_to(tmp_path / "web"): p.read_bytes() for p in (tmp_path / "web").rglob("*") if p.is_file()}
    assert ours == again


def test_build_reports_the_web_folder_with_size_and_pages(tmp_path):
    proc = run_build("web", "--out", str(tmp_path), env={"CI": "true"})
    assert proc.returncode == 0, proc.stderr
    assert re.search(rf"^web\s+\S*{re.escape(tmp_path.name)}/web/\s+[\d.]+ MB\s+26 pages$", proc.stderr, re.M), \
        proc.stderr
