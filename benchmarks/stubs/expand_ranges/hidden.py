def check(candidate):
    assert candidate("1-3,5") == [1, 2, 3, 5]
    assert candidate("") == []
    assert candidate(" 7 , 2 - 4 ") == [2, 3, 4, 7]
    assert candidate("5,1-2,2") == [1, 2, 5]
    assert candidate("1,,2,") == [1, 2]
    assert candidate("3-3") == [3]
    for bad in ["5-3", "a", "1-b", "1-2-3", "x,1"]:
        try:
            candidate(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {bad!r}")
