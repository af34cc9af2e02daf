"""Benchmarks a reader can run: see docs/benchmarks.md."""
