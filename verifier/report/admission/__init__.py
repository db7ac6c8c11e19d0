"""Admission decision reports: one interface, one module per format."""
