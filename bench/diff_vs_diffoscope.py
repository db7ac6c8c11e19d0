"""verifier diff against diffoscope on two ~12 MB wheels: same differing members, and how fast.

Two builds of one large pure-Python wheel (generated here, deterministic): every member's
timestamp differs and one module changed. Prints the differing members each tool found,
whether they agree, both run times and the ratio (the issue asks for at least 20x).

    uv run --locked python bench/diff_vs_diffoscope.py [--members 1700] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from verifier.compare import compare_paths
from verifier.compare.deep import find_diffoscope

WORDS = [
    "def",
    "class",
    "return",
    "import",
    "self",
    "value",
    "data",
    "result",
    "client",
    "request",
    "response",
    "error",
    "service",
    "operation",
    "shape",
    "member",
    "type",
    "string",
    "list",
    "map",
    "structure",
    "documentation",
    "input",
    "output",
    "botocore",
    "paginator",
    "waiter",
    "endpoint",
    "region",
    "credentials",
]


def module_text(rng: random.Random, lines: int) -> bytes:
    out = []
    for i in range(lines):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
        out.append(f"    # {words} {rng.getrandbits(48):x}\n    v{i} = {rng.random()!r}\n")
    return "".join(out).encode()


def build_wheel(path: Path, members: int, date_time: tuple[int, ...], changed: bool) -> None:
    rng = random.Random(20241126)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(members):
            data = module_text(rng, 220)
            if changed and i == members // 2:
                data += b"    CHANGED = True\n"
            info = zipfile.ZipInfo(f"bigpkg/data/module_{i:04d}.py", date_time)  # type: ignore[arg-type]
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)


def diffoscope_members(report: dict[str, object]) -> set[str]:
    """Members diffoscope shows a content difference for (its per-member detail entries)."""
    found: set[str] = set()
    for detail in report.get("details", []):  # type: ignore[union-attr]
        source = str(detail.get("source1", ""))  # type: ignore[union-attr]
        # Entries named after a command ("zipinfo {}", "zipdetails ... {}") or a listing
        # are archive-level views, not members.
        if source and "{}" not in source and not source.startswith(("file list", "filetype")):
            found.add(source)
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1700)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    diffoscope = find_diffoscope()
    if diffoscope is None:
        print("diffoscope missing: run tools/bootstrap (dev dependency)", file=sys.stderr)
        return 3
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        a, b = (
            root / "a" / "bigpkg-1.0-py3-none-any.whl",
            root / "b" / "bigpkg-1.0-py3-none-any.whl",
        )
        a.parent.mkdir(exist_ok=True)
        b.parent.mkdir(exist_ok=True)
        build_wheel(a, args.members, (2024, 1, 1, 0, 0, 0), changed=False)
        build_wheel(b, args.members, (2024, 6, 1, 12, 30, 0), changed=True)
        print(
            f"wheels: {a.stat().st_size / 1e6:.1f} MB and {b.stat().st_size / 1e6:.1f} MB, "
            f"{args.members} members"
        )

        start = time.perf_counter()
        ours = compare_paths(a, b)
        ours_s = time.perf_counter() - start
        ours_members = {d.path for d in ours.differences if d.kind.value == "content"}

        start = time.perf_counter()
        done = subprocess.run(
            [diffoscope, "--json", "-", "--no-progress", str(a), str(b)],
            capture_output=True,
            check=False,
        )
        theirs_s = time.perf_counter() - start
        if done.returncode not in (0, 1):
            print(done.stderr.decode(errors="replace"), file=sys.stderr)
            return 3
        theirs_members = diffoscope_members(json.loads(done.stdout))

    print(
        f"verifier diff: {ours_s:.2f} s, {len(ours.differences)} differences, "
        f"content differs in {sorted(ours_members)}"
    )
    print(f"diffoscope --json: {theirs_s:.2f} s, content differs in {sorted(theirs_members)}")
    same = ours_members == theirs_members
    print(f"same differing members: {'yes' if same else 'NO'}")
    print(f"ratio: verifier diff is {theirs_s / ours_s:.1f}x faster (target: 20x)")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
