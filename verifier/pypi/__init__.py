"""Published PyPI releases: what their wheels say about how they were built."""

from verifier.pypi.infer import InferredRecipe, infer_recipe

__all__ = ["InferredRecipe", "infer_recipe"]
