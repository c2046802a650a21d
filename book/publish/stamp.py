"""The one timestamp every output carries."""

from __future__ import annotations

import datetime as dt
import os

from ..errors import BookError


def build_time(date: str) -> dt.datetime:
    """The one timestamp every output carries, in UTC.

    ``SOURCE_DATE_EPOCH`` when it is set and not empty (reproducible-builds.org),
    otherwise the book's date at midnight: never the clock, so the same sources
    give the same bytes on any machine, in any time zone.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BookError(f"SOURCE_DATE_EPOCH is '{epoch}', not a number of seconds since 1970",
                            hint="unset it, or set it to a time such as $(git log -1 --format=%ct)",
                            rule="environment") from None
    day = dt.date.fromisoformat(date)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
