"""Dates from a form field."""

import datetime
import re


def parse_iso_date(text: str) -> datetime.date:
    """Parse a calendar date written exactly as YYYY-MM-DD.

    >>> parse_iso_date("2024-02-29")
    datetime.date(2024, 2, 29)
    """
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip(), flags=re.ASCII)
    if not match:
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    year, month, day = (int(g) for g in match.groups())
    return datetime.date(year, month, day)
