"""Comparing what the interface says with the words a test expects."""

from __future__ import annotations


def plain(text: str) -> str:
    """*text* without the isolation marks (U+2068 … U+2069) that keep the direction of the
    names, codes, paths and dates put into a sentence (``i18n.formatting.fill``)."""
    return text.replace("\u2068", "").replace("\u2069", "")
