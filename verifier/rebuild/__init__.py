"""Rebuild an artifact from its pinned recipe N times, in a sandbox, with deliberate variations."""
