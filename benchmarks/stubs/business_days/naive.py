import datetime  # noqa: F401  (the examples use it)

def business_days(start, end, holidays=frozenset()):
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    return weeks * 5 + min(rest, 5)
