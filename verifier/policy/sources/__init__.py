"""Evidence sources: where bundles for a subject come from (one module per backend)."""
