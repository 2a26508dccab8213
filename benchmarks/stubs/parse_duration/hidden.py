def check(candidate):
    assert candidate("1h30m") == 5400
    assert candidate("2d") == 172800
    assert candidate("1H 2M 3S") == 3723
    assert candidate("90") == 90
    assert candidate(" 1d 1s ") == 86401
    assert candidate("0s") == 0
    for bad in ["", "   ", "5x", "1m1h", "1h1h", "1h 30", "h", "1.5h", "abc", "-1h"]:
        try:
            candidate(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"expected ValueError for {bad!r}")
