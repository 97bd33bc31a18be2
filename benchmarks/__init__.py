"""Benchmarks run by `make bench` (`python -m benchmarks`); each module also runs on its own."""
