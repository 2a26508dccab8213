def check(candidate):
    assert candidate("Yes") is True
    for word in ["true", "TRUE", " on ", "y", "1"]:
        assert candidate(word) is True, word
    for word in ["false", "No", "OFF", "n", "0", "\t0\n"]:
        assert candidate(word) is False, word
    for bad in ["", "maybe", "tru", "2", "yes please"]:
        try:
            candidate(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {bad!r}")
