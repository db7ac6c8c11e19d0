"""Sandboxes a build runs in: bubblewrap, or (opt-in, recorded) none at all.

The bwrap sandbox: every namespace unshared (network too, unless the recipe allows it), the
whole system read-only, private /tmp, the user's home directories hidden, only the build
directory writable, a fixed hostname and domain name per build, and a scrubbed environment.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from verifier import process
from verifier.errors import EnvironmentFailure, VerifierError
from verifier.rebuild.variations import BuildVariations


class SandboxMode(StrEnum):
    """How isolated the builds were; recorded in every statement."""

    BWRAP = "bwrap"
    UNSAFE_NONE = "none (--unsafe-no-sandbox)"


@dataclass(frozen=True)
class SandboxSpec:
    """Everything a sandbox needs to start one build."""

    host_root: Path  # the build directory on the host
    root: str  # where the build directory appears to the build
    workdir: str  # relative to root
    env: Mapping[str, str]
    variations: BuildVariations
    network: bool
    ro_paths: tuple[Path, ...]  # extra read-only paths (toolchain, its interpreter)


class Sandbox(Protocol):
    """Turns a build command into the argv that runs it isolated."""

    mode: SandboxMode

    def wrap(self, argv: Sequence[str], spec: SandboxSpec) -> list[str]: ...

    def cwd(self, spec: SandboxSpec) -> Path | None: ...


# Hidden from builds: secrets (SSH keys, registry credentials) live under these.
_HIDDEN = ("/root", "/home", "/var/tmp", "/run")
#: The file system every build sees (the host read-only, fresh /dev, /proc and /tmp);
#: the probe that decides whether bwrap works here starts a process with the same mounts.
_BASE_MOUNTS = ("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp")


def _clock_and_cpus(argv: Sequence[str], v: BuildVariations, *, inner: bool) -> list[str]:
    """faketime goes inside the sandbox (its LD_PRELOAD must survive --clearenv)."""
    cmd = list(argv)
    if inner and v.clock_offset_days:
        faketime = shutil.which("faketime") or "faketime"
        cmd = [faketime, "-f", f"+{v.clock_offset_days}d", *cmd]
    return cmd


def _taskset(argv: list[str], v: BuildVariations) -> list[str]:
    if v.cpus is None:
        return argv
    return [shutil.which("taskset") or "taskset", "-c", ",".join(map(str, range(v.cpus))), *argv]


class BwrapSandbox:
    """bubblewrap (Debian package ``bubblewrap``)."""

    mode = SandboxMode.BWRAP

    def __init__(self, bwrap: str, domain_wrapper: Sequence[str]) -> None:
        self._bwrap = bwrap
        self._domain_wrapper = tuple(domain_wrapper)

    def cwd(self, spec: SandboxSpec) -> Path | None:
        """bwrap sets the working directory itself."""
        return None

    def wrap(self, argv: Sequence[str], spec: SandboxSpec) -> list[str]:
        """The full argv: [taskset] [unshare --uts (domain)] bwrap ... -- [faketime] argv."""
        v = spec.variations
        args = [
            self._bwrap,
            "--die-with-parent",
            "--new-session",
            "--unshare-user",
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--uid",
            str(v.uid),
            "--gid",
            str(v.uid),
            *_BASE_MOUNTS,
        ]
        if not spec.network:
            args.append("--unshare-net")
        for hidden in _HIDDEN:
            if Path(hidden).is_dir() and not (spec.network and hidden == "/run"):
                args += ["--tmpfs", hidden]
        for path in spec.ro_paths:
            args += ["--ro-bind", str(path), str(path)]
        args += ["--bind", str(spec.host_root), spec.root, "--dir", v.home]
        args += ["--hostname", v.hostname, "--clearenv"]
        for key, value in sorted(spec.env.items()):
            args += ["--setenv", key, value]
        args += ["--chdir", os.path.normpath(f"{spec.root}/{spec.workdir}"), "--"]
        args += _clock_and_cpus(argv, v, inner=True)
        outer = [*self._domain_wrapper, v.domain, *args] if self._domain_wrapper else args
        return _taskset(outer, v)


class UnsafeNoSandbox:
    """No isolation at all: only with ``--unsafe-no-sandbox``, and recorded as such."""

    mode = SandboxMode.UNSAFE_NONE

    def cwd(self, spec: SandboxSpec) -> Path | None:
        """The build runs in its host directory."""
        return spec.host_root / spec.workdir

    def wrap(self, argv: Sequence[str], spec: SandboxSpec) -> list[str]:
        """[taskset] [faketime] argv; the environment is scrubbed by the runner."""
        return _taskset(_clock_and_cpus(argv, spec.variations, inner=True), spec.variations)


_DOMAIN_SCRIPT = 'printf %s "$0" > /proc/sys/kernel/domainname && exec "$@"'


def _domain_wrapper() -> list[str] | None:
    """An ``unshare`` prefix that sets the domain name in a fresh UTS namespace, if allowed."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    candidates = [[unshare, "--uts"], [unshare, "--user", "--map-root-user", "--uts"]]
    for prefix in candidates:
        wrapper = [*prefix, "sh", "-c", _DOMAIN_SCRIPT]
        try:
            done = process.run([*wrapper, "probe.invalid", "true"], timeout=10, check=False)
        except VerifierError:
            continue
        if done.returncode == 0:
            return wrapper
    return None


#: Probes before concluding that bwrap cannot work here, and the pause between them.
PROBE_ATTEMPTS = 3
PROBE_PAUSE_SECONDS = 0.2


def _bwrap_works(bwrap: str) -> str | None:
    """None when bwrap can start an isolated process here, else why not.

    NOTE: ``--ro-bind / /`` binds every mount below / as well; a mount that goes away
    meanwhile (another build's disorderfs view, unmounted as it ends) fails the bind with "No
    such file or directory". Seen once in 1,150 tests run two at a time; a second probe passes.
    """
    problem: str | None = None
    for attempt in range(PROBE_ATTEMPTS):
        if attempt:
            time.sleep(PROBE_PAUSE_SECONDS)
        try:
            done = process.run(
                [bwrap, "--unshare-all", *_BASE_MOUNTS, "true"], timeout=20, check=False
            )
        except VerifierError as exc:
            return str(exc)  # bwrap did not run at all: asking again will not help
        if done.returncode == 0:
            return None
        problem = done.stderr.decode(errors="replace").strip() or f"exit {done.returncode}"
    return problem


def open_sandbox(*, unsafe_no_sandbox: bool) -> Sandbox:
    """bwrap when it works; otherwise refuse (exit 3) unless the user opted out of isolation."""
    if unsafe_no_sandbox:
        return UnsafeNoSandbox()
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise EnvironmentFailure(
            "bwrap (bubblewrap) is not installed: install the Debian package 'bubblewrap', "
            "or pass --unsafe-no-sandbox to build without isolation (recorded in the statements)"
        )
    problem = _bwrap_works(bwrap)
    if problem is not None:
        raise EnvironmentFailure(
            f"bwrap cannot create a sandbox here ({problem}); "
            "pass --unsafe-no-sandbox to build without isolation (recorded in the statements)"
        )
    return BwrapSandbox(bwrap, _domain_wrapper() or ())


def sandbox_can_set_domain(sandbox: Sandbox) -> bool:
    """Whether the domain-name variation is possible with this sandbox."""
    return isinstance(sandbox, BwrapSandbox) and bool(sandbox._domain_wrapper)
