"""in-toto statements and the predicates we write: SLSA provenance v1 and SLSA VSA v1."""
