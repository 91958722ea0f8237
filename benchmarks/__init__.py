"""Benchmarks that print timings (``make bench``); nothing here asserts a speed."""
