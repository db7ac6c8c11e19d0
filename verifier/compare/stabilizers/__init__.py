"""The stabilizer catalogue: OSS Rebuild's names for zip, tar, gzip and jar, plus wheel.

Stabilizers run in catalogue order whatever order the user names them in, so a result
never depends on how the command line was typed.
"""

from __future__ import annotations

from collections.abc import Iterable

from verifier.compare.stabilizers.gzip import GZIP_STABILIZERS
from verifier.compare.stabilizers.interface import Stabilizer
from verifier.compare.stabilizers.jar import JAR_STABILIZERS
from verifier.compare.stabilizers.tar import TAR_STABILIZERS
from verifier.compare.stabilizers.wheel import WHEEL_STABILIZERS
from verifier.compare.stabilizers.zip import ZIP_STABILIZERS
from verifier.errors import InputError

CATALOGUE: tuple[Stabilizer, ...] = (
    *ZIP_STABILIZERS,
    *TAR_STABILIZERS,
    *GZIP_STABILIZERS,
    *WHEEL_STABILIZERS,
    *JAR_STABILIZERS,
)
FAMILIES = ("zip", "tar", "gzip", "wheel", "jar")


def resolve(names: Iterable[str]) -> tuple[Stabilizer, ...]:
    """Stabilizers by name, ``name@version``, family (``zip``, ``tar``, ...) or ``all``.

    InputError names an unknown stabilizer or a version we do not have.
    """
    by_name = {s.name: s for s in CATALOGUE}
    wanted: set[str] = set()
    for raw in names:
        for item in (part.strip() for part in raw.split(",")):
            if not item:
                continue
            name, _, version = item.partition("@")
            if name == "all":
                wanted.update(by_name)
            elif name in FAMILIES:
                wanted.update(s.name for s in CATALOGUE if s.name.startswith(name + "-"))
            elif name in by_name:
                if version and version != str(by_name[name].version):
                    raise InputError(
                        f"stabilizer {name}: version {version} unknown "
                        f"(this verifier has {by_name[name].label})"
                    )
                wanted.add(name)
            else:
                raise InputError(f"unknown stabilizer {item!r} (`verifier stabilizers` lists them)")
    return tuple(s for s in CATALOGUE if s.name in wanted)


__all__ = ["CATALOGUE", "FAMILIES", "Stabilizer", "resolve"]
