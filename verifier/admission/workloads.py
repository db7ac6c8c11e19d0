"""The images a Pod or workload object would run: containers, initContainers, ephemeralContainers.

The kinds and where each keeps its pod spec are :mod:`verifier.admission.manifests`' (the
same table ``verifier admit --manifests`` reads YAML with); here the object arrives as the
decoded JSON of an AdmissionReview, so the walk is over dicts, not YAML nodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from verifier.admission.manifests import CONTAINER_FIELDS, POD_SPEC_PATHS
from verifier.errors import InputError


@dataclass(frozen=True)
class ContainerImage:
    """One container's image and where it was found (``spec.initContainers[0] (migrate)``)."""

    location: str
    image: str


def images_of(kind: str, obj: Mapping[str, Any]) -> tuple[ContainerImage, ...]:
    """Every container image of ``obj``, in spec order; InputError for an unknown or bad shape."""
    path = POD_SPEC_PATHS.get(kind)
    if path is None:
        raise InputError(f"kind {kind!r} is not a Pod or a workload this webhook reviews")
    spec: Any = obj
    for step in path:
        spec = spec.get(step) if isinstance(spec, Mapping) else None
        if spec is None:
            raise InputError(f"{kind} has no {'.'.join(path)}")
    if not isinstance(spec, Mapping):
        raise InputError(f"{kind} {'.'.join(path)} is not an object")
    found: list[ContainerImage] = []
    for list_name in CONTAINER_FIELDS:
        containers = spec.get(list_name) or []
        where = f"{'.'.join(path)}.{list_name}"
        if not isinstance(containers, list):
            raise InputError(f"{kind} {where} is not a list")
        for index, container in enumerate(containers):
            if not isinstance(container, Mapping):
                raise InputError(f"{kind} {where}[{index}] is not an object")
            image = container.get("image")
            name = container.get("name", "")
            if not isinstance(image, str) or not image.strip():
                raise InputError(f"{kind} {where}[{index}] ({name}) has no image")
            found.append(ContainerImage(f"{where}[{index}] ({name})", image.strip()))
    return tuple(found)
