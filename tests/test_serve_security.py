"""``serve`` and a hostile web page: no script of the page's runs in the preview, nothing of the
preview is read by another site.

The 404 page once put the request's path into its live-reload script unescaped: a link to
``/x"></script><script>alert(1)</script>`` ran that script in the author's browser, where it
could read the draft. Here a real Chromium follows that link and every page the server
answers with; the request's text must stay text. A request naming another host (DNS
rebinding: a site's own name pointed at 127.0.0.1) is refused, and every response says
what it is and which scripts may run.
"""

from __future__ import annotations

import http.client
import urllib.request
from urllib.parse import unquote, urlsplit

import pytest
from test_serve import served, stop

served  # noqa: B018 - the fixture, imported for these tests

XSS = "x%22%3E%3C/script%3E%3Cscript%3Ewindow.__xss%3D1%3Balert(1)%3C/script%3E%3Cscript%3E//"
"""The issue's URL, marking the page if its script runs, besides the alert."""


@pytest.mark.parametrize("path", [XSS, XSS + ".html", "chapters/" + XSS + "/", "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"])
def test_a_crafted_url_runs_no_script(served, browser, path: str):
    _book, url, proc = served
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(url + path)
    assert response.status == 404
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.evaluate("() => window.__xss") is None
    # The live-reload script is there once, and names the page exactly as it was asked for.
    scripts = page.eval_on_selector_all("script", "s => s.map(e => [e.src, e.dataset.page])")
    assert len(scripts) == 1 and scripts[0][0].endswith("/__serve/live-reload.js"), scripts
    assert scripts[0][1] == unquote(path) + ("index.html" if path.endswith("/") else "")
    page.close()
    assert "Traceback" not in stop(proc)


def test_every_response_says_what_it_is(served):
    _book, url, proc = served
    for path in ("alpha.html", "assets/book.css", "nowhere.html", "nowhere.png", "__serve/live-reload.js"):
        try:
            response = urllib.request.urlopen(url + path, timeout=5)
        except urllib.error.HTTPError as error:
            response = error
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], path
        assert response.headers["Content-Type"], path
    stop(proc)


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1.evil.example:{port}"])
def test_a_request_for_another_host_is_refused(served, host: str):
    """What a page of another site sends once its own name points at 127.0.0.1."""
    _book, url, proc = served
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("GET", "/alpha.html", headers={"Host": host.format(port=parts.port)})
    response = connection.getresponse()
    body = response.read()
    assert response.status == 403
    assert b"Alpha" not in body
    connection.close()
    for ours in (f"127.0.0.1:{parts.port}", f"localhost:{parts.port}"):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        connection.request("GET", "/alpha.html", headers={"Host": ours})
        assert connection.getresponse().status == 200
        connection.close()
    stop(proc)
