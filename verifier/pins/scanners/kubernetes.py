"""Kubernetes manifests: container images of Pods and of workload templates without a digest.

Kinds: Pod; Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ReplicationController (their
``spec.template``); CronJob (``spec.jobTemplate.spec.template``); PodTemplate; and ``List``
items. Containers, init containers and ephemeral containers all count. Every ``.yml`` /
``.yaml`` file is read; documents without ``apiVersion`` and ``kind`` are not manifests and are
skipped. Helm chart templates (``templates/`` beside a ``Chart.yaml``) are Go templates, not
YAML: their images are checked through the chart's values files instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath

from verifier.admission.manifests import CONTAINER_FIELDS, POD_SPEC_PATHS
from verifier.pins import yaml_nodes as y
from verifier.pins.finding import Finding, FindingKind
from verifier.pins.images import has_digest
from verifier.pins.interface import SourceFile

#: The kinds admission reads, and PodTemplate: a template pins its images as well.
_POD_SPEC_PATH: Mapping[str, tuple[str, ...]] = {
    **POD_SPEC_PATHS,
    "PodTemplate": ("template", "spec"),
}
_MAX_LIST_DEPTH = 4


def pod_images(document: y.Node, depth: int = 0) -> Iterator[tuple[str, y.Node, str]]:
    """``(image, node, "")`` of every container of a manifest (``List`` items included).

    A container list or image of the wrong shape gives ``("", node, what is wrong)``: the
    cluster would refuse it, and a scan that skipped it would miss an image.
    """
    kind = y.scalar(y.get(document, "kind"))
    if kind is None or y.scalar(y.get(document, "apiVersion")) is None:
        return
    if kind.endswith("List") and depth < _MAX_LIST_DEPTH:
        for item in y.elements(y.get(document, "items")):
            yield from pod_images(item, depth + 1)
        return
    path = _POD_SPEC_PATH.get(kind)
    if path is None:
        return
    spec = y.get(document, *path)
    for key in CONTAINER_FIELDS:
        containers = y.get(spec, key)
        if containers is not None and not isinstance(containers, y.SequenceNode):
            null = isinstance(containers, y.ScalarNode) and containers.tag.endswith(":null")
            if not null:  # null is an empty list to Kubernetes
                yield "", containers, f"{key}: is not a list"
            continue
        for container in y.elements(containers):
            if not isinstance(container, y.MappingNode):
                yield "", container, f"an entry of {key}: is not a mapping"
                continue
            image = y.get(container, "image")
            text = y.scalar(image)
            if image is not None and text:
                yield text, image, ""
            elif image is not None and isinstance(image, y.MappingNode | y.SequenceNode):
                yield "", image, "image: is not a string"


def _in_chart_templates(source: SourceFile) -> bool:
    parts = source.path.parts
    if "templates" not in parts:
        return False
    chart = source.path.parents[len(parts) - 1 - parts.index("templates")]
    return (chart / "Chart.yaml").is_file() or (chart / "Chart.yml").is_file()


class KubernetesScanner:
    """Any YAML file holding Kubernetes objects."""

    name = "Kubernetes"

    def matches(self, path: PurePosixPath, head: bytes) -> bool:
        """Every YAML file (documents that are not objects are skipped)."""
        return path.suffix in (".yml", ".yaml")

    def scan(self, source: SourceFile) -> Iterator[Finding]:
        """Container images without a digest."""
        if _in_chart_templates(source):
            return
        docs = yield from source.yaml_documents()
        for doc in docs:
            for text, node, problem in pod_images(doc):
                if problem:
                    yield source.unreadable(y.line(node), problem)
                elif not has_digest(text):
                    yield source.finding(y.line(node), FindingKind.KUBERNETES_IMAGE, text)
