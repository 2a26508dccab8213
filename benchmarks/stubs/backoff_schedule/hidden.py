def check(candidate):
    assert candidate(4) == [0.5, 1.0, 2.0, 4.0]
    assert candidate(0) == []
    assert candidate(5, base=1, factor=3, cap=10) == [1, 3, 9, 10, 10]
    assert candidate(3, base=2, factor=1) == [2, 2, 2]
    assert candidate(3, base=50) == [30, 30, 30]
    assert all(d <= 30 for d in candidate(20))
    for kwargs in [{"retries": -1}, {"retries": 2, "base": 0}, {"retries": 2, "cap": -1},
                   {"retries": 2, "factor": 0.5}]:
        try:
            candidate(**kwargs)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {kwargs!r}")
