import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month + months
    year = day.year + (month - 1) // 12
    return day.replace(year=year, month=(month - 1) % 12 + 1)
