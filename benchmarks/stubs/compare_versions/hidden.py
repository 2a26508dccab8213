def check(candidate):
    assert candidate("1.2", "1.10") == -1
    assert candidate("1.10", "1.9") == 1
    assert candidate("1.0", "1") == 0
    assert candidate("1", "1.0.0") == 0
    assert candidate("1.0.1", "1") == 1
    assert candidate("v2.1", "2.1") == 0
    assert candidate("2.0-rc1", "2.0") == -1
    assert candidate("2.0", "2.0-rc1") == 1
    assert candidate("2.0-alpha", "2.0-beta") == -1
    assert candidate("2.1-rc1", "2.0") == 1
    for bad in [("1..2", "1"), ("1.a", "1"), ("1", "")]:
        try:
            candidate(*bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {bad!r}")
