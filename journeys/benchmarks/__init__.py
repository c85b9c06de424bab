"""Benchmarks runnable from the command line: python -m journeys.benchmarks.<name>."""
