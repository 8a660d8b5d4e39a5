"""The embedded store: one SQLite file (WAL, foreign keys, FTS5), schema versioned by migrations."""
from storydesk.store.sqlite import SearchHit, Store, StoreError

__all__ = ["SearchHit", "Store", "StoreError"]
