"""Digest throughput: verifier vs `openssl dgst -sha256` and `sha256sum`.

Large file (default 1 GiB): single stream, so single core for every tool; target: verifier at
least 90% of OpenSSL's throughput. Many small files (default 10,000 x 4 KiB): verifier hashes
them in parallel threads; the peers get one process over the whole list (xargs).

    uv run python bench/digest.py [--size-mib 1024] [--files 10000] [--dir /tmp]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from verifier.digest import hash_file, hash_files


def timed(label: str, fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    print(f"  {label:<28} {best:8.3f} s")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    for tool in ("openssl", "sha256sum", "xargs"):
        if shutil.which(tool) is None:
            raise SystemExit(f"bench needs {tool} on PATH")

    with tempfile.TemporaryDirectory(dir=args.dir, prefix="verifier-bench-") as tmp:
        root = Path(tmp)
        big = root / "big.bin"
        with big.open("wb") as f:
            block = os.urandom(1 << 20)
            for _ in range(args.size_mib):
                f.write(block)
        size = big.stat().st_size
        print(f"large file: {size / 2**20:.0f} MiB (best of 3, page cache warm)")
        subprocess.run(["cat", str(big)], stdout=subprocess.DEVNULL, check=True)
        t_ssl = timed(
            "openssl dgst -sha256",
            lambda: subprocess.run(
                ["openssl", "dgst", "-sha256", str(big)], stdout=subprocess.DEVNULL, check=True
            ),
        )
        t_sum = timed(
            "sha256sum",
            lambda: subprocess.run(["sha256sum", str(big)], stdout=subprocess.DEVNULL, check=True),
        )
        t_ours = timed("verifier hash_file", lambda: hash_file(big))
        mib = size / 2**20
        print(
            f"  throughput MiB/s: openssl {mib / t_ssl:.0f}, sha256sum {mib / t_sum:.0f}, "
            f"verifier {mib / t_ours:.0f}"
        )
        print(f"  verifier / openssl throughput ratio: {t_ssl / t_ours:.2f} (target >= 0.90)")
        big.unlink()

        small = root / "small"
        small.mkdir()
        paths = []
        for i in range(args.files):
            p = small / f"f{i:05d}"
            p.write_bytes(os.urandom(4096))
            paths.append(p)
        listing = root / "list.txt"
        listing.write_text("\n".join(map(str, paths)) + "\n")
        print(f"small files: {args.files} x 4 KiB")
        xargs = ["xargs", "-a", str(listing)]
        t_ssl = timed(
            "openssl dgst (xargs)",
            lambda: subprocess.run(
                [*xargs, "openssl", "dgst", "-sha256"], stdout=subprocess.DEVNULL, check=True
            ),
        )
        t_sum = timed(
            "sha256sum (xargs)",
            lambda: subprocess.run([*xargs, "sha256sum"], stdout=subprocess.DEVNULL, check=True),
        )
        t_ours = timed("verifier hash_files", lambda: hash_files(paths))
        print(
            f"  verifier / openssl time ratio: {t_ours / t_ssl:.2f}, "
            f"verifier / sha256sum: {t_ours / t_sum:.2f} (lower is faster)"
        )


if __name__ == "__main__":
    main()
