"""Where a chapter's links and images lead: checked against the book, as pass 3 renders them."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from ..confine import CONTROL, character_name, link_scheme_refused, shown
from ..errors import BookError
from ..memo import Memo, kept_image, kept_inside, real_path
from ..model import Asset, Book, Chapter
from . import markdown

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}


@dataclass(frozen=True)
class ImageOutcome:
    """Where an image leads, as the renderer shows it and what it adds to the book."""

    shown: tuple[str, str, str]
    """(src, alt, caption) for the renderer."""
    errors: tuple[BookError, ...] = ()
    asset: Asset | None = None


def link_outcome(md, book: Book, ch: Chapter, token: Token, line: int, by_path: dict[Path, Chapter],
                  slug_maps: dict[str, dict[str, str]], anchor_owner: dict[str, str],
                  memo: Memo | None) -> str | markdown.OutsideLink | BookError:
    """Where a link of chapter ``ch`` leads: its href (``#id`` in the book, or an address outside
    it), an :class:`~book.resolve.markdown.OutsideLink` to a chapter a handout leaves out, or what is wrong."""
    href = str(token.attrGet("href") or "")
    parts = urlsplit(href)

    def fail(message: str, hint: str, rule: str) -> BookError:
        return BookError(message, ch.path, line, 1, hint, rule)

    if link_scheme_refused(href):
        return fail(f"link to '{shown(href)}': the scheme '{link_scheme_refused(href)}' is not allowed",
                    "link to another chapter or to an http(s) or mailto: address", "unsafe-link")
    if parts.scheme or href.startswith("//"):
        return href
    if not parts.path:
        frag = unquote(parts.fragment)
        target = slug_maps.get(ch.id, {}).get(frag) or (frag if frag in anchor_owner else None)
        if target is None:
            return fail(f"link to '#{frag}': no such heading in this chapter",
                        "link to a heading's id: its title in lower case with '-' for spaces", "broken-link")
        return "#" + target
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(ch.rel), unquote(parts.path)))
    try:
        _path, path = kept_inside(memo, book.root, rel, ch.path, line, 1, "link target")
    except BookError as exc:
        return exc
    target_ch = by_path.get(path)
    if target_ch is None:
        if path.suffix == ".md":
            return fail(f"link to '{parts.path}': that file is not a chapter of the book",
                        "add it to book.yaml, or link to a chapter that is listed there", "broken-link")
        return fail(f"link to '{parts.path}': only chapters and web addresses can be linked",
                    "link to another chapter (its .md file) or to an http(s) address", "broken-link")
    if target_ch.id not in slug_maps:
        # The chapter is in the book but not in this selection (a handout): nothing to
        # link to, so the handout names the chapter in words.
        return markdown.OutsideLink(_plain_title(md, target_ch.title))
    if parts.fragment:
        frag = unquote(parts.fragment)
        target = slug_maps[target_ch.id].get(frag)
        if target is None:
            return fail(f"link to '{href}': {target_ch.rel} has no heading '{frag}'",
                        "use the id of one of its '##' headings", "broken-link")
        return "#" + target
    return "#" + target_ch.id


def image_outcome(book: Book, ch: Chapter, token: Token, line: int, memo: Memo | None) -> ImageOutcome:
    """What an image of chapter ``ch`` shows and adds to the book, checked (the file's own check
    kept in ``memo`` while the file is unchanged)."""
    src = str(token.attrGet("src") or "")
    alt = markdown.inline_text(token) if token.children else token.content
    title = str(token.attrGet("title") or "")
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(ch.rel), unquote(src)))

    def failed(message: str, hint: str, rule: str) -> ImageOutcome:
        return ImageOutcome(("", alt, ""), (BookError(message, ch.path, line, 1, hint, rule),))

    bad = CONTROL.search(rel)
    if bad:  # written as %1B: a name no edition's XML can hold
        return failed(f"image '{shown(src)}' names a file with {character_name(bad.group())}",
                      "rename the file", "bad-image")
    try:
        path, real = kept_inside(memo, book.root, rel if not urlsplit(src).scheme else src, ch.path, line, 1, "image")
    except BookError as exc:
        return ImageOutcome(("", alt, ""), (exc,))
    if not path.is_file():
        problem = ("is a folder, not an image" if path.is_dir() else
                   "is a link to a file that does not exist" if path.is_symlink() else "does not exist")
        return failed(f"image '{shown(src)}' {problem}", "check the path; it is relative to this chapter file",
                      "missing-image")
    media = IMAGE_TYPES.get(path.suffix.lower())
    if media is None:
        return failed(f"image '{src}' is not a PNG, JPEG, GIF, SVG or WebP file", "convert it to PNG or JPEG",
                      "bad-image")
    problem, shipped = kept_image(memo, path, media)
    if problem:
        return failed(f"image '{shown(src)}' {problem}", "replace it by a plain PNG, JPEG or SVG picture",
                      "bad-image")
    errors = () if alt.strip() else (
        BookError(f"image '{src}' has no alternative text", ch.path, line, 1,
                  "describe the image between the brackets: ![what it shows](path)", "image-alt"),)
    root = real_path(book.root)
    href = path.relative_to(root).as_posix() if real.is_relative_to(root) else rel
    caption = escape(title) if title else escape(alt)
    return ImageOutcome((href, alt, caption), errors, Asset(path, href, media, shipped))


def _plain_title(md, title: str) -> str:
    """A chapter title as a reader sees it (smart quotes, no markup), for running text."""
    tokens = md.parseInline(title, {})
    return markdown.inline_text(tokens[0]) if tokens else title
