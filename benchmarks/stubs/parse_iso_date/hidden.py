import datetime


def check(candidate):
    assert candidate("2024-02-29") == datetime.date(2024, 2, 29)
    assert candidate(" 1999-12-31\n") == datetime.date(1999, 12, 31)
    assert candidate("0001-01-01") == datetime.date(1, 1, 1)
    for bad in ["20240229", "2024-2-9", "2023-02-29", "2024-02-30", "2024-13-01",
                "2024-02-29T10:00", "24-02-29", "", "2024/02/29", "2024-W09-4"]:
        try:
            candidate(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {bad!r}")
