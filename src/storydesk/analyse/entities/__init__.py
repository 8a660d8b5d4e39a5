"""Entities with one canonical name per real thing (``canonical.py``), from spaCy's NER corrected
by the country and place names of ``gazetteer.py``, person names grouped by ``persons.py`` and
role phrases resolved by ``roles.py``."""
from storydesk.analyse.entities.canonical import find_entities, link_across

__all__ = ["find_entities", "link_across"]
