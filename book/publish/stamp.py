"""The one timestamp every output carries."""

from __future__ import annotations

import datetime as dt
import os

from ..errors import BookError

LAST_YEAR = 2107
"""The last year a ZIP archive (the EPUB, the deposit's zips) can store: 1980 + seven bits."""


def build_time(date: str) -> dt.datetime:
    """The one timestamp every output carries, in UTC.

    ``SOURCE_DATE_EPOCH`` when it is set and not empty (reproducible-builds.org),
    otherwise the book's date at midnight: never the clock, so the same sources
    give the same bytes on any machine, in any time zone.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BookError(f"SOURCE_DATE_EPOCH is '{epoch}', not a number of seconds since 1970",
                            hint="unset it, or set it to a time such as $(git log -1 --format=%ct)",
                            rule="environment") from None
        if when.year > LAST_YEAR:
            raise BookError(f"SOURCE_DATE_EPOCH is '{epoch}', a time in {when.year}: a ZIP archive (the EPUB, "
                            f"the deposit) can record no time after {LAST_YEAR}",
                            hint="unset it, or set it to a time such as $(git log -1 --format=%ct)",
                            rule="environment")
        return when
    day = dt.date.fromisoformat(date)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
