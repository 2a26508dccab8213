def check(candidate):
    assert candidate("3a1b") == "aaab"
    assert candidate("") == ""
    assert candidate("12x") == "x" * 12
    assert candidate("0a2b") == "bb"
    assert candidate("2 1!") == "  !"
    for bad in ["a", "3", "2ab", "1a2"]:
        try:
            candidate(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {bad!r}")
