"""Where downloads and toolchains are cached between runs."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/verifier`` (default ``~/.cache/verifier``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    root = Path(base) / "verifier"
    root.mkdir(parents=True, exist_ok=True)
    return root
