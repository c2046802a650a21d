"""Mistakes in pandoc's and Quarto's Markdown: errors and warnings at file:line:col, never raw
markup in an edition nor a traceback.

Bad TeX and a cross-reference to no label stop the build (exit 1, the last good outputs kept);
markup that would reach a reader as typed is a ``check`` warning.
"""

from __future__ import annotations

import json

from conftest import copy_fixture, run_build

CHAPTER = """---
title: Mistakes
---

Good math $a^2$ and bad math $\\frac{a}{b$ here.

$$ x = \\foo{y} $$ {#eq-bad}

See @fig-mapp and [@tbl-none] and [@fig-map; @smith2001].

![A map](../images/square.png){#fig-map width=50%}
"""

WARNED = """---
title: Loose Ends
---

A price of $ 5 and a $x $ that opens nothing.

::: {.note}
Closed fine.
:::

:::

[A link](https://example.org){rel=nofollow} and a stray {#loose-id} and {.also}.

```{python}
print(1)
```

`\\textbf{x}`{=latex} and

```{=latex}
\\newpage
```
"""


def _book(tmp_path, name: str, text: str):
    book = copy_fixture("basic", tmp_path)
    (book / "chapters" / "gamma.md").write_text(text, encoding="utf-8")
    return book


def _problems(book) -> list[dict]:
    proc = run_build("check", "--book", str(book), "--format", "json")
    return [p for p in json.loads(proc.stdout)["problems"] if p["file"].endswith("gamma.md")]


def test_bad_tex_and_unknown_labels_are_errors_at_their_place(tmp_path):
    book = _book(tmp_path, "gamma", CHAPTER)
    found = {(p["line"], p["column"], p["rule"]): p for p in _problems(book)}
    assert found[(5, 39, "bad-math")]["message"].startswith("cannot set the formula $\\frac{a}{b$: "
                                                              "a '{' that is never closed")
    assert "unknown TeX command \\foo" in found[(7, 8, "bad-math")]["message"]
    assert found[(9, 5, "unknown-crossref")]["hint"] == "did you mean @fig-map?"
    assert (9, 19, "unknown-crossref") in found
    mixed = [p for p in found.values() if p["rule"] == "crossref"]
    assert mixed and "mixes cross-references and citations" in mixed[0]["message"]
    assert all(p["severity"] == "error" for p in found.values())
    # The build stops the same way, with no traceback and nothing written.
    out = tmp_path / "dist"
    proc = run_build("epub", "--book", str(book), "--out", str(out))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "gamma.md:5:39: error: cannot set the formula" in proc.stderr
    assert not out.exists() or not any(out.glob("*.epub"))


def test_markup_that_reaches_readers_as_typed_is_a_warning(tmp_path):
    book = _book(tmp_path, "gamma", WARNED)
    found = sorted((p["line"], p["column"], p["rule"]) for p in _problems(book) if p["severity"] == "warning"
                   and p["rule"] != "spelling")
    assert found == [
        (5, 22, "stray-dollar"),
        (11, 1, "stray-fence"),
        (13, 1, "unsupported-attribute"),
        (13, 57, "stray-attributes"),
        (13, 73, "stray-attributes"),
        (15, 1, "executable-cell"),
        (19, 1, "raw-latex"),
        (21, 1, "raw-latex"),
    ]
    # They are warnings: the book still builds, and check --strict fails on them.
    assert run_build("check", "--book", str(book), "--strict").returncode == 1
    proc = run_build("epub", "--book", str(book), "--out", str(tmp_path / "dist"))
    assert proc.returncode == 0, proc.stderr


def test_serve_shows_the_warnings_over_the_new_pages_and_drops_them_when_fixed(tmp_path):
    """``serve`` publishes the edition and shows check's syntax warnings in its overlay; an edit that
    removes the stray markup removes them (the kept chapters are not linted again)."""
    from book.commands.serve import Builder, Site, rebuild

    book = _book(tmp_path, "gamma", WARNED)
    builder, site, said = Builder(book), Site(), []
    rebuild(builder, site, True, said.append)
    state = site.state()
    assert state["error"] == "" and "gamma.html" in site.files
    assert "gamma.md:5:22: warning: a '$' that opens no math prints as '$' [stray-dollar]" in state["warnings"]
    assert "[executable-cell]" in state["warnings"] and any("[stray-fence]" in s for s in said)
    (book / "chapters" / "gamma.md").write_text("---\ntitle: Tidy\n---\n\nAll $x$ is math.\n", encoding="utf-8")
    rebuild(builder, site, True, said.append)
    assert site.state()["warnings"] == "" and site.state()["error"] == ""
