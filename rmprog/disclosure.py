"""Small-group suppression for aggregates shown to anyone but a programme's leads and admins.

A median of three answers, shown to one of those three, says too much about the other two.
Every such aggregate goes through `shown_to_others`; leads and admins see figures unsuppressed.
"""

from typing import TypeVar

from django.conf import settings

T = TypeVar("T")


def minimum_group_size() -> int:
    return settings.MIN_GROUP_SIZE


def shown_to_others(value: T, *, group_size: int) -> T | None:
    """The aggregate if its group has at least MIN_GROUP_SIZE members, else None (suppressed)."""
    return value if group_size >= minimum_group_size() else None
