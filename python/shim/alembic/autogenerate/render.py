"""Placeholder; filled in by the autogenerate work."""
renderers = None
