"""Benchmarks: `make bench` runs `python -m bench.morning` (see docs/benchmarks.md)."""
