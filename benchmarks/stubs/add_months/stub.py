"""Billing dates for monthly subscriptions."""

import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month, `months` months later (earlier when `months` is negative).

    When the target month is shorter, the result is its last day: January 31st plus one month is
    February 28th, or the 29th in a leap year. Years roll over in both directions.

    >>> add_months(datetime.date(2024, 1, 15), 1)
    datetime.date(2024, 2, 15)
    """
    ...
