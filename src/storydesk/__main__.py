"""`python -m storydesk` runs the command line."""
from storydesk.cli import app

app(prog_name="storydesk")
