def check(candidate):
    assert candidate("the quick brown fox", 10) == ["the quick", "brown fox"]
    assert candidate("", 5) == []
    assert candidate("   \n ", 5) == []
    assert candidate("a  b\nc", 80) == ["a b c"]
    assert candidate("tiny enormousword x", 6) == ["tiny", "enormousword", "x"]
    assert candidate("ab cd", 5) == ["ab cd"]
    assert candidate("ab cd", 4) == ["ab", "cd"]
    try:
        candidate("x", 0)
    except ValueError:
        pass
    else:
        raise AssertionError("width 0 must raise ValueError")
