"""Peak memory of verifier diff on tarball pairs of growing size: it must stay flat.

Builds two plain tarballs of SIZE bytes (16 members of random data; one byte and all
mtimes differ), runs `verifier diff` on them in a child process and prints its peak RSS.
Runs 64 MiB and 1 GiB by default, so the two peaks can be compared side by side.

    uv run --locked python bench/diff_memory.py [--sizes 64M,1G] [--dir DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

MEMBERS = 16


class _Filler:
    """A file-like source of ``size`` bytes of a member-specific pattern, one byte flipped."""

    def __init__(self, size: int, seed: int, flip_at: int | None) -> None:
        self.left, self.seed, self.flip_at, self.pos = size, seed, flip_at, 0

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        block = (self.seed.to_bytes(8, "little") * ((n // 8) + 1))[:n]
        if self.flip_at is not None and self.pos <= self.flip_at < self.pos + n:
            i = self.flip_at - self.pos
            block = block[:i] + bytes([block[i] ^ 0xFF]) + block[i + 1 :]
        self.pos += n
        self.left -= n
        return block


def make(path: Path, size: int, mtime: int, flip: bool) -> None:
    each = size // MEMBERS
    with tarfile.open(path, "w") as tf:
        for i in range(MEMBERS):
            info = tarfile.TarInfo(f"data/part-{i:02d}.bin")
            info.size, info.mtime = each, mtime
            flip_at = each // 2 if flip and i == MEMBERS // 2 else None
            tf.addfile(info, _Filler(each, i, flip_at))  # type: ignore[arg-type]


def parse_size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(text[:-1]) * units[text[-1].upper()] if text[-1].upper() in units else int(text)


CHILD = """
import resource, sys, time
from pathlib import Path
from verifier.compare import compare_paths
start = time.perf_counter()
result = compare_paths(Path(sys.argv[1]), Path(sys.argv[2]))
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(result.differences), f"{took:.1f}", peak)
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="64M,1G")
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    rows = []
    for text in args.sizes.split(","):
        size = parse_size(text)
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            a, b = Path(tmp, "a.tar"), Path(tmp, "b.tar")
            make(a, size, 1_700_000_000, flip=False)
            make(b, size, 1_700_003_600, flip=True)
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(a), str(b)],
                capture_output=True,
                text=True,
                check=True,
            )
            diffs, took, peak_kib = done.stdout.split()
            rows.append((text, int(diffs), float(took), int(peak_kib) / 1024))
    for text, diffs, took, peak in rows:
        print(f"{text:>6} pair: {diffs} differences in {took:.1f} s, peak RSS {peak:.0f} MiB")
    if len(rows) > 1:
        print(f"peak RSS ratio largest/smallest: {rows[-1][3] / rows[0][3]:.2f} (flat = about 1)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
