"""Benchmarks, run as python -m bench.NAME; driving the app from outside is harness's."""
