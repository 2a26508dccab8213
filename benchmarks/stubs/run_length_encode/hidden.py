def check(candidate):
    assert candidate("aaabcc") == "3a1b2c"
    assert candidate("") == ""
    assert candidate("x") == "1x"
    assert candidate("a" * 12) == "12a"
    assert candidate("aA") == "1a1A"
    assert candidate("  !!") == "2 2!"
    assert candidate("ééé") == "3é"
    for bad in ["a1", "9"]:
        try:
            candidate(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {bad!r}")
