"""One build: a fresh directory, the staged inputs, the sandbox, the log, the outputs."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from verifier import process
from verifier.clock import Clock
from verifier.digest import Digest, hash_file
from verifier.errors import EnvironmentFailure
from verifier.rebuild.inputs import StagedInput, place_inputs
from verifier.rebuild.sandbox import Sandbox, SandboxMode, SandboxSpec
from verifier.rebuild.toolchain import ToolchainEnv
from verifier.rebuild.variations import BuildVariations
from verifier.recipe import Recipe

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


class BuildStatus(StrEnum):
    """How one build ended."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed out"


@dataclass(frozen=True)
class BuildOutput:
    """One output file of one build, kept under the results directory."""

    name: str  # path relative to the build directory, POSIX
    digest: Digest
    size: int
    path: Path


@dataclass(frozen=True)
class BuildRun:
    """What one build did."""

    index: int  # 0-based; shown to people as index + 1
    status: BuildStatus
    exit_code: int | None
    outputs: tuple[BuildOutput, ...]
    log: Path
    log_digest: Digest
    started: datetime
    finished: datetime
    variations: BuildVariations
    host_root: Path
    message: str = ""

    @property
    def number(self) -> int:
        """1-based build number for people."""
        return self.index + 1

    def output(self, name: str) -> BuildOutput | None:
        """The output called ``name``, if this build produced it."""
        for out in self.outputs:
            if out.name == name:
                return out
        return None


@dataclass(frozen=True)
class BuildPlan:
    """Everything shared by the N builds of one rebuild."""

    recipe: Recipe
    staged: tuple[StagedInput, ...]
    toolchain: ToolchainEnv | None
    sandbox: Sandbox
    source_date_epoch: int | None  # None: the recipe says "none"
    timeout: float
    workspace: Path  # host directory holding every build directory
    results: Path  # where logs and outputs are kept
    keep_build_dirs: bool = False


def _environment(plan: BuildPlan, v: BuildVariations) -> dict[str, str]:
    path = SYSTEM_PATH
    env: dict[str, str] = {}
    if plan.toolchain is not None:
        path = f"{plan.toolchain.bin_dir}:{path}"
        env["VIRTUAL_ENV"] = str(plan.toolchain.path)
    env.update(
        {
            "PATH": path,
            "HOME": v.home,
            "TZ": v.time_zone,
            "LANG": v.locale,
            "LC_ALL": v.locale,
            "USER": v.user,
            "LOGNAME": v.user,
            "PYTHONHASHSEED": v.hash_seed,
            "PYTHONDONTWRITEBYTECODE": "1",
            "TMPDIR": "/tmp",  # noqa: S108 - private tmpfs inside the sandbox
        }
    )
    if plan.source_date_epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(plan.source_date_epoch)
    elif v.clock_offset_days:
        # Without SOURCE_DATE_EPOCH the inputs' file times are inputs (a backend may copy
        # them into its output): the wall-clock variation moves the clock, not those.
        env["NO_FAKE_STAT"] = "1"
    env.update(plan.recipe.build.env)
    return env


@contextlib.contextmanager
def _file_order(real: Path, mount: Path, enabled: bool) -> Iterator[Path]:
    """Present ``real`` through disorderfs (reversed directory order) when enabled."""
    if not enabled:
        yield real
        return
    mount.mkdir(parents=True, exist_ok=True)
    process.run(
        [
            shutil.which("disorderfs") or "disorderfs",
            "--quiet",
            "--reverse-dirents=yes",
            "--shuffle-dirents=no",
            "--multi-user=no",
            str(real),
            str(mount),
        ],
        timeout=30,
    )
    try:
        yield mount
    finally:
        fusermount = shutil.which("fusermount") or shutil.which("fusermount3") or "fusermount"
        done = process.run([fusermount, "-u", "-z", str(mount)], timeout=30, check=False)
        if done.returncode != 0:
            raise EnvironmentFailure(f"cannot unmount disorderfs at {mount}")


def _collect_outputs(plan: BuildPlan, root: Path, keep: Path) -> tuple[BuildOutput, ...]:
    found: dict[str, Path] = {}
    inside = root.resolve()
    for pattern in plan.recipe.build.outputs:
        for match in sorted(root.glob(pattern)):
            files = (
                [match] if match.is_file() else sorted(p for p in match.rglob("*") if p.is_file())
            )
            for f in files:
                # Symlinks are not outputs, and neither is what a symlinked directory the
                # build made (out/etc -> /etc) leads to: we read it outside the sandbox.
                if f.is_symlink() or not f.resolve().is_relative_to(inside):
                    continue
                found[f.relative_to(root).as_posix()] = f
    outputs = []
    for name, path in sorted(found.items()):
        kept = keep / name
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, kept)
        outputs.append(BuildOutput(name, hash_file(kept), kept.stat().st_size, kept))
    return tuple(outputs)


def run_build(plan: BuildPlan, variations: BuildVariations, clock: Clock) -> BuildRun:
    """Run build ``variations.index`` start to finish; never raises for a failing build."""
    number = variations.index + 1
    build_dir = plan.workspace / f"build-{number}"
    real = build_dir / "src"
    real.mkdir(parents=True)
    results = plan.results / f"build-{number}"
    results.mkdir(parents=True)
    log = results / "build.log"
    if plan.sandbox.mode is SandboxMode.UNSAFE_NONE:
        # Without a sandbox the build sees host paths: record what it really saw.
        home = build_dir / "home"
        home.mkdir()
        variations = replace(variations, build_path=str(real), home=str(home))
    place_inputs(plan.staged, real, plan.source_date_epoch)
    env = _environment(plan, variations)
    started = clock.now()
    status, exit_code, message = BuildStatus.FAILED, None, ""
    with _file_order(real, build_dir / "ordered", variations.file_order) as root:
        spec = SandboxSpec(
            host_root=root,
            root=variations.build_path,
            workdir=plan.recipe.build.workdir,
            env=env,
            variations=variations,
            network=plan.recipe.build.network,
            ro_paths=plan.toolchain.ro_paths if plan.toolchain else (),
        )
        argv = plan.sandbox.wrap(plan.recipe.build.command, spec)
        run_env: Mapping[str, str] = (
            env if plan.sandbox.mode is SandboxMode.UNSAFE_NONE else {"PATH": SYSTEM_PATH}
        )
        cwd = plan.sandbox.cwd(spec)
        if cwd is not None and not cwd.is_dir():
            message = f"working directory {plan.recipe.build.workdir!r} does not exist"
        else:
            with log.open("wb") as log_stream:
                try:
                    done = process.run(
                        argv,
                        timeout=plan.timeout,
                        cwd=cwd,
                        env=run_env,
                        stdout=log_stream,
                        umask=variations.umask,
                        check=False,
                    )
                except EnvironmentFailure as exc:
                    message = str(exc)
                else:
                    exit_code = done.returncode
                    if done.timed_out:
                        status = BuildStatus.TIMED_OUT
                        message = f"killed after the {plan.timeout:g}s time limit"
                    elif done.returncode == 0:
                        status = BuildStatus.SUCCEEDED
                    else:
                        message = f"build command exited with status {done.returncode}"
    finished = clock.now()
    outputs = (
        _collect_outputs(plan, real, results / "outputs") if status is BuildStatus.SUCCEEDED else ()
    )
    if not plan.keep_build_dirs:
        shutil.rmtree(build_dir, ignore_errors=True)
    if not log.exists():
        log.write_bytes(message.encode() + b"\n")
    return BuildRun(
        index=variations.index,
        status=status,
        exit_code=exit_code,
        outputs=outputs,
        log=log,
        log_digest=hash_file(log),
        started=started,
        finished=finished,
        variations=variations,
        host_root=build_dir,
        message=message,
    )
