"""Benchmarks (not tests), each run as ``python -m bench.<name>`` from the project root.

Results are written to ``bench/results/`` (not committed) and recorded in BENCHMARKS.md.
"""
