"""``build.py serve``: the web edition on 127.0.0.1, rebuilt and reloaded as the author types.

The edition lives in memory (:func:`book.publish.web.web_files`), never in
``dist/``: serving is previewing, not publishing. A watcher (watchfiles) on
the book's folder and on ``templates/`` rebuilds after each save:

* an edit under ``templates/`` only re-renders, reusing the resolved manuscript; an edit in
  the book loads and resolves it again, but the Builder's :class:`~book.memo.Memo` keeps, in
  memory, every result of the last build with the inputs it came from: parsed YAML by its text,
  each chapter's parse, index marks and rendering by its text and the book-wide facts it
  depends on (heading ids, where its links lead, its formatted citations), the citations by
  what the whole book cites, and each page by its template variables. A save therefore parses
  and renders again the chapter it changed and whatever the change reaches (the pages whose
  links it moved, the references when a citation changed, every page's contents list when a
  title did): tens of milliseconds for one chapter of a 200-chapter book, and the very bytes a
  fresh build would give. An edit of book.yaml that moves the chapters' entries to other lines
  resolves every chapter again (each records the line that lists it);
* the new files are compared with the old ones and only the pages whose
  bytes changed are announced, so an open page reloads only when it changed
  (or when a stylesheet or script did);
* a bad edit keeps the last good pages, prints the errors as ``check``
  does, and shows them in an overlay in the open page; the next good save
  removes it.

Served HTML gets one extra script (``templates/web/live-reload.js``) that
listens on ``/__serve/events`` (server-sent events); the published edition
never has it. Ctrl-C stops the watcher and the server and exits 0.

``/book.pdf`` is the print edition, laid out in a process of its own
(:class:`book.publish.preview.Preview`) with the layout cache of the output
folder (``--out``): after an edit, the web pages come back at once and the PDF
seconds later, laid out again only where the edit reached. Until the first PDF
is ready, and while the book has errors, ``/book.pdf`` says so (or serves the
last good PDF); the events carry ``pdf``, the PDF's version.
"""

from __future__ import annotations

import argparse
import http.server
import json
import mimetypes
import signal
import socketserver
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import BookError, BookErrors
from ..load import find_config, load_book
from ..lint.syntax import markup_warnings
from ..memo import Memo, remember
from ..model import Manuscript
from ..publish.web import Content, web_files
from ..resolve import markdown, resolve
from ..resources import TEMPLATES
from . import book_option, jobs_option, out_option, parser, program

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
          "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
          "frame-ancestors 'none'")
"""The Content-Security-Policy of every response: the edition's own files and nothing else; no
inline script, no plug-in, no other site framing the preview."""

EVENTS = "/__serve/events"
PDF = "/book.pdf"
CLIENT = "/__serve/live-reload.js"
KEEPALIVE_SECONDS = 15.0


@dataclass
class Site:
    """The edition being served and its history, shared by the watcher and the request threads."""

    files: dict[str, Content] = field(default_factory=dict)
    version: int = 0
    changed: tuple[str, ...] = ()
    """Paths whose content differs from the previous version."""
    error: str = ""
    """The problems of the last build, as ``check`` prints them; empty when it succeeded."""
    pdf: Path | None = None
    """The print preview (the last good one)."""
    pdf_version: int = 0
    pdf_note: str = ""
    """What the last print rebuild said (errors, or how long it took)."""
    warnings: str = ""
    """Markup of the last good build that reaches readers as typed (``check``'s syntax warnings)."""
    error_title: str = "The book has errors; showing the last good version."
    """What the overlay says above the problems, in the language of the last good build."""
    warnings_title: str = "This markup reaches readers as typed:"
    """What it says above the markup warnings."""
    stopping: bool = False
    cond: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, files: dict[str, Content] | None, error: str = "", warnings: str = "") -> None:
        """A new version: new files (or None to keep the last good ones), the build's errors and the
        warnings about its markup."""
        with self.cond:
            if files is not None:
                old = self.files
                self.changed = tuple(sorted(p for p in files.keys() | old.keys()
                                            if _fingerprint(files.get(p)) != _fingerprint(old.get(p))))
                self.files = files
            else:
                self.changed = ()
            self.error = error
            self.warnings = warnings
            self.version += 1
            self.cond.notify_all()

    def state(self) -> dict:
        return {"version": self.version, "changed": list(self.changed), "error": self.error,
                "pdf": self.pdf_version, "warnings": self.warnings}

    def publish_pdf(self, pdf: Path | None, note: str) -> None:
        """A print rebuild finished: a new PDF (or None, the last good one kept) and what it said."""
        with self.cond:
            if pdf is not None:
                self.pdf = pdf
                self.pdf_version += 1
            self.pdf_note = note
            # A new version to tell the events' listeners, with no page changed: an open web page
            # does not reload for the PDF (it is not one of the edition's files).
            self.version += 1
            self.changed = ()
            self.cond.notify_all()


def _fingerprint(content: Content | None) -> object:
    if isinstance(content, Path):
        try:
            stat = content.stat()
        except OSError:
            return (str(content), None)
        return (str(content), stat.st_mtime_ns, stat.st_size)
    return content


class Builder:
    """Builds the edition in memory; keeps the manuscript for template-only edits, and what each
    stage computed (:class:`~book.memo.Memo`) for the next build."""

    def __init__(self, book: Path, templates: Path = TEMPLATES) -> None:
        self.book = book
        self.templates = templates
        self.ms: Manuscript | None = None
        self.memo = Memo()
        self.warnings: list[BookError] = []
        """What the last good build's markup shows readers as typed (:mod:`book.lint.syntax`)."""

    def build(self, content_changed: bool = True) -> dict[str, Content]:
        """The edition's files; raises every problem of the book at once, as ``check`` lists them."""
        if content_changed or self.ms is None:
            self.ms = None
            problems: list[BookError] = []
            book = load_book(self.book, collect=problems, memo=self.memo)
            ms = resolve(book, collect=problems, memo=self.memo)
            if problems:
                raise BookErrors(problems)
            self.ms = ms
            self.warnings = self._markup_warnings(book)
            files = web_files(ms, self.templates, self.memo)
            self.memo.sweep()  # after a whole build only: a template edit uses the web's results alone
            return files
        return web_files(self.ms, self.templates, self.memo)


    def _markup_warnings(self, book) -> list[BookError]:
        """``check``'s syntax warnings, each chapter's kept while its text is unchanged."""
        md = markdown.parser(book.meta.lang)
        found: list[BookError] = []
        for ch in book.chapters:
            found += remember(self.memo, ("markup", ch.path), (book.meta.lang, ch),
                              lambda ch=ch: markup_warnings(ch, md.parse(ch.markdown, {})))
        return sorted(found, key=lambda e: (str(e.file), e.line, e.column))


def describe(exc: BaseException, cwd: Path) -> str:
    """A failed build as the author should read it: ``check``-style lines, or the bug's last frames."""
    if isinstance(exc, BookError):
        return exc.format(cwd)
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"{exc.filename or exc.name}:{exc.lineno}: error: {exc.message} [template]"
    if isinstance(exc, jinja2.TemplateError):
        return f"templates: error: {exc} [template]"
    return "internal error (please report it):\n" + "".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-4))


def rebuild(builder: Builder, site: Site, content_changed: bool, say) -> None:
    start = time.perf_counter()
    try:
        files = builder.build(content_changed)
    except Exception as exc:  # keep serving the last good pages whatever went wrong
        text = describe(exc, Path.cwd())
        say(text)
        say("the page shows these errors; the last good pages are served until they are fixed")
        site.publish(None, text)
        return
    warnings = "\n".join(w.format(Path.cwd()) for w in builder.warnings)
    if warnings and warnings != site.warnings:
        say(warnings)
    if builder.ms is not None:
        site.error_title = builder.ms.meta.words.text("serve-errors")
        site.warnings_title = builder.ms.meta.words.text("serve-warnings")
    site.publish(files, warnings=warnings)
    pages = [p for p in site.changed if p.endswith(".html")]
    say(f"rebuilt in {time.perf_counter() - start:.2f} s: "
        + (f"{len(pages)} page{'s' if len(pages) != 1 else ''} changed" if site.changed else "nothing changed"))


# ------------------------------------------------------------------ server


class Handler(http.server.BaseHTTPRequestHandler):
    site: Site
    client: Path
    protocol_version = "HTTP/1.1"
    server_version = "bookbuilder-serve"

    def log_message(self, format: str, *args) -> None:  # the terminal is for the author's errors
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if not self._host_is_ours():
            return self._send(403, b"this server answers only to 127.0.0.1 and localhost\n",
                              "text/plain; charset=utf-8")
        path = unquote(urlsplit(self.path).path)
        if path == EVENTS:
            return self._events()
        if path == CLIENT:
            return self._send(200, self.client.read_bytes(), "text/javascript; charset=utf-8")
        if path == PDF:
            return self._pdf()
        rel = path.lstrip("/") or "index.html"
        if rel.endswith("/"):
            rel += "index.html"
        with self.site.cond:
            content = self.site.files.get(rel)
            version, error = self.site.version, self.site.error
        if content is None:
            if rel.endswith(".html") or "." not in rel:
                page = _placeholder(error or f"There is no page '{rel}' in this book.")
                return self._send(404, self._inject(page, rel, version), "text/html; charset=utf-8")
            return self._send(404, b"not found\n", "text/plain; charset=utf-8")
        data = content.read_bytes() if isinstance(content, Path) else content
        kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        if rel.endswith(".html"):
            data = self._inject(data, rel, version)
        if kind.startswith("text/") or kind.endswith("javascript"):
            kind += "; charset=utf-8"
        self._send(200, data, kind)

    def _pdf(self) -> None:
        with self.site.cond:
            pdf, note = self.site.pdf, self.site.pdf_note
        if pdf is None:
            text = note or "The print edition is being laid out; reload in a few seconds."
            return self._send(503, (text + "\n").encode(), "text/plain; charset=utf-8")
        try:
            data = pdf.read_bytes()
        except OSError:
            return self._send(503, b"The print preview is being replaced; reload.\n", "text/plain; charset=utf-8")
        self._send(200, data, "application/pdf")

    def _host_is_ours(self) -> bool:
        """Whether the request names this server as the author's browser does. Another site's
        page can make a name of its own point at 127.0.0.1 (DNS rebinding) and read what it
        fetches from there as its own; its requests carry that name, and are refused."""
        host = (self.headers.get("Host") or "").strip().lower()
        port = self.server.server_address[1]
        return host in {f"127.0.0.1:{port}", f"localhost:{port}", "127.0.0.1", "localhost"}

    def _inject(self, html: bytes, rel: str, version: int) -> bytes:
        # The page's name comes from the request: escaped, it is text in an attribute, never markup.
        title = escape(self.site.error_title, quote=True)
        warned = escape(self.site.warnings_title, quote=True)
        script = (f'<script src="{CLIENT}" data-version="{version}" data-page="{escape(rel, quote=True)}" '
                  f'data-errors-title="{title}" data-warnings-title="{warned}"></script>\n').encode()
        at = html.rfind(b"</body>")
        return html[:at] + script + html[at:] if at >= 0 else html + script

    def _send(self, status: int, data: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        # Every response is what it says it is, and a page runs only the edition's own scripts:
        # nothing a request or a book puts in a page can run as a script of this origin.
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", POLICY)
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(data)

    def _events(self) -> None:
        """Server-sent events: the current state at once, then every new version."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        site = self.site
        seen = -1
        try:
            self.wfile.write(b"retry: 500\n\n")
            while True:
                with site.cond:
                    if site.version == seen and not site.stopping:
                        site.cond.wait(KEEPALIVE_SECONDS)
                    if site.stopping:
                        return
                    state = site.state() if site.version != seen else None
                    if state is not None:
                        seen = site.version
                self.wfile.write(f"data: {json.dumps(state)}\n\n".encode() if state else b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def _placeholder(message: str) -> bytes:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Not built</title></head>'
            f'<body><main><h1>Not built</h1><pre>{escape(message)}</pre></main></body></html>').encode()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(site: Site, port: int, templates: Path = TEMPLATES) -> Server:
    """An HTTP server on 127.0.0.1 only: a preview is for the author's machine, not the network."""
    handler = type("BoundHandler", (Handler,), {"site": site, "client": templates / "web" / "live-reload.js"})
    return Server(("127.0.0.1", port), handler)


# ------------------------------------------------------------------ command


def serve_parser() -> argparse.ArgumentParser:
    p = parser("serve", "Serve the web edition on 127.0.0.1 and rebuild it, and reload the open page, on every save.",
               "example:\n  python build.py serve --port 8000    then open http://127.0.0.1:8000/\n\n"
               "Errors are printed here and shown in the page; Ctrl-C stops.")
    book_option(p)
    p.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0 picks a free one)")
    out_option(p, "; serve keeps only its print layout cache there and writes no edition")
    jobs_option(p)
    p.add_argument("--no-pdf", action="store_true", help="serve the web edition only, without /book.pdf")
    return p


def main(argv: list[str]) -> int:
    p = serve_parser()
    args = p.parse_args(argv)
    if not 0 <= args.port <= 65535:
        p.error("--port must be between 0 and 65535")

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    try:
        root = find_config(args.book).parent
    except BookError as exc:
        say(exc.format(Path.cwd()))
        return 1
    site = Site()
    preview = None
    if not args.no_pdf:  # forked now, before the server's and the watcher's threads exist
        from ..publish.parallel import cores
        from ..publish.preview import Preview

        def printed(result) -> None:
            note = result.error or (f"the print PDF ({result.pages} pages) in {result.seconds:.1f} s, "
                                    f"{result.laid_out} job{'s' if result.laid_out != 1 else ''} laid out")
            say(note)
            site.publish_pdf(result.pdf, note)
        preview = Preview(args.book, args.out, args.jobs or cores(), printed)
        preview.rebuild()
    builder = Builder(args.book)
    start = time.perf_counter()
    try:
        site.publish(builder.build())
        say(f"built the web edition ({sum(1 for p in site.files if p.endswith('.html'))} pages) "
            f"in {time.perf_counter() - start:.2f} s")
    except Exception as exc:
        say(describe(exc, Path.cwd()))
        say("the page shows these errors until they are fixed")
        site.publish(None, describe(exc, Path.cwd()))
    try:
        server = make_server(site, args.port)
    except OSError as exc:
        say(f"{program()} serve: error: cannot listen on 127.0.0.1:{args.port} ({exc.strerror}); "
            "choose another with --port")
        return 2
    thread = threading.Thread(target=server.serve_forever, name="serve", daemon=True)
    thread.start()
    say(f"serving {root} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)"
        + (f"; the print edition at {PDF}" if preview is not None else ""))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops as cleanly as Ctrl-C
    try:
        watch(builder, site, root, stop, say, preview, args.out)
    except KeyboardInterrupt:
        pass
    finally:
        if preview is not None:
            preview.close()
        stop.set()
        with site.cond:
            site.stopping = True
            site.cond.notify_all()
        server.shutdown()
        server.server_close()
    say("stopped")
    return 0


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def watch(builder: Builder, site: Site, root: Path, stop: threading.Event, say, preview=None,
          out: Path | None = None) -> None:
    """Rebuild after every batch of saves (the print preview in the background), until Ctrl-C.
    What the preview writes into ``out`` (perhaps inside the book's folder) is no edit."""
    import watchfiles

    templates = builder.templates.resolve()
    ours = out.resolve() if out is not None else None
    for changes in watchfiles.watch(root, templates, stop_event=stop, debounce=400, step=30,
                                    raise_interrupt=True):
        paths = [Path(p).resolve() for _kind, p in changes]
        paths = [p for p in paths if ours is None or not p.is_relative_to(ours)]
        if not paths:
            continue
        content_changed = any(not p.is_relative_to(templates) for p in paths)
        shown = sorted({p.name for p in paths})
        say(f"changed: {', '.join(shown[:4])}{' …' if len(shown) > 4 else ''}")
        if preview is not None:
            preview.rebuild()
        rebuild(builder, site, content_changed, say)
