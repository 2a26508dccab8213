import datetime

D = datetime.date


def check(candidate):
    assert candidate(D(2024, 1, 15), 1) == D(2024, 2, 15)
    assert candidate(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert candidate(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert candidate(D(2024, 3, 31), -1) == D(2024, 2, 29)
    assert candidate(D(2024, 12, 10), 1) == D(2025, 1, 10)
    assert candidate(D(2024, 1, 10), -1) == D(2023, 12, 10)
    assert candidate(D(2024, 5, 31), 0) == D(2024, 5, 31)
    assert candidate(D(2020, 2, 29), 12) == D(2021, 2, 28)
    assert candidate(D(2024, 8, 31), -26) == D(2022, 6, 30)
