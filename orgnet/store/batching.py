"""Splitting long lists into batches, for stores that bound the size of one statement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

__all__ = ["chunks"]

T = TypeVar("T")


def chunks(items: list[T], size: int) -> Iterator[list[T]]:
    """Consecutive slices of ``items`` of ``size`` items each (the last one shorter)."""
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]
