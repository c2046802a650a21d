/* Live reload for `build.py serve` (injected into served pages only, never published).
 *
 * Listens to the server's events. A new version that changed this page, or
 * any stylesheet or script, reloads it; a failed build shows its errors in
 * an overlay over the page, and the next good build removes it. Markup that
 * reaches readers as typed (check's syntax warnings) is shown the same way,
 * over the new pages.
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var version = Number(me.getAttribute("data-version"));
  var page = me.getAttribute("data-page");
  var overlay = null;

  function showErrors(text, heading) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "serve-errors";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "background:#2b1512;color:#fbeae6;font:14px/1.45 ui-monospace,monospace;padding:1em 1.2em;" +
        "border-top:4px solid #d9534f;box-shadow:0 -4px 16px rgba(0,0,0,.3);white-space:pre-wrap";
      overlay.appendChild(document.createElement("strong"));
      /* Explicit styles: the book's own stylesheet must not restyle the overlay. */
      overlay.appendChild(document.createElement("pre")).style.cssText =
        "margin:0;padding:0;border:0;background:none;color:inherit;white-space:pre-wrap;font:inherit";
      document.body.appendChild(overlay);
    }
    overlay.querySelector("strong").textContent = heading + "\n\n";
    overlay.querySelector("pre").textContent = text;
  }

  function hideErrors() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  /* This page, or a file every page uses; the search index only matters to the search page. */
  function affectsMe(changed) {
    return changed.some(function (p) {
      if (p === "assets/search-index.js") return page === "search.html";
      return p === page || !/\.html$/.test(p);
    });
  }

  var events = new EventSource("/__serve/events");
  events.onmessage = function (message) {
    var state = JSON.parse(message.data);
    if (state.error) {
      showErrors(state.error, me.getAttribute("data-errors-title") || "The book has errors; showing the last good version.");
      return;
    }
    if (state.warnings) showErrors(state.warnings, me.getAttribute("data-warnings-title") || "This markup reaches readers as typed:");
    else hideErrors();
    if (state.version === version) return;
    /* A version we did not see built (we connected late, or missed one) may have
       changed anything: reload. The next one tells us what it changed. */
    var missed = state.version !== version + 1;
    version = state.version;
    if (missed || affectsMe(state.changed)) window.location.reload();
  };
})();
