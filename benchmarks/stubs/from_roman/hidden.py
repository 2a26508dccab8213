def check(candidate):
    assert candidate("XIV") == 14
    assert candidate("mcmxciv") == 1994
    assert candidate(" MMMCMXCIX ") == 3999
    assert candidate("IV") == 4
    assert candidate("XL") == 40
    for bad in ["", "IIII", "VX", "IC", "ABC", "MMMM", "VV"]:
        try:
            candidate(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {bad!r}")
