"""What a registry answered about reading one image with one credential context.

A plain value shared by the registry room (which asks) and the cache's pure decision core
(which judges the answers); it lives here so that the core loads no HTTP library.
"""

from __future__ import annotations

from enum import StrEnum


class AccessVerdict(StrEnum):
    """What a registry said about reading one manifest with one credential context."""

    ALLOWED = "allowed"
    DENIED = "denied"
    UNREACHABLE = "unreachable"
