"""Discover the tree of referrers of an artifact, and show it to people and machines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier.digest import Digest
from verifier.store.interface import Referrer, Store
from verifier.store.oci import Descriptor
from verifier.store.referrers import list_referrers

MAX_DEPTH = 8


@dataclass(frozen=True)
class ReferrerNode:
    """A referrer and the referrers of it (a signature of an SBOM, say)."""

    referrer: Referrer
    children: tuple[ReferrerNode, ...]


@dataclass(frozen=True)
class DiscoveryTree:
    """Everything that refers, directly or not, to one subject."""

    store: str
    subject: Descriptor
    referrers: tuple[ReferrerNode, ...]


def discover(
    store: Store, reference: str | Digest, *, artifact_type: str | None = None
) -> DiscoveryTree:
    """Resolve ``reference`` once, then walk referrers (cycles and depth bounded)."""
    subject = store.get_manifest(reference).descriptor
    tags = store.list_tags()

    def walk(
        digest: Digest, depth: int, seen: frozenset[Digest], filt: str | None
    ) -> tuple[ReferrerNode, ...]:
        if depth >= MAX_DEPTH:
            return ()
        nodes = []
        for ref in list_referrers(store, digest, filt, tags=tags):
            if ref.descriptor.digest in seen:
                continue
            below = walk(ref.descriptor.digest, depth + 1, seen | {ref.descriptor.digest}, None)
            nodes.append(ReferrerNode(ref, below))
        return tuple(nodes)

    return DiscoveryTree(store.name, subject, walk(subject.digest, 0, frozenset(), artifact_type))


def _node_json(node: ReferrerNode) -> dict[str, Any]:
    ref = node.referrer
    out: dict[str, Any] = {
        "digest": str(ref.descriptor.digest),
        "mediaType": ref.descriptor.media_type,
        "size": ref.descriptor.size,
        "artifactType": ref.artifact_type,
        "annotations": dict(ref.annotations),
        "predicateTypes": list(ref.predicate_types),
        "source": ref.source.value,
        "referrers": [_node_json(child) for child in node.children],
    }
    if ref.tag is not None:
        out["tag"] = ref.tag
    return out


def tree_json(tree: DiscoveryTree) -> dict[str, Any]:
    """The tree as JSON-ready data (callers dump it with sorted keys)."""
    return {
        "store": tree.store,
        "subject": tree.subject.to_json(),
        "referrers": [_node_json(node) for node in tree.referrers],
    }


def _label(ref: Referrer) -> str:
    text = f"{ref.artifact_type or '(no artifactType)'} {ref.descriptor.digest}"
    if ref.predicate_types:
        text += f" predicateType={','.join(ref.predicate_types)}"
    if ref.tag is not None:
        text += f" (legacy cosign tag {ref.tag})"
    return text


def tree_text(tree: DiscoveryTree) -> list[str]:
    """Lines of a box-drawn tree, subject first."""
    lines = [f"{tree.store}@{tree.subject.digest}"]

    def draw(nodes: tuple[ReferrerNode, ...], prefix: str) -> None:
        for i, node in enumerate(nodes):
            last = i == len(nodes) - 1
            lines.append(f"{prefix}{'└── ' if last else '├── '}{_label(node.referrer)}")
            draw(node.children, prefix + ("    " if last else "│   "))

    draw(tree.referrers, "")
    if not tree.referrers:
        lines.append("(no referrers)")
    return lines
