"""Benchmarks (run as python -m bench.NAME) and the helpers they share for driving the app from
outside.
"""
