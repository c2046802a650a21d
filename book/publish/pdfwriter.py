"""A PDF written object by object, as the join reads the pieces one at a time.

:mod:`.join` makes one PDF of hundreds of pieces. Holding them all in memory
(as pikepdf or pydyf do to write a document) would make the join's memory grow
with the book, to gigabytes for a long one; here each object goes to the file
as soon as it is known, and only its offset stays behind. Objects that are not
streams are packed into compressed object streams (PDF 1.5), and the
cross-reference table is a stream too, listing only the numbers in use.

Objects come as PDF syntax (what pikepdf's ``unparse`` gives, or what
:func:`dictionary` and friends make). :func:`relocate` renumbers the
references in such text, never touching what is inside a string. The file's
``/ID`` is the MD5 of its bytes: the same objects give the same file.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from array import array
from typing import BinaryIO, Callable

PER_STREAM = 200
"""Objects packed into one object stream."""

_TOKEN = re.compile(rb"\((?:[^\\()]|\\.)*\)|<[0-9A-Fa-f\s]*>|(\d+) (\d+) R", re.S)
"""A literal or hex string (kept whole), or a reference."""


def relocate(text: bytes, number: Callable[[int, int], int]) -> bytes:
    """``text`` with each reference ``n g R`` outside strings made ``number(n, g) 0 R``."""
    def one(match: re.Match) -> bytes:
        if match.group(1) is None:
            return match.group(0)
        return b"%d 0 R" % number(int(match.group(1)), int(match.group(2)))
    return _TOKEN.sub(one, text)


def ref(number: int) -> bytes:
    return b"%d 0 R" % number


def name(text: str) -> bytes:
    """A PDF name (``/Type``); characters outside the regular ones as ``#xx``."""
    out = []
    for byte in text.encode("utf-8"):
        out.append(chr(byte) if 0x21 <= byte <= 0x7E and chr(byte) not in "#()<>[]{}/%" else f"#{byte:02X}")
    return ("/" + "".join(out)).encode("ascii")


def string(text: str | bytes) -> bytes:
    """A PDF string: ASCII text as a literal, other text as UTF-16BE, bytes as hex."""
    if isinstance(text, bytes):
        return b"<" + text.hex().encode("ascii") + b">"
    if all(32 <= ord(c) < 127 for c in text):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("ascii") + b")"
    return b"<feff" + text.encode("utf-16-be").hex().encode("ascii") + b">"


def number(value: float | int) -> bytes:
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return str(value).encode("ascii")
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode("ascii")


def array_of(items) -> bytes:
    return b"[ " + b" ".join(items) + b" ]"


def dictionary(entries: dict[str, bytes]) -> bytes:
    """``<< /Key value … >>`` in the order given (values are PDF syntax already)."""
    return b"<< " + b" ".join(name(k) + b" " + v for k, v in entries.items()) + b" >>"


def with_entries(text: bytes, entries: dict[str, bytes]) -> bytes:
    """A dictionary's syntax ``text`` with ``entries`` added at its end."""
    at = text.rindex(b">>")
    return text[:at] + b"".join(name(k) + b" " + v + b" " for k, v in entries.items()) + text[at:]


class Writer:
    """One PDF file, written as objects come; numbers are reserved first, written later."""

    def __init__(self, fh: BinaryIO, version: str = "1.7") -> None:
        self.fh = fh
        self.md5 = hashlib.md5()
        self.position = 0
        self.count = 0
        self.kind = array("B")
        """Per number: 0 not written yet, 1 in the file, 2 in an object stream."""
        self.where = array("Q")
        self.index = array("I")
        self._pending: list[tuple[int, bytes]] = []
        self._emit(f"%PDF-{version}\n%\xe2\xe3\xcf\xd3\n".encode("latin-1"))

    def reserve(self) -> int:
        self.count += 1
        self.kind.append(0)
        self.where.append(0)
        self.index.append(0)
        return self.count

    def write(self, num: int, text: bytes) -> None:
        """Object ``num`` (not a stream), into the next object stream."""
        self._pending.append((num, text))
        if len(self._pending) >= PER_STREAM:
            self._flush()

    def write_stream(self, num: int, entries: bytes, data: bytes) -> None:
        """Stream ``num``: its dictionary's syntax (without ``/Length``) and its data, as is."""
        head = with_entries(entries, {"Length": number(len(data))})
        self._record(num, 1, self.position, 0)
        self._emit(b"%d 0 obj\n" % num + head + b"\nstream\n" + data + b"\nendstream\nendobj\n")

    def compressed_stream(self, num: int, entries: dict[str, bytes], data: bytes) -> None:
        """Stream ``num`` with ``data`` deflated."""
        self.write_stream(num, dictionary({**entries, "Filter": b"/FlateDecode"}), zlib.compress(data, 6))

    def finish(self, root: int, info: int) -> None:
        """Write the last object stream and the cross-reference stream; close the file's syntax."""
        self._flush()
        missing = [n + 1 for n in range(self.count) if not self.kind[n]]
        if missing:
            raise RuntimeError(f"PDF objects {missing[:5]} are referred to but were never written")
        ident = self.md5.hexdigest().encode("ascii")
        xref = self.reserve()
        self._record(xref, 1, self.position, 0)
        rows = bytearray(b"\x00\x00\x00\x00\x00\xff\xff")  # object 0, the head of the free list
        for n in range(self.count):
            rows += bytes([self.kind[n]]) + self.where[n].to_bytes(4, "big") + self.index[n].to_bytes(2, "big")
        head = dictionary({"Type": b"/XRef", "Size": number(self.count + 1), "W": b"[ 1 4 2 ]",
                           "Root": ref(root), "Info": ref(info),
                           "ID": b"[ <" + ident + b"> <" + ident + b"> ]", "Filter": b"/FlateDecode"})
        data = zlib.compress(bytes(rows), 6)
        start = self.position
        self._emit(b"%d 0 obj\n" % xref + with_entries(head, {"Length": number(len(data))})
                   + b"\nstream\n" + data + b"\nendstream\nendobj\n")
        self._emit(b"startxref\n%d\n%%%%EOF\n" % start)

    def _flush(self) -> None:
        if not self._pending:
            return
        num = self.reserve()
        offsets, bodies, at = [], [], 0
        for i, (n, text) in enumerate(self._pending):
            offsets.append(b"%d %d" % (n, at))
            bodies.append(text)
            at += len(text) + 1
            self._record(n, 2, num, i)
        header = b" ".join(offsets) + b"\n"
        data = header + b"\n".join(bodies) + b"\n"
        count = len(self._pending)
        self._pending = []
        self.compressed_stream(num, {"Type": b"/ObjStm", "N": number(count), "First": number(len(header))}, data)

    def _record(self, num: int, kind: int, where: int, index: int) -> None:
        if self.kind[num - 1]:
            raise RuntimeError(f"PDF object {num} written twice")
        self.kind[num - 1], self.where[num - 1], self.index[num - 1] = kind, where, index

    def _emit(self, data: bytes) -> None:
        self.fh.write(data)
        self.md5.update(data)
        self.position += len(data)
