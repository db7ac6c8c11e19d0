"""Reports: what a command found, for machines (JSON) and for people (text)."""
