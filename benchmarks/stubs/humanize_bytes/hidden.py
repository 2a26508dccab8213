def check(candidate):
    assert candidate(1536) == "1.5 KiB"
    assert candidate(0) == "0 B"
    assert candidate(1023) == "1023 B"
    assert candidate(1024) == "1.0 KiB"
    assert candidate(3 * 1024 ** 2) == "3.0 MiB"
    assert candidate(2048 * 1024 ** 4) == "2048.0 TiB"
    assert candidate(1024 ** 5) == "1024.0 TiB"
    assert candidate(1024 + 51) == "1.0 KiB"
    assert candidate(1024 + 52) == "1.1 KiB"
    assert candidate(int(1.25 * 1024)) == "1.3 KiB"
    try:
        candidate(-1)
    except ValueError:
        pass
    else:
        raise AssertionError("negative sizes must raise ValueError")
