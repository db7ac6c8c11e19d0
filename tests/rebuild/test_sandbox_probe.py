"""The sandbox probe: a bind that fails once (a mount vanishing meanwhile) is asked again.

bwrap cannot be made to fail on demand, so these use a stand-in executable that fails as bwrap
does ("bwrap: Can't ...", exit 1) a given number of times; the real bwrap probe runs in every
rebuild test.
"""

from __future__ import annotations

from pathlib import Path

from verifier.rebuild.sandbox import PROBE_ATTEMPTS, _bwrap_works


def _flaky_bwrap(tmp_path: Path, failures: int) -> tuple[str, Path]:
    calls = tmp_path / "calls"
    script = tmp_path / "bwrap"
    script.write_text(
        "#!/bin/sh\n"
        f'echo x >> "{calls}"\n'
        f'if [ "$(wc -l < "{calls}")" -le {failures} ]; then\n'
        '  echo "bwrap: Can\'t bind mount /oldroot/tmp/disordered: No such file or directory"'
        " >&2\n"
        "  exit 1\n"
        "fi\n"
    )
    script.chmod(0o755)
    return str(script), calls


def test_a_probe_that_fails_once_is_asked_again(tmp_path: Path) -> None:
    bwrap, calls = _flaky_bwrap(tmp_path, failures=1)
    assert _bwrap_works(bwrap) is None
    assert len(calls.read_text().splitlines()) == 2


def test_a_probe_that_keeps_failing_says_why(tmp_path: Path) -> None:
    bwrap, calls = _flaky_bwrap(tmp_path, failures=PROBE_ATTEMPTS)
    problem = _bwrap_works(bwrap)
    assert problem is not None and "disordered: No such file or directory" in problem
    assert len(calls.read_text().splitlines()) == PROBE_ATTEMPTS
