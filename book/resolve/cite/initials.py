"""How a name's parts are spaced, and given names become initials (CSL 1.0.2, "Name")."""

from __future__ import annotations

import re
from typing import Any


def spaced(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Non-empty pieces with spaces between them (none after a particle that
    ends in an apostrophe or hyphen: "d'Aubignac", "al-One")."""
    out: list[tuple[str, str]] = []
    glue = " "
    for kind, text in pieces:
        if not text.strip():
            continue
        if out:
            out.append(("sep", glue))
        # a particle written apart from the name ("de' Frinkle") keeps its space
        glue = " " if text.endswith(" ") or text[-1:] not in ("'", "\u2019", "-") else ""
        out.append((kind, text.strip()))
    return out


def as_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


_WRAPPED = re.compile(r"^((?:<[^<>]+>)*)(.*?)((?:</[^<>]+>)*)$", re.S)


def initials(given: str, mark: str, initialize: bool, hyphen: bool) -> str:
    """Given names as initials (CSL 1.0.2, ``initialize-with``): "John Edward"
    → "J. E." with ``mark`` ". "; "Jean-Luc" → "J.-L." (or "J. L." without
    ``initialize-with-hyphen``); "TSerendorjiin" → "Ts."; "Guo-ping" → "G.";
    an abbreviation ("Ph.") and a lower-case word ("de") stay as they are;
    markup around a name stays around its initial ("<b>John</b>" →
    "<b>J.</b>").  With ``initialize`` false only what is already an initial
    gets the mark ("James T Kirk" → "James T. Kirk")."""
    dot, trail = mark.rstrip(), mark[len(mark.rstrip()):]
    pieces: list[list[str]] = []  # [text, what follows it]
    for word in given.split():
        parts = re.split(r"(?<=[^\s<])-(?=[^\s>])", word)
        if len(parts) > 1:
            if not initialize:
                pieces.append([word, " "])
                continue
            letters = []
            for part in parts:
                opening, core, closing = _WRAPPED.match(part).groups()  # type: ignore[union-attr]
                core = core.rstrip(".")
                if not core or (core[0].islower() and letters):
                    continue
                letters.append(opening + _letter(core) + dot + closing)
            pieces.append([("-" if hyphen else trail).join(letters), trail])
            continue
        opening, core, closing = _WRAPPED.match(word).groups()  # type: ignore[union-attr]
        if "<" in core:
            pieces.append([word, " "])
            continue
        start = len(pieces)
        for piece in re.findall(r"[^.]+\.?", core):
            stem = piece.rstrip(".")
            if piece.endswith(".") and len(stem) > 1:
                pieces.append([stem + dot, trail])  # an abbreviation ("Ph.") stays as it is
            elif stem[:1].islower():
                if pieces and not pieces[-1][1]:
                    pieces[-1][1] = " "
                pieces.append([stem, " "])  # "de" in "John Bertrand de Cusance Morant"
            elif not initialize:
                pieces.append([stem + dot, trail] if len(stem) == 1 else [stem, " "])
            else:
                pieces.append([_letter(stem) + dot, trail])
        if len(pieces) > start:
            pieces[start][0] = opening + pieces[start][0]
            pieces[-1][0] = pieces[-1][0] + closing
    return re.sub(r" {2,}", " ", "".join(text + after for text, after in pieces)).strip()


def _letter(name: str) -> str:
    """The initial of a name: its first letter, or a capital digraph ("TSerendorjiin" → "Ts")."""
    match = re.match(r"^([A-Z\u00c0-\u00de])([A-Z\u00c0-\u00de]+)[a-z]", name)
    return match.group(1) + match.group(2).lower() if match else name[0]
