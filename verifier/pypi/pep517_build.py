"""Build a wheel from an sdist with an inferred recipe, in a plain venv (no sandbox).

For checking inferred recipes in tests and benchmarks only: the build runs with the caller's
privileges and network. Rebuilds that produce evidence go through ``verifier rebuild``, which
sandboxes them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from verifier import process
from verifier.archive import extract
from verifier.errors import EnvironmentFailure
from verifier.pypi.infer import InferredRecipe


def backend_venv(
    dest: Path,
    requirements: Sequence[str],
    *,
    find_links: Path | None = None,
    timeout: float = 600,
) -> Path:
    """A venv at ``dest`` with ``requirements`` installed (only from ``find_links`` if given).

    pip runs without user or machine configuration, so nothing but what is asked for is
    installed; with ``find_links`` it does not touch the network.
    """
    process.run([sys.executable, "-m", "venv", str(dest)], timeout=timeout)
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    argv = [str(dest / "bin" / "python"), "-m", "pip", "install", "-q"]
    if find_links is not None:
        argv += ["--no-index", "--find-links", str(find_links)]
    process.run([*argv, *requirements], timeout=timeout, env=env)
    return dest


def build_wheel(
    recipe: InferredRecipe, sdist: Path, venv: Path, work: Path, *, timeout: float = 600
) -> Path:
    """Build ``sdist`` into a wheel the way the inferred recipe says; the wheel's path.

    The sdist is unpacked as its author's machine would have (mtimes kept, the inferred
    umask), then the backend's ``build_wheel`` runs with the inferred environment.
    """
    src = work / "src"
    extract(sdist, src, strip=1, keep_mtimes=True, umask=recipe.umask)
    dist = src / "dist"
    dist.mkdir()
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(work), **recipe.env()}
    process.run(
        [str(venv / "bin" / "python"), "-c", recipe.build_code],
        timeout=timeout,
        cwd=src,
        env=env,
        umask=recipe.umask if recipe.umask is not None else 0o022,
    )
    wheels = sorted(dist.glob("*.whl"))
    if len(wheels) != 1:
        raise EnvironmentFailure(f"{sdist}: the backend left {len(wheels)} wheels in dist/")
    return wheels[0]
