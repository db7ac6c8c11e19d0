"""Shell scripts: downloads piped into a shell, or used without a checksum check.

Files: ``*.sh``, ``*.bash``, ``*.zsh``, ``*.ksh``, and files without a suffix whose first line
is a ``#!`` naming sh, bash, dash, zsh or ksh. The whole script is one unit (see
:mod:`verifier.pins.downloads`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from verifier.pins.downloads import scan_shell_text
from verifier.pins.finding import Finding
from verifier.pins.interface import SourceFile

_SUFFIXES = (".sh", ".bash", ".zsh", ".ksh")
_SHEBANG_RE = re.compile(rb"^#!\s*\S*(?:/|env\s+)(?:ba|da|z|k)?sh\b")


class ShellScriptScanner:
    """Shell scripts by suffix or ``#!`` line."""

    name = "shell script"

    def matches(self, path: PurePosixPath, head: bytes) -> bool:
        """Shell suffixes, or a shell ``#!`` line."""
        return path.suffix in _SUFFIXES or bool(_SHEBANG_RE.match(head))

    def scan(self, source: SourceFile) -> Iterator[Finding]:
        """Unchecked downloads in the script."""
        yield from scan_shell_text(source, source.text)
