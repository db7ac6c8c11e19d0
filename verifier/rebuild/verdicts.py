"""A verdict per output across the N builds (and an optional reference artifact)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from verifier.digest import Digest, hash_file
from verifier.errors import InputError
from verifier.rebuild.outputs_diff import differing_members
from verifier.rebuild.runner import BuildRun, BuildStatus


class Verdict(StrEnum):
    """What the rebuild concluded about one output."""

    REPRODUCED = "REPRODUCED"  # bit for bit in every build (and the reference)
    EQUIVALENT = "EQUIVALENT"  # identical after named stabilizers
    MISMATCH = "MISMATCH"
    BUILD_FAILED = "BUILD_FAILED"
    MISSING = "MISSING"

    @property
    def passed(self) -> bool:
        """Whether this verdict lets a rebuild pass."""
        return self in (Verdict.REPRODUCED, Verdict.EQUIVALENT)


@dataclass(frozen=True)
class OutputVerdict:
    """One output's verdict with the evidence behind it."""

    name: str
    verdict: Verdict
    digests: tuple[Digest | None, ...]  # per build, None where absent
    reason: str
    reference: Digest | None = None
    differences: tuple[str, ...] = ()

    @property
    def digest(self) -> Digest | None:
        """The agreed digest when reproduced, else the control build's."""
        return self.digests[0] if self.digests else None


@dataclass(frozen=True)
class Reference:
    """A previously published artifact the rebuilds must match (``--against``)."""

    files: dict[str, Path]  # output name (or basename) -> file

    @classmethod
    def load(cls, path: Path) -> Reference:
        """A reference file, or a directory of them (matched by relative path or basename)."""
        if path.is_file():
            return cls({path.name: path})
        if path.is_dir():
            return cls(
                {p.relative_to(path).as_posix(): p for p in sorted(path.rglob("*")) if p.is_file()}
            )
        raise InputError(f"{path}: --against must be an existing file or directory")

    def match(self, output_name: str) -> Path | None:
        """The reference file for an output: same relative path, else same basename."""
        if output_name in self.files:
            return self.files[output_name]
        base = Path(output_name).name
        candidates = [p for n, p in self.files.items() if Path(n).name == base]
        return candidates[0] if len(candidates) == 1 else None


def judge(
    runs: Sequence[BuildRun], patterns: Sequence[str], reference: Reference | None = None
) -> tuple[OutputVerdict, ...]:
    """Compare every output of every build (and the reference); one verdict per output."""
    failed = [r for r in runs if r.status is not BuildStatus.SUCCEEDED]
    names = sorted({o.name for r in runs for o in r.outputs})
    verdicts: list[OutputVerdict] = []
    if failed:
        why = "; ".join(f"build {r.number} {r.status.value}: {r.message}" for r in failed)
        for name in names or ["(all outputs)"]:
            digests = tuple((o.digest if (o := r.output(name)) else None) for r in runs)
            verdicts.append(OutputVerdict(name, Verdict.BUILD_FAILED, digests, why))
        return tuple(verdicts)
    for pattern in patterns:
        if not any(_matches(n, pattern) for n in names):
            verdicts.append(
                OutputVerdict(
                    pattern,
                    Verdict.MISSING,
                    tuple(None for _ in runs),
                    f"no build produced a file matching {pattern!r}",
                )
            )
    if reference is not None:
        unmatched = [n for n in names if reference.match(n) is None]
        if names and len(unmatched) == len(names):
            raise InputError(
                f"--against: no reference file matches any output (outputs: {', '.join(names)})"
            )
    for name in names:
        verdicts.append(_judge_one(name, runs, reference))
    return tuple(sorted(verdicts, key=lambda v: v.name))


def _matches(name: str, pattern: str) -> bool:
    from fnmatch import fnmatchcase

    return fnmatchcase(name, pattern) or name.startswith(pattern.rstrip("/") + "/")


def _judge_one(name: str, runs: Sequence[BuildRun], reference: Reference | None) -> OutputVerdict:
    outs = [r.output(name) for r in runs]
    digests = tuple(o.digest if o else None for o in outs)
    absent = [r.number for r, o in zip(runs, outs, strict=True) if o is None]
    if absent:
        return OutputVerdict(
            name,
            Verdict.MISSING,
            digests,
            f"absent from build(s) {', '.join(map(str, absent))}",
        )
    ref_path = reference.match(name) if reference else None
    ref_digest = hash_file(ref_path) if ref_path else None
    control = outs[0]
    assert control is not None
    differences: list[str] = []
    culprits: list[str] = []
    for run, out in zip(runs[1:], outs[1:], strict=True):
        assert out is not None
        if out.digest != control.digest:
            culprits.append(f"build {run.number}")
            differences += [
                f"build 1 vs build {run.number}: {d}"
                for d in differing_members(control.path, out.path)
            ]
    if ref_path is not None and ref_digest != control.digest:
        culprits.append("the reference")
        differences += [
            f"build 1 vs reference: {d}" for d in differing_members(control.path, ref_path)
        ]
    if culprits:
        return OutputVerdict(
            name,
            Verdict.MISMATCH,
            digests,
            f"build 1 differs from {', '.join(culprits)}",
            ref_digest,
            tuple(differences),
        )
    agreed = f"all {len(runs)} builds" + (" and the reference" if ref_path else "")
    return OutputVerdict(name, Verdict.REPRODUCED, digests, f"identical in {agreed}", ref_digest)
