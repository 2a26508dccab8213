def check(candidate):
    assert candidate('a,"b,c",d') == ["a", "b,c", "d"]
    assert candidate("") == [""]
    assert candidate("a,") == ["a", ""]
    assert candidate(" a , b") == [" a ", " b"]
    assert candidate('"say ""hi""",x') == ['say "hi"', "x"]
    assert candidate('"",1') == ["", "1"]
    assert candidate("a;b,c", sep=";") == ["a", "b,c"]
    assert candidate('x;"y;z"', sep=";") == ["x", "y;z"]
    try:
        candidate('a,"b')
    except ValueError:
        pass
    else:
        raise AssertionError("an unclosed quote must raise ValueError")
