"""The analyse stage: per-article knowledge (entities, quotes, time expressions, figures) with
character offsets into the article text."""
