"""Shelter App core: vault, records, services and documents, free of any GUI toolkit."""

__version__ = "0.1.0"
