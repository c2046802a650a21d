"""Narrow hooks in WeasyPrint 70 that let one chapter be laid out apart from the book.

Each replaces one WeasyPrint function with a wrapper that does exactly what
WeasyPrint did unless the document is a layout job (:mod:`.piece`), which
marks itself; :func:`install` makes them once per process, from
:func:`book.publish.weasy.prepare_weasyprint`.

* **Between pagination and margin boxes.** WeasyPrint paginates the whole
  document, then makes the margin boxes (running heads, folios) of every page.
  A job's folios depend on how many pages the jobs before it have, which is
  known only once they are paginated too, so the job stops there: the
  function the context carries as ``_book_pause`` is called once, before the
  first margin box, and may shift the page counters and add the named
  strings carried in from the pages before the job; the pages the job does
  not keep (its lead-in) get no margin boxes (the hook on
  ``weasyprint.layout.make_margin_boxes``).
* **Pages.** The page boxes of the last pagination are kept on the context for
  that pause, which reads their lines (:mod:`.repair`) (``weasyprint.layout.make_all_pages``).
* **Page types.** Whether a page is blank, its side and whether it resets the
  page counter are recorded for that pause (``weasyprint.layout.page.make_page``).
* **Links to other jobs.** WeasyPrint drops a link whose anchor is not in the
  document; a job's pages keep their links to anchors laid out in other jobs
  (``weasyprint.pdf.resolve_links``), which the join resolves.
* **Stylesheets.** Every job of a book has the same ``<style>`` blocks: with
  the font configuration a worker shares between its jobs (fonts loaded once),
  each block is parsed once per worker, and its ``@page`` rules, layers and
  counter styles given to each job's document as parsing would (the wrapped
  ``weasyprint.css.CSS``, used only for a configuration marked shared).
* **Fonts.** A job's PDF embeds no font program (:mod:`.speedups` leaves a
  placeholder): the join embeds each face once, subset to the glyphs of every job.
"""

from __future__ import annotations

_installed = False


def install() -> None:
    """Wrap the five WeasyPrint functions and the stylesheet class (idempotent)."""
    global _installed
    if _installed:
        return
    import weasyprint.layout as layout
    import weasyprint.layout.page as page
    import weasyprint.pdf as pdf

    margin_boxes = layout.make_margin_boxes

    def make_margin_boxes(context, page_box, state):
        pause = getattr(context, "_book_pause", None)
        if pause is not None:
            context._book_pause = None
            pause(context)
        if context.current_page <= getattr(context, "_book_dropped", 0):
            return ()  # the lead-in page (or a blank one the book does not need) is never printed
        return margin_boxes(context, page_box, state)

    make_page = page.make_page

    def recording_make_page(context, root_box, page_type, resume_at, page_number, page_state):
        types = getattr(context, "_book_page_types", None)
        if types is not None:
            types[page_number] = page_type
        return make_page(context, root_box, page_type, resume_at, page_number, page_state)

    resolve_links = pdf.resolve_links

    def resolving_links(pages):
        if pages and getattr(pages[0], "_book_job", False):
            return _job_links(pages)
        return resolve_links(pages)

    import weasyprint.css as css
    parse = css.CSS

    def stylesheet(*args, **kwargs):
        shared = getattr(kwargs.get("font_config"), "_book_stylesheets", None)
        if shared is None or kwargs.get("string") is None or args:
            return parse(*args, **kwargs)
        return _shared_stylesheet(parse, shared, kwargs)

    all_pages = layout.make_all_pages

    def recording_all_pages(context, root_box, html, pages):
        made = []
        for page_box in all_pages(context, root_box, html, pages):
            made.append(page_box)
            yield page_box
        context._book_pages = made  # the pages of the last pagination, for the pause to read

    layout.make_margin_boxes = make_margin_boxes
    layout.make_all_pages = recording_all_pages
    page.make_page = recording_make_page
    pdf.resolve_links = resolving_links
    css.CSS = stylesheet
    _installed = True


def _shared_stylesheet(parse, shared: dict, kwargs: dict):
    """A ``<style>`` block parsed once for every document of a shared font configuration; what
    parsing adds to the document (``@page`` rules, layers, counter styles, colour profiles) added
    to each."""
    key = (kwargs["string"], kwargs.get("base_url"), kwargs.get("media_type"))
    counters = kwargs.get("counter_style")
    colors = kwargs.get("color_profiles")
    entry = shared.get(key)
    if entry is None:
        counters_before = dict(counters or {})
        colors_before = dict(colors or {})
        rules, layers = [], []
        sheet = parse(**{**kwargs, "page_rules": rules, "layers": layers})
        entry = (sheet, rules, layers,
                 {k: v for k, v in (counters or {}).items() if counters_before.get(k) is not v},
                 {k: v for k, v in (colors or {}).items() if colors_before.get(k) is not v})
        shared[key] = entry
    sheet, rules, layers, new_counters, new_colors = entry
    if kwargs.get("page_rules") is not None:
        kwargs["page_rules"].extend(rules)
    if kwargs.get("layers") is not None:
        kwargs["layers"].extend(layers)
    if counters is not None:
        counters.update(new_counters)
    if colors is not None:
        colors.update(new_colors)
    return sheet


def _job_links(pages):
    """Per page, its links and the anchors that first appear on it (what ``resolve_links`` gives),
    every internal link kept: one to an anchor of another job is resolved by the join."""
    seen: set[str] = set()
    firsts = []
    for page in pages:
        here = []
        for name, (x, y, _w, _h) in page.anchors.items():
            if name not in seen:
                seen.add(name)
                here.append((name, x, y))
        firsts.append(here)
    return [(list(page.links), here) for page, here in zip(pages, firsts)]
