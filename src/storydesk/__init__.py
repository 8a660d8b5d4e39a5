"""storydesk: many outlets' articles in, cross-checked stories out."""

__version__ = "0.1.0"
