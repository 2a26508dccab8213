def check(candidate):
    assert candidate(1994) == "MCMXCIV"
    assert candidate(1) == "I"
    assert candidate(4) == "IV"
    assert candidate(3999) == "MMMCMXCIX"
    assert candidate(444) == "CDXLIV"
    for bad in [0, -5, 4000]:
        try:
            candidate(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {bad!r}")
    for bad in [3.0, "12", True]:
        try:
            candidate(bad)
        except TypeError:
            pass
        else:
            raise AssertionError(f"expected TypeError for {bad!r}")
