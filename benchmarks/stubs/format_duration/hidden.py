def check(candidate):
    assert candidate(3725) == "1h 2m 5s"
    assert candidate(0) == "0s"
    assert candidate(60) == "1m"
    assert candidate(86400 + 5) == "1d 5s"
    assert candidate(90061) == "1d 1h 1m 1s"
    assert candidate(59.9) == "59s"
    assert candidate(7200) == "2h"
    try:
        candidate(-1)
    except ValueError:
        pass
    else:
        raise AssertionError("negative must raise ValueError")
