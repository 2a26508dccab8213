def check(candidate):
    assert candidate([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert candidate([], 3) == []
    assert candidate((x for x in range(4)), 2) == [[0, 1], [2, 3]]
    assert candidate("abc", 5) == [["a", "b", "c"]]
    assert candidate(range(3), 1) == [[0], [1], [2]]
    for bad in [0, -2]:
        try:
            candidate([1], bad)
        except ValueError:
            pass
        else:
            raise AssertionError("size < 1 must raise ValueError")
    for bad in [2.0, True, "2"]:
        try:
            candidate([1, 2], bad)
        except TypeError:
            pass
        else:
            raise AssertionError(f"size {bad!r} must raise TypeError")
