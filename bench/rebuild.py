"""Wall time of `verifier rebuild --builds 2` against the same build done twice by hand.

Two baselines, both run the build command twice, one after the other, in fresh copies:
  strict:  the pinned toolchain already installed once (only the build commands are timed);
  by hand: what a person scripts without verifier: a fresh venv per build, toolchain installed
           from hashes each time, then the build.
verifier runs both builds concurrently in bwrap with every variation, with its toolchain cache
warm (as in CI with a cache). Target: verifier / strict <= 1.3.

A tiny build (purepy takes ~0.1 s) measures verifier's fixed cost (start-up, sandbox, hashing,
about half a second); --cpu-seconds adds a synthetic recipe whose build does that much CPU work,
where running the builds concurrently is what counts.

    uv run python bench/rebuild.py [--fixture fixtures/purepy] [--cpu-seconds 3] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from verifier.digest import hash_file
from verifier.recipe import load_recipe

REPO = Path(__file__).resolve().parent.parent


def by_hand(fixture: Path, work: Path, shared_venv: Path | None = None) -> None:
    recipe = load_recipe(fixture / "repro.toml")
    assert recipe.toolchain is not None
    requirements = work / "requirements.txt"
    requirements.write_text("\n".join(recipe.toolchain.requirements) + "\n")
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    for n in (1, 2):
        src = work / f"build-{n}"
        shutil.copytree(fixture / recipe.inputs[0].location, src)
        venv = shared_venv or work / f"venv-{n}"
        if shared_venv is None:
            install(venv, requirements, env)
        subprocess.run(
            [str(venv / "bin" / "python"), *recipe.build.command[1:]],
            cwd=src,
            check=True,
            stdout=subprocess.DEVNULL,
            env={**env, "SOURCE_DATE_EPOCH": str(recipe.build.source_date_epoch)},
        )


def install(venv: Path, requirements: Path, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--require-hashes",
            "--no-deps",
            "--only-binary",
            ":all:",
            "-r",
            str(requirements),
        ],
        check=True,
        env=env,
    )


def ours(fixture: Path, out: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "verifier",
            "rebuild",
            str(fixture / "repro.toml"),
            "--builds",
            "2",
            "--out",
            str(out),
        ],
        check=True,
        stderr=subprocess.DEVNULL,
    )


def best_of(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="verifier-bench-") as tmp:
            start = time.perf_counter()
            fn(Path(tmp))
            times.append(time.perf_counter() - start)
    return min(times)


SYNTHETIC = """version = 1
name = "synthetic"

[[input]]
name = "work"
path = "work.py"
sha256 = "{sha}"

[build]
command = ["python3", "work.py"]
outputs = ["out.txt"]
source_date_epoch = 1700000000
"""

WORK = """import hashlib, time
h = hashlib.sha256()
n = {n}
for i in range(n):
    h.update(str(i).encode())
open("out.txt", "w").write(h.hexdigest())
"""


def synthetic(cpu_seconds: float, where: Path) -> Path:
    """A recipe whose build spends about cpu_seconds of CPU (calibrated here)."""
    start = time.perf_counter()
    h = hashlib.sha256()
    for i in range(200_000):
        h.update(str(i).encode())
    per_iteration = (time.perf_counter() - start) / 200_000
    work = where / "work.py"
    work.write_text(WORK.format(n=int(cpu_seconds / per_iteration)))
    (where / "repro.toml").write_text(SYNTHETIC.format(sha=hash_file(work).hex))
    return where


def strict_synthetic(fixture: Path, work: Path) -> None:
    for n in (1, 2):
        build = work / f"build-{n}"
        build.mkdir()
        shutil.copy(fixture / "work.py", build)
        subprocess.run(["python3", "work.py"], cwd=build, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture", type=Path, default=REPO / "fixtures" / "purepy")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpu-seconds", type=float, default=3.0)
    args = parser.parse_args()
    fixture = args.fixture.resolve()
    with tempfile.TemporaryDirectory() as warm:
        ours(fixture, Path(warm) / "out")  # warm the toolchain cache
    recipe = load_recipe(fixture / "repro.toml")
    assert recipe.toolchain is not None
    with tempfile.TemporaryDirectory(prefix="verifier-bench-venv-") as venv_dir:
        requirements = Path(venv_dir) / "requirements.txt"
        requirements.write_text("\n".join(recipe.toolchain.requirements) + "\n")
        venv = Path(venv_dir) / "venv"
        install(venv, requirements, {**os.environ, "PIP_CONFIG_FILE": os.devnull})
        t_strict = best_of(args.repeat, lambda d: by_hand(fixture, d, venv))
    t_hand = best_of(args.repeat, lambda d: by_hand(fixture, d))
    t_ours = best_of(args.repeat, lambda d: ours(fixture, d / "out"))
    print(f"fixture: {fixture.name} (best of {args.repeat})")
    print(f"  strict: 2 sequential builds, toolchain preinstalled:   {t_strict:6.2f} s")
    print(f"  by hand: 2 x (venv + pinned install + build):          {t_hand:6.2f} s")
    print(f"  verifier rebuild --builds 2 (sandboxed, varied):       {t_ours:6.2f} s")
    print(f"  ratio verifier / strict: {t_ours / t_strict:.2f} (target <= 1.30)")
    print(f"  ratio verifier / by hand: {t_ours / t_hand:.2f}")
    if args.cpu_seconds > 0:
        with tempfile.TemporaryDirectory(prefix="verifier-bench-synthetic-") as tmp:
            project = synthetic(args.cpu_seconds, Path(tmp))
            t_strict = best_of(args.repeat, lambda d: strict_synthetic(project, d))
            t_ours = best_of(args.repeat, lambda d: ours(project, d / "out"))
        print(f"synthetic build of ~{args.cpu_seconds:g} CPU seconds (best of {args.repeat})")
        print(f"  strict: 2 sequential builds:                           {t_strict:6.2f} s")
        print(f"  verifier rebuild --builds 2 (sandboxed, varied):       {t_ours:6.2f} s")
        print(f"  ratio verifier / strict: {t_ours / t_strict:.2f} (target <= 1.30)")


if __name__ == "__main__":
    main()
