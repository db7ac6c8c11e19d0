"""Archive-aware comparison: what differs between two artifacts, why, and how to fix it.

The entry point is :func:`compare_paths`; it returns a :class:`Comparison` whose
differences each carry a kind, a cause with a one-line fix hint, and, when an opt-in
stabilizer erased them, the stabilizer's name. Importable without the CLI.
"""

from verifier.compare.causes import BuildContext
from verifier.compare.compare import compare_paths
from verifier.compare.deep import DeepDiff
from verifier.compare.model import Cause, Comparison, ContentDetail, Difference, DifferenceKind
from verifier.compare.stabilizers import CATALOGUE, Stabilizer, resolve

__all__ = [
    "CATALOGUE",
    "BuildContext",
    "Cause",
    "Comparison",
    "ContentDetail",
    "DeepDiff",
    "Difference",
    "DifferenceKind",
    "Stabilizer",
    "compare_paths",
    "resolve",
]
