"""YAML with line numbers: PyYAML's composed node tree and small typed accessors.

We compose (never construct) documents: nodes keep their positions, no Python object is built
from tags, and an alias is the node it names (so anchors cannot blow up memory).
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["MappingNode", "Node", "ScalarNode", "SequenceNode", "YamlProblem"]


class YamlProblem(Exception):
    """The text is not YAML; ``line`` is where the parser gave up (1-based)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def documents(text: str) -> list[Node]:
    """Every document of a YAML stream, composed; YamlProblem when it does not parse."""
    try:
        return [node for node in yaml.compose_all(text, Loader=yaml.SafeLoader) if node]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise YamlProblem(line, f"invalid YAML: {message}") from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(1, f"invalid YAML: {' '.join(str(exc).split())}") from exc


def line(node: Node) -> int:
    """1-based line where ``node`` starts."""
    return int(node.start_mark.line) + 1


def scalar(node: Node | None) -> str | None:
    """The text of a scalar node; None for mappings, sequences, null and missing nodes."""
    if isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        return str(node.value)
    return None


def items(node: Node | None) -> Iterator[tuple[str, Node, Node]]:
    """``(key, key node, value node)`` of a mapping, string keys only; nothing otherwise."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = scalar(key_node)
            if key is not None:
                yield key, key_node, value_node


def get(node: Node | None, *path: str) -> Node | None:
    """The node at ``path`` of nested mapping keys, or None."""
    for key in path:
        found = None
        for name, _, value in items(node):
            if name == key:
                found = value
        if found is None:
            return None
        node = found
    return node


def elements(node: Node | None) -> Iterator[Node]:
    """Elements of a sequence; nothing otherwise."""
    if isinstance(node, SequenceNode):
        yield from node.value


def strings(node: Node | None, seen: set[int] | None = None) -> Iterator[tuple[str, int]]:
    """``(text, line)`` of a scalar, or of each scalar in a (nested) sequence of them.

    GitLab ``script:`` entries may be nested lists (from ``!reference``); both shapes count.
    Each node is visited once: aliases share nodes, and an alias bomb must stay linear.
    """
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:
        return
    seen.add(id(node))
    text = scalar(node)
    if text is not None:
        yield text, line(node)
        return
    for element in elements(node):
        yield from strings(element, seen)
