/* Full-text search of the web edition, offline: no server, no network.
 *
 * The publisher writes every section's text into assets/search-index.js
 * (window.BOOK_SEARCH_INDEX: u = link, t = page title, s = section, x = text).
 * On search.html this script finds the words of ?q= — every word must occur,
 * as the start of a word, ignoring case and accents — and lists the sections
 * that hold them, best first, each with a snippet around the first hit.
 * On every other page it does nothing: the header form simply opens search.html.
 */
(function () {
  "use strict";

  var MARKS = /[\u0300-\u036f]/g;
  var LETTER = /[\p{L}\p{N}]/u;
  /* Chinese and Japanese write no spaces between words: a word may start at any of their characters. */
  var UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

  /* Fold text for matching, and keep, for each folded character, the index of
     the original character it came from, so that snippets quote the original. */
  function fold(text) {
    var out = "", map = [];
    for (var i = 0; i < text.length; i++) {
      var f = text[i].normalize("NFD").replace(MARKS, "").toLowerCase();
      for (var j = 0; j < f.length; j++) { out += f[j]; map.push(i); }
    }
    map.push(text.length);
    return { text: out, map: map };
  }

  function words(query) {
    return fold(query).text.split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 0; });
  }

  /* Positions in folded text where `word` starts a word. */
  function starts(folded, word) {
    var found = [], at = folded.indexOf(word);
    while (at !== -1) {
      if (at === 0 || !LETTER.test(folded[at - 1]) || UNSPACED.test(word[0])) found.push(at);
      at = folded.indexOf(word, at + 1);
    }
    return found;
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  function snippet(entry, terms, at) {
    var text = entry.x, map = entry.folded.map;
    var start = Math.max(0, map[at] - 90), end = Math.min(text.length, map[at] + 150);
    if (start > 0) start = text.indexOf(" ", start) + 1;
    if (end < text.length) end = Math.max(text.lastIndexOf(" ", end), map[at] + 1);
    var part = text.slice(start, end), foldedPart = fold(part), marks = [];
    terms.forEach(function (t) {
      starts(foldedPart.text, t).forEach(function (p) {
        marks.push([foldedPart.map[p], foldedPart.map[p + t.length]]);
      });
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var html = "", last = 0;
    marks.forEach(function (m) {
      if (m[0] < last) return;
      html += escapeHtml(part.slice(last, m[0])) + "<mark>" + escapeHtml(part.slice(m[0], m[1])) + "</mark>";
      last = m[1];
    });
    html += escapeHtml(part.slice(last));
    return (start > 0 ? "… " : "") + html + (end < text.length ? " …" : "");
  }

  function search(index, query) {
    var terms = words(query);
    if (!terms.length) return { terms: terms, hits: [] };
    var hits = [];
    index.forEach(function (entry, order) {
      var score = 0, first = -1;
      for (var i = 0; i < terms.length; i++) {
        var inText = starts(entry.folded.text, terms[i]);
        var inTitle = starts(entry.foldedTitle, terms[i]).length;
        if (!inText.length && !inTitle) return;
        score += inText.length + 5 * inTitle;
        if (inText.length && (first === -1 || inText[0] < first)) first = inText[0];
      }
      hits.push({ entry: entry, score: score, first: first, order: order });
    });
    hits.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    return { terms: terms, hits: hits };
  }

  function show(index, query, status, list) {
    var found = search(index, query);
    list.textContent = "";
    if (!found.terms.length) { status.textContent = ""; return; }
    var n = found.hits.length;
    /* The page gives the words in the book's language, {count} and {query} to fill in. */
    var said = list.getAttribute(n === 0 ? "data-nothing" : n === 1 ? "data-one" : "data-many") || "{count}";
    status.textContent = said.replace("{count}", String(n)).replace("{query}", query.trim());
    found.hits.slice(0, 100).forEach(function (hit) {
      var e = hit.entry, li = document.createElement("li"), a = document.createElement("a");
      a.href = e.u;
      a.innerHTML = escapeHtml(e.t) + (e.s ? ' <span class="where">· ' + escapeHtml(e.s) + "</span>" : "");
      li.appendChild(a);
      if (hit.first !== -1) {
        var p = document.createElement("p");
        p.innerHTML = snippet(e, found.terms, hit.first);
        li.appendChild(p);
      }
      list.appendChild(li);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.getElementById("search-results");
    if (!list) return;
    var input = document.getElementById("search-input");
    var status = document.getElementById("search-status");
    var index = (window.BOOK_SEARCH_INDEX || []).map(function (e) {
      return { u: e.u, t: e.t, s: e.s, x: e.x, folded: fold(e.x), foldedTitle: fold(e.t + " " + e.s).text };
    });
    var query = new URLSearchParams(window.location.search).get("q") || "";
    input.value = query;
    show(index, query, status, list);
    input.addEventListener("input", function () {
      show(index, input.value, status, list);
      try {  /* keep the query in the address, for back and reload; some file: setups refuse */
        var url = new URL(window.location.href);
        url.searchParams.set("q", input.value);
        window.history.replaceState(null, "", url);
      } catch (e) { /* the results are shown all the same */ }
    });
    input.focus();
  });
})();
