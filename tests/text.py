"""Comparing page text with sentences written in tests."""

from __future__ import annotations

from app.services.charts import NBSP


def spaced(text: str) -> str:
    """`text` with its non-breaking spaces (which hold a day or a time together on one line)
    read as spaces, for comparing whole sentences."""
    return text.replace(NBSP, " ")
