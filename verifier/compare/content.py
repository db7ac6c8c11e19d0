"""Showing how two contents differ: a short unified diff for text, offset and hex otherwise."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import IO

from verifier.compare.model import ContentDetail

#: text up to this size gets a unified diff; larger or binary content gets a hex window
TEXT_LIMIT = 256 * 1024
_WINDOW = 32
_CHUNK = 1 << 16


@dataclass(frozen=True)
class TextPair:
    """Both sides decoded as text, for the diff and for cause classification."""

    a: str
    b: str

    @property
    def lines(self) -> tuple[list[str], list[str]]:
        """Both sides split into lines (ends kept)."""
        return self.a.splitlines(keepends=True), self.b.splitlines(keepends=True)


def as_text(a: bytes, b: bytes) -> TextPair | None:
    """Both as UTF-8 text when both are (no NUL, valid UTF-8), else None."""
    if b"\0" in a or b"\0" in b:
        return None
    try:
        return TextPair(a.decode("utf-8"), b.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def text_detail(text: TextPair, size_a: int, size_b: int, max_lines: int) -> ContentDetail:
    """A unified diff of at most ``max_lines`` lines (without the ---/+++ header)."""
    lines_a, lines_b = text.lines
    out: list[str] = []
    truncated = False
    for line in difflib.unified_diff(lines_a, lines_b, "a", "b", n=2, lineterm=""):
        if line.startswith(("---", "+++")) and not out:
            continue
        if len(out) >= max_lines:
            truncated = True
            break
        out.append(line.rstrip("\n").rstrip("\r"))
    if not out:
        # Same lines, different line endings or final newline.
        out = ["(the texts differ only in line endings or the final newline)"]
    return ContentDetail(size_a, size_b, unified_diff=tuple(out), truncated=truncated)


def first_difference(a: IO[bytes], b: IO[bytes]) -> tuple[int, int, bytes, bytes]:
    """The first differing offset, the window's start, and a window of each side there."""
    offset = 0
    while True:
        chunk_a, chunk_b = a.read(_CHUNK), b.read(_CHUNK)
        if chunk_a != chunk_b:
            n = min(len(chunk_a), len(chunk_b))
            i = next((k for k in range(n) if chunk_a[k] != chunk_b[k]), n)
            start = i - i % 16  # the window starts on the 16-byte row holding the offset
            window_a, window_b = chunk_a[start : start + _WINDOW], chunk_b[start : start + _WINDOW]
            return offset + i, offset + start, window_a, window_b
        if not chunk_a:
            return offset, offset, b"", b""
        offset += len(chunk_a)


def _hex(data: bytes) -> str:
    return " ".join(data[i : i + 4].hex() for i in range(0, len(data), 4))


def binary_detail(a: IO[bytes], b: IO[bytes], size_a: int, size_b: int) -> ContentDetail:
    """The first differing offset and a hex window of both sides at it."""
    offset, start, window_a, window_b = first_difference(a, b)
    return ContentDetail(
        size_a, size_b, offset=offset, window=start, hex_a=_hex(window_a), hex_b=_hex(window_b)
    )
