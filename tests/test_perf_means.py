"""The means that keep builds fast, guarded without timing anything (``make bench`` times them).

* A build without a PDF never imports WeasyPrint (about a second of imports).
* The print edition is laid out once; the archival PDF is joined from the same pieces.
* Editions built side by side in forked processes give the same bytes as in series, and a
  child's error reaches the author as the same error.
* The faster font cleaning embeds the same glyphs as WeasyPrint's own; the cached page
  references are pydyf's.
* Python's cyclic garbage collector is off while WeasyPrint lays out and writes (it walked
  every box of the layout again and again), and on again afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, copy_fixture, require, run_build

PROBE = """
import json, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from book.commands.build import Options, build
build(Options(book=Path({book!r}), out=Path({out!r}), editions=tuple({editions!r})))
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "weasyprint")))
"""


def _weasyprint_modules(book: Path, out: Path, editions: tuple[str, ...]) -> list[str]:
    """The weasyprint modules a fresh process has imported after building ``editions``."""
    code = PROBE.format(root=str(ROOT), book=str(book), out=str(out), editions=list(editions))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def basic(tmp_path_factory) -> Path:
    return copy_fixture("basic", tmp_path_factory.mktemp("perf"))


def test_a_web_build_does_not_import_weasyprint(basic, tmp_path):
    assert _weasyprint_modules(basic, tmp_path / "out", ("web",)) == []


def test_an_epub_build_with_an_unchanged_print_layout_does_not_import_weasyprint(basic, tmp_path):
    out = tmp_path / "out"
    assert "weasyprint" in _weasyprint_modules(basic, out, ("pdf",)), "the probe does see WeasyPrint"
    assert _weasyprint_modules(basic, out, ("epub",)) == [], "the page map should come from the cache"


COUNT_LAYOUTS = """
import sys
sys.path.insert(0, {root!r})
from weasyprint.document import Document
from pathlib import Path
from book.commands.build import Options, build
calls = []
render = Document._render.__func__
def counted(cls, *args, **kwargs):
    calls.append(1)
    return render(cls, *args, **kwargs)
Document._render = classmethod(counted)
build(Options(book=Path({book!r}), out=Path({out!r}), editions={editions!r}, jobs=1))
print(len(calls))
"""


def _layouts(book: Path, out: Path, editions: tuple[str, ...]) -> int:
    """How many WeasyPrint layouts a fresh build of ``editions`` makes (its layout jobs, with
    those laid out again once the pages they refer to are known)."""
    code = COUNT_LAYOUTS.format(root=str(ROOT), book=str(book), out=str(out), editions=editions)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.split()[-1])


def test_the_archival_pdf_is_written_from_the_print_layout(basic, tmp_path):
    """Writing the archival PDF beside the print PDF lays nothing out again: both are joined from
    the same pieces, and their pages hold the same content."""
    from pypdf import PdfReader

    alone = _layouts(basic, tmp_path / "alone", ("pdf",))
    both = _layouts(basic, tmp_path / "out", ("pdf", "archive"))
    assert both == alone > 1
    printed = PdfReader(next((tmp_path / "out").glob("*[!l].pdf")))
    archival = PdfReader(next((tmp_path / "out").glob("*-archival.pdf")))
    assert len(printed.pages) == len(archival.pages) > 1
    for a, b in zip(printed.pages, archival.pages):
        assert a.get_contents().get_data() == b.get_contents().get_data()


def test_the_collector_is_paused_while_weasyprint_works_and_only_then(basic, tmp_path):
    code = f"""
import gc, sys
sys.path.insert(0, {str(ROOT)!r})
from weasyprint.document import Document
from pathlib import Path
from book.commands.build import Options, build
seen = []
render, write = Document._render.__func__, Document.write_pdf
def watched_render(cls, *args, **kwargs):
    seen.append(("layout", gc.isenabled()))
    return render(cls, *args, **kwargs)
def watched_write(self, *args, **kwargs):
    seen.append(("write", gc.isenabled()))
    return write(self, *args, **kwargs)
Document._render, Document.write_pdf = classmethod(watched_render), watched_write
import os
os.environ["BOOK_JOBS"] = "1"
build(Options(book=Path({str(basic)!r}), out=Path({str(tmp_path / 'out')!r}), editions=("pdf",)))
print(sorted(set(seen)), gc.isenabled())
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[('layout', False), ('write', False)] True"


def test_editions_built_side_by_side_are_the_editions_built_in_series(basic, tmp_path):
    side, series = tmp_path / "side", tmp_path / "series"
    said = {}
    for out, jobs in ((side, "2"), (series, "1")):
        proc = run_build("--book", str(basic), "--out", str(out), "-v", env={"BOOK_JOBS": jobs, "CI": "1"})
        assert proc.returncode == 0, proc.stderr
        said[jobs] = proc.stdout + proc.stderr
    assert "beside the print edition" in said["2"] and "beside" not in said["1"]
    sums = (side / "SHA256SUMS").read_text()
    assert {line.split()[1] for line in sums.splitlines()} >= {"the-test-book.pdf", "the-test-book.epub"}
    assert sums == (series / "SHA256SUMS").read_text()
    assert not list(side.glob(".*.tmp")) and not list(side.glob("*/.*.tmp")), "temporary files left behind"


def test_a_forked_job_reports_back_like_the_parent_would(tmp_path):
    """Files a child stages are committed with the build; its BookError is raised as itself;
    a bug comes back with its traceback; a failed child's temporary files are gone."""
    from book.errors import BookError
    from book.publish import Output, parallel
    from book.staging import output_folder, write_atomic

    out = tmp_path / "out"

    def good(receive):
        write_atomic(out / "child.txt", receive().encode())
        return [Output(out / "child.txt", "test")]

    with output_folder(out):
        child = parallel.Forked(good, "a test file")
        child.send("written by the child")
        assert child.result() == [Output(out / "child.txt", "test")]
        assert not (out / "child.txt").exists(), "committed only with the build"
    assert (out / "child.txt").read_text() == "written by the child"

    def mistake(_receive):
        write_atomic(out / "half.txt", b"half")
        raise BookError("a mistake in the book", tmp_path / "book.yaml", 3, 4, "fix it", rule="test")

    def bug(_receive):
        return 1 / 0

    with pytest.raises(BookError) as caught, output_folder(out):
        parallel.Forked(mistake, "a failing file").result()
    assert caught.value.line == 3 and caught.value.hint == "fix it" and type(caught.value) is BookError
    assert not (out / "half.txt").exists() and not list(out.glob(".half.txt.*"))
    with pytest.raises(parallel.ChildError, match="ZeroDivisionError"), output_folder(out):
        parallel.Forked(bug, "a buggy file").result()


def test_a_cancelled_child_is_stopped_and_cleans_up(tmp_path):
    from book.publish import parallel
    from book.staging import output_folder, write_atomic

    out = tmp_path / "out"

    def waits(receive):
        write_atomic(out / "never.txt", b"x")
        receive()  # never sent: the parent fails first
        return []

    with pytest.raises(RuntimeError, match="the parent failed"), output_folder(out):
        child = parallel.Forked(waits, "a waiting file")
        try:
            raise RuntimeError("the parent failed")
        except BaseException:
            child.cancel()
            raise
    assert not list(out.glob(".never.txt.*")) and not (out / "never.txt").exists()


def test_our_font_cleaning_embeds_the_glyphs_weasyprint_would(basic, tmp_path):
    """The same pages, pixel for pixel, with WeasyPrint's own font cleaning and with ours."""
    require("pdftoppm", "poppler-utils")
    from PIL import Image, ImageChops

    code = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from book.commands.build import Options, load_and_resolve
from book.publish import speedups
from book.publish.layout import layout
from weasyprint.pdf import fonts
ms = load_and_resolve(Options(book=Path({str(basic)!r}), out=Path({str(tmp_path)!r})))
lay = layout(ms)
ours = fonts.Font.clean
assert ours is not speedups.WEASYPRINT_CLEAN, "speedups are installed by layout()"
lay.document.write_pdf({str(tmp_path / 'ours.pdf')!r})
fonts.Font.clean = speedups.WEASYPRINT_CLEAN
lay2 = layout(ms)
lay2.document.write_pdf({str(tmp_path / 'theirs.pdf')!r})
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for name in ("ours", "theirs"):
        subprocess.run(["pdftoppm", "-r", "110", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
                       check=True)
    ours = sorted(tmp_path.glob("ours-*.png"))
    assert ours and len(ours) == len(list(tmp_path.glob("theirs-*.png")))
    for page in ours:
        theirs = page.with_name(page.name.replace("ours-", "theirs-"))
        a, b = Image.open(page).convert("RGB"), Image.open(theirs).convert("RGB")
        assert ImageChops.difference(a, b).getbbox() is None, f"{page.name} differs"
    # And ours is smaller than the variable font: it was subset and instanced.
    pdffonts = subprocess.run(["pdffonts", str(tmp_path / "ours.pdf")], capture_output=True, text=True).stdout
    assert "CID TrueType" in pdffonts and " yes yes yes " in pdffonts


def test_cached_page_references_are_pydyfs():
    import pydyf

    from book.publish import speedups
    speedups.install()
    pdf = pydyf.PDF()
    seen = []
    for _ in range(5):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        pdf.add_object(pydyf.Dictionary({}))
        seen.append(pdf.page_references)
        assert pdf.page_references == speedups.PYDYF_PAGE_REFERENCES.fget(pdf)
    assert [len(refs) for refs in seen] == [1, 2, 3, 4, 5]


def _nodes(node, out: list, seen: dict | None = None) -> list:
    """Every node of a composed YAML tree with its kind, tag, start mark and scalar value; an
    alias (a node met again) as the number of its first visit, so that a bomb is not expanded."""
    import yaml
    seen = {} if seen is None else seen
    if id(node) in seen:
        out.append(("alias", seen[id(node)]))
        return out
    seen[id(node)] = len(seen)
    out.append((type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column,
                node.value if isinstance(node, yaml.ScalarNode) else None))
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _nodes(child, out, seen)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _nodes(key, out, seen)
            _nodes(value, out, seen)
    return out


def _yaml_documents() -> list[tuple[str, str]]:
    """book.yaml, bibliographies and front matter of the sample book and every fixture."""
    import re
    docs = []
    for path in sorted([*(ROOT / "content").rglob("*"), *(ROOT / "tests" / "fixtures").rglob("*")]):
        if path.suffix in (".yaml", ".yml"):
            docs.append((str(path), path.read_text(encoding="utf-8", errors="replace")))
        elif path.suffix == ".md":
            front = re.match(r"---\n(.*?\n)---\n", path.read_text(encoding="utf-8", errors="replace"), re.S)
            if front:
                docs.append((str(path), front.group(1)))
    return docs


def test_yaml_is_composed_by_libyaml_into_the_same_nodes_as_the_pure_parser():
    """Book files and bibliographies are composed by libyaml (about ten times faster); its nodes
    carry the same marks, tags and values, so every line number an author is shown is unchanged.
    What libyaml refuses is parsed again by the pure-Python parser, whose words the errors keep."""
    import yaml

    from book.load.yamlsrc import libyaml_compose, parse_yaml
    assert yaml.__with_libyaml__, "PyYAML was built without libyaml: pip install --force-reinstall pyyaml"
    docs = _yaml_documents()
    assert len(docs) > 30
    composed = 0
    for name, text in docs:
        fast = libyaml_compose(text)
        try:
            pure = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            assert fast is None, name  # libyaml must not accept what the pure parser refuses
            continue
        assert fast is not None, name
        composed += 1
        assert (fast[1] is None) == (pure is None), name
        if pure is not None:
            assert _nodes(fast[1], []) == _nodes(pure, []), name
    assert composed > 30

    from book.errors import BookError
    with pytest.raises(BookError) as caught:
        parse_yaml("title: A\nauthors:\n\t- B\n", Path("book.yaml"))
    assert caught.value.line == 3 and "found character '\\t' that cannot start any token" in caught.value.message


def test_templates_compiled_ahead_are_read_as_they_are_never_stale_never_written(tmp_path):
    """``make`` compiles the templates into Jinja's bytecode cache (``python -m book.commands.precompile``);
    a build reads the cache instead of compiling (about 0.1 s a build), compiles a template whose
    source changed since, and writes nothing into the engine's folder."""
    import shutil

    from book.render.templates import environment
    from book.resources import TEMPLATES
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates, ignore=shutil.ignore_patterns("__pycache__"))
    fresh = environment.__wrapped__  # not lru_cached: each call is a new process's environment
    name = "ebook/container.xml"

    ahead = fresh(templates)
    ahead.bytecode_cache.writing = True
    before = ahead.get_template(name).render()
    cache = sorted((templates / "__pycache__").iterdir())
    assert len(cache) == 1
    written = cache[0].read_bytes()

    reader = fresh(templates)

    def no_compiling(*_args, **_kwargs):
        raise AssertionError("compiled although the cache holds the template")
    reader.compile = no_compiling
    assert reader.get_template(name).render() == before  # from the cache

    source = templates / name
    source.write_text(source.read_text(encoding="utf-8") + "<!-- edited after make -->\n", encoding="utf-8")
    assert fresh(templates).get_template(name).render() == before + "<!-- edited after make -->\n"
    assert sorted((templates / "__pycache__").iterdir()) == cache and cache[0].read_bytes() == written


LIBRARIES = """
import ctypes.util, json, os, subprocess, sys
sys.path.insert(0, {root!r})
original = ctypes.util.find_library
runs = []
real_popen = subprocess.Popen.__init__
def counting(self, args, *rest, **kw):
    runs.append(os.path.basename(str(args[0] if isinstance(args, (list, tuple)) else args).split()[0]))
    real_popen(self, args, *rest, **kw)
subprocess.Popen.__init__ = counting
if sys.argv[1] == "ours":
    from book.publish.speedups import import_weasyprint
    import_weasyprint()
else:
    import weasyprint
assert ctypes.util.find_library is original
with open("/proc/self/maps") as maps:
    paths = {{line.split()[-1] for line in maps if ".so" in line}}
print(json.dumps([sorted(p for p in paths if any(n in p for n in ("gobject", "pango", "harfbuzz", "fontconfig"))),
                  sorted(set(runs))]))
"""


def test_weasyprint_is_imported_with_the_same_libraries_without_the_failed_lookups():
    """``import_weasyprint`` skips the gcc and ld runs of ``find_library`` for the names nothing
    finds (0.3 s a process); the libraries in the process are the very same files, and
    ``find_library`` is ctypes' own again afterwards."""
    loaded = {}
    for way in ("ours", "plain"):
        proc = subprocess.run([sys.executable, "-c", LIBRARIES.format(root=str(ROOT)), way],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        loaded[way] = json.loads(proc.stdout.strip().splitlines()[-1])
    (ours, ours_runs), (plain, plain_runs) = loaded["ours"], loaded["plain"]
    assert ours == plain
    assert any("libpango-1.0" in p for p in ours) and any("libharfbuzz" in p for p in ours)
    assert {"gcc", "ld"} & set(plain_runs), plain_runs  # what the plain import spends its time on
    assert set(ours_runs) <= {"ldconfig"}, ours_runs
