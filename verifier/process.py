"""The one wrapper every subprocess goes through: time limit, process-group kill, typed errors."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from verifier.errors import EnvironmentFailure, ProcessFailed, ProcessTimeout


@dataclass(frozen=True)
class Completed:
    """What a finished subprocess left behind."""

    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes
    timed_out: bool = False


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    # The build may have spawned children (bwrap, make, compilers): kill the whole group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def run(
    argv: Sequence[str],
    *,
    timeout: float,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdout: IO[bytes] | None = None,
    umask: int = -1,
    check: bool = True,
    input_bytes: bytes | None = None,
) -> Completed:
    """Run argv with a hard time limit.

    ``stdout`` given: stdout and stderr both stream into it (a build log); otherwise both are
    captured. ``check`` raises ProcessFailed on a non-zero exit; a time-out always raises
    ProcessTimeout unless ``check`` is False, in which case it is reported in the result.
    """
    try:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL,
            stdout=stdout if stdout is not None else subprocess.PIPE,
            stderr=subprocess.STDOUT if stdout is not None else subprocess.PIPE,
            start_new_session=True,
            umask=umask,
        )
    except FileNotFoundError as exc:
        raise EnvironmentFailure(f"{argv[0]}: command not found") from exc
    except OSError as exc:
        raise EnvironmentFailure(f"{argv[0]}: cannot start: {exc.strerror or exc}") from exc
    try:
        out, err = proc.communicate(input=input_bytes, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate()
        result = Completed(tuple(argv), -9, out or b"", err or b"", timed_out=True)
        if check:
            raise ProcessTimeout(f"{argv[0]}: killed after the {timeout:g}s time limit") from None
        return result
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    result = Completed(tuple(argv), proc.returncode, out or b"", err or b"")
    if check and proc.returncode != 0:
        text = (err or b"").decode(errors="replace").strip()
        last = text.splitlines()[-1] if text else f"exit status {proc.returncode}"
        raise ProcessFailed(f"{argv[0]}: {last}", stderr=text)
    return result
