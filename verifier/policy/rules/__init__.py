"""Rule families, one module each: every ``check`` returns the violation messages it found."""
