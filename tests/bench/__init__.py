"""Tests of bench/: each bench's arithmetic and a short run of it, and how BENCHMARKS.md is
written."""
