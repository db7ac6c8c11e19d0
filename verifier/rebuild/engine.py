"""Orchestration: pin check, stage inputs, toolchain, N concurrent builds, verdicts, statements."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from verifier.attest.statement import Statement
from verifier.attest.uris import DEFAULT_BUILDER_ID
from verifier.clock import Clock
from verifier.compare import Stabilizer
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.rebuild.inputs import NO_SDE_MTIME, StagedInput, stage_inputs
from verifier.rebuild.runner import BuildOutput, BuildPlan, BuildRun, BuildStatus, run_build
from verifier.rebuild.sandbox import Sandbox, SandboxMode, sandbox_can_set_domain
from verifier.rebuild.statements import (
    RebuildPolicy,
    overall,
    provenance_for,
    summary_for,
)
from verifier.rebuild.toolchain import ToolchainEnv, ensure_toolchain
from verifier.rebuild.variations import BuildVariations, Capabilities, Variation, plan_build
from verifier.rebuild.verdicts import OutputVerdict, Reference, Verdict, judge
from verifier.recipe import Recipe

MAX_BUILDS = 16


@dataclass(frozen=True)
class RebuildOptions:
    """What the user asked for."""

    builds: int
    variations: frozenset[Variation]
    results: Path
    timeout: float | None = None
    against: Path | None = None
    builder_id: str = DEFAULT_BUILDER_ID
    jobs: int | None = None
    keep_build_dirs: bool = False
    display_path: str = "repro.toml"
    #: opt-in stabilizers: an output equal only after these gets EQUIVALENT (default: none)
    stabilizers: tuple[Stabilizer, ...] = ()
    #: where the recipe came from when rebuilding a published release (``pypi:``): the
    #: index, the files and the digests it publishes; recorded in every statement
    published: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.builds <= MAX_BUILDS:
            raise InputError(f"--builds must be between 1 and {MAX_BUILDS} (got {self.builds})")
        if self.timeout is not None and self.timeout <= 0:
            raise InputError("--timeout must be a positive number of seconds")


@dataclass(frozen=True)
class RebuildResult:
    """Everything a rebuild found, and where its evidence was written."""

    recipe: Recipe
    staged: tuple[StagedInput, ...]
    toolchain: ToolchainEnv | None
    toolchain_cached: bool
    sandbox: SandboxMode
    #: the SOURCE_DATE_EPOCH the builds saw; with ``source_date_epoch = "none"`` they saw none
    #: (``no_source_date_epoch``) and this is the time their non-archive inputs got
    #: (1980-01-01), so timestamps derived from a rebuild stay deterministic
    source_date_epoch: int
    runs: tuple[BuildRun, ...]
    verdicts: tuple[OutputVerdict, ...]
    verdict: Verdict
    provenance: tuple[tuple[Path, Statement], ...]
    summary: tuple[Path, Statement]
    results: Path
    policy: RebuildPolicy
    published: Mapping[str, Any] | None = None
    no_source_date_epoch: bool = False

    @property
    def timed_out(self) -> bool:
        """Whether any build was stopped by the time limit (an environment failure)."""
        return any(r.status is BuildStatus.TIMED_OUT for r in self.runs)


def _source_date_epoch(recipe: Recipe, staged: tuple[StagedInput, ...]) -> int | None:
    if recipe.build.no_source_date_epoch:
        return None
    if recipe.build.source_date_epoch is not None:
        return recipe.build.source_date_epoch
    for item in staged:
        if item.spec.name == recipe.build.source_date_epoch_from and item.commit_time is not None:
            return item.commit_time
    raise InputError(f"{recipe.path}: cannot determine SOURCE_DATE_EPOCH")  # parse prevents this


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def rebuild(
    recipe: Recipe,
    options: RebuildOptions,
    sandbox: Sandbox,
    clock: Clock,
    on_progress: Callable[[str], None] = lambda _: None,
) -> RebuildResult:
    """Rebuild ``recipe`` N times and judge every output.

    Pins are checked and inputs verified before anything runs. Results go to a fresh directory
    next to ``options.results`` that replaces it only at the end, so an interrupted run never
    leaves a half-written result set where a previous complete one was.
    """
    reference = Reference.load(options.against) if options.against else None
    options.results.parent.mkdir(parents=True, exist_ok=True)
    pending = Path(tempfile.mkdtemp(prefix=f".{options.results.name}-", dir=options.results.parent))
    workspace = Path(tempfile.mkdtemp(prefix="verifier-rebuild-"))
    try:
        (workspace / "inputs").mkdir()
        staged = stage_inputs(recipe, workspace / "inputs", on_progress=on_progress)
        toolchain, cached = None, False
        if recipe.toolchain is not None:
            on_progress("toolchain: installing pinned requirements (cached per digest)")
            toolchain, cached = ensure_toolchain(recipe.toolchain)
            on_progress(f"toolchain: {'reused' if cached else 'installed'} {toolchain.path}")
        sde = _source_date_epoch(recipe, staged)
        caps = Capabilities.probe(
            sandbox=sandbox.mode is SandboxMode.BWRAP, domain=sandbox_can_set_domain(sandbox)
        )
        plans = [
            plan_build(i, options.variations, caps, recipe.build.env, recipe.build.umask)
            for i in range(options.builds)
        ]
        plan = BuildPlan(
            recipe=recipe,
            staged=staged,
            toolchain=toolchain,
            sandbox=sandbox,
            source_date_epoch=sde,
            timeout=options.timeout or recipe.build.timeout,
            workspace=workspace,
            results=pending,
            keep_build_dirs=options.keep_build_dirs,
        )
        jobs = max(1, min(options.builds, options.jobs or len(os.sched_getaffinity(0))))

        def one(variations: BuildVariations) -> BuildRun:
            on_progress(f"build {variations.index + 1}/{options.builds}: started")
            began = time.monotonic()  # progress only; statements use the injected clock
            run = run_build(plan, variations, clock)
            seconds = time.monotonic() - began
            on_progress(
                f"build {run.number}/{options.builds}: {run.status.value} in {seconds:.1f}s"
                + (f" ({run.message})" if run.message else "")
            )
            return run

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            runs = tuple(pool.map(one, plans))
        verdicts = judge(runs, recipe.build.outputs, reference, options.stabilizers)
        policy = RebuildPolicy(
            builds=options.builds,
            variations=tuple(sorted(v.value for v in options.variations)),
            sandbox=sandbox.mode.value,
            reference=reference is not None,
            stabilizers=tuple(s.label for s in options.stabilizers),
        )
        provenance: list[tuple[Path, Statement]] = []
        for run in runs:
            if not run.outputs:
                continue
            statement = provenance_for(
                run,
                recipe=recipe,
                display_path=options.display_path,
                staged=staged,
                toolchain=toolchain,
                sandbox=sandbox.mode,
                source_date_epoch=sde,
                builder_id=options.builder_id,
                published=options.published,
            )
            path = pending / f"build-{run.number}" / "provenance.json"
            _write(path, statement.to_json())
            provenance.append((path, statement))
        summary = summary_for(
            recipe=recipe,
            display_path=options.display_path,
            runs=runs,
            verdicts=verdicts,
            provenance=[
                (f"build-{p.parent.name.removeprefix('build-')}/provenance.json", _digest(s))
                for p, s in provenance
            ],
            policy=policy,
            enabled=options.variations,
            builder_id=options.builder_id,
            time_verified=clock.now(),
            published=options.published,
        )
        _write(pending / "rebuild.vsa.json", summary.to_json())
        final = _publish(pending, options.results)
        return RebuildResult(
            recipe=recipe,
            staged=staged,
            toolchain=toolchain,
            toolchain_cached=cached,
            sandbox=sandbox.mode,
            source_date_epoch=sde if sde is not None else NO_SDE_MTIME,
            no_source_date_epoch=sde is None,
            runs=tuple(_rebase_run(r, pending, final) for r in runs),
            verdicts=verdicts,
            verdict=overall(verdicts),
            provenance=tuple((final / p.relative_to(pending), s) for p, s in provenance),
            summary=(final / "rebuild.vsa.json", summary),
            results=final,
            policy=policy,
            published=options.published,
        )
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
        shutil.rmtree(pending, ignore_errors=True)


def _digest(statement: Statement) -> Digest:
    return Digest.of_bytes(statement.to_json())


def _publish(pending: Path, results: Path) -> Path:
    """Swap the finished result set into place."""
    if results.exists():
        old = results.with_name(f".{results.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        results.rename(old)
        pending.rename(results)
        shutil.rmtree(old, ignore_errors=True)
    else:
        pending.rename(results)
    return results


def _rebase_run(run: BuildRun, old: Path, new: Path) -> BuildRun:
    return replace(
        run,
        log=new / run.log.relative_to(old),
        outputs=tuple(
            BuildOutput(o.name, o.digest, o.size, new / o.path.relative_to(old))
            for o in run.outputs
        ),
    )
