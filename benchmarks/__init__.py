"""Benchmarks for Shelter App's core, separate from the tests: ``python -m benchmarks``.

Each figure is printed next to its target and a baseline measured in the same run on the
same machine (the same schema in plain SQLite, the bare key derivation, an empty Python).
"""
