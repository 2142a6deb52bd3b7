"""Tests of webapp/ in-process: the API, its contract and errors, corrections, review, pages,
settings."""
