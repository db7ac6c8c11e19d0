"""Placeholder replaced by the rebuild commands."""
