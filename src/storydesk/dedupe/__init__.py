"""Duplicate detection: exact copies by a hash of the normalised text, near copies by MinHash.

The signature is cut into LSH bands; the store keeps (band, bucket) rows so that candidates
for a new article are found with one indexed query, incrementally and on disk. datasketch
computes the MinHash; its own MinHashLSH index lives in memory (or Redis/Cassandra), which
would mean rebuilding it from the whole store on every run, so the banding is done here.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from storydesk.words import fold_accents

NUM_PERM = 128
BANDS = 32  # 32 bands of 4 rows: pairs with Jaccard >= 0.5 become candidates with p > 0.87
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
NEAR_DUPLICATE_JACCARD = 0.7
SEED = 1

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Fingerprint:
    """What dedupe needs to know of a text: its exact hash, MinHash signature and LSH buckets."""

    text_hash: str
    signature: bytes
    buckets: tuple[tuple[int, int], ...]


def words(text: str) -> list[str]:
    """Lower-cased word tokens with accents folded, so trivial re-encodings still match."""
    return _WORD.findall(fold_accents(text.casefold()))


def fingerprint(text: str) -> Fingerprint:
    """Hash, signature and band buckets of a text."""
    tokens = words(text)
    text_hash = hashlib.sha256(" ".join(tokens).encode()).hexdigest()
    shingles = {
        " ".join(tokens[i : i + SHINGLE_WORDS]).encode()
        for i in range(max(1, len(tokens) - SHINGLE_WORDS + 1))
    }
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch(list(shingles))
    values = minhash.hashvalues.astype(np.uint32)
    return Fingerprint(text_hash, values.tobytes(), _buckets(values))


def _buckets(values: np.ndarray) -> tuple[tuple[int, int], ...]:
    """One (band, bucket) pair per band; the bucket is a signed 64-bit hash for SQLite."""
    return tuple(
        (band, int.from_bytes(hashlib.blake2b(values[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8).digest(), "big", signed=True))
        for band in range(BANDS)
    )


def similarity(signature_a: bytes, signature_b: bytes) -> float:
    """Jaccard similarity estimated from two signatures."""
    a = np.frombuffer(signature_a, dtype=np.uint32)
    b = np.frombuffer(signature_b, dtype=np.uint32)
    return float(np.mean(a == b))
