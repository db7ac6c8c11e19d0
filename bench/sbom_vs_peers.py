"""Our SBOM generation against cyclonedx-py (PyPI cyclonedx-bom) on the same inputs.

1. A virtualenv with at least 60 distributions (default: this project's .venv):
   `cyclonedx-py environment` vs `verifier sbom VENV`.
2. A generated requirements lock of 10,000 pinned, hashed packages:
   `cyclonedx-py requirements` vs `verifier sbom FILE`.

For each: wall time of both tools (whole process, output written), component counts, whether
our purl set includes theirs, and how many components carry a sha256. cyclonedx-py runs with
--no-validate on the 10,000-package input by default (its validation is O(n^2): ~260 s per
/work/shared/reference/measured.md Q2); pass --peer-validate to time it anyway. Ours always
validates. Usage: python bench/sbom_vs_peers.py [--venv PATH] [--count N] [--peer-validate]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from packageurl import PackageURL

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def identity(purl: str) -> str:
    # cyclonedx-py keeps dots in PyPI names (pkg:pypi/boolean.py@5.0); we write the PEP 503
    # form the purl spec asks for (pkg:pypi/boolean-py@5.0): compare normalized names.
    p = PackageURL.from_string(purl)
    name = re.sub(r"[-_.]+", "-", p.name).lower() if p.type == "pypi" else p.name
    return PackageURL(type=p.type, namespace=p.namespace, name=name, version=p.version).to_string()


def timed(argv: list[str]) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, timeout=1800)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{argv[0]} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return elapsed, done


def compare(label: str, ours_argv: list[str], theirs_argv: list[str], out: Path) -> None:
    ours_out, theirs_out = out / f"{label}-verifier.json", out / f"{label}-cyclonedx-py.json"
    t_theirs, _ = timed([*theirs_argv, "-o", str(theirs_out)])
    t_ours, _ = timed([*ours_argv, "-o", str(ours_out)])
    theirs = json.loads(theirs_out.read_bytes()).get("components", [])
    ours = json.loads(ours_out.read_bytes()).get("components", [])
    their_purls = {identity(c["purl"]) for c in theirs if "purl" in c}
    our_purls = {identity(c["purl"]) for c in ours if "purl" in c}
    missing = sorted(their_purls - our_purls)

    def hashed(components: list[dict]) -> int:
        return sum(1 for c in components if any(h["alg"] == "SHA-256" for h in c.get("hashes", [])))

    print(f"\n== {label}")
    for name, comps, secs in (("cyclonedx-py", theirs, t_theirs), ("verifier", ours, t_ours)):
        counts = f"{len(comps):6d} components, {hashed(comps):6d} with sha256"
        print(f"{name + ':':13} {counts}, {secs:7.2f} s")
    print(f"time ratio verifier/cyclonedx-py: {t_ours / t_theirs:.2f}")
    print(
        f"our purls include all of theirs: {not missing}"
        + (f" (missing {missing[:5]})" if missing else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=REPO / ".venv")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--peer-validate", action="store_true")
    args = parser.parse_args()
    venv = args.venv.resolve()
    dists = list(venv.glob("lib/python*/site-packages/*.dist-info"))
    if len(dists) < 60:
        sys.exit(f"{venv}: {len(dists)} distributions; the benchmark wants at least 60")
    verifier, peer = str(BIN / "verifier"), str(BIN / "cyclonedx-py")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        compare(
            f"venv ({len(dists)} distributions)",
            [verifier, "sbom", str(venv)],
            [peer, "environment", "--output-reproducible", str(venv / "bin" / "python")],
            out,
        )
        lock = out / "requirements.txt"
        with lock.open("w") as f:
            for i in range(args.count):
                digest = hashlib.sha256(f"pkg{i}".encode()).hexdigest()
                f.write(f"pkg{i}==1.0.{i} --hash=sha256:{digest}\n")
        validate = [] if args.peer_validate else ["--no-validate"]
        compare(
            f"requirements lock ({args.count} packages)",
            [verifier, "sbom", str(lock)],
            [peer, "requirements", "--output-reproducible", *validate, str(lock)],
            out,
        )
        # in-process: our generation + validation alone, without interpreter start-up
        sys.path.insert(0, str(REPO))
        from verifier.sbom import build_sbom
        from verifier.sbom.sources.requirements import RequirementsSource

        start = time.perf_counter()
        data = build_sbom([RequirementsSource(lock)])
        elapsed = time.perf_counter() - start
        count = len(json.loads(data)["components"])
        print(f"\nverifier build_sbom in-process: {count} components generated + validated")
        print(f"in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
