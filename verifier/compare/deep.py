"""diffoscope for depth: run on differing members only, with a time and size bound."""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from verifier import process
from verifier.compare.listing import Entry, Listing
from verifier.errors import EnvironmentFailure, ProcessTimeout

INSTALL_HINT = (
    "diffoscope is not installed: install it with `pip install diffoscope` "
    "(or `apt-get install diffoscope`), or drop --deep"
)


def find_diffoscope() -> str | None:
    """Diffoscope on PATH, or beside the running interpreter (a venv's bin/)."""
    found = shutil.which("diffoscope")
    if found:
        return found
    beside = Path(sys.executable).parent / "diffoscope"
    return str(beside) if beside.is_file() else None


@dataclass
class DeepDiff:
    """Runs diffoscope on pairs of differing members.

    At most ``max_members`` runs, each on members of at most ``max_bytes`` and killed after
    ``timeout`` seconds; the report is cut to ``max_lines`` lines.
    """

    executable: str
    timeout: float = 30.0
    max_bytes: int = 64 << 20
    max_members: int = 20
    max_lines: int = 200
    runs: int = field(default=0, init=False)

    @classmethod
    def locate(cls, **bounds: float | int) -> DeepDiff:
        """A DeepDiff on the installed diffoscope; EnvironmentFailure saying how to install."""
        executable = find_diffoscope()
        if executable is None:
            raise EnvironmentFailure(INSTALL_HINT)
        return cls(executable, **bounds)  # type: ignore[arg-type]

    def run(self, la: Listing, ea: Entry, lb: Listing, eb: Entry) -> str:
        """Diffoscope's text report for two members, or a sentence saying why there is none."""
        if self.runs >= self.max_members:
            return f"(not run: the first {self.max_members} differing members were shown)"
        if max(ea.size, eb.size) > self.max_bytes:
            return f"(not run: member larger than {self.max_bytes} bytes)"
        self.runs += 1
        with tempfile.TemporaryDirectory(prefix="verifier-deep-") as tmp:
            base = Path(ea.name).name or "member"
            path_a, path_b = Path(tmp, "a", base), Path(tmp, "b", base)
            for listing, entry, path in ((la, ea, path_a), (lb, eb, path_b)):
                path.parent.mkdir()
                path.write_bytes(listing.read(entry, self.max_bytes))
            argv = [
                self.executable,
                "--text",
                "-",
                "--no-progress",
                "--max-report-size",
                str(256 * 1024),
                str(path_a),
                str(path_b),
            ]
            try:
                done = process.run(argv, timeout=self.timeout, check=False, cwd=Path(tmp))
            except ProcessTimeout:
                return f"(diffoscope stopped after {self.timeout:g}s)"
            if done.timed_out:
                return f"(diffoscope stopped after {self.timeout:g}s)"
            if done.returncode not in (0, 1):
                last = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
                return f"(diffoscope failed: {last[0]})"
            text = done.stdout.decode(errors="replace").replace(tmp + "/", "")
            lines = text.splitlines()
            if len(lines) > self.max_lines:
                lines = [*lines[: self.max_lines], f"(cut at {self.max_lines} lines)"]
            return "\n".join(lines)
