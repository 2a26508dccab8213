import datetime


def parse_iso_date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)
