"""Every number and date a visitor sends, parsed in one place: ASCII digits only, and bounded.

`str.isdigit()`, `int()` and the regex `\\d` all take other scripts' digits ('²', '٣', '٢٠٢١'),
and an unbounded number reaches SQLite as an OverflowError: both were 500s.  Here a number
is at most MAX_DIGITS ASCII digits within the caller's documented range, and a date is
ASCII digits in the one shape the protocol allows; anything else is refused, never guessed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import abort, request
from werkzeug.routing import BaseConverter, ValidationError

MAX_DIGITS = 9  # every bound below is under 10**9, and int() of a longer string costs time for nothing
MAX_PAGE = 1_000_000  # pages of /changes and of the sitemap: 100 million events, 50 billion URLs
_WHOLE = re.compile(f"[0-9]{{1,{MAX_DIGITS}}}")
_DAY = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SECOND = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def whole_number(text: str, low: int, high: int) -> int | None:
    """text as a whole number from low to high, or None."""
    if not _WHOLE.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def number_arg(name: str, default: int, high: int, low: int = 1) -> int:
    """The query parameter `name` (default when absent), or a 400 that says what to send."""
    raw = request.args.get(name)
    if raw is None:
        return default
    value = whole_number(raw, low, high)
    if value is None:
        abort(400, description=f"{name} must be a whole number from {low} to {high}, in ASCII digits")
    return value


def granularity(text: str) -> str | None:
    """'day' for YYYY-MM-DD, 'second' for YYYY-MM-DDThh:mm:ssZ (OAI-PMH's two), else None."""
    if _DAY.fullmatch(text):
        return "day"
    if _SECOND.fullmatch(text):
        return "second"
    return None


def utc_moment(text: str, end_of_day: bool = False) -> datetime | None:
    """The UTC moment a day (its first or last second) or a second stands for; None if it is no real date."""
    kind = granularity(text)
    if kind is None:
        return None
    if kind == "day":
        text += "T23:59:59Z" if end_of_day else "T00:00:00Z"
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:  # 2020-02-30, 25:00:00
        return None


class PageConverter(BaseConverter):
    """`<page:n>` in a route: ASCII digits, 1 to MAX_PAGE; anything else matches no route (404)."""

    regex = f"[0-9]{{1,{MAX_DIGITS}}}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = whole_number(value, 1, MAX_PAGE)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(value)
