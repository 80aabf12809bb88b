"""Tags made the fast way are the documented ones: HMAC-SHA256, first 80 bits, base32."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

import pytest

from shelter_app.vault import blind_index

TEXTS = ["", "a", "ma", "maría", "мария", "مريم", "x" * 200, "名前", "1990-04-03"]


def _documented(key: bytes, kind: str, text: str) -> str:
    digest = hmac.digest(key, kind.encode() + b"\0" + text.encode("utf-8"), hashlib.sha256)
    return base64.b32encode(digest[:10]).decode().lower()


@pytest.mark.parametrize("length", [0, 1, 16, 32, 63, 64, 65, 100, 200])
def test_tags_are_the_documented_hmac_for_any_key_length(length: int) -> None:
    key = os.urandom(length)
    tags = blind_index.Tagger(key)
    for kind in (blind_index.NAME, blind_index.SKELETON, blind_index.BIRTH, "k\0ind"):
        for text in TEXTS:
            expected = _documented(key, kind, text)
            assert tags(kind, text) == expected
            assert blind_index.tag(key, kind, text) == expected
            assert blind_index.tag(tags, kind, text) == expected


def test_remembered_tags_are_the_same_and_forgotten_when_the_block_ends() -> None:
    key = os.urandom(32)
    tags = blind_index.Tagger(key)
    plain = blind_index.name_terms(key, "Maria Lopez", "Mari", ["Мария"], "C-0001")
    with tags.remembering() as remembered:
        assert remembered is tags
        first = blind_index.name_terms(tags, "Maria Lopez", "Mari", ["Мария"], "C-0001")
        with tags.remembering():  # nested: the same memory
            again = blind_index.name_terms(tags, "Maria Lopez", "Mari", ["Мария"], "C-0001")
        assert tags._memo  # still remembering after the inner block
    assert first == again == plain
    assert tags._memo is None  # the words are not kept once the block ends
    assert blind_index.name_terms(tags, "Maria Lopez", "Mari", ["Мария"], "C-0001") == plain
    other = blind_index.Tagger(os.urandom(32))
    assert blind_index.name_terms(other, "Maria Lopez", "", [], "") != blind_index.name_terms(
        tags, "Maria Lopez", "", [], "")
