"""Identifiers: participant, anonymous and public ids are version-4 UUIDs."""

from __future__ import annotations

import uuid


def is_uuid4(value: object) -> bool:
    """True for the canonical text of a version-4 UUID."""
    if not isinstance(value, str):
        return False
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return False
    return parsed.version == 4 and str(parsed) == value
