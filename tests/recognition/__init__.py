"""Tests of recognition/, the core: preprocessing, the drawing, grouping into digits, judging."""
