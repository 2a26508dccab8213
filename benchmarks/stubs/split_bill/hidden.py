def check(candidate):
    assert candidate(1000, 3) == [334, 333, 333]
    assert candidate(0, 2) == [0, 0]
    assert candidate(5, 1) == [5]
    assert candidate(1001, 4) == [251, 250, 250, 250]
    assert candidate(1003, 4) == [251, 251, 251, 250]
    assert candidate(2, 5) == [1, 1, 0, 0, 0]
    for args in [(10, 0), (10, -1), (-10, 2)]:
        try:
            candidate(*args)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {args!r}")
