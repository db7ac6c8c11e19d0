"""``verifier audit``: what a security team asks about many releases at once."""
