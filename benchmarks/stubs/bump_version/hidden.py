def check(candidate):
    assert candidate("1.4.2", "minor") == "1.5.0"
    assert candidate("1.4.2", "major") == "2.0.0"
    assert candidate("1.4.2", "patch") == "1.4.3"
    assert candidate("2", "patch") == "2.0.1"
    assert candidate("2.9", "minor") == "2.10.0"
    assert candidate("1.2.3-rc.1", "patch") == "1.2.4"
    assert candidate("1.2.3+build5", "major") == "2.0.0"
    for args in [("1.2.3", "micro"), ("1.x", "patch"), ("", "patch"), ("1.2.3.4", "patch")]:
        try:
            candidate(*args)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {args!r}")
