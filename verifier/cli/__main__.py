"""``python -m verifier.cli``."""

from verifier.cli import main

main()
