"""Placeholder; filled in by the autogenerate work."""
class Rewriter:
    pass
