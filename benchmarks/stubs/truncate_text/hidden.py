def check(candidate):
    assert candidate("The quick brown fox", 12) == "The quick..."
    assert candidate("short", 10) == "short"
    assert candidate("exactly10!", 10) == "exactly10!"
    assert candidate("Supercalifragilistic", 8) == "Super..."
    assert candidate("ab   cdefgh", 8) == "ab..."
    assert candidate("one two three", 9, ellipsis="~") == "one two~"
    assert candidate("hello world", 3) == "..."
    for text, limit in [("The quick brown fox jumps", 15), ("a b c d e f g", 7)]:
        assert len(candidate(text, limit)) <= limit
    try:
        candidate("hello", 2)
    except ValueError:
        pass
    else:
        raise AssertionError("a limit below the ellipsis must raise ValueError")
