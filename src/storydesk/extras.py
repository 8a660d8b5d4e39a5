"""The optional parts of storydesk, each an extra of the package (pyproject.toml), and the
modules each needs: a part used without its extra says, in one line, what to install.

    >>> require("web", "storydesk serve")  # MissingExtra when fastapi or uvicorn is absent
"""
from __future__ import annotations

import importlib.util

from storydesk.settings import SettingsError

# The modules each extra's packages provide (tests/test_extras.py checks them against pyproject).
EXTRAS: dict[str, tuple[str, ...]] = {
    "web": ("fastapi", "fastapi_offline", "starlette", "uvicorn", "python_multipart"),
    "parquet": ("pyarrow",),
    "scale": ("pyarrow", "dask", "distributed"),
}


class MissingExtra(SettingsError):
    """A part of storydesk was asked for whose extra is not installed. A SettingsError, so a
    run ends at once in one line instead of failing every document."""


def missing(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be imported here."""
    return [module for module in EXTRAS[extra] if importlib.util.find_spec(module) is None]


def require(extra: str, what: str) -> None:
    """Raise MissingExtra, naming the pip command, when ``what`` cannot run for want of ``extra``."""
    absent = missing(extra)
    if absent:
        raise MissingExtra(
            f"{what} needs the {extra} extra ({', '.join(absent)} not installed): pip install 'storydesk[{extra}]'"
        )
