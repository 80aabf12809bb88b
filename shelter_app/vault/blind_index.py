"""Keyed tokens for finding sealed identity fields (docs/VAULT_FORMAT.md, section 7.2).

Names, dates of birth and exploitation types are sealed (vault/fields.py), so the search
index cannot hold them.  It holds *tags* instead: the first 80 bits of
HMAC-SHA256(index key, kind || 0x00 || text), in lower-case base32 (16 letters and digits,
one word to SQLite's ``unicode61`` tokenizer).  The index key is derived from the case key::

    index key = HKDF-SHA256(case key, salt = empty, info = "shelter-app blind index v1")

A name is indexed as the tags of every prefix of every folded word (``names.tokens``) and of
its Latin transliteration, so typing the start of any word finds it as before; a typed word
is looked up as one exact tag.  An account without the case key sees only tags: which cases
share a word, a prefix of one, or a date of birth, but never the words or dates themselves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shelter_app.domain import names

INFO = b"shelter-app blind index v1"
# Kinds of tag, each a namespace of its own: a name prefix, a spelling key, a birth date,
# an exploitation type.
NAME, SKELETON, BIRTH, EXPLOITATION = "name", "skeleton", "birth", "exploitation"
MAX_WORD = 32       # longer words are indexed by their first 32 letters, and searched so too
MAX_QUERY_WORDS = 12


def index_key(case_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(case_key)


# base32 (RFC 4648, lower case) two letters at a time: a tag's 80 bits are eight 10-bit
# groups.  The same text as base64.b32encode(...).lower() in a fifth less time per tag.
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_PAIRS = [a + b for a in _B32 for b in _B32]
_BLOCK = 64  # SHA-256's block size: HMAC pads its key to it


class Tagger:
    """Tags under one index key.  The HMAC's padded key states are hashed once and copied
    for every tag (RFC 2104; the same digests as ``hmac.digest``, in less than half the
    time).  Inside ``remembering()`` the tags made are kept until it ends: an import or a
    rebuild tags the same name prefixes ("m", "ma", "mar") and code words for many cases."""

    def __init__(self, key: bytes) -> None:
        padded = (hashlib.sha256(key).digest() if len(key) > _BLOCK else key).ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
        self._memo: dict[tuple[str, str], str] | None = None

    def __call__(self, kind: str, text: str) -> str:
        memo = self._memo
        if memo is not None:
            found = memo.get((kind, text))
            if found is None:
                found = memo[(kind, text)] = self._tag(kind, text)
            return found
        return self._tag(kind, text)

    def _tag(self, kind: str, text: str) -> str:
        inner = self._inner.copy()
        inner.update(kind.encode() + b"\0" + text.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        n = int.from_bytes(outer.digest()[:10], "big")
        pairs = _PAIRS
        return (pairs[n >> 70] + pairs[(n >> 60) & 1023] + pairs[(n >> 50) & 1023]
                + pairs[(n >> 40) & 1023] + pairs[(n >> 30) & 1023] + pairs[(n >> 20) & 1023]
                + pairs[(n >> 10) & 1023] + pairs[n & 1023])

    @contextmanager
    def remembering(self) -> Iterator[Tagger]:
        """Keep the tags made until the block ends (nested use joins the outer one); the
        words they were made from are dropped with them."""
        if self._memo is not None:
            yield self
            return
        self._memo = {}
        try:
            yield self
        finally:
            self._memo = None


Keyed = bytes | Tagger


def tagger(key: Keyed) -> Tagger:
    return key if isinstance(key, Tagger) else Tagger(key)


def tag(key: Keyed, kind: str, text: str) -> str:
    return tagger(key)(kind, text)


def _words(texts: Iterable[str]) -> list[str]:
    """The folded words of *texts*, and the Latin form of those in another script."""
    words: list[str] = []
    for text in texts:
        for token in names.tokens(text or ""):
            words.append(token[:MAX_WORD])
            latin = names.latin(token)[:MAX_WORD]
            if latin != token[:MAX_WORD]:
                words.append(latin)
    return list(dict.fromkeys(words))


def name_terms(key: Keyed, legal_name: str, preferred_name: str, aliases: list[str],
               code: str) -> str:
    """The row of ``case_search`` for one case: a tag for every prefix of every word of its
    names and aliases, and of the words of its code."""
    prefixes = {w[:n] for w in _words((legal_name, preferred_name, *aliases, code))
                for n in range(1, len(w) + 1)}
    tags = tagger(key)
    return " ".join(sorted(tags(NAME, p) for p in prefixes))


def name_query(key: Keyed, text: str) -> str | None:
    """A MATCH expression for *text*: every typed word's tag, all required.  None when the
    text has no searchable word.  Tags are base32, so no input is ever FTS syntax."""
    words = [w[:MAX_WORD] for w in names.tokens(text)[:MAX_QUERY_WORDS]]
    if not words:
        return None
    tags = tagger(key)
    return " AND ".join(f'"{tags(NAME, w)}"' for w in dict.fromkeys(words))


def skeleton_terms(key: Keyed, legal_name: str, preferred_name: str, aliases: list[str]) -> str:
    """The row of ``case_keys``: a tag for each spelling key (``names.skeleton``) of two
    letters or more."""
    keys = {names.skeleton(t) for text in (legal_name, preferred_name, *aliases)
            for t in names.tokens(text or "")}
    tags = tagger(key)
    return " ".join(sorted(tags(SKELETON, k) for k in keys if len(k) >= 2))


def skeleton_query(key: Keyed, keys: Iterable[str]) -> str | None:
    """Any of the spelling *keys*, as tags (at most 20)."""
    usable = [k for k in dict.fromkeys(keys) if k][:20]
    tags = tagger(key)
    return " OR ".join(f'"{tags(SKELETON, k)}"' for k in usable) or None


def birth_tag(key: Keyed, iso_date: str | None) -> str | None:
    return tag(key, BIRTH, iso_date) if iso_date else None


def situation_tags(key: Keyed, exploitation_types: Iterable[str]) -> str:
    """``cases.situation_tags``: a tag for each exploitation type, space-separated, for the
    case list's filter."""
    tags = tagger(key)
    return " ".join(sorted(tags(EXPLOITATION, t) for t in set(exploitation_types)))
