"""One job of the print edition laid out by WeasyPrint, and written as a PDF piece.

:func:`lay_out` lays a job's HTML (:mod:`.jobs`) out in two steps, in
whichever process runs it (:mod:`.workers`):

1. **Paginate**, with the page counter the build expects on its lead-in
   page and the page numbers it expects for anchors of other jobs (seeded into
   WeasyPrint's target collector, so that ``target-counter()`` prints them as
   in the whole book). The pause (:mod:`.jobhooks`) reports where the pages
   break (:class:`~.jobdata.Pagination`) and asks the build what to do: go on,
   or start again with other numbers.
2. **Finish**: shift the page counters to the job's place in the book, carry
   in the named strings of the pages before it (the book's title, the running
   head), make the margin boxes, and write the job's own pages (with the blank
   verso before them when the book needs it) as a tagged PDF piece for
   :mod:`.join`, with no font program in it.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Callable

from .jobdata import FontUse, Finish, JobSpec, Pagination, PieceInfo
from . import repair
from .layout import BOOK_ROOT, confined_fetcher, weasyprint_warnings
from .speedups import collector_paused

Decide = Callable[[Pagination], "Finish | JobSpec"]
"""What the build answers a paginated job: how to finish, or a job spec to lay out instead."""


class Restart(Exception):
    """The build asked for the job to be laid out again, from ``spec``."""

    def __init__(self, spec: JobSpec) -> None:
        super().__init__(spec.number)
        self.spec = spec


class Refused(Exception):
    """The job's HTML asked for a file outside the book."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class Repair(Exception):
    """The job is laid out again with these repairs (:mod:`.repair`)."""

    def __init__(self, repairs) -> None:
        super().__init__(len(repairs.keep), len(repairs.spacing))
        self.repairs = repairs


def lay_out(spec: JobSpec, decide: Decide) -> PieceInfo:
    """Lay ``spec`` out, ask ``decide`` once paginated, and write the piece where the answer says.
    Paginated, a job whose hyphens fall badly is laid out again first (:mod:`.repair`), as a
    document laid out at once would be (:func:`book.publish.layout.layout`)."""
    done, rounds = repair.Repairs(), 0
    while True:
        try:
            return _attempt(spec, decide, done, rounds)
        except Restart as restart:
            spec, done, rounds = restart.spec, repair.Repairs(), 0
        except Repair as more:
            done, rounds = more.repairs, rounds + 1


def job_html(spec: JobSpec) -> str:
    """The job's HTML with its lead-in page's counter and side (the first job has no lead-in)."""
    if spec.number == 0:
        return spec.html
    rules = f"@page :first {{ counter-reset: page {spec.lead_counter}; }}"
    if spec.lead_left:
        rules += " html { break-before: left; }"
    at = spec.html.index("</head>")
    return spec.html[:at] + f"<style>{rules}</style>\n" + spec.html[at:]


def _attempt(spec: JobSpec, decide: Decide, done=None, rounds: int = repair.ROUNDS) -> PieceInfo:
    from .weasy import prepare_weasyprint
    weasyprint = prepare_weasyprint()
    from weasyprint import DEFAULT_OPTIONS

    refused: list[str] = []
    done = done or repair.Repairs()
    state: dict = {"rounds": rounds if spec.repair else repair.ROUNDS, "done": done}
    document_class = _job_document(spec, decide, state)
    source = repair.apply(repair.number_blocks(job_html(spec)), done)
    html = weasyprint.HTML(string=source, base_url=f"file:///{BOOK_ROOT}/",
                           url_fetcher=confined_fetcher(Path(spec.root), tuple(map(Path, spec.roots)), spec.faces,
                                                        refused, spec.shipped))
    with weasyprint_warnings() as warnings, collector_paused():
        document = document_class._render(html, _own_folder(shared_fonts()), None, None, dict(DEFAULT_OPTIONS))
        if refused:
            raise Refused(refused[0])
        pagination, finish = state["pagination"], state["finish"]
        start = pagination.first - 1 if finish.keep_blank else pagination.first
        kept = document.pages[start:]
        for page in kept:
            page._book_job = True  # links to other jobs' anchors are kept (jobhooks)
        piece = document.copy(kept)
        _write(piece, spec, finish.pdf)
    return PieceInfo(
        spec.number, spec.key, finish.pdf, len(kept), (), pagination, finish,
        bookmarks=_bookmarks(kept), **_page_map(kept, spec.units), fonts=_fonts(piece, Path(spec.cache)),
        blanks=tuple(i for i, page in enumerate(kept) if page._page_box.page_type.blank), warnings=tuple(warnings))


@functools.lru_cache(maxsize=1)
def shared_fonts():
    """The font configuration every job laid out in this process shares: the pinned fonts loaded
    once, the jobs' stylesheets parsed once (:mod:`.jobhooks`), Pango's caches kept warm."""
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    config._book_stylesheets = {}
    config._book_pid = os.getpid()
    return config


def drop_own_fonts() -> None:
    """Remove the fonts folder this process made (a worker, before it leaves by ``os._exit``)."""
    if shared_fonts.cache_info().currsize:
        config = shared_fonts()
        if getattr(config, "_book_pid", None) == os.getpid() and config._folder is not None:
            import shutil

            shutil.rmtree(config._folder, ignore_errors=True)


def _own_folder(config):
    """The shared configuration with a folder of this process's own for the fonts it adds.
    WeasyPrint writes each ``@font-face`` into the configuration's folder; workers forked from a
    process that had made it would write the same files there side by side, and one would map a
    file the other is still writing (a bus error)."""
    if getattr(config, "_book_pid", None) != os.getpid():
        from tempfile import mkdtemp

        config._folder = Path(mkdtemp(prefix="weasyprint-")) if config._folder is not None else None
        config._book_pid = os.getpid()
    return config


def _job_document(spec: JobSpec, decide: Decide, state: dict):
    """A WeasyPrint ``Document`` class whose layout knows the seeds and pauses before the margins."""
    from weasyprint.css.targets import TargetLookupItem
    from weasyprint.document import Document

    seeds = dict(spec.seeds)

    class JobDocument(Document):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.fonts = _Placeholders()

        @classmethod
        def _build_layout_context(cls, *args, **kwargs):
            context = super()._build_layout_context(*args, **kwargs)
            targets = context.target_collector
            for name, value in seeds.items():
                item = TargetLookupItem("up-to-date")
                item.target_box = _Elsewhere()
                item.page_maker_index = -1  # never on a page of this layout
                item.cached_page_counter_values = {"page": [value]}
                targets.target_lookup_items[name] = item
            looked: set[str] = set()
            lookup = targets.lookup_target

            def recording(anchor_token, source_box, css_token, parse_again):
                looked.add(_anchor_name(anchor_token, source_box))
                return lookup(anchor_token, source_box, css_token, parse_again)
            targets.lookup_target = recording
            context._book_page_types = {}
            context._book_pause = lambda ctx: _pause(ctx, spec, seeds, looked, decide, state)
            return context

    return JobDocument


def _anchor_name(anchor_token, source_box) -> str:
    """The anchor a ``target-*()`` function names, as WeasyPrint's lookup reads it."""
    from weasyprint.css.targets import anchor_name_from_token
    from weasyprint.urls import get_url_tuple

    if anchor_token[0] == "attr()":
        attr_name, kind, fallback = anchor_token[1]
        value = source_box.element.get(attr_name, fallback)
        anchor_token = ("string", value) if kind == "string" else ("url", get_url_tuple(value, source_box.style.base_url))
    return anchor_name_from_token(anchor_token) or ""


class _Elsewhere:
    """The target box of an anchor laid out by another job: no counters of its own, no text."""

    cached_counter_values: dict = {}

    def extract_text(self, *_args) -> str:
        return ""


class _Placeholders(dict):
    """A document's fonts, each marked to be embedded without its program (the join embeds it)."""

    def __setitem__(self, key, font) -> None:
        font._book_placeholder = True
        super().__setitem__(key, font)


def _pause(context, spec: JobSpec, seeds: dict, looked: set, decide: Decide, state: dict) -> None:
    """Between pagination and margin boxes: report, hear the build, place the job in the book."""
    makers = context.page_maker
    count = len(makers) - 1
    types = context._book_page_types
    counters = [makers[i + 1][3][1].get("page", [0])[-1] for i in range(count)]
    resets = []
    for i in range(count):
        style = context.style_for(types[i + 1])
        resets.append(any(name == "page" for prop in ("counter_reset", "counter_set")
                          for name, _value in (style[prop] if style[prop] not in ("none", "auto") else ())))
    anchors = [tuple(makers[i][4]["anchors"]) for i in range(count)]
    first = next((i for i, here in enumerate(anchors) if spec.anchor in here), None)
    if first is None:
        raise RuntimeError(f"the job's anchor #{spec.anchor} is on none of its pages")
    if state["rounds"] < repair.ROUNDS:  # its own pages, not the lead-in:
        better = repair.next_round(context._book_pages[first:], state["done"], state["rounds"])
        if better is not None:
            raise Repair(better)
    strings = []
    for i in range(count):
        here = []
        for name, pages in sorted(context.string_set.items()):
            if pages.get(i + 1):
                here.append((name, pages[i + 1][-1]))
        strings.append(tuple(here))
    defined = {name for name in looked if name not in seeds}
    pagination = Pagination(
        spec.number, spec.key, count, first,
        blank_before=first > 0 and types[first].blank, side=types[first + 1].side,
        counters=tuple(counters), resets=tuple(resets), anchors=tuple(anchors), strings=tuple(strings),
        used=tuple(sorted((name, seeds[name]) for name in looked if name in seeds)),
        inside=bool(defined), lead_counter=spec.lead_counter, lead_left=spec.lead_left)
    answer = decide(pagination)
    if isinstance(answer, JobSpec):
        raise Restart(answer)
    start = first - 1 if answer.keep_blank else first
    context._book_dropped = start  # pages before it are not printed: no margin boxes for them
    for i in range(count):
        if i >= start and resets[i]:
            break
        values = makers[i + 1][3][1]
        values["page"] = [*values.get("page", [0])[:-1], counters[i] + answer.shift]
    for name, value in answer.strings:
        if not context.string_set[name].get(1):
            context.string_set[name][1] = [value]
    state["pagination"], state["finish"] = pagination, answer


def _write(piece, spec: JobSpec, target: str) -> None:
    """The piece as a tagged PDF: the book's bleed box, only the pinned fonts, every annotation
    printable (PDF/A asks it), table header ids unique across pieces."""
    from .finishers import bleed_box, pinned_fonts_only

    bleed = bleed_box(spec.bleed_mm)
    prefix = spec.key[:8] + "-"

    def finisher(document, pdf) -> None:
        import pydyf
        pinned_fonts_only(document, pdf)
        bleed(document, pdf)
        for obj in pdf.objects:
            if not isinstance(obj, dict):
                continue
            kind = obj.get("Type")
            if kind == "/Annot":
                obj["F"] = 4
            elif kind == "/StructElem":
                if isinstance(obj.get("ID"), pydyf.String):
                    obj["ID"] = pydyf.String(prefix + obj["ID"].string)
                attributes = obj.get("A")
                if isinstance(attributes, dict) and "Headers" in attributes:
                    attributes["Headers"] = pydyf.Array(
                        pydyf.String(prefix + header.string) for header in attributes["Headers"])

    Path(target).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(f"{target}.{os.getpid()}.tmp")
    piece.write_pdf(tmp, pdf_tags=True, finisher=finisher)
    tmp.replace(target)


def _bookmarks(pages) -> tuple:
    """Every bookmark of the pages: (CSS level, label, page, x, y, open), in PDF points."""
    scale = 0.75
    out = []
    for number, page in enumerate(pages):
        for level, label, (x, y), state in page.bookmarks:
            if label:
                out.append((level, label, number, x * scale, (page.height - y) * scale, state != "closed"))
    return tuple(out)


def _page_map(pages, units: frozenset[str]) -> dict:
    from .pagemap import page_starts
    starts, digests = page_starts(pages, units)
    return {"starts": tuple(starts), "digests": tuple(sorted(digests.items()))}


def _fonts(document, cache: Path) -> tuple[FontUse, ...]:
    """The faces the piece draws with, and the glyphs it drew of each. The file of each face the
    join embeds once is kept in the layout cache (``fonts/src-<sha256>``: a pinned font, the book's
    own, or a stand-in subset for the book), where the join reads it."""
    from .speedups import instance_location

    kept = {font.hash for font in document.fonts.values()
            if font.bitmap or getattr(font, "_book_kept", False) or not getattr(font, "_book_placeholder", False)}
    out = []
    for font in document.fonts.values():
        original = getattr(font, "_book_original", font.file_content)
        merge = font.hash not in kept
        sha = hashlib.sha256(original).hexdigest() if merge else ""
        if merge:
            source = cache / "fonts" / f"src-{sha}"
            if not source.is_file():
                source.parent.mkdir(parents=True, exist_ok=True)
                tmp = source.with_name(f".{source.name}.{os.getpid()}.tmp")
                tmp.write_bytes(original)
                tmp.replace(source)
        location = instance_location(font) if merge and "fvar" in font.tables else {}
        out.append(FontUse(font.name.decode()[1:], font.hash, sha, font.index,
                           tuple(sorted(location.items())), tuple(font.widths.items()),
                           tuple(font.to_unicode.items()), merge))
    return tuple(out)
