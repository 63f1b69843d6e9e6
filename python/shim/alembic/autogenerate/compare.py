"""Placeholder; filled in by the autogenerate work."""
comparators = None
