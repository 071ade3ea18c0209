"""Checks of one translation against its source message (shared by build and future `check`)."""

from __future__ import annotations

from collections import Counter

from .markdown import fact_refs


def problems(msgid: str, msgstr: str) -> list[str]:
    """What makes ``msgstr`` unusable as a translation of ``msgid`` (empty list: usable)."""
    found = []
    if Counter(fact_refs(msgid)) != Counter(fact_refs(msgstr)):
        want = ", ".join("{{%s}}" % r for r in fact_refs(msgid)) or "none"
        found.append(f"fact references differ from the source (source has: {want})")
    if "\n\n" in msgstr.strip():
        found.append("blank line inside a translation")
    return found
