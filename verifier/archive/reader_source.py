"""What a reader reads from: the name its errors carry, and the stream it owns or borrows."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from verifier.archive.detect import Source


def source_name(source: Source, label: str | None) -> tuple[Path, str]:
    """``(path, label)``: a file is its own path; a stream is named by ``label``, else ``<stream>``.

    ``label`` wins in messages when given (``outer.whl!inner.tar.gz``); else the path does.
    """
    path = source if isinstance(source, Path) else Path(label or "<stream>")
    return path, label or str(path)


def open_source(source: Source) -> tuple[IO[bytes], bool]:
    """``(stream, owned)``: a file opened for reading (the reader closes it), or the stream given.

    OSError when the file cannot be opened; the caller says which archive it failed to read.
    """
    if isinstance(source, Path):
        return source.open("rb"), True
    return source, False
