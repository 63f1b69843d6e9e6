"""Rust bridge for autogenerate (placeholder)."""
