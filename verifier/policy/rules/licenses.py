"""SPDX license expressions, as far as a deny list needs them.

``MIT OR GPL-3.0-only`` can be taken under MIT, so it is denied only when every alternative
is; ``MIT AND GPL-3.0-only`` is denied when any part is; ``GPL-2.0-only WITH
Classpath-exception-2.0`` is judged as the whole expression and as its license. A denied
entry is a license id, a glob (``GPL-*``), or a whole expression written exactly.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence

_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z0-9.+:_-]+)")


def _tokens(expression: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(expression):
        match = _TOKEN.match(expression, pos)
        if match is None:
            if expression[pos:].strip():
                raise ValueError(f"cannot read license expression {expression!r}")
            break
        out.append(match.group(1))
        pos = match.end()
    return out


def _is_denied_id(license_id: str, denied: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(license_id.lower(), d.lower()) for d in denied)


def denied_by(expression: str, denied: Sequence[str]) -> bool:
    """True when the expression cannot be satisfied without a denied license."""
    normalized = " ".join(expression.split())
    if any(normalized.lower() == d.lower() for d in denied):
        return True
    tokens = _tokens(expression)
    pos = 0

    def parse_or() -> bool:
        nonlocal pos
        result = parse_and()
        while pos < len(tokens) and tokens[pos].upper() == "OR":
            pos += 1
            right = parse_and()
            result = result and right
        return result

    def parse_and() -> bool:
        nonlocal pos
        result = parse_with()
        while pos < len(tokens) and tokens[pos].upper() == "AND":
            pos += 1
            right = parse_with()
            result = result or right
        return result

    def parse_with() -> bool:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError(f"incomplete license expression {expression!r}")
        token = tokens[pos]
        pos += 1
        if token == "(":  # noqa: S105 - a parenthesis, not a password
            inner = parse_or()
            if pos >= len(tokens) or tokens[pos] != ")":
                raise ValueError(f"unbalanced parentheses in {expression!r}")
            pos += 1
            return inner
        result = _is_denied_id(token, denied)
        if pos < len(tokens) and tokens[pos].upper() == "WITH":
            exception = tokens[pos + 1] if pos + 1 < len(tokens) else ""
            pos += 2
            result = result or _is_denied_id(f"{token} WITH {exception}", denied)
        return result

    result = parse_or()
    if pos != len(tokens):
        raise ValueError(f"unexpected {tokens[pos]!r} in license expression {expression!r}")
    return result
