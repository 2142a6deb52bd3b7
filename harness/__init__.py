"""Driving the app from outside, for tests and benchmarks alike: a real server, headless
Chromium, and stroke records as the page sends them.

Both tests/ and bench/ import it; it imports neither.
"""
