"""Against cyclonedx-py (PyPI cyclonedx-bom): our components include all of theirs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from packageurl import PackageURL

from verifier.sbom import build_sbom
from verifier.sbom.sources.environment import EnvironmentSource

CYCLONEDX_PY = Path(sys.executable).parent / "cyclonedx-py"


def _identity(purl: str) -> str:
    # cyclonedx-py adds qualifiers (e.g. vcs_url/file_name for local installs); the package is
    # the same package: compare type, namespace, name and version.
    # cyclonedx-py keeps dots in PyPI names (pkg:pypi/boolean.py@5.0); we write the PEP 503
    # form the purl spec asks for (pkg:pypi/boolean-py@5.0): compare normalized names.
    p = PackageURL.from_string(purl)
    name = re.sub(r"[-_.]+", "-", p.name).lower() if p.type == "pypi" else p.name
    return PackageURL(type=p.type, namespace=p.namespace, name=name, version=p.version).to_string()


def test_superset_of_cyclonedx_py_on_a_small_venv(small_venv: Path) -> None:
    assert CYCLONEDX_PY.is_file(), "cyclonedx-py missing: run tools/bootstrap (dev dependency)"
    done = subprocess.run(
        [
            str(CYCLONEDX_PY),
            "environment",
            "--output-reproducible",
            "--no-validate",
            str(small_venv / "bin" / "python"),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    theirs = json.loads(done.stdout)["components"]
    ours = json.loads(build_sbom([EnvironmentSource(path=small_venv)]))["components"]
    their_purls = {_identity(c["purl"]) for c in theirs}
    our_purls = {_identity(c["purl"]) for c in ours}
    assert their_purls  # the peer saw the venv
    assert their_purls <= our_purls
    # and we carry a sha256 on every component, where they carry none for environments
    assert all(any(h["alg"] == "SHA-256" for h in c["hashes"]) for c in ours)
    assert not any(c.get("hashes") for c in theirs)
