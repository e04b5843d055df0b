"""Repeatable performance figures for refarch (see docs/benchmarks.md)."""
