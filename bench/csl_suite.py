"""``make csl-suite``: our citation processor against the official CSL test suite.

The suite is ``citation-style-language/test-suite`` (845 fixtures in
``processor-tests/humans/``, each a style, CSL-JSON items, citations and the
expected output of citeproc-js).  It has no licence, so it is not part of
this repository: point ``CSL_TEST_SUITE`` at a checkout of it::

    git clone https://github.com/citation-style-language/test-suite /path/to/csl-test-suite
    CSL_TEST_SUITE=/path/to/csl-test-suite make csl-suite

``python bench/csl_suite.py [NAME-FRAGMENT ...] [--show] [--failures FILE]``
runs every fixture (or those whose name contains a fragment) through
:func:`book.resolve.cite.format.format_citations`, prints passed / failed / errored
per family (the part of the name before ``_``) and in total, and writes the
names of the fixtures not passed, with expected and actual output, to
``FILE`` (default ``/tmp/csl-failures.txt``).  ``--show`` prints each
difference as well.

How a fixture becomes a call (what citeproc-js's own harness does):

- ``INPUT`` (an item without ``id`` gets ``ITEM-n``, as in citeproc-js's
  harness) is written to a ``.json`` file and loaded with
  :func:`book.resolve.cite.bibliography.load_bibliography`, exactly as a book's
  CSL-JSON bibliography is; ``CSL`` to a ``.csl`` file loaded with
  :func:`book.resolve.cite.format.load_style`; the locale is the style's
  ``default-locale`` (else ``en-US``).
- ``CITATION-ITEMS``: each inner list is one citation, the n-th in note n;
  every item of ``INPUT`` is registered (``nocite``), as citeproc-js
  registers them all before making the clusters.
- ``CITATIONS``: the word-processor session is replayed: each step inserts
  (or replaces, by ``citationID``) a citation between the ones it lists before
  and after it, with the note numbers given; the final document is formatted.
- Neither: one citation of all items in the order of the reference list, as
  citeproc-js's harness takes them from its registry (``citation`` mode), or a
  reference list of all items (``bibliography`` mode).
- Output: citations one per line; a reference list in citeproc-js's
  ``<div class="csl-bib-body">`` / ``<div class="csl-entry">`` wrapper.
  Notes are not capitalised (that is pandoc's habit, which the book follows;
  the suite tests the style alone).

The comparison is strict, after this normalisation of both sides and nothing
more:

1. the ``>>[n]`` / ``..[n]`` markers of ``CITATIONS`` results are dropped;
2. character references are resolved (``&#38;``, ``&amp;`` and ``&`` are
   the same text);
3. ``style="…;"`` equals ``style="…"`` (a trailing semicolon);
4. our links (``<a href>`` to URLs, DOIs and entries) and our citation
   wrapper ``<span class="citation">`` are removed — the suite's output
   format has neither;
5. whitespace next to a block tag (``<div …>``, ``</div>``) is dropped, as a
   browser drops it, and the whole result is stripped.

Case, punctuation, spaces inside text, quotation marks and dashes are
compared as they are.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import tempfile
import time
import traceback
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from book.resolve.cite.bibliography import load_bibliography  # noqa: E402
from book.resolve.cite.format import format_citations, load_style  # noqa: E402
from book.resolve.cite.syntax import Citation, CiteItem  # noqa: E402

ENV = "CSL_TEST_SUITE"
HOW_TO_GET = f"""\
The CSL test suite is not part of this repository (it has no licence).  Get it and name its folder:

    git clone https://github.com/citation-style-language/test-suite /path/to/csl-test-suite
    {ENV}=/path/to/csl-test-suite make csl-suite
"""

_SECTION = re.compile(r">>=+\s*([A-Z-]+)\s*=+>>\r?\n(.*?)\r?\n<<=+\s*\1\s*=+<<", re.S)


@dataclass
class Fixture:
    name: str
    path: Path
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def family(self) -> str:
        return self.name.split("_", 1)[0]

    def json(self, section: str) -> Any:
        return json.loads(self.sections[section]) if section in self.sections else None


def read_fixture(path: Path) -> Fixture:
    text = path.read_text(encoding="utf-8-sig")
    return Fixture(path.stem, path, {m.group(1): m.group(2) for m in _SECTION.finditer(text)})


# --- running one fixture ----------------------------------------------------------

def _cite_item(raw: dict[str, Any]) -> CiteItem:
    locator = str(raw["locator"]) if raw.get("locator") not in (None, "") else ""
    return CiteItem(
        key=str(raw["id"]),
        prefix=raw.get("prefix") or "",
        suffix=raw.get("suffix") or "",
        locator=locator,
        label=(raw.get("label") or "page") if locator else "",
        suppress_author=bool(raw.get("suppress-author")),
        author_in_text=bool(raw.get("author-only")),
    )


def _session(steps: list[Any]) -> list[Citation]:
    """Replay ``CITATIONS``: the document's citations in their final order,
    each with its note number."""
    texts: dict[str, list[dict[str, Any]]] = {}
    notes: dict[str, int] = {}
    order: list[str] = []
    for citation, before, after in steps:
        cid = citation["citationID"]
        texts[cid] = citation["citationItems"]
        notes[cid] = int(citation.get("properties", {}).get("noteIndex") or 0)
        for other, note in [*before, *after]:
            notes[other] = int(note or 0)
        order = [c for c, _ in before] + [cid] + [c for c, _ in after]
    return [Citation(tuple(_cite_item(i) for i in texts[c]), note=notes[c]) for c in order]


def run_fixture(fixture: Fixture, workdir: Path) -> str:
    """Our output for the fixture, in the suite's format."""
    folder = workdir / fixture.name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "style.csl").write_text(fixture.sections["CSL"], encoding="utf-8")
    items = json.loads(fixture.sections["INPUT"])
    for number, item in enumerate(items):
        item.setdefault("id", f"ITEM-{number + 1}")  # as citeproc-js's harness does
    (folder / "items.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    bib = load_bibliography([folder / "items.json"])
    style = load_style("style.csl", folder)
    locale = re.search(r'<style\b[^>]*\bdefault-locale="([^"]+)"', fixture.sections["CSL"])
    lang = locale.group(1) if locale else "en-US"
    mode = fixture.sections["MODE"].strip()
    every = [str(i["id"]) for i in items]
    nocite: list[str] = []
    if "CITATIONS" in fixture.sections:
        citations = _session(fixture.json("CITATIONS"))
    elif "CITATION-ITEMS" in fixture.sections:
        citations = [Citation(tuple(_cite_item(i) for i in c), note=n + 1)
                     for n, c in enumerate(fixture.json("CITATION-ITEMS"))]
        nocite = every
    elif mode == "citation":
        # citeproc-js's harness makes this citation from its registry, in the reference list's order
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            listed = [r.key for r in format_citations(bib, style, [], every, lang=lang).references]
        ordered = listed + [k for k in every if k not in listed]
        citations = [Citation(tuple(CiteItem(k) for k in ordered), note=1)]
    else:
        citations, nocite = [], every
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = format_citations(bib, style, citations, nocite, lang=lang, capitalize_notes=False)
    if mode == "citation":
        return "\n".join(result.citations)
    lines = ['<div class="csl-bib-body">']
    lines += [f'  <div class="csl-entry">{r.html}</div>' for r in result.references]
    lines.append("</div>")
    return "\n".join(lines)


# --- comparison -----------------------------------------------------------------

_MARKER = re.compile(r"^(?:>>|\.\.)\[\d+\] ?", re.M)
_STYLE_SEMI = re.compile(r'(style="[^"]*?);"')
_LINK = re.compile(r"</?a\b[^>]*>")
_WRAPPER = re.compile(r'^<span class="citation" data-cites="[^"]*">(.*)</span>$', re.M)
_BLOCK_SPACE = re.compile(r"\s*(</?div\b[^>]*>)\s*")


def normalise(text: str, ours: bool) -> str:
    if ours:
        text = _WRAPPER.sub(r"\1", text)
        text = _LINK.sub("", text)
    else:
        text = _MARKER.sub("", text)
    text = _STYLE_SEMI.sub(r'\1"', text)
    text = _BLOCK_SPACE.sub(r"\1", text)
    text = html.unescape(text)
    return text.strip()


# --- the whole suite --------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only fixtures whose name contains one of these")
    parser.add_argument("--show", action="store_true", help="print expected and actual output of each failure")
    parser.add_argument("--failures", default="/tmp/csl-failures.txt", help="where to write the failures")
    args = parser.parse_args(argv)
    suite = os.environ.get(ENV, "")
    humans = Path(suite) / "processor-tests" / "humans"
    if not suite or not humans.is_dir():
        print(f"{ENV} is {'unset' if not suite else repr(suite) + ', which has no processor-tests/humans'}.\n")
        print(HOW_TO_GET)
        return 2
    paths = sorted(humans.glob("*.txt"))
    if args.names:
        paths = [p for p in paths if any(n.lower() in p.stem.lower() for n in args.names)]
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    report: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="csl-suite-") as tmp:
        for path in paths:
            fixture = read_fixture(path)
            expected = normalise(fixture.sections.get("RESULT", ""), ours=False)
            try:
                actual = normalise(run_fixture(fixture, Path(tmp)), ours=True)
            except Exception as exc:  # noqa: BLE001 (an error is a result here)
                counts[fixture.family][2] += 1
                detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                report.append(f"=== ERRORED {fixture.name}\n{detail}\n")
                if args.show:
                    print(report[-1])
                continue
            if actual == expected:
                counts[fixture.family][0] += 1
            else:
                counts[fixture.family][1] += 1
                report.append(f"=== FAILED {fixture.name}\n--- expected\n{expected}\n--- actual\n{actual}\n")
                if args.show:
                    print(report[-1])
    print(f"{'family':<15} {'passed':>6} {'failed':>6} {'errored':>7} {'total':>6}")
    total = [0, 0, 0]
    for family in sorted(counts):
        passed, failed, errored = counts[family]
        total = [total[0] + passed, total[1] + failed, total[2] + errored]
        print(f"{family:<15} {passed:>6} {failed:>6} {errored:>7} {passed + failed + errored:>6}")
    runs = sum(total)
    print(f"{'all':<15} {total[0]:>6} {total[1]:>6} {total[2]:>7} {runs:>6}"
          f"   {100 * total[0] / max(runs, 1):.1f} % passed in {time.perf_counter() - started:.0f} s")
    Path(args.failures).write_text("\n".join(report), encoding="utf-8")
    print(f"failures written to {args.failures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
