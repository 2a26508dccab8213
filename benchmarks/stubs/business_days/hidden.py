import datetime

D = datetime.date


def check(candidate):
    assert candidate(D(2024, 3, 4), D(2024, 3, 11)) == 5
    assert candidate(D(2024, 3, 4), D(2024, 3, 4)) == 0
    assert candidate(D(2024, 3, 9), D(2024, 3, 11)) == 0
    assert candidate(D(2024, 3, 8), D(2024, 3, 12)) == 2
    assert candidate(D(2024, 3, 11), D(2024, 3, 4)) == -5
    assert candidate(D(2024, 3, 4), D(2024, 3, 11), frozenset({D(2024, 3, 6)})) == 4
    assert candidate(D(2024, 3, 4), D(2024, 3, 11), frozenset({D(2024, 3, 9)})) == 5
    assert candidate(D(2024, 3, 12), D(2024, 3, 8), frozenset({D(2024, 3, 11)})) == -1
