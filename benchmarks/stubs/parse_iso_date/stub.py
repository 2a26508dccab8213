"""Dates from a form field."""

import datetime


def parse_iso_date(text: str) -> datetime.date:
    """Parse a calendar date written exactly as YYYY-MM-DD (four-digit year, two-digit month and
    day, hyphens).

    Surrounding whitespace is ignored. Other spellings that some parsers accept, such as
    "20240229", "2024-2-9" or a date with a time, are refused, as are dates that do not exist
    (February 30th): all raise ValueError.

    >>> parse_iso_date("2024-02-29")
    datetime.date(2024, 2, 29)
    """
    ...
