"""Rebuild published pure-Python wheels from their sdists (online) and count what reproduces.

For each release: fetch the sdist and the wheel pinned by PyPI's digests, infer the recipe
from the wheel (backend and version, SOURCE_DATE_EPOCH, time zone, umask), build in a fresh
venv with that backend and its other requirements as the index offered them when the wheel
was uploaded (``--latest``: today's) (not sandboxed: this measures inference, not the
sandbox), compare
with the published wheel using only the stabilizers the inference calls for. Prints one line
per release and the totals: bit for bit, equivalent, different (with the main causes), failed.

    uv run --locked python bench/pypi_rebuild.py [--only NAME ...] [--keep DIR] [--latest]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from verifier.compare import compare_paths, resolve
from verifier.errors import VerifierError
from verifier.pypi import infer_recipe
from verifier.pypi.fetch import DEFAULT_INDEX, fetch_release
from verifier.pypi.history import toolchain_as_of
from verifier.pypi.pep517_build import backend_venv, build_wheel

RELEASES = (
    "six==1.16.0",
    "attrs==23.2.0",
    "idna==3.7",
    "packaging==24.1",
    "requests==2.32.3",
    "urllib3==2.2.2",
    "certifi==2024.7.4",
    "click==8.1.7",
    "jinja2==3.1.4",
    "python-dateutil==2.9.0.post0",
    "pytz==2024.1",
    "tomli==2.0.1",
    "typing_extensions==4.12.2",
    "pluggy==1.5.0",
    "iniconfig==2.0.0",
    "pygments==2.18.0",
    "filelock==3.15.4",
    "platformdirs==4.2.2",
    "pyparsing==3.1.2",
    "zipp==3.19.2",
)


def one(spec: str, work: Path, *, latest: bool) -> tuple[str, str]:
    """Rebuild one release; ``latest``: today's versions of what the wheel does not record."""
    name, version = spec.split("==")
    release = fetch_release(name, version, work / "published")
    recipe = infer_recipe(release.wheel.path, release.sdist.path)
    requirements = recipe.requirements
    if release.wheel.uploaded is not None and not latest:
        requirements = toolchain_as_of(
            requirements, release.wheel.uploaded, DEFAULT_INDEX
        ).requirements
    venv = backend_venv(work / "venv", requirements)
    built = build_wheel(recipe, release.sdist.path, venv, work / "build")
    comparison = compare_paths(release.wheel.path, built, stabilizers=resolve(recipe.stabilizers))
    settings = f"{recipe.generator}; TZ={recipe.tz}; SDE={recipe.source_date_epoch}"
    if comparison.identical:
        return "REPRODUCED", settings
    if comparison.equivalent:
        return "EQUIVALENT", f"{settings}; {', '.join(comparison.stabilizers_applied)}"
    causes = ", ".join(f"{c.value} x{n}" for c, n in list(comparison.causes().items())[:3])
    where = ", ".join(sorted({d.path for d in comparison.remaining})[:3])
    return "DIFFERENT", f"{settings}; {causes} ({where})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--latest", action="store_true", help="today's build requirements")
    args = parser.parse_args()
    specs = [s for s in RELEASES if not args.only or s.split("==")[0] in args.only]
    totals: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for spec in specs:
        with tempfile.TemporaryDirectory() as tmp:
            work = (args.keep / spec) if args.keep else Path(tmp)
            work.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            try:
                verdict, detail = one(spec, work, latest=args.latest)
            except VerifierError as err:
                verdict, detail = "FAILED", str(err).splitlines()[0][:160]
            took = time.perf_counter() - start
        totals[verdict] += 1
        if verdict in ("DIFFERENT", "FAILED"):
            reasons[detail.split("; ")[-1].split(" (")[0]] += 1
        print(f"{verdict:11} {spec:32} {took:5.1f}s  {detail}", flush=True)
    print(
        f"\n{len(specs)} releases: {totals['REPRODUCED']} bit for bit, "
        f"{totals['EQUIVALENT']} equivalent, {totals['DIFFERENT']} different, "
        f"{totals['FAILED']} failed"
    )
    for reason, count in reasons.most_common():
        print(f"  {count} x {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
