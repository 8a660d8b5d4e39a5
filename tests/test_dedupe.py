"""Duplicate fingerprints: exact hashes ignore case and spacing, MinHash finds near copies."""
from __future__ import annotations

from storydesk import dedupe

BODY = " ".join(
    f"Sentence {n} of the wire report says the delegation met in the capital on day {n} to discuss the treaty."
    for n in range(30)
)


def test_exact_hash_ignores_case_spacing_and_accents() -> None:
    assert dedupe.fingerprint("Wladimir  PUTIN sprach.").text_hash == dedupe.fingerprint("wladimir putin sprach").text_hash
    assert dedupe.fingerprint("café").text_hash == dedupe.fingerprint("cafe").text_hash


def test_near_copy_scores_high_and_shares_a_bucket() -> None:
    original = dedupe.fingerprint(BODY)
    edited = dedupe.fingerprint("Follow us on social media. " + BODY.replace("day 7", "day seven") + " Source link")
    assert dedupe.similarity(original.signature, edited.signature) >= dedupe.NEAR_DUPLICATE_JACCARD
    assert set(original.buckets) & set(edited.buckets)


def test_unrelated_texts_score_low() -> None:
    other = " ".join(f"Paragraph {n}: the football club announced a new coach for season {n}." for n in range(30))
    assert dedupe.similarity(dedupe.fingerprint(BODY).signature, dedupe.fingerprint(other).signature) < 0.2


def test_short_text_still_gets_a_signature() -> None:
    fp = dedupe.fingerprint("Too short")
    assert len(fp.buckets) == dedupe.BANDS and len(fp.signature) == dedupe.NUM_PERM * 4
