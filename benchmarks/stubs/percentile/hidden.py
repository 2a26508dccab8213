def check(candidate):
    assert candidate([1, 2, 3, 4], 50) == 2.5
    assert candidate([5], 90) == 5
    assert candidate([3, 1, 2], 0) == 1
    assert candidate([3, 1, 2], 100) == 3
    assert abs(candidate([10, 20, 30, 40, 50], 90) - 46.0) < 1e-9
    assert abs(candidate([4, 1, 3, 2], 25) - 1.75) < 1e-9
    data = [3, 1, 2]
    candidate(data, 50)
    assert data == [3, 1, 2]
    for args in [([], 50), ([1, 2], -1), ([1, 2], 100.5)]:
        try:
            candidate(*args)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {args!r}")
