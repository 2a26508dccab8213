"""Working days between two dates, for delivery estimates."""

import datetime


def business_days(start: datetime.date, end: datetime.date, holidays: frozenset[datetime.date] = frozenset()) -> int:
    """Count the working days from `start` up to but not including `end`.

    >>> business_days(datetime.date(2024, 3, 4), datetime.date(2024, 3, 11))
    5
    """
    if end < start:
        return -business_days(end, start, holidays)
    count = 0
    day = start
    while day < end:
        if day.weekday() < 5 and day not in holidays:
            count += 1
        day += datetime.timedelta(days=1)
    return count
