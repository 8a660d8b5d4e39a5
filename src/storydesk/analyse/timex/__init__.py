"""Time expressions resolved to TIMEX3 values against the publication date: the rule engine
(``rules.py``) and its calendar arithmetic (``calendar.py``)."""
from storydesk.analyse.timex.rules import find_time_expressions

__all__ = ["find_time_expressions"]
