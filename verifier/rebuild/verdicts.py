"""A verdict per output across the N builds (and an optional reference artifact)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from verifier.compare import Comparison, Stabilizer, compare_paths
from verifier.digest import Digest, hash_file
from verifier.errors import InputError
from verifier.rebuild.runner import BuildRun, BuildStatus

#: differences listed per comparison (the statements and the report stay short)
DIFFERENCES_SHOWN = 10


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
class CauseCount:
    """How many remaining differences of one output a cause explains, with its fix hint."""

    cause: str
    count: int
    hint: str

    def to_dict(self) -> dict[str, object]:
        """JSON-able form."""
        return {"cause": self.cause, "count": self.count, "hint": self.hint}


@dataclass(frozen=True)
class OutputVerdict:
    """One output's verdict with the evidence behind it.

    ``differences`` are short lines (``build 1 vs build 2: <member>: <kind> ... (<cause>)``),
    ``causes`` the causes of the differences no stabilizer erased, summed over every
    comparison, and ``stabilizers`` which opted-in stabilizer erased differences in which
    members (``name@version`` -> sorted member paths): the evidence for ``EQUIVALENT``.
    """

    name: str
    verdict: Verdict
    digests: tuple[Digest | None, ...]  # per build, None where absent
    reason: str
    reference: Digest | None = None
    differences: tuple[str, ...] = ()
    causes: tuple[CauseCount, ...] = ()
    stabilizers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

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
    runs: Sequence[BuildRun],
    patterns: Sequence[str],
    reference: Reference | None = None,
    stabilizers: Sequence[Stabilizer] = (),
) -> tuple[OutputVerdict, ...]:
    """Compare every output of every build (and the reference); one verdict per output.

    Outputs that differ are compared structurally (:func:`verifier.compare.compare_paths`)
    with each build's build path, host name and user, so leaks are named; with
    ``stabilizers`` (opt-in) an output equal only after stabilizing is ``EQUIVALENT``.
    """
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
        verdicts.append(_judge_one(name, runs, reference, tuple(stabilizers)))
    return tuple(sorted(verdicts, key=lambda v: v.name))


def _matches(name: str, pattern: str) -> bool:
    from fnmatch import fnmatchcase

    return fnmatchcase(name, pattern) or name.startswith(pattern.rstrip("/") + "/")


@dataclass(frozen=True)
class _Pair:
    """One comparison of the control build's output with another build's (or the reference)."""

    label: str  # "build 2", "the reference"
    comparison: Comparison | None  # None: could not be compared structurally
    problem: str = ""

    @property
    def equivalent(self) -> bool:
        return self.comparison is not None and (
            self.comparison.identical
            or (self.comparison.equivalent and bool(self.comparison.stabilizers_applied))
        )


def _compare(
    label: str,
    control: Path,
    other: Path,
    runs: Sequence[BuildRun],
    stabilizers: tuple[Stabilizer, ...],
) -> _Pair:
    variations = [r.variations for r in runs]
    try:
        comparison = compare_paths(
            control,
            other,
            stabilizers=stabilizers,
            build_paths=sorted({v.build_path for v in variations}),
            hostnames=sorted({v.hostname for v in variations}),
            users=sorted({v.user for v in variations}),
        )
    except InputError as exc:
        # A hostile or corrupt output is itself a finding; the bytes still differ.
        return _Pair(label, None, f"cannot compare structurally: {exc}")
    return _Pair(label, comparison)


def _lines(pair: _Pair) -> list[str]:
    prefix = "build 1 vs reference" if pair.label == "the reference" else f"build 1 vs {pair.label}"
    if pair.comparison is None:
        return [f"{prefix}: {pair.problem}"]
    lines = list(pair.comparison.summary(DIFFERENCES_SHOWN))
    if not lines and not pair.equivalent:
        lines = ["the bytes differ but no member or header field does"]
    # A plain (non-archive) output is one member called "."; the output's name says which.
    return [f"{prefix}: {line.removeprefix('.: ')}" for line in lines]


def _judge_one(
    name: str,
    runs: Sequence[BuildRun],
    reference: Reference | None,
    stabilizers: tuple[Stabilizer, ...],
) -> OutputVerdict:
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
    pairs: list[_Pair] = []
    for run, out in zip(runs[1:], outs[1:], strict=True):
        assert out is not None
        if out.digest != control.digest:
            pairs.append(_compare(f"build {run.number}", control.path, out.path, runs, stabilizers))
    if ref_path is not None and ref_digest != control.digest:
        pairs.append(_compare("the reference", control.path, ref_path, runs, stabilizers))
    agreed = f"all {len(runs)} builds" + (" and the reference" if ref_path else "")
    if not pairs:
        return OutputVerdict(
            name, Verdict.REPRODUCED, digests, f"identical in {agreed}", ref_digest
        )
    differences = [line for pair in pairs for line in _lines(pair)]
    causes: dict[str, CauseCount] = {}
    applied: dict[str, set[str]] = {}
    for pair in pairs:
        if pair.comparison is None:
            continue
        for cause, count in pair.comparison.causes().items():
            old = causes.get(cause.value)
            causes[cause.value] = CauseCount(
                cause.value, count + (old.count if old else 0), cause.hint
            )
        for label, members in pair.comparison.stabilizers_applied.items():
            applied.setdefault(label, set()).update(members)
    stabilized = {k: tuple(sorted(v)) for k, v in sorted(applied.items())}
    ordered = tuple(sorted(causes.values(), key=lambda c: (-c.count, c.cause)))
    culprits = ", ".join(p.label for p in pairs)
    if all(p.equivalent for p in pairs):
        return OutputVerdict(
            name,
            Verdict.EQUIVALENT,
            digests,
            f"equal in {agreed} after stabilizers {', '.join(stabilized)} "
            f"(bytes differ in {culprits})",
            ref_digest,
            (),
            (),
            stabilized,
        )
    return OutputVerdict(
        name,
        Verdict.MISMATCH,
        digests,
        f"build 1 differs from {culprits}",
        ref_digest,
        tuple(differences),
        ordered,
        stabilized,
    )
