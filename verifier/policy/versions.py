"""Version ranges for denied components: ``<2.31.0``, ``>=1.0,<1.4.2``, ``==3.0.0``.

Versions are compared the way most ecosystems order them: split into runs of digits and
letters, digits compared as numbers, a pre-release tail (``1.0rc1``, ``1.0-beta``) before
the release it precedes. This is deliberately simple; an exact ecosystem's rules (PEP 440,
semver build metadata) are not modelled.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from verifier.errors import InputError

_COMPARATOR = re.compile(r"^\s*(<=|>=|==|!=|<|>|=)?\s*([0-9A-Za-z][0-9A-Za-z.+_~-]*)\s*$")
_PARTS = re.compile(r"[0-9]+|[A-Za-z]+")
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "=": operator.eq,
    "!=": operator.ne,
}


def version_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key: numbers as numbers; letters sort before numbers and before the end."""
    parts: list[tuple[int, int, str]] = []
    for token in _PARTS.findall(text.split("+", 1)[0]):
        if token.isdigit():
            parts.append((2, int(token), ""))
        else:
            parts.append((0, 0, token.lower()))
    # The end of a version sorts after a letter tail (1.0rc1 < 1.0) and before more digits.
    parts.append((1, 0, ""))
    return tuple(parts)


@dataclass(frozen=True)
class VersionRange:
    """Comma-separated comparators, all of which must hold."""

    text: str
    comparators: tuple[tuple[str, str], ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        found: list[tuple[str, str]] = []
        for piece in self.text.split(","):
            match = _COMPARATOR.match(piece)
            if match is None:
                raise InputError(
                    f"invalid version range {self.text!r}: expected comparators like "
                    "'<2.31.0' or '>=1.0,<1.4.2'"
                )
            found.append((match.group(1) or "==", match.group(2)))
        object.__setattr__(self, "comparators", tuple(found))

    def contains(self, version: str) -> bool:
        """True when ``version`` satisfies every comparator."""
        key = version_key(version)
        return all(_OPS[op](key, version_key(bound)) for op, bound in self.comparators)

    def __str__(self) -> str:
        return self.text
