"""Working days between two dates, for delivery estimates."""

import datetime


def business_days(start: datetime.date, end: datetime.date, holidays: frozenset[datetime.date] = frozenset()) -> int:
    """Count the working days from `start` up to but not including `end`.

    Working days are Monday to Friday, except dates in `holidays` (a holiday on a weekend changes
    nothing). When `end` is before `start` the count is negative: minus the working days from `end`
    up to but not including `start`. Equal dates give 0.

    >>> business_days(datetime.date(2024, 3, 4), datetime.date(2024, 3, 11))
    5
    """
    ...
