"""Billing dates for monthly subscriptions."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month, `months` months later.

    >>> add_months(datetime.date(2024, 1, 15), 1)
    datetime.date(2024, 2, 15)
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))
